"""The catalog: vocabulary, registry API, definitions against hand-coded formulas, derivatives
against central finite differences (away from kinks) and against the stated kink conventions."""

from __future__ import annotations

import math

import mpmath
import pytest
import sympy as sp
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from gradverify.derivations import catalog

ACTIVATIONS = ["identity", "sigmoid", "tanh", "relu", "leaky_relu", "prelu", "elu", "softplus", "gelu",
               "silu", "softmax"]
LOSSES = ["squared_error", "half_squared_error", "mean_squared_error", "binary_cross_entropy",
          "cross_entropy", "softmax_cross_entropy", "hinge", "l1", "huber", "cosine_similarity",
          "cosine_similarity_general", "l2_regularization", "multiclass_svm"]

mpmath.mp.dps = 40


def test_every_vocabulary_name_is_registered_with_its_kind():
    assert [e.name for e in catalog.entries("activation")] == ACTIVATIONS
    assert sorted(e.name for e in catalog.entries("loss")) == sorted(LOSSES)


@pytest.mark.parametrize("name, params", [
    ("leaky_relu", {"alpha": sp.Rational(1, 100)}), ("prelu", {"a": sp.Rational(1, 4)}),
    ("elu", {"alpha": sp.Integer(1)}), ("huber", {"delta": sp.Integer(1)}),
    ("l2_regularization", {"lambda": sp.Rational(1, 100)}),
])
def test_parameter_defaults_are_the_shared_ones(name, params):
    assert {p.name: p.default for p in catalog.get(name).params} == params


def test_unknown_name_suggests_the_closest():
    with pytest.raises(KeyError, match="did you mean sigmoid"):
        catalog.get("sigmod")
    with pytest.raises(KeyError, match="huber"):
        catalog.get("hubber")


def test_aliases_and_spelling_variants_resolve():
    assert catalog.get("swish").name == "silu"
    assert catalog.get("Leaky-ReLU").name == "leaky_relu"
    assert catalog.get("mse").name == "mean_squared_error"


def test_unknown_parameter_and_variable_are_reported():
    with pytest.raises(KeyError, match="did you mean alpha"):
        catalog.get("leaky_relu").derivative(params={"alpah": "0.1"})
    with pytest.raises(KeyError, match="not 'b'"):
        catalog.get("prelu").derivative("b")


def test_every_entry_carries_forms_with_seed_and_expectation():
    for e in catalog.entries():
        assert e.forms, e.name
        for f in e.forms:
            assert f.expected in catalog.EXPECTED
            assert (f.wrt or e.variables[0]) in e.variables


def test_the_seed_mistakes_are_in_the_catalog_as_forms_expected_refuted():
    tanh = {f.label: f for f in catalog.get("tanh").forms}
    lost4 = next(f for f in tanh.values() if "lost the 4" in f.label)
    assert lost4.seed == "001" and lost4.expected == "refuted"
    half = next(f for f in catalog.get("half_squared_error").forms if "sign lost" in f.label)
    assert half.seed == "002" and half.expected == "refuted"
    reg = next(f for f in catalog.get("l2_regularization").forms if f.definition is not None)
    assert reg.seed == "004" and reg.expected == "refuted"


# -- definitions against hand-coded formulas ----------------------------------------------------

HAND = {
    "identity": lambda x: x,
    "sigmoid": lambda x: 1 / (1 + math.exp(-x)),
    "tanh": lambda x: (math.exp(x) - math.exp(-x)) / (math.exp(x) + math.exp(-x)),
    "relu": lambda x: max(0.0, x),
    "leaky_relu": lambda x: x if x > 0 else 0.01 * x,
    "prelu": lambda x: x if x > 0 else 0.25 * x,
    "elu": lambda x: x if x > 0 else math.exp(x) - 1,
    "softplus": lambda x: math.log(1 + math.exp(x)),
    "gelu": lambda x: x * 0.5 * (1 + math.erf(x / math.sqrt(2))),
    "silu": lambda x: x / (1 + math.exp(-x)),
}


@pytest.mark.parametrize("name", sorted(HAND))
@settings(max_examples=15, deadline=None)
@given(x=st.floats(-6, 6))
def test_activation_definitions_match_hand_coded_formulas(name, x):
    e = catalog.get(name)
    got = float(e.value({p.name: p.default for p in e.params}).subs(e.sym("x"), sp.Float(x, 30)))
    assert got == pytest.approx(HAND[name](x), rel=1e-12, abs=1e-12)


# -- derivatives against central finite differences ---------------------------------------------

def _kinks_of(name: str, point: dict) -> list[float]:
    y = point.get("y", 0.0)
    return {"relu": [0.0], "leaky_relu": [0.0], "prelu": [0.0], "elu": [0.0], "hinge": [y], "l1": [y],
            "huber": [y - 1, y + 1]}.get(name, [])


def _fd(f, x: float) -> mpmath.mpf:
    h = mpmath.mpf("1e-12")
    x = mpmath.mpf(x)
    return (f(x + h) - f(x - h)) / (2 * h)


def _numeric(expr: sp.Expr, var: sp.Symbol, point: dict[sp.Symbol, float]):
    fixed = {s: sp.Float(v, 40) for s, v in point.items()}
    body = expr.subs(fixed)
    fn = sp.lambdify(var, body, modules="mpmath")
    return lambda t: fn(t)


SCALAR = [e.name for e in catalog.entries() if not e.is_vector]


@pytest.mark.parametrize("name", SCALAR)
@settings(max_examples=12, deadline=None)
@given(u=st.floats(-4, 4), w=st.floats(-3, 3), sign=st.sampled_from([-1, 1]), pos=st.floats(0.05, 0.95))
def test_derivative_matches_central_differences_away_from_kinks(name, u, w, sign, pos):
    e = catalog.get(name)
    for var in e.variables:
        point: dict[str, float] = {}
        for sname, sym in e.symbols.items():
            if sname == var:
                continue
            if sname == "n":
                point[sname] = 3
            elif sname == "y":
                point[sname] = sign if name == "hinge" else (pos if sym.is_positive is None and e.ranges else w)
            elif sname in ("a", "x", "W"):
                point[sname] = w
        for p in e.params:
            if p.name != var:
                point[p.name] = float(p.default)
        t = pos if (var == "a" and e.ranges) else u
        for k in _kinks_of(name, point) if var != "a" or name != "prelu" else []:
            assume(abs(t - k) > 1e-3)
        if name == "prelu" and var == "a":
            assume(abs(point["x"]) > 1e-3)
        sym_point = {e.symbols[k]: v for k, v in point.items()}
        d = e.derivative(var)
        f = _numeric(e.definition * e.scale(), e.sym(var), sym_point)
        want = _fd(f, t)
        got = d.subs({s: sp.Float(v, 40) for s, v in sym_point.items()}).subs(e.sym(var), sp.Float(t, 40))
        assert float(got) == pytest.approx(float(want), rel=1e-9, abs=1e-9), (name, var, point, t)


@pytest.mark.parametrize("name, n", [("softmax", 3), ("softmax", 10), ("softmax_cross_entropy", 3),
                                     ("softmax_cross_entropy", 10), ("cosine_similarity_general", 3)])
@settings(max_examples=4, deadline=None)
@given(seed=st.integers(0, 10**6))
def test_vector_derivatives_match_central_differences(name, n, seed):
    import random

    rng = random.Random(seed)
    e = catalog.get(name)
    built = e.sized(n)
    var = e.variables[0]
    xs = built.symbols[var]
    point = {s: rng.uniform(-2, 2) for s in xs}
    others = {s: rng.uniform(0, 1) for key, syms in built.symbols.items()
              if key not in (var, "v", "S", "|a|", "|y|") for s in syms}
    if name == "softmax_cross_entropy":  # one-hot-like target that sums to 1
        ys = built.symbols["y"]
        total = sum(others[s] for s in ys)
        others = {s: others[s] / total for s in ys}
    d = built.derivatives[var].xreplace(dict(built.abbreviations))
    definition = built.definition
    for j, xj in enumerate(xs):
        rest = {**{s: sp.Float(v, 40) for s, v in point.items() if s != xj},
                **{s: sp.Float(v, 40) for s, v in others.items()}}
        fd = [_fd(_numeric(comp, xj, {}), point[xj]) for comp in
              (definition.subs(rest) if isinstance(definition, sp.MatrixBase) else [definition.subs(rest)])]
        at = {**rest, xj: sp.Float(point[xj], 40)}
        if isinstance(definition, sp.MatrixBase):  # Jacobian column j: ds_i/dx_j
            for i in range(n):
                assert float(d[i, j].subs(at)) == pytest.approx(float(fd[i]), rel=1e-9, abs=1e-12)
        else:
            assert float(d[j].subs(at)) == pytest.approx(float(fd[0]), rel=1e-9, abs=1e-12)


# -- kinks: the stated convention (PyTorch's: the x <= 0 side), never SymPy's Heaviside(0) = 1/2 -----

@pytest.mark.parametrize("name, var, at, want", [
    ("relu", "x", {"x": 0}, 0),
    ("leaky_relu", "x", {"x": 0}, sp.Rational(1, 100)),
    ("prelu", "x", {"x": 0}, sp.Rational(1, 4)),
    ("prelu", "a", {"x": 0}, 0),
    ("elu", "x", {"x": 0}, 1),
    ("hinge", "a", {"y": 1, "a": 1}, 0),
    ("hinge", "a", {"y": -1, "a": -1}, 0),
    ("l1", "a", {"y": sp.Rational(1, 2), "a": sp.Rational(1, 2), "n": 4}, 0),
])
def test_derivative_at_each_kink_is_the_stated_convention(name, var, at, want):
    e = catalog.get(name)
    d = e.derivative(var, params={p.name: p.default for p in e.params})
    value = d.subs({e.sym(k): v for k, v in at.items()})
    assert value == want
    assert not value.has(sp.Heaviside)


@pytest.mark.parametrize("name", ["relu", "leaky_relu", "prelu", "elu"])
def test_kink_convention_is_the_left_hand_derivative(name):
    e = catalog.get(name)
    x = e.sym("x")
    f = sp.lambdify(x, e.value({p.name: p.default for p in e.params}), modules="mpmath")
    h = mpmath.mpf("1e-15")
    left = (f(mpmath.mpf(0)) - f(-h)) / h
    at0 = e.derivative("x", params={p.name: p.default for p in e.params}).subs(x, 0)
    assert float(at0) == pytest.approx(float(left), abs=1e-9)


def test_reductions_over_outputs_and_batch():
    e = catalog.get("squared_error")
    a, y, n, m = e.sym("a"), e.sym("y"), catalog.N_OUTPUTS, catalog.N_BATCH
    assert sp.simplify(e.derivative(reduction="mean") - 2 * (a - y) / n) == 0
    assert sp.simplify(e.derivative(batch="mean") - 2 * (a - y) / m) == 0
    mse = catalog.get("mean_squared_error")
    assert sp.simplify(mse.derivative(reduction="sum") - 2 * (mse.sym("a") - mse.sym("y"))) == 0


def test_softmax_ce_states_that_the_targets_sum_to_one():
    e = catalog.get("softmax_cross_entropy")
    assert any("sum_i y_i = 1" in a for a in e.assumptions)
    built = e.sized(3)
    (case,) = built.cases
    y = built.symbols["y"]
    assert sp.expand(sum(y).subs(case)) == 1


def test_vector_derivative_with_the_sum_written_out():
    e = catalog.get("softmax")
    x1, x2, x3 = (e.sym(f"x{i}") for i in (1, 2, 3))
    jac = e.derivative("x", full=True)
    total = sp.exp(x1) + sp.exp(x2) + sp.exp(x3)
    assert sp.simplify(jac[0, 1] - sp.diff(sp.exp(x1) / total, x2)) == 0
    assert not jac.has(sp.Symbol("S", positive=True))
