"""Slips the seeds make, named: the quotient rule written with f^2 in the denominator (seed 002),
a softmax VJP taken through the Jacobian's diagonal only (seed 004's "W_ij only affects z_i and
thus a_i"). Each is checked against finite differences of the function itself."""

from __future__ import annotations

import math

from gradverify.derivations.equivalence import judge
from gradverify.derivations.latex import parse_latex as P

# seed 002, trick 1: (f'g - fg')/f^2 with f = e^{x_i}, g = sum_j e^{x_j}, for the diagonal
QUOTIENT_F2 = (r"\begin{cases} \frac{e^{x_i} \sum_{k=1}^{N} e^{x_k} - e^{x_i} e^{x_i}}{(e^{x_i})^2} & i = j \\ "
               r"-s_i s_j & i \neq j \end{cases}")


def softmax(v):
    e = [math.exp(t) for t in v]
    return [t / sum(e) for t in e]


def test_the_quotient_rule_with_f_squared_is_named_and_the_off_diagonal_stays_right():
    r = judge(P(QUOTIENT_F2), "softmax")
    assert r["verdict"] == "not equivalent"
    assert any("diagonal i = j is wrong" in d for d in r["diagnoses"])
    assert any("quotient rule with f^2" in d and "sum_k e^{x_k}" in d for d in r["diagnoses"])
    # the slip by hand at one point: (f'g - f g')/f^2 = (S - e^{x_1}) / e^{x_1}, far from ds_1/dx_1
    x, h = [0.2, -0.4, 1.1], 1e-6
    S, f = sum(math.exp(t) for t in x), math.exp(x[0])
    slip = (f * S - f * f) / f**2
    fd = (softmax([x[0] + h] + x[1:])[0] - softmax([x[0] - h] + x[1:])[0]) / (2 * h)
    assert math.isclose(slip * f**2 / S**2, fd, rel_tol=1e-6) and not math.isclose(slip, fd, rel_tol=0.1)


def test_the_sigmoid_by_a_quotient_rule_over_f_squared():
    r = judge(P(r"e^{-x}"), "sigmoid")  # (0 * g - 1 * (-e^{-x})) / 1^2
    assert any("quotient rule with f^2" in d and "1 + exp(-x)" in d for d in r["diagnoses"])


def test_a_vjp_through_the_diagonal_only_is_named():
    r = judge(P(r"v_i s_i (1 - s_i)"), "softmax", "vjp")
    assert r["verdict"] == "not equivalent"
    assert any(d.startswith("only the diagonal of the Jacobian") for d in r["diagnoses"])
    # by hand: v^T J differs from v_i s_i (1 - s_i) whenever another v_k is not 0
    x, v, h = [0.5, -0.3, 0.1], [1.0, 2.0, -1.0], 1e-6
    s = softmax(x)
    vjp0 = sum(v[k] * (softmax([x[0] + h] + x[1:])[k] - softmax([x[0] - h] + x[1:])[k]) / (2 * h) for k in range(3))
    assert not math.isclose(vjp0, v[0] * s[0] * (1 - s[0]), rel_tol=1e-3)
