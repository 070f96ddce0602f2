"""Function plots (SymPy curve, engine points, kinks) and derivation sections for the report.

`function_plot` is pure: it samples a SymPy definition and derivative (the symbolic curves)
and the numeric engine's functions (the points), and marks kinks with the convention's value.
The catalog lookups that feed it live in `catalog_figures`.
"""

from __future__ import annotations

import math
from typing import Any, Callable, Sequence

from .svg import Plot, Series

Numeric = Callable[[Any], Any]


def _lambdify(expr: Any, var: Any) -> Callable[[float], float]:
    """A float function of one variable from a SymPy expression (mpmath-free, exact enough)."""
    import sympy as sp

    fn = sp.lambdify(var, expr, modules=["math", {"Heaviside": lambda v, h0=0.5: 1.0 if v > 0 else (0.0 if v < 0 else h0)}])

    def call(v: float) -> float:
        try:
            out = complex(fn(v))
        except (ZeroDivisionError, OverflowError, ValueError):
            return math.nan
        return out.real if abs(out.imag) < 1e-12 else math.nan

    return call


def function_plot(title: str, definition: Any, derivative: Any, var: Any, *,
                  f_num: Numeric | None = None, df_num: Numeric | None = None,
                  x_range: tuple[float, float] = (-4.0, 4.0), kinks: Sequence[float] = (),
                  samples: int = 161, points: int = 13, x_label: str = "x") -> Plot:
    """Plot f and f' from SymPy (curves) with the engine's f and f' at a few points (circles).

    At each kink the marker shows the engine's derivative there, which is the convention
    gradverify uses (relu'(0) = 0), never SymPy's Heaviside(0) = 1/2.
    """
    lo, hi = x_range
    xs = [lo + (hi - lo) * i / (samples - 1) for i in range(samples)]
    f, df = _lambdify(definition, var), _lambdify(derivative, var)
    series = [
        Series("f (SymPy)", xs, [f(x) for x in xs]),
        Series("f\u2032 (SymPy)", xs, [df(x) for x in xs], color="#c60", dashed=True),
    ]
    px = [lo + (hi - lo) * (i + 0.5) / points for i in range(points)]
    if f_num is not None:
        series.append(Series("f engine", px, [float(f_num(x)) for x in px], kind="points", color="#070"))
    if df_num is not None:
        series.append(Series("f\u2032 engine", px, [float(df_num(x)) for x in px], kind="points", color="#6a1b9a"))
    marks = []
    for k in kinks:
        value = float(df_num(k)) if df_num is not None else None
        marks.append((float(k), value))
    return Plot(title, series, kinks=marks, x_label=x_label)
