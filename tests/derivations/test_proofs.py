"""The proof engine: every correct catalog form proved, every seed mistake refuted at a point that
really is a counterexample (re-checked here by finite differences of the definition), piecewise
forms decided region by region, kink conventions told apart from mistakes."""

from __future__ import annotations

import mpmath
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from gradverify.derivations import catalog
from gradverify.derivations import checks
from gradverify.derivations.proofs import Assumptions, prove

mpmath.mp.dps = 40
ALL = [(e.name, i) for e in catalog.entries() for i, _ in enumerate(e.forms)]


def _id(item):
    name, i = item
    return f"{name}-{i}"


@pytest.mark.parametrize("item", ALL, ids=[_id(x) for x in ALL])
def test_every_form_gets_its_expected_verdict(item):
    name, i = item
    e = catalog.get(name)
    c = checks.check(e, e.forms[i])
    assert c.proof.verdict == c.form.expected, (c.form.label, c.proof.steps, c.proof.counterexample)
    if c.proof.verdict == "proved":
        assert c.proof.method and c.proof.witness >= 2
    if c.proof.verdict == "equal except at kink":
        assert any(not k["agree"] for k in c.proof.kinks)


def _parse(value: str) -> sp.Expr:
    return sp.Rational(value) if "/" in value or "." in value or value.lstrip("-").isdigit() else sp.sympify(value)


def _fd_value(e: catalog.Entry, form: catalog.Form, point: dict[sp.Symbol, sp.Expr]) -> mpmath.mpf:
    """Central difference of the function the hand differentiated, at the counterexample point."""
    var = e.sym(form.wrt or e.variables[0])
    fn = (form.definition if form.definition is not None else e.definition) * e.scale(form.reduction)
    if form.batch == "mean":
        fn = fn / catalog.N_BATCH
    fixed = {s: v for s, v in point.items() if s != var}
    g = sp.lambdify(var, fn.subs(fixed), modules="mpmath")
    h = mpmath.mpf("1e-15")
    x0 = mpmath.mpf(sp.Float(point[var], 40))
    return (g(x0 + h) - g(x0 - h)) / (2 * h)


SCALAR_REFUTED = [(e.name, i) for e in catalog.entries() if not e.is_vector
                  for i, f in enumerate(e.forms) if f.expected == "refuted"]


@pytest.mark.parametrize("item", SCALAR_REFUTED, ids=[_id(x) for x in SCALAR_REFUTED])
def test_counterexamples_are_real(item):
    name, i = item
    e = catalog.get(name)
    form = e.forms[i]
    proof = checks.check(e, form).proof
    ce = proof.counterexample
    assert ce is not None and ce["point"], proof.steps
    by_name = {s.name: s for s in [*e.symbols.values(), catalog.N_OUTPUTS, catalog.N_BATCH]}
    point = {by_name[k]: _parse(v) for k, v in ce["point"].items()}
    if "case" in ce:
        k, v = ce["case"].split(" = ")
        point[by_name[k]] = sp.Integer(v)
    for s in e.symbols.values():  # symbols the form and the truth did not need
        point.setdefault(s, sp.Rational(1, 3))
    point.setdefault(catalog.N_OUTPUTS, sp.Integer(3))
    point.setdefault(catalog.N_BATCH, sp.Integer(4))
    claimed = sp.N(form.expr.subs(point), 30)
    true_slope = _fd_value(e, form, point)
    assert abs(float(claimed) - float(true_slope)) > 1e-6, (form.label, ce, true_slope)
    assert float(sp.Float(ce["form"])) == pytest.approx(float(claimed), rel=1e-9, abs=1e-12)
    assert float(sp.Float(ce["truth"])) == pytest.approx(float(true_slope), rel=1e-7, abs=1e-9)


def test_seed_001_tanh_graph_result_refuted_by_a_factor_of_four():
    e = catalog.get("tanh")
    form = next(f for f in e.forms if "lost the 4" in f.label)
    ce = checks.check(e, form).proof.counterexample
    assert float(ce["truth"]) / float(ce["form"]) == pytest.approx(4, rel=1e-12)


def test_seed_002_sign_mistake_refuted_with_opposite_values():
    e = catalog.get("half_squared_error")
    form = next(f for f in e.forms if f.seed == "002" and f.expected == "refuted")
    ce = checks.check(e, form).proof.counterexample
    assert float(ce["form"]) == pytest.approx(-float(ce["truth"]), rel=1e-12)


def test_seed_004_regularization_refuted_against_the_function_as_written():
    e = catalog.get("l2_regularization")
    form = next(f for f in e.forms if f.definition is not None)
    ce = checks.check(e, form).proof.counterexample
    lam = sp.Rational(ce["point"]["lambda"])
    assert sp.Rational(ce["truth"]) == lam / 2 or float(ce["truth"]) == pytest.approx(float(lam / 2))


def test_vector_refutation_names_the_entry_and_is_real():
    e = catalog.get("softmax")
    form = next(f for f in e.forms if f.n == 3 and "off-diagonal case missed" in f.label)
    ce = checks.check(e, form).proof.counterexample
    i, j = ce["index"]
    assert i != j  # the diagonal is right; an off-diagonal entry is where it fails
    x = sp.symbols("x1:4", real=True)
    s = [sp.exp(v) / sum(sp.exp(u) for u in x) for v in x]
    point = {sp.Symbol(k, real=True): sp.Rational(v) for k, v in ce["point"].items()}
    true = sp.N(sp.diff(s[i - 1], x[j - 1]).subs(point), 30)
    assert float(true) == pytest.approx(float(ce["truth"]), rel=1e-9)
    assert abs(float(ce["form"]) - float(true)) > 1e-6


# -- the region method ---------------------------------------------------------------------------

x = sp.Symbol("x", real=True)
a = sp.Symbol("a", real=True)
y = sp.Symbol("y", real=True)
delta = sp.Symbol("delta", positive=True)


def test_huber_gradient_equals_clip_region_by_region():
    truth = sp.diff(sp.Piecewise(((y - a) ** 2 / 2, sp.Abs(y - a) <= delta),
                                 (delta * sp.Abs(y - a) - delta**2 / 2, True)), a)
    clip = -sp.Max(-delta, sp.Min(delta, y - a))
    p = prove(clip, truth, assumptions=Assumptions(split=a))
    assert p.verdict == "proved"
    assert len(p.regions) >= 3 and all(k["agree"] for k in p.kinks)  # cut at y -+ delta (and y)


def test_hinge_max_equals_hinge_piecewise():
    cases = ({y: 1}, {y: -1})
    p = prove(sp.Max(0, 1 - y * a), sp.Piecewise((1 - y * a, y * a < 1), (0, True)),
              assumptions=Assumptions(cases=cases, split=a))
    assert p.verdict == "proved"


def test_other_kink_value_is_recognised_as_a_convention_not_a_mistake():
    p = prove(sp.Piecewise((1, x >= 0), (0, True)), sp.Heaviside(x, 0))
    assert p.verdict == "equal except at kink"
    (k,) = p.kinks
    assert k["where"] == "x = 0" and k["form"] == "1" and k["truth"] == "0"


def test_sympy_heaviside_half_never_passes_as_the_relu_convention():
    relu_prime = catalog.get("relu").derivative()
    assert relu_prime.subs(x, 0) == 0
    p = prove(sp.Heaviside(x), relu_prime)
    assert p.verdict == "equal except at kink"
    assert p.kinks[0]["form"] == "1/2"
    assert p.kinks[0]["form_convention"].startswith("the midpoint of both sides")
    assert p.kinks[0]["truth_convention"] == "the value from the x < 0 side"


def test_wrong_threshold_is_refuted_inside_the_region_where_they_differ():
    p = prove(sp.Piecewise((x, x > 1), (0, True)), sp.Max(0, x))
    assert p.verdict == "refuted"
    pt = float(sp.Rational(p.counterexample["point"]["x"]))
    assert 0 < pt < 1
    assert float(p.counterexample["form"]) == 0 and float(p.counterexample["truth"]) == pytest.approx(pt)


@settings(max_examples=20, deadline=None)
@given(k=st.integers(-8, 8), k2=st.integers(-8, 8), lo=st.integers(-3, 3), hi=st.integers(-3, 3))
def test_step_functions_are_equal_exactly_when_threshold_and_values_agree(k, k2, lo, hi):
    k, k2 = sp.Rational(k, 4), sp.Rational(k2, 4)
    truth = lo + (hi - lo) * sp.Heaviside(x - k, 0)  # value lo at the kink, like relu'
    form = sp.Piecewise((hi, x > k2), (lo, True))
    p = prove(form, truth)
    if lo == hi or k == k2:
        assert p.verdict == "proved"
    else:
        assert p.verdict == "refuted"


@settings(max_examples=25, deadline=None)
@given(c=st.integers(-5, 5), d=st.integers(-5, 5), c2=st.integers(-5, 5), d2=st.integers(-5, 5))
def test_smooth_forms_proved_iff_equal(c, d, c2, d2):
    s = 1 / (1 + sp.exp(-x))
    p = prove(c * s * (1 - s) + d, c2 * sp.exp(-x) / (1 + sp.exp(-x)) ** 2 + d2)
    assert p.verdict == ("proved" if (c, d) == (c2, d2) else "refuted")


def test_difference_below_the_witness_resolution_is_not_called_proved():
    p = prove(x * (1 + sp.Rational(1, 10**25)), x)
    assert p.verdict in ("unproved", "refuted")


def test_shape_mismatch_is_refuted():
    p = prove(sp.Matrix([x, x]), sp.Matrix([[x, x]]))
    assert p.verdict == "refuted" and "shape" in p.counterexample["reason"]


def test_fused_softmax_ce_needs_targets_summing_to_one():
    e = catalog.get("softmax_cross_entropy")
    form = next(f for f in e.forms if f.n == 3 and f.expected == "proved")
    truth = checks.truth_for(e, form)
    built = e.sized(3)
    without = Assumptions(abbreviations=built.abbreviations)  # no "sum y = 1" case
    assert prove(form.expr, truth, assumptions=without).verdict == "refuted"
    assert prove(form.expr, truth, assumptions=Assumptions(abbreviations=built.abbreviations,
                                                           cases=built.cases)).verdict == "proved"


def test_softmax_jacobian_at_n10_uses_index_classes():
    e = catalog.get("softmax")
    form = next(f for f in e.forms if f.n == 10 and f.expected == "proved")
    p = checks.check(e, form).proof
    assert p.verdict == "proved" and "2 classes" in p.steps[0]


def test_a_parsed_form_with_plain_symbols_meets_the_catalog_symbols():
    e = catalog.get("sigmoid")
    plain = sp.Symbol("x")  # what a parser gives: no assumptions, so a different SymPy symbol
    s = 1 / (1 + sp.exp(-plain))
    assert prove(s * (1 - s), e.derivative()).verdict == "proved"
    assert prove(s * (1 + s), e.derivative()).verdict == "refuted"


def test_hinge_without_the_label_cases_is_decided_for_each_sign_of_y():
    truth = sp.diff(sp.Max(0, 1 - y * a), a)
    right = sp.Piecewise((0, y * a >= 1), (-y, True))
    wrong = sp.Piecewise((0, a >= 1 / y), (-y, True))  # right only for y > 0
    assert prove(right, truth, assumptions=Assumptions(split=a)).verdict in ("proved", "equal except at kink")
    p = prove(wrong, truth, assumptions=Assumptions(split=a))
    assert p.verdict == "refuted" and "y < 0" in " ".join(p.regions)


def test_prove_claim_for_a_formula_from_outside_the_catalog():
    X = sp.Symbol("x")
    assert checks.prove_claim(catalog.get("tanh"), 1 - sp.tanh(X) ** 2).verdict == "proved"
    assert checks.prove_claim(catalog.get("tanh"), 1 / (sp.exp(X) + sp.exp(-X)) ** 2).verdict == "refuted"
    A, Y = sp.Symbol("a"), sp.Symbol("y")
    hinge = catalog.get("hinge")
    assert checks.prove_claim(hinge, sp.Piecewise((0, Y * A >= 1), (-Y, True))).verdict == "proved"
    leaky = catalog.get("leaky_relu")
    assert checks.prove_claim(leaky, sp.Piecewise((1, X > 0), (sp.Rational(1, 10), True)),
                              params={"alpha": "0.1"}).verdict == "proved"


def test_a_branch_chosen_by_a_parameter_alone_is_never_called_proved():
    alpha = sp.Symbol("alpha", positive=True)
    form = sp.Piecewise((1, x > 0), (sp.Piecewise((alpha, alpha < 5), (0, True)), True))
    truth = sp.Piecewise((1, x > 0), (alpha, True))
    assert prove(form, truth, assumptions=Assumptions(split=x)).verdict in ("unproved", "refuted")


def test_kinks_whose_order_depends_on_free_parameters_are_not_called_proved():
    c, d = sp.Symbol("c", real=True), sp.Symbol("d", real=True)  # no assumption orders c and d
    form = sp.Heaviside(x - c, 0) + sp.Heaviside(x - d, 0)
    truth = sp.Piecewise((2, (x > c) & (x > d)), (1, (x > c) | (x > d)), (0, True))
    assert prove(form, truth).verdict == "unproved"
    wrong = sp.Heaviside(x - c, 0) + 2 * sp.Heaviside(x - d, 0)
    assert prove(wrong, truth).verdict == "refuted"
