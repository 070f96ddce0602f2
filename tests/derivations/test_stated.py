"""`stated` (the function as the person wrote it) works for vector entries too: a multiclass loss
written with indexed names (-sum_k y_k log s_k) is differentiated by SymPy entry by entry and the
claim is judged against it, with the entry's domain (sum y = 1) and a factor the statement adds
named; a stated vector function s_i gives a Jacobian."""

from __future__ import annotations

import sympy as sp

from gradverify.derivations.equivalence import judge
from gradverify.derivations.latex import parse_latex as P

CE = r"-\sum_{k=1}^{N} y_k \log(s_k)"


def test_s_minus_y_against_the_stated_cross_entropy_is_equivalent_where_the_labels_sum_to_one():
    r = judge(P("s_i - y_i"), "softmax_cross_entropy", stated=P(CE))
    assert r["stated"]["verdict"] == "equivalent on a domain"
    assert "sum_i y_i = 1" in r["stated"]["explanation"]


def test_the_general_gradient_against_the_stated_loss_is_equivalent_everywhere():
    # d/dx_i of -sum_k y_k log softmax(x)_k = -y_i + s_i sum_k y_k, by hand
    r = judge(P(r"-y_i + s_i \sum_{k=1}^{N} y_k"), "softmax_cross_entropy", stated=P(CE))
    assert r["stated"]["verdict"] == "equivalent"


def test_a_stated_mean_over_the_classes_shows_its_factor():
    r = judge(P("s_i - y_i"), "softmax_cross_entropy", stated=P(r"-\frac{1}{N}" + CE[1:]))
    st = r["stated"]
    assert st["verdict"] == "not equivalent"
    assert any("factor 3" in d for d in st["diagnoses"])  # the claims are built at N = 3


def test_a_stated_vector_function_gives_its_jacobian():
    ok = judge(P(r"s_i(\delta_{ij} - s_j)"), "softmax", stated=P(r"\frac{e^{x_i}}{\sum_{k=1}^{N} e^{x_k}}"))
    assert ok["stated"]["verdict"] == "equivalent"
    # seed 001's graph sums the logits where their exponentials are meant: t = sum_k a_k
    bad = judge(P(r"s_i(\delta_{ij} - s_j)"), "softmax", stated=P(r"\frac{e^{x_i}}{\sum_{k=1}^{N} x_k}"))
    assert bad["stated"]["verdict"] == "not equivalent"
    x1, x2, x3 = sp.symbols("x1 x2 x3")
    f = sp.exp(x1) / (x1 + x2 + x3)
    assert sp.diff(f, x1) != sp.diff(sp.exp(x1) / (sp.exp(x1) + sp.exp(x2) + sp.exp(x3)), x1)


def test_a_stated_scalar_function_without_the_variable_says_so():
    r = judge(P("a - y"), "half_squared_error", stated=P(r"\frac{1}{2}(y - b)^2"))
    assert r["stated"]["verdict"] == "not equivalent"
    assert "does not depend on a" in r["stated"]["explanation"]
