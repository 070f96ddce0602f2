"""Identities between functions (`[[identity]]`): the seeds' own (tanh through the sigmoid, the
cross-entropy of a one-hot label, softmax's shift invariance) are proved, one holds only on the
domain its condition gives, and seed 003's overflow fix (scaling where only a shift keeps softmax)
is refuted with what separates the sides. Values are re-checked by plain floating point."""

from __future__ import annotations

import math

import pytest

from gradverify.derivations import identities
from gradverify.derivations.equivalence import ClaimError
from gradverify.derivations.kinds import split_relation
from gradverify.derivations.parse import parse


def judge(lhs, rhs, n=3, where=()):
    conds = tuple((parse(a), rel, parse(b), text) for text in where for a, rel, b in [split_relation(text)])
    return identities.judge(parse(lhs), parse(rhs), n, identities.conditions(conds))


def softmax(v):
    e = [math.exp(t) for t in v]
    return [t / sum(e) for t in e]


@pytest.mark.parametrize("lhs, rhs", [
    (r"\tanh(x)", r"2\sigma(2x) - 1"),                                              # seed 004
    (r"1 - \tanh^2(x)", r"4\sigma(2x)(1 - \sigma(2x))"),                            # seed 004
    (r"(a+b)^2 - (a-b)^2", r"4ab"),                                                 # seed 001, tanh
    (r"\frac{e^{-x}}{(1+e^{-x})^2}", r"\frac{1}{1+e^{-x}} - \frac{1}{(1+e^{-x})^2}"),  # seed 001, sigmoid
    (r"\frac{e^{x_i}}{\sum_{j=1}^{N} e^{x_j}}", r"\frac{e^{x_i - c}}{\sum_{j=1}^{N} e^{x_j - c}}"),
])
def test_the_seeds_identities_are_proved(lhs, rhs):
    r = judge(lhs, rhs)
    assert r["verdict"] == "equivalent", r["explanation"]


def test_seed_004s_log_softmax_expansion_at_its_five_classes():
    r = judge(r"-\log\left(\frac{e^{z_i}}{\sum_{j=1}^{5} e^{z_j}}\right)",
              r"-z_i + \log\left(\sum_{j=1}^{5} e^{z_j}\right)", n=5)
    assert r["verdict"] == "equivalent"


def test_the_one_hot_cross_entropy_holds_on_its_domain_only():
    lhs, rhs = r"-\sum_{k=1}^{N} y_k \log(\hat{y}_k)", r"-\log(\hat{y}_i)"
    r = judge(lhs, rhs, where=[r"y_k = \delta_{ik}"])
    assert r["verdict"] == "equivalent on a domain"
    assert r["domain"] == [r"y_k = \delta_{ik}"]
    assert judge(lhs, rhs)["verdict"] == "not equivalent"


def test_seed_003s_overflow_fix_scales_where_only_a_shift_keeps_softmax():
    r = judge(r"\frac{e^{x_i}}{\sum_{j=1}^{N} e^{x_j}}", r"\frac{e^{x_i / c}}{\sum_{j=1}^{N} e^{x_j / c}}")
    assert r["verdict"] == "not equivalent"
    assert any("the shift" in d and "scales" in d for d in r["diagnoses"])
    assert any(d == "the sides agree only where c = 1" for d in r["diagnoses"])
    x = [710.0, 2.0, -1.0]
    shifted = softmax([t - max(x) for t in x])
    scaled = softmax([t / 709.0 for t in x])
    assert not math.isclose(shifted[1], scaled[1], rel_tol=1e-3)


def test_the_counterexample_is_a_real_one():
    r = judge(r"\tanh(x)", r"2\sigma(x) - 1")  # the 2x inside dropped
    assert r["verdict"] == "not equivalent"
    x = float(r["counterexample"]["point"]["x"])
    assert math.isclose(float(r["counterexample"]["form"]), math.tanh(x), rel_tol=1e-12)
    assert math.isclose(float(r["counterexample"]["truth"]), 2 / (1 + math.exp(-x)) - 1, rel_tol=1e-12)


def test_a_constant_factor_between_the_sides_is_named():
    r = judge(r"(a+b)^2 - (a-b)^2", r"a \cdot b")
    assert "the left side is 4 times the right side" in r["diagnoses"]


def test_a_third_free_index_is_refused():
    with pytest.raises(ClaimError):
        judge(r"x_k", r"x_k")
