"""Function plots: the SymPy curves equal the textbook functions; kinks carry the engine's convention."""

from __future__ import annotations

import math

import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from gradverify.render.figures import function_plot

x = sp.Symbol("x")


def _series(plot, label):
    return next(s for s in plot.series if s.label == label)


def test_relu_kink_is_marked_with_the_engine_value_not_heaviside_half() -> None:
    relu = sp.Max(0, x)
    plot = function_plot("relu", relu, sp.diff(relu, x), x,
                         f_num=lambda v: max(0.0, v), df_num=lambda v: 1.0 if v > 0 else 0.0, kinks=[0.0])
    assert plot.kinks == [(0.0, 0.0)]  # relu'(0) = 0 (PyTorch), where SymPy says Heaviside(0) = 1/2
    df = _series(plot, "f\u2032 (SymPy)")
    for v, d in zip(df.xs, df.ys):
        if v != 0:
            assert d == (1.0 if v > 0 else 0.0)


@settings(max_examples=25, deadline=None)
@given(st.floats(-3.9, 3.9))
def test_sigmoid_curves_match_the_textbook_forms(at: float) -> None:
    s = 1 / (1 + sp.exp(-x))
    plot = function_plot("sigmoid", s, sp.diff(s, x), x, x_range=(at - 0.1, at + 0.1), samples=3)
    f, df = _series(plot, "f (SymPy)"), _series(plot, "f\u2032 (SymPy)")
    mid = f.xs[1]
    sig = 1 / (1 + math.exp(-mid))
    assert math.isclose(f.ys[1], sig, rel_tol=1e-12)
    assert math.isclose(df.ys[1], sig * (1 - sig), rel_tol=1e-9)  # s(1 - s), the textbook form


def test_engine_points_are_drawn_where_the_engine_says() -> None:
    t = sp.tanh(x)
    plot = function_plot("tanh", t, sp.diff(t, x), x, f_num=math.tanh, df_num=lambda v: 1 - math.tanh(v) ** 2,
                         points=7)
    pts = _series(plot, "f\u2032 engine")
    assert len(pts.xs) == 7
    for v, d in zip(pts.xs, pts.ys):
        assert math.isclose(d, 1 / math.cosh(v) ** 2, rel_tol=1e-12)


def test_a_pole_becomes_a_gap_not_an_error() -> None:
    plot = function_plot("log", sp.log(x), 1 / x, x, x_range=(-1.0, 1.0), samples=5)
    ys = _series(plot, "f (SymPy)").ys
    assert any(math.isnan(v) for v in ys)  # log of a negative number: not drawn


def test_softmax_is_drawn_along_its_first_input() -> None:
    """s_1(x, 0.5, 0.5) = e^x / (e^x + 2 e^0.5) and its slope s_1 (1 - s_1): curve and engine points."""
    from gradverify.render.figures import plot

    p = plot("softmax", "activation")
    curve, pts = _series(p, "f (SymPy)"), _series(p, "f engine")
    slope = _series(p, "f\u2032 engine")
    for xs, ys in ((curve.xs, curve.ys), (pts.xs, pts.ys)):
        for v, s in zip(xs, ys):
            want = math.exp(v) / (math.exp(v) + 2 * math.exp(0.5))
            assert math.isclose(s, want, rel_tol=1e-9)
    for v, d in zip(slope.xs, slope.ys):
        s = math.exp(v) / (math.exp(v) + 2 * math.exp(0.5))
        assert math.isclose(d, s * (1 - s), rel_tol=1e-9)


def test_fused_softmax_cross_entropy_slope_is_s_minus_y() -> None:
    from gradverify.render.figures import plot

    p = plot("softmax_cross_entropy", "loss")
    slope = _series(p, "f\u2032 (SymPy)")
    for v, d in list(zip(slope.xs, slope.ys))[::20]:
        s = math.exp(v) / (math.exp(v) + 2 * math.exp(0.5))
        assert math.isclose(d, s - 1, rel_tol=1e-9, abs_tol=1e-12)


def test_every_kink_reason_is_typeset_its_relations_as_maths() -> None:
    """A kink's reason (why gradverify uses that value there) keeps its formulas as expressions:
    a report sets x <= 0 as MathML's <mo>&#8804;</mo> and LaTeX's \\le, never as ASCII."""
    from gradverify.derivations import catalog
    from gradverify.render.definitions import kinks
    from gradverify.render.steps import printed_prose

    seen = 0
    for name in ("relu", "leaky_relu", "prelu", "elu", "hinge", "l1"):
        for line in kinks(catalog.get(name)):
            shown = printed_prose(line)
            text = str(line)
            assert "<=" not in text and ">=" not in text and "'(" not in text, text
            assert "<=" not in shown.latex and "&lt;=" not in shown.html, shown.latex
            seen += 1
    relu = printed_prose(kinks(catalog.get("relu"))[0])
    assert "\\leq" in relu.latex or "\\le " in relu.latex, relu.latex
    assert "<mo>&#x2264;</mo>" in relu.html, relu.html
    assert "<mi>H</mi>" in relu.html  # SymPy's H(0) = 1/2, its name as written
    assert seen == 6
