"""Every numeric activation and loss equals its SymPy definition from gradverify.derivations.catalog, kinks included.

SymPy is evaluated at 30 digits (subs + evalf, so Piecewise and Heaviside keep their exact meaning);
the engine's float64 values must agree to about 1e-12 relative.
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from gradverify.derivations import catalog
from gradverify.numeric import activations as A
from gradverify.numeric import losses as Lo

KINK_AND_TAIL = [-30.0, -5.0, -1.5, -1.0, -0.5, -1e-8, 0.0, 1e-8, 0.3, 1.0, 2.5, 30.0]
POINTS = KINK_AND_TAIL + list(np.random.default_rng(7).uniform(-6, 6, 12))
SCALAR_ACTS = [e.name for e in catalog.entries() if e.kind == "activation" and not e.is_vector]
SCALAR_LOSSES = [e.name for e in catalog.entries() if e.kind == "loss" and not e.is_vector]


def _close(got: float, want: float, rel: float = 1e-12, abs_: float = 1e-15) -> bool:
    return abs(got - want) <= rel * abs(want) + abs_


def _ev(expr: sp.Expr, subs: dict) -> float:
    return float(sp.N(expr.subs({k: sp.Float(repr(float(v)), 30) for k, v in subs.items()}), 30))


def test_registries_cover_the_catalog_under_the_same_names() -> None:
    acts = {e.name for e in catalog.entries() if e.kind == "activation"}
    losses = {e.name for e in catalog.entries() if e.kind == "loss"}
    assert acts == set(A.ACTIVATIONS)
    # "none" is no function to derive: the output itself is what is differentiated
    assert losses == set(Lo.LOSSES) - {"huber_mean", "none"}
    for e in catalog.entries():
        table = A.ALIASES if e.kind == "activation" else Lo.ALIASES
        for alias in e.aliases:
            assert table[alias] == e.name


@pytest.mark.parametrize("name", SCALAR_ACTS)
def test_activation_value_and_derivative_equal_sympy(name: str) -> None:
    e = catalog.get(name)
    x = e.sym("x")
    act = A.get_activation(name)
    params = {p.name: float(p.default) for p in e.params}
    f = e.value()
    df = e.derivative("x")
    subs_p = {p.symbol: p.default for p in e.params}
    f, df = f.subs(subs_p), df.subs(subs_p)
    z = np.array(POINTS)
    got_f, got_df = act.f(z, **params), act.df(z, **params)
    for i, v in enumerate(POINTS):
        want_f, want_df = _ev(f, {x: v}), _ev(df, {x: v})
        assert _close(got_f[i], want_f), (name, v, got_f[i], want_f)
        assert _close(got_df[i], want_df), (name, "df", v, got_df[i], want_df)


@pytest.mark.parametrize("name", SCALAR_ACTS)
def test_textbook_form_from_the_output_equals_the_derivative(name: str) -> None:
    act = A.get_activation(name)
    if act.df_from_output is None:
        assert name in ("gelu", "silu")  # no form in the output alone
        return
    z = np.array([v for v in POINTS if abs(v) <= 15])  # a = f(z) must still determine f'(z)
    assert np.allclose(act.df_from_output(act.f(z)), act.df(z), rtol=1e-9, atol=1e-12)


def test_prelu_derivative_with_respect_to_its_slope() -> None:
    e = catalog.get("prelu")
    x, a = e.sym("x"), e.sym("a")
    d = e.derivative("a")
    z = np.array(POINTS)
    got = A.get_activation("prelu").dparam("a", z, a=0.3)
    for i, v in enumerate(POINTS):
        assert _close(got[i], _ev(d, {x: v, a: 0.3}))


def _loss_points(name: str) -> list[tuple[list[float], list[float]]]:
    rng = np.random.default_rng(11)
    e = catalog.get(name)
    lo, hi = e.ranges.get("a", (-2.0, 2.0))
    ylo, yhi = e.ranges.get("y", (-2.0, 2.0))
    pts = [(list(rng.uniform(lo, hi, 3)), list(rng.uniform(ylo, yhi, 3))) for _ in range(6)]
    if name == "hinge":
        pts = [([0.5, -2.0, 1.0], [1.0, -1.0, 1.0]), ([-1.0, 0.2, 3.0], [-1.0, 1.0, -1.0])]  # margin y a = 1 included
    if name == "l1":
        pts.append(([0.4, -1.0, 2.0], [0.4, 0.5, 2.0]))  # a = y: sgn(0) = 0
    if name == "huber":
        pts.append(([0.5, 0.0, 3.0], [1.5, 0.2, -1.0]))  # |R| = delta exactly, small R, large R
    return pts


@pytest.mark.parametrize("name", SCALAR_LOSSES)
def test_loss_value_and_gradient_equal_sympy(name: str) -> None:
    e = catalog.get(name)
    loss = Lo.get_loss(name)
    n = 3
    params = {p.name: float(p.default) for p in e.params}
    subs_p = {p.symbol: p.default for p in e.params}
    if name == "l2_regularization":
        W, lam = e.sym("W"), e.sym("lambda")
        w = np.array([0.3, -1.2, 2.0])
        assert _close(float(loss.value(w, None, **{"lambda": 0.2})), sum(_ev(e.value(), {W: v, lam: 0.2}) for v in w))
        g = loss.grad(w, None, **{"lambda": 0.2})
        assert all(_close(g[i], _ev(e.derivative("W"), {W: w[i], lam: 0.2})) for i in range(3))
        return
    a_s, y_s = e.sym("a"), e.sym("y")
    term = (e.definition * e.scale()).subs(subs_p).subs(e.n, n)
    dterm = e.derivative("a").subs(subs_p).subs(e.n, n)
    for a, y in _loss_points(name):
        got_v = float(loss.value(np.array(a), np.array(y), **params))
        want_v = sum(_ev(term, {a_s: a[i], y_s: y[i]}) for i in range(n))
        assert _close(got_v, want_v), (name, a, y, got_v, want_v)
        got_g = loss.grad(np.array(a), np.array(y), **params)
        for i in range(n):
            want = _ev(dterm, {a_s: a[i], y_s: y[i]})
            assert _close(got_g[i], want), (name, a, y, i, got_g[i], want)


def test_huber_mean_is_the_catalog_huber_with_a_mean_over_outputs() -> None:
    e = catalog.get("huber")
    a_s, y_s = e.sym("a"), e.sym("y")
    a, y = np.array([0.5, 0.0, 3.0]), np.array([1.5, 0.2, -1.0])
    term = (e.definition * e.scale("mean")).subs(e.defaults()).subs(e.n, 3)
    d = e.derivative("a", reduction="mean").subs(e.defaults()).subs(e.n, 3)
    hm = Lo.get_loss("huber_mean")
    assert _close(float(hm.value(a, y)), sum(_ev(term, {a_s: a[i], y_s: y[i]}) for i in range(3)))
    assert all(_close(hm.grad(a, y)[i], _ev(d, {a_s: a[i], y_s: y[i]})) for i in range(3))


def _sized(name: str, n: int):
    s = catalog.get(name).sized(n)
    return s, (lambda ex: ex.subs(s.abbreviations) if hasattr(ex, "subs") else ex)


@pytest.mark.parametrize("n", [3, 5])
def test_softmax_value_jacobian_and_vjp_equal_sympy(n: int) -> None:
    s, expand = _sized("softmax", n)
    xs, vs = s.symbols["x"], s.symbols["v"]
    rng = np.random.default_rng(n)
    z, v = rng.normal(0, 3, n), rng.normal(0, 1, n)
    subs = {**dict(zip(xs, z)), **dict(zip(vs, v))}
    sm = A.get_activation("softmax")
    defn, jac, vjp = expand(s.definition), expand(s.derivatives["x"]), expand(s.derivatives["vjp"])
    f, J, g = sm.f(z), sm.jacobian(z), sm.vjp(z, v)
    for i in range(n):
        assert _close(f[i], _ev(defn[i], subs))
        assert _close(g[i], _ev(vjp[i], subs), abs_=1e-14)
        for j in range(n):
            assert _close(J[i, j], _ev(jac[i, j], subs), abs_=1e-14)
    assert np.allclose(sm.df_from_output(f), J, atol=1e-15)


def test_fused_softmax_cross_entropy_and_general_cosine_equal_sympy() -> None:
    s, expand = _sized("softmax_cross_entropy", 3)
    xs, ys = s.symbols["x"], s.symbols["y"]
    z, y = np.array([1.5, -0.3, 0.7]), np.array([0.2, 0.5, 0.3])  # sum y = 1, as the catalog assumes
    subs = {**dict(zip(xs, z)), **dict(zip(ys, y))}
    sce = Lo.get_loss("softmax_cross_entropy")
    assert _close(float(sce.value(z, y)), _ev(expand(s.definition), subs))
    d = expand(s.derivatives["x"])
    assert all(_close(sce.grad(z, y)[i], _ev(d[i], subs)) for i in range(3))
    s, expand = _sized("cosine_similarity_general", 3)
    a_s, y_s = s.symbols["a"], s.symbols["y"]
    a, y = np.array([0.4, -1.1, 2.0]), np.array([1.0, 0.5, -0.2])
    subs = {**dict(zip(a_s, a)), **dict(zip(y_s, y))}
    cg = Lo.get_loss("cosine_similarity_general")
    assert _close(float(cg.value(a, y)), _ev(expand(s.definition), subs))
    d = expand(s.derivatives["a"])
    assert all(_close(cg.grad(a, y)[i], _ev(d[i], subs)) for i in range(3))


def test_multiclass_svm_equals_sympy_with_the_hinge_convention_at_a_zero_margin() -> None:
    s, _ = _sized("multiclass_svm", 3)
    syms, delta = s.symbols["s"], s.symbols["Delta"]
    svm = Lo.get_loss("multiclass_svm")
    y = np.array([1.0, 0.0, 0.0])  # the label is class 1, as the catalog writes it
    for a in ([0.3, 1.5, -2.0], [1.0, 0.5, -0.2], [2.0, 1.0, 0.4], [0.2, 0.7, 1.4]):  # the last-but-one: a margin of 0
        subs = {**dict(zip(syms, a)), delta: 1}
        assert _close(float(svm.value(np.array(a), y)), _ev(s.definition, subs))
        g = svm.grad(np.array(a), y)
        assert all(_close(g[i], _ev(s.derivatives["s"][i], subs)) for i in range(3)), (a, g)
