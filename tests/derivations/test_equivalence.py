"""Verdicts on claimed derivatives: a correct and a wrong textbook form of every catalog entry, in
SymPy syntax and in LaTeX, with counterexamples re-checked by central differences of the entry's
own definition, and the diagnoses the issue names (lost factor, sign, chain rule, wrong variable,
another function, the function itself)."""

from __future__ import annotations

import mpmath
import pytest
import sympy as sp

from gradverify.derivations import catalog
from gradverify.derivations.equivalence import ClaimError, judge
from gradverify.derivations.parse import parse

EQ, NE, DOM = "equivalent", "not equivalent", "equivalent on a domain"

# (entry, wrt, sympy text, latex text, verdict). The forms are textbook derivatives written by hand.
CASES = [
    ("identity", None, "1", r"1", EQ),
    ("identity", None, "x", r"x", NE),
    ("sigmoid", None, "sigma(x)*(1 - sigma(x))", r"\sigma(x)\left(1-\sigma(x)\right)", EQ),
    ("sigmoid", None, "exp(-x)/(1 + exp(-x))**2", r"\frac{e^{-x}}{(1+e^{-x})^2}", EQ),
    ("sigmoid", None, "sigma(x)*(1 + sigma(x))", r"\sigma(x)(1+\sigma(x))", NE),
    ("tanh", None, "1 - tanh(x)**2", r"1-\tanh^2(x)", EQ),
    ("tanh", None, "sech(x)**2", r"\operatorname{sech}^2 x", EQ),
    ("tanh", None, "4/(exp(x) + exp(-x))**2", r"\frac{4}{(e^{x}+e^{-x})^2}", EQ),
    ("tanh", None, "1/(exp(-x) + exp(x))**2", r"\frac{1}{(e^{-x}+e^{x})^2}", NE),
    ("tanh", None, "1 + tanh(x)**2", r"1+\tanh^2 x", NE),
    ("relu", None, "Piecewise((1, x > 0), (0, True))",
     r"\begin{cases} 1 & x > 0 \\ 0 & \text{otherwise} \end{cases}", EQ),
    ("relu", None, "Heaviside(x, 0)", r"\mathbb{1}\{x > 0\}", EQ),
    ("relu", None, "Piecewise((1, x >= 0), (0, True))",
     r"\begin{cases} 1 & x \ge 0 \\ 0 & x < 0 \end{cases}", DOM),
    ("relu", None, "Max(0, x)", r"\max(0, x)", NE),
    ("leaky_relu", None, "Piecewise((1, x > 0), (alpha, True))",
     r"\begin{cases} 1 & x > 0 \\ \alpha & \text{otherwise} \end{cases}", EQ),
    ("leaky_relu", None, "Piecewise((alpha, x > 0), (1, True))",
     r"\begin{cases} \alpha & x > 0 \\ 1 & \text{otherwise} \end{cases}", NE),
    ("prelu", None, "Piecewise((1, x > 0), (a, True))", r"\begin{cases} 1 & x > 0 \\ a & x \le 0 \end{cases}", EQ),
    ("prelu", "a", "Min(0, x)", r"\min(0, x)", EQ),
    ("prelu", "a", "x", r"x", NE),
    ("elu", None, "Piecewise((1, x > 0), (alpha*exp(x), True))",
     r"\begin{cases} 1 & x > 0 \\ \alpha e^{x} & \text{otherwise} \end{cases}", EQ),
    ("elu", None, "Piecewise((1, x > 0), (exp(x), True))",
     r"\begin{cases} 1 & x > 0 \\ e^{x} & \text{otherwise} \end{cases}", NE),
    ("softplus", None, "sigma(x)", r"\frac{e^{x}}{1+e^{x}}", EQ),
    ("softplus", None, "1/(1 + exp(x))", r"\frac{1}{1+e^{x}}", NE),
    ("gelu", None, "Phi(x) + x*phi(x)",
     r"\frac{1}{2}\left(1 + \operatorname{erf}\left(\frac{x}{\sqrt{2}}\right)\right) + \frac{x e^{-x^2/2}}{\sqrt{2\pi}}", EQ),
    ("gelu", None, "Phi(x)", r"\Phi(x)", NE),
    ("silu", None, "sigma(x)*(1 + x*(1 - sigma(x)))", r"\sigma(x)\left(1 + x(1-\sigma(x))\right)", EQ),
    ("silu", None, "sigma(x)*(1 - sigma(x))", r"\sigma(x)(1-\sigma(x))", NE),
    ("softmax", None, "s_i*(KroneckerDelta(i, j) - s_j)", r"s_i(\delta_{ij} - s_j)", EQ),
    ("softmax", None, "s_i*(1 - s_j)", r"s_i(1 - s_j)", NE),
    ("softmax", "vjp", "s_i*(v_i - (v_1*s_1 + v_2*s_2 + v_3*s_3))", r"s_i\left(v_i - \sum_{j=1}^{N} v_j s_j\right)", EQ),
    ("softmax", "vjp", "v_i*s_i*(1 - s_i)", r"v_i s_i (1 - s_i)", NE),
    ("squared_error", None, "2*(a - y)", r"-2(y - a)", EQ),
    ("squared_error", None, "a - y", r"a - y", NE),
    ("half_squared_error", None, "a - y", r"-(y - a)", EQ),
    ("half_squared_error", None, "y - a", r"y - a", NE),
    ("mean_squared_error", None, "2*(a - y)/n", r"\frac{2}{n}(a - y)", EQ),
    ("mean_squared_error", None, "2*(a - y)", r"2(a - y)", NE),
    ("binary_cross_entropy", None, "(a - y)/(a*(1 - a))", r"-\frac{y}{a} + \frac{1-y}{1-a}", EQ),
    ("binary_cross_entropy", None, "a - y", r"a - y", NE),
    ("cross_entropy", None, "-y/a", r"-\frac{y_i}{a_i}", EQ),
    ("cross_entropy", None, "-y*log(a)", r"-y \log a", NE),
    ("softmax_cross_entropy", None, "s_i - y_i", r"\hat{y}_i - y_i", DOM),
    ("softmax_cross_entropy", None, "y_i - s_i", r"y_i - \hat{y}_i", NE),
    ("hinge", None, "Piecewise((0, y*a >= 1), (-y, True))",
     r"\begin{cases} 0 & y a \ge 1 \\ -y & \text{otherwise} \end{cases}", EQ),
    ("hinge", None, "Piecewise((0, y*a > 1), (-y, True))",
     r"\begin{cases} 0 & y a > 1 \\ -y & \text{otherwise} \end{cases}", DOM),
    ("hinge", None, "-y", r"-y", NE),
    ("l1", None, "-sign(y - a)/n", r"-\frac{1}{n}\operatorname{sgn}(y - a)", EQ),
    ("l1", None, "sign(y - a)/n", r"\frac{\operatorname{sgn}(y - a)}{n}", NE),
    ("huber", None, "-Max(-delta, Min(delta, y - a))", r"-\max(-\delta, \min(\delta, y - a))", EQ),
    ("huber", None, "a - y", r"a - y", NE),
    ("cosine_similarity", None, "-y/n", r"-\frac{y_i}{n}", EQ),
    ("cosine_similarity", None, "-y", r"-y_i", NE),
    ("l2_regularization", None, "lambda*W", r"\lambda W", EQ),
    ("l2_regularization", None, "lambda*W/2", r"\frac{\lambda}{2} W", NE),
    ("cosine_similarity_general", None,
     "-(y_i/sqrt(y_1**2+y_2**2+y_3**2) - (a_1*y_1+a_2*y_2+a_3*y_3)*a_i/(sqrt(y_1**2+y_2**2+y_3**2)*(a_1**2+a_2**2+a_3**2)))/sqrt(a_1**2+a_2**2+a_3**2)",
     r"-\frac{1}{\sqrt{\sum_{k=1}^{N} a_k^2}}\left(\frac{y_i}{\sqrt{\sum_{k=1}^{N} y_k^2}} - \frac{\sum_{k=1}^{N} a_k y_k}{\sqrt{\sum_{k=1}^{N} y_k^2}\sum_{k=1}^{N} a_k^2} a_i\right)", EQ),
    ("cosine_similarity_general", None, "-y_i/(sqrt(y_1**2+y_2**2+y_3**2)*sqrt(a_1**2+a_2**2+a_3**2))",
     r"-\frac{y_i}{\sqrt{\sum_{k=1}^{N} y_k^2}\sqrt{\sum_{k=1}^{N} a_k^2}}", NE),
    ("multiclass_svm", None,  # the label is class 1: its entry counts the active margins
     "(1 - KroneckerDelta(i, 1))*Piecewise((1, s_i - s_1 + Delta > 0), (0, True))"
     " + KroneckerDelta(i, 1)*(Piecewise((-1, s_2 - s_1 + Delta > 0), (0, True))"
     " + Piecewise((-1, s_3 - s_1 + Delta > 0), (0, True)))",
     r"(1 - \mathbb{1}\{i=1\}) \begin{cases} 1 & s_i - s_1 + \Delta > 0 \\ 0 & \text{otherwise} \end{cases}"
     r" + \mathbb{1}\{i=1\} \left(\begin{cases} -1 & s_2 - s_1 + \Delta > 0 \\ 0 & \text{otherwise} \end{cases}"
     r" + \begin{cases} -1 & s_3 - s_1 + \Delta > 0 \\ 0 & \text{otherwise} \end{cases}\right)", EQ),
    ("multiclass_svm", None, "Piecewise((1, s_i - s_1 + Delta > 0), (0, True))",
     r"\begin{cases} 1 & s_i - s_1 + \Delta > 0 \\ 0 & \text{otherwise} \end{cases}", NE),
]


def test_every_catalog_entry_has_a_correct_and_a_wrong_case():
    covered = {(of, verdict == NE) for of, _w, _s, _l, verdict in CASES}
    for entry in catalog.entries():
        assert (entry.name, False) in covered and (entry.name, True) in covered, entry.name


@pytest.mark.parametrize("syntax", ["sympy", "latex"])
@pytest.mark.parametrize("of, wrt, s_text, l_text, verdict", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_verdicts_in_both_syntaxes(of, wrt, s_text, l_text, verdict, syntax):
    text = s_text if syntax == "sympy" else l_text
    res = judge(parse(text, syntax), of, wrt)
    assert res["verdict"] == verdict, res.get("explanation")
    if verdict == EQ:
        w = res["witness"]
        assert abs(float(w["claim"]) - float(w["truth"])) <= 1e-12 * max(1.0, abs(float(w["truth"])))
    if verdict == NE:
        assert res["counterexample"]


@pytest.mark.parametrize("of, text", [("tanh", r"\frac{1}{(e^{-x}+e^{x})^2}"), ("sigmoid", "exp(-x)/(1+exp(-x))"),
                                      ("squared_error", "a - y"), ("softplus", "1/(1+exp(x))")])
def test_counterexample_is_real_by_central_differences(of, text):
    """The derivative value reported at the counterexample equals a finite difference of the
    definition, and the claim's value differs from it."""
    entry = catalog.get(of)
    res = judge(parse(text), of)
    point = {k: mpmath.mpf(v) for k, v in res["counterexample"]["point"].items()}
    var = entry.variables[0]
    f = sp.lambdify([entry.sym(k) for k in point], entry.value(), "mpmath")
    h = mpmath.mpf("1e-12")
    with mpmath.workdps(40):
        plus = dict(point, **{var: point[var] + h})
        minus = dict(point, **{var: point[var] - h})
        fd = (f(*plus.values()) - f(*minus.values())) / (2 * h)
    assert abs(fd - mpmath.mpf(res["counterexample"]["truth"])) < 1e-9
    assert abs(fd - mpmath.mpf(res["counterexample"]["form"])) > 1e-6


def _diag(of, text, wrt=None, params=None):
    return " | ".join(judge(parse(text), of, wrt, params)["diagnoses"])


def test_diagnosis_lost_constant_factor_of_tanh():
    assert "multiply it by 4" in _diag("tanh", r"\frac{1}{(e^{-x}+e^{x})^2}")


def test_diagnosis_sign_of_seed_002():
    d = _diag("half_squared_error", "d - z")
    assert "sign is flipped" in d and "-1 was dropped" in d


def test_diagnosis_missing_chain_rule_factor():
    # d/dx of log(1 + e^x) written as 1/(1 + e^x): the inner derivative e^x is missing
    assert "chain-rule factor" in _diag("softplus", "1/(1 + exp(x))")


def test_diagnosis_wrong_variable_and_other_function_and_the_function_itself():
    assert "with respect to x" in _diag("prelu", "Piecewise((0, x > 0), (x, True))", wrt="x") or \
        "with respect to a" in _diag("prelu", "Piecewise((0, x > 0), (x, True))", wrt="x")
    assert "derivative of tanh" in _diag("sigmoid", "1 - tanh(x)**2")
    assert "the function sigmoid itself" in _diag("sigmoid", "sigma(x)")


def test_kink_explanation_names_both_conventions():
    res = judge(parse("Heaviside(x)"), "relu")
    assert res["verdict"] == DOM
    assert "x = 0" in res["explanation"] and "midpoint" in res["explanation"]


def test_sum_y_domain_is_explained():
    res = judge(parse("s_i - y_i"), "softmax_cross_entropy")
    assert res["verdict"] == DOM and "sum_i y_i = 1" in res["explanation"]


def test_params_are_substituted_on_both_sides():
    assert judge(parse("Piecewise((1, x > 0), (1/10, True))"), "leaky_relu", None, {"alpha": "0.1"})["verdict"] == EQ
    assert judge(parse("Piecewise((1, x > 0), (1/100, True))"), "leaky_relu", None, {"alpha": "0.1"})["verdict"] == NE


def test_renamed_variable_is_accepted_for_one_variable_activations():
    assert judge(parse("sigma(z)*(1 - sigma(z))"), "sigmoid")["verdict"] == EQ


def test_stated_function_of_seed_004():
    res = judge(parse(r"\lambda W"), "l2_regularization", "W", stated=parse(r"\frac{\lambda}{2} W"))
    assert res["verdict"] == EQ
    assert res["stated"]["verdict"] == NE and "inconsistent" in res["explanation"]


@pytest.mark.parametrize("of, text, fragment", [
    ("tanh", "q*x", "unknown name 'q'"),
    ("softmax", "s_k", "index"),
    ("leaky_relu", "x", None),
])
def test_unreadable_claims(of, text, fragment):
    if fragment is None:
        with pytest.raises(ClaimError, match="no parameter"):
            judge(parse(text), of, None, {"beta": "1"})
    else:
        with pytest.raises(ClaimError, match=fragment):
            judge(parse(text), of)


def test_cancellation_never_becomes_a_counterexample():
    """(x+1)^300 (x-1)^300 - (x^2-1)^300 is 0, but its terms are ~1e150: a 30-digit witness sees
    noise. The verdict must not be 'not equivalent' on rounding, and a real difference must show
    its true values (checked against the exact value 2 sech^2 x at the point)."""
    same = judge(parse("sech(x)**2*((x+1)**300*(x-1)**300 - (x**2-1)**300 + 1)"), "tanh")
    assert same["verdict"] != NE
    other = judge(parse("sech(x)**2*((x+1)**300*(x-1)**300 - (x**2-1)**300 + 2)"), "tanh")
    assert other["verdict"] == NE
    x = float(other["counterexample"]["point"]["x"])
    assert abs(float(other["counterexample"]["form"]) - 2 * float(mpmath.sech(x)) ** 2) < 1e-12


def test_jacobian_case_diagnosis():
    d = _diag("softmax", "s_i*(1 - s_j)")
    assert "i != j entries are wrong" in d
    d = _diag("softmax", "-s_i*s_j")
    assert "diagonal i = j is wrong" in d


@pytest.mark.parametrize("text", ["zoo", "nan", "oo", "I", "Symbol"])
def test_sympy_special_names_are_not_read_as_the_variable(text):
    with pytest.raises(ClaimError, match="unknown name"):
        judge(parse(text), "tanh")


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_RIGHT = [("sigmoid", "sigma(x)*(1 - sigma(x))"), ("tanh", "1 - tanh(x)**2"), ("softplus", "sigma(x)"),
          ("mean_squared_error", "2*(a - y)/n"), ("cross_entropy", "-y/a"), ("gelu", "Phi(x) + x*phi(x)")]


@settings(max_examples=12, deadline=None)
@given(st.sampled_from(_RIGHT), st.fractions(min_value=-9, max_value=9, max_denominator=9))
def test_any_constant_multiple_is_caught_and_named(case, k):
    """Law: k * (right derivative) is equivalent iff k = 1, and otherwise the diagnosis names k."""
    of, text = case
    res = judge(parse(f"({k.numerator}/{k.denominator})*({text})"), of)
    if k == 1:
        assert res["verdict"] == EQ
    elif k == 0:
        assert res["verdict"] == NE
    else:
        assert res["verdict"] == NE
        d = " | ".join(res["diagnoses"])
        if k == -1:
            assert "sign is flipped" in d
        else:
            assert f"{k.numerator}/{k.denominator}" in d or str(k.numerator) in d, d
