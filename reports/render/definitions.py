"""A catalog entry as the report states it: its defining equation, its derivative as an equation,
and its kink conventions, each a SymPy tree (typeset by the report), with the catalog's words.

f(x) = 1/(1 + e^(-x)) for an activation; L = sum_{i=1}^{n} (y_i - a_i)^2 for a loss (1/n in front
for a mean); softmax s_i = e^(x_i) / sum_k e^(x_k). The catalog's one-line summaries are ASCII for
terminals; a report builds the same statements from the entry's own expressions.
"""

from __future__ import annotations

import re
from typing import Any

import sympy as sp

from gradverify.derivations.catalog import Entry
from gradverify.derivations.prose import Prose, prose


def _eq(lhs: Any, rhs: Any) -> sp.Basic:
    return sp.Eq(lhs, rhs, evaluate=False)


def _values(entry: Entry, params: dict[str, Any] | None) -> dict[str, Any]:
    return {p.name: (params or {}).get(p.name, p.default) for p in entry.params}


def _per_output(entry: Entry) -> dict[sp.Symbol, sp.Symbol]:
    """Each variable and target of a separable loss as its i-th component (a -> a_i, y -> y_i)."""
    names = [*entry.variables, "y"]
    return {entry.sym(n): sp.Symbol(f"{n}_i", **entry.sym(n).assumptions0) for n in names if n in entry.symbols}


def equation(entry: Entry, params: dict[str, Any] | None = None) -> sp.Basic:
    """The entry's definition as an equation, the whole function (summed over outputs for a loss)."""
    i, k, n = sp.Symbol("i", integer=True), sp.Symbol("k", integer=True), entry.n
    x_i, x_k = sp.Symbol("x_i"), sp.Symbol("x_k")
    if entry.name == "softmax":
        return _eq(sp.Symbol("s_i"), sp.exp(x_i) / sp.Sum(sp.exp(x_k), (k, 1, n)))
    if entry.name == "softmax_cross_entropy":
        s_i = sp.exp(x_i) / sp.Sum(sp.exp(x_k), (k, 1, n))
        return _eq(sp.Symbol("L"), -sp.Sum(sp.Symbol("y_i") * sp.log(s_i), (i, 1, n)))
    if entry.is_vector:
        return _eq(sp.Symbol("L"), entry.value(_values(entry, params)))
    definition = entry.substitute(entry.definition, _values(entry, params))
    if entry.kind == "activation":
        return _eq(sp.Function("f")(entry.sym(entry.variables[0])), definition)
    total = sp.Sum(definition.xreplace(_per_output(entry)), (i, 1, n))
    scale = entry.scale()
    head = sp.Symbol("R" if "y" not in entry.symbols else "L")
    return _eq(head, total if scale == 1 else sp.Mul(scale, total, evaluate=False))


def derivative_equation(entry: Entry, derivative: Any) -> sp.Basic | None:
    """d f/dx = ... for an activation, dL/da_i = ... for a separable loss (None for vector entries)."""
    if entry.is_vector:
        return None
    var = entry.sym(entry.variables[0])
    if entry.kind == "activation":
        return _eq(sp.Derivative(sp.Function("f")(var), var), derivative)
    per = _per_output(entry)
    head = sp.Symbol("R" if "y" not in entry.symbols else "L")
    return _eq(sp.Derivative(head, per[var]), derivative.xreplace(per))




def kinks(entry: Entry, params: dict[str, Any] | None = None) -> list[Prose]:
    """Each kink: where it is, the derivative gradverify uses there, and why (the catalog's words)."""
    out = []
    for kink in entry.kinks:
        values = [_eq(_d(entry, name), entry.substitute(v, _values(entry, params))) for name, v in kink.values.items()]
        parts: list[Any] = ["at ", kink.condition, ": "]
        for j, v in enumerate(values):
            parts += ([", "] if j else []) + [v]
        out.append(prose(*parts, *((" (", *kink.reason.parts, ")") if kink.reason else ())))
    return out


def _d(entry: Entry, name: str) -> sp.Basic:
    var = entry.sym(name)
    head = sp.Function("f")(var) if entry.kind == "activation" else sp.Symbol("L")
    return sp.Derivative(head, var)


_PAREN = re.compile(r"\s*\(([^()]*(?:\([^()]*\)[^()]*)*)\)\s*$")


def form_name(label: str) -> str:
    """The words of a textbook form's label (its trailing remarks in parentheses), the formula
    itself being typeset from the form's expression: "e^-x/(1+e^-x)^2 (quotient rule)" -> "quotient rule"."""
    words = []
    rest = label
    while True:
        m = _PAREN.search(rest)
        if not m or not re.search(r"[A-Za-z]{3,}", m.group(1)):
            break
        words.insert(0, m.group(1))
        rest = rest[:m.start()]
    return "; ".join(words)


def as_written(entry: Entry, expr: Any) -> Any:
    """A sigmoid form shown as hands write it: 1/(1 + e^(-x)) as sigma(x) where that leaves no
    exponential, so s(1 - s) reads sigma(x)(1 - sigma(x)) (the quotient-rule form stays as it is)."""
    if entry.name != "sigmoid" or not isinstance(expr, sp.Basic):
        return expr
    from gradverify.render.claimed import greek_function

    x = entry.sym(entry.variables[0])
    sigma, denominator = greek_function("sigma")(x), 1 / entry.definition
    short = expr.replace(lambda e: isinstance(e, sp.Pow) and e.base == denominator and e.exp.is_negative,
                         lambda e: sigma ** -e.exp)
    return expr if short.has(sp.exp) else short
