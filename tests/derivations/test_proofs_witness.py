"""The witness evaluator (an mpmath walk over the expression tree) against SymPy's own evalf, and
the exact/decimal printing of counterexample points."""

from __future__ import annotations

import random

import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from gradverify.derivations import catalog
from gradverify.derivations import witness

x, y = sp.symbols("x y", real=True)
ATOMS = [x, y, sp.Rational(3, 7), sp.Integer(2), sp.pi]
UNARY = [sp.exp, sp.tanh, sp.sech, sp.erf, sp.Abs, sp.sign, lambda u: sp.Heaviside(u, 0), sp.Heaviside,
         lambda u: sp.log(1 + sp.exp(u)), lambda u: sp.sqrt(1 + u**2)]
BINARY = [sp.Add, sp.Mul, lambda a, b: a / (1 + b**2), lambda a, b: sp.Max(a, b), lambda a, b: sp.Min(a, b),
          lambda a, b: sp.Piecewise((a, x > b), (b, True))]


def _random_expr(rng: random.Random, depth: int) -> sp.Expr:
    if depth == 0:
        return rng.choice(ATOMS)
    if rng.random() < 0.5:
        return rng.choice(UNARY)(_random_expr(rng, depth - 1))
    return rng.choice(BINARY)(_random_expr(rng, depth - 1), _random_expr(rng, depth - 1))


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10**9), px=st.integers(-300, 300), py=st.integers(-300, 300))
def test_walker_agrees_with_evalf(seed, px, py):
    expr = _random_expr(random.Random(seed), 3)
    point = {x: sp.Rational(px, 100), y: sp.Rational(py, 100)}
    want = sp.N(expr.subs(point), 30)
    got = witness.value(expr, point)
    if want.has(sp.nan, sp.zoo) or not want.is_real:
        return
    assert abs(got - want) <= sp.Float("1e-25") * max(1, abs(want)), (expr, point, got, want)


def test_every_catalog_derivative_evaluates_like_evalf():
    rng = random.Random(3)
    for e in catalog.entries():
        if e.is_vector:
            continue
        for var in e.variables:
            d = e.derivative(var)
            point = {s: sp.Rational(rng.randint(1, 90), 100) for s in d.free_symbols}
            assert witness.value(d, point) == pytest.approx(float(sp.N(d.subs(point), 30)), rel=1e-20)
            # and the fast path itself handled it (no fallback to evalf)
            env = {s: witness._mp(v) for s, v in point.items()}
            witness._walk(d, env, {})


def test_points_print_as_decimals_when_exact():
    assert witness.show(sp.Rational(-22853, 10000)) == "-2.2853"
    assert witness.show(sp.Rational(54, 25)) == "2.16"
    assert witness.show(sp.Rational(1, 3)) == "1/3"
    assert witness.point_text({sp.Symbol("a10"): sp.Integer(1), sp.Symbol("a2"): sp.Integer(2)}) == {
        "a2": "2", "a10": "1"}
