"""Function plots (SymPy curve, engine points, kinks) and derivation sections for the report.

`function_plot` is pure: it samples a SymPy definition and derivative (the symbolic curves)
and the numeric engine's functions (the points), and marks kinks with the convention's value.
The catalog lookups that feed it live in `catalog_figures`.
"""

from __future__ import annotations

import json
import math
import re
from typing import TYPE_CHECKING, Any, Callable, Sequence

from gradverify.render.model import Derivation, Form
from gradverify.render.notation import printed
from gradverify.render.plotpicture import Plot, Series

if TYPE_CHECKING:
    from gradverify.derivations.catalog import Entry

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


# ------------------------------------------------------------------ catalog entries (derivations)

def _entry(name: str) -> Entry:
    from gradverify.derivations import catalog

    return catalog.get(name)


def _float_params(params: dict[str, Any] | None) -> dict[str, float]:
    return {k: float(v) for k, v in (params or {}).items()}


def _kink_points(entry: Entry, var: Any, fixed: dict[Any, Any]) -> list[float]:
    """Where the entry's kinks lie along `var`, with the other symbols fixed (e.g. y for a loss)."""
    import sympy as sp

    out = []
    for kink in entry.kinks:
        cond = kink.condition.subs(fixed) if fixed else kink.condition
        if not isinstance(cond, sp.Equality):
            continue
        for sol in sp.solve(cond, var):
            if sol.is_real and sol.is_number:
                out.append(float(sol))
    return out


def section(name: str, kind: str, params: dict[str, Any] | None = None, *,
            y: Sequence[float] | None = None) -> Derivation:
    """A function's whole section (derivation and plot), kept between runs (`cache`)."""
    from gradverify.render import cache, stored

    def compute() -> Derivation:
        d = derivation(name, kind, params)
        d.plot = plot(name, kind, params, y=y)
        return d

    key = json.dumps([name, kind, params or {}, list(y) if y else None], sort_keys=True, default=str)
    return cache.cached("section", key, compute, stored.derivation_json, stored.derivation_of)


_SIZE = re.compile(r"\s*\(N=\d+\)$")  # a vector form's size in its label: "s_i(delta_ij - s_j) (N=10)"


def derivation(name: str, kind: str, params: dict[str, Any] | None = None) -> Derivation:
    """The derivation section of one catalog entry, printed: its defining equation, derivative, the
    derivation step by step, textbook forms with their proofs, and kink conventions."""
    from gradverify.derivations import checks

    from gradverify.render import definitions
    from gradverify.render.steps import printed_prose, printed_steps

    entry = _entry(name)
    derivative = entry.derivative(params=params)
    rows: dict[str, tuple[Any, str, list[str]]] = {}  # a form's label without its size -> (form, status, more)
    for form in entry.forms_for():
        proof = checks.check(entry, form).proof
        status = proof.verdict
        if proof.counterexample and status == "refuted":
            status += f" ({_counterexample_text(proof.counterexample)})"
        if form.seed:
            status += f"; seed {form.seed}"
        if form.expected != proof.verdict:
            status += f"; expected {form.expected}"
        label = _SIZE.sub("", form.label)
        if form.n is not None and label in rows:  # the same hand form proved again at a larger N: one row
            rows[label][2].append(f"{proof.verdict} at N = {form.n}")
        else:
            rows[label] = (form, status, [])
    forms = [Form(definitions.form_name(form.label), printed(definitions.as_written(entry, form.expr)),
                  status + (f" (N = {form.n}); " + "; ".join(more) if more else ""))
             for form, status, more in rows.values()]
    shown = definitions.derivative_equation(entry, derivative)
    tree = _steps_tree(entry.name)
    return Derivation(name=entry.name, kind=entry.kind, definition=printed(definitions.equation(entry, params), block=True),
                      derivative=printed(derivative if shown is None else shown, block=True),
                      steps=printed_steps(tree) if tree is not None else [], forms=forms,
                      kinks=[printed_prose(k) for k in definitions.kinks(entry, params)])


def _short_number(v: Any) -> str:
    try:
        import sympy as sp

        return f"{float(sp.Rational(str(v))):.4g}"
    except (TypeError, ValueError):
        try:
            return f"{float(v):.4g}"
        except (TypeError, ValueError):
            return str(v)


def _counterexample_text(ce: dict[str, Any]) -> str:
    """"at x = -2.285: form 0.1009, truth 0.08382" from a proof's counterexample."""
    point = ce.get("point") or {}
    items = list(point.items())
    where = ", ".join(f"{k} = {_short_number(v)}" for k, v in items[:4]) + (", \u2026" if len(items) > 4 else "")
    text = f"at {where}: form {_short_number(ce.get('form'))}, truth {_short_number(ce.get('truth'))}"
    if ce.get("case") and len(str(ce["case"])) < 40:
        text += f" (case {ce['case']})"
    return text


def _steps_tree(name: str) -> Any:
    """The step-by-step derivation of `gradverify.derivations.steps` (forms are shown in their own table)."""
    from gradverify.derivations import steps

    try:
        return steps.derivation(name, forms=False)
    except (KeyError, ValueError):
        return None


def section_for_name(name: str, params: dict[str, str]) -> Derivation:
    """`section` for a name typed by a user (unknown names raise build.InputError)."""
    from gradverify.render.build import InputError

    try:
        entry = _entry(name)
        return section(entry.name, entry.kind, params or None)
    except KeyError as exc:
        raise InputError(str(exc).strip('"')) from None


def plot(name: str, kind: str, params: dict[str, Any] | None = None, *, y: Sequence[float] | None = None) -> Plot | None:
    """The plot of an activation (over x) or a separable loss (over a, target y fixed); None for
    vector-valued entries (softmax, fused softmax + CE), which have no one-variable picture."""
    import numpy as np
    import sympy as sp

    entry = _entry(name)
    if entry.is_vector:
        return _vector_plot(entry)
    p_sym = {k: str(v) for k, v in (params or {}).items()} or None
    p_num = _float_params(params)
    if entry.kind == "activation":
        from gradverify.numeric.activations import get_activation

        act = get_activation(entry.name)
        var = entry.sym(entry.variables[0])
        definition = entry.substitute(entry.definition, p_sym)
        derivative = entry.derivative(params=p_sym)
        return function_plot(
            entry.name, definition.subs(entry.defaults()), derivative.subs(entry.defaults()), var,
            f_num=lambda v: act.f(np.array([v], dtype=float), **p_num)[0],
            df_num=lambda v: act.df(np.array([v], dtype=float), **p_num)[0],
            kinks=_kink_points(entry, var, {}),
        )
    from gradverify.numeric.losses import get_loss

    try:
        loss = get_loss(entry.name)
    except KeyError:
        return None  # no numeric twin (l2_regularization is a penalty on weights, not on outputs)
    if "y" not in entry.symbols:
        return None
    a = entry.sym(entry.variables[0])
    target = float(y[0]) if y else (1.0 if entry.name == "hinge" else 0.9)
    fixed = {entry.sym("y"): sp.Rational(str(target)), entry.n: 1}
    definition = entry.substitute(entry.definition, p_sym)
    derivative = entry.derivative(params=p_sym)
    definition = definition.subs(entry.defaults()).subs(fixed)
    derivative = derivative.subs(entry.defaults()).subs(fixed)
    lo, hi = entry.ranges.get("a", (target - 1.5, target + 1.5))
    yy = np.array([[target]])
    return function_plot(
        f"{entry.name} (y = {target:g})", definition, derivative, a, x_range=(float(lo), float(hi)),
        f_num=lambda v: loss.value(np.array([[v]]), yy, **p_num)[0],
        df_num=lambda v: loss.grad(np.array([[v]]), yy, **p_num)[0, 0],
        kinks=_kink_points(entry, a, fixed), x_label="a",
    )


REST = 0.5  # the other inputs of a vector entry, held fixed in its one-variable picture


def _vector_plot(entry: Any) -> Plot | None:
    """A vector entry along its first input, the others held at 0.5 (targets y = (1, 0, 0)):
    softmax's first output s_1 and ds_1/dx_1; a vector loss and its derivative in x_1 / a_1."""
    import numpy as np
    import sympy as sp

    built = entry.sized(3)
    var_syms = built.symbols[entry.variables[0]]
    first = var_syms[0]
    fixed = {s: sp.Rational(1, 2) for s in var_syms[1:]}
    y_syms = built.symbols.get("y", ())
    fixed.update({s: (1 if i == 0 else 0) for i, s in enumerate(y_syms)})
    expr = built.definition[0] if isinstance(built.definition, sp.MatrixBase) else built.definition
    expr = expr.subs(built.abbreviations).subs(fixed).subs(entry.defaults())  # parameters at their defaults
    deriv = sp.diff(expr, first)
    rest = [REST, REST]
    y = np.array([[1.0, 0.0, 0.0]])
    if entry.kind == "activation":
        from gradverify.numeric.activations import get_activation

        act = get_activation(entry.name)
        f_num = lambda v: act.f(np.array([[v, *rest]]))[0, 0]  # noqa: E731
        df_num = lambda v: act.jacobian(np.array([[v, *rest]]))[0, 0, 0]  # noqa: E731
        title = f"{entry.name}: s\u2081 of (x, {REST:g}, {REST:g})"
    else:
        from gradverify.numeric.losses import get_loss

        try:
            loss = get_loss(entry.name)
        except KeyError:
            return None
        f_num = lambda v: loss.value(np.array([[v, *rest]]), y)[0]  # noqa: E731
        df_num = lambda v: loss.grad(np.array([[v, *rest]]), y)[0, 0]  # noqa: E731
        title = f"{entry.name}: first input, y = (1, 0, 0)"
    return function_plot(title, expr, deriv, first, f_num=f_num, df_num=df_num, x_label=str(first))
