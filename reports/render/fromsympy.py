"""Catalog expressions (SymPy) as `formula` trees, and the textbook forms a report's rows use.

A row's formula is written in its own elements, so the catalog's hand forms are converted once
into templates: the activation derivative in @z and @a (s(1 - s) becomes a(1 - a)), a loss's
term and its derivative in @a and @y. Parameters take their values (alpha = 0.01 shows as 1/100).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from gradverify.render import formula as F
from gradverify.render.rowformula import FUSED, TextbookForms
from gradverify.render.truth import ExampleInfo

_FUNCTIONS = {"exp": "exp", "log": "log", "tanh": "tanh", "sinh": "sinh", "cosh": "cosh", "sech": "sech",
              "erf": "erf", "sign": "sign", "Abs": "abs", "Max": "max", "Min": "min"}
_RELATIONS = {"StrictGreaterThan": ">", "GreaterThan": ">=", "StrictLessThan": "<", "LessThan": "<=",
              "Equality": "=", "Unequality": "!="}


def convert(e: Any, names: dict[str, F.Node]) -> F.Node:
    """The SymPy expression as a formula tree; symbols by name from `names` (others stay named).
    Raises ValueError for what a row formula does not show (sums, matrices, And conditions)."""
    import sympy as sp

    return _convert(sp.factor_terms(e), names)


def _convert(e: Any, names: dict[str, F.Node]) -> F.Node:
    import sympy as sp

    if isinstance(e, sp.Symbol):
        return names.get(e.name, F.Var(e.name))
    if isinstance(e, (sp.Integer, sp.Rational)):
        return F.Num(Fraction(int(e.p), int(e.q)))
    if isinstance(e, sp.Float):
        return F.Num(Fraction(str(e)))
    if e == sp.pi:
        return F.Var("\u03c0")
    if isinstance(e, sp.Add):  # positive terms first, as hands write y - a rather than -a + y
        ordered = sorted(e.as_ordered_terms(), key=lambda t: t.could_extract_minus_sign())
        return F.add(*(F.neg(_convert(-t, names)) if t.could_extract_minus_sign() else _convert(t, names)
                       for t in ordered))
    if isinstance(e, sp.Mul):
        if e.could_extract_minus_sign():
            return F.neg(_convert(-e, names))
        top, bottom = sp.fraction(e, exact=True)
        if bottom != 1:
            return F.Frac(_convert(top, names), _convert(bottom, names))
        return F.mul(*(_convert(f, names) for f in e.as_ordered_factors()))
    if isinstance(e, sp.Pow):
        base, power = e.args
        if power == -1 and isinstance(base, sp.Add) and len(base.args) == 2 and sp.S.One in base.args:
            other = base.args[0] if base.args[1] == sp.S.One else base.args[1]
            if isinstance(other, sp.exp):  # 1/(1 + e^(-u)) is the sigmoid of u
                return F.Call("sigma", (_convert(-other.args[0], names),))
        if power.is_negative:
            return F.Frac(F.num(1), _convert(base ** -power, names))
        if power == sp.Rational(1, 2):
            return F.Call("sqrt", (_convert(base, names),))
        return F.Pow(_convert(base, names), _convert(power, names))
    if isinstance(e, sp.Heaviside):
        u = _convert(e.args[0], names)
        at_zero = _convert(e.args[1], names) if len(e.args) > 1 else F.Num(Fraction(1, 2))
        return F.Cases(((F.num(1), F.Rel(">", u, F.num(0))), (at_zero, F.Rel("=", u, F.num(0))), (F.num(0), None)))
    if isinstance(e, sp.Piecewise):
        cases = []
        for value, cond in e.args:
            cases.append((_convert(value, names), None if cond == sp.true else _relation(cond, names)))
        return F.Cases(tuple(cases))
    name = type(e).__name__
    if name in _FUNCTIONS:
        return F.Call(_FUNCTIONS[name], tuple(_convert(a, names) for a in e.args))
    raise ValueError(f"no row formula shows {name}")


def _relation(cond: Any, names: dict[str, F.Node]) -> F.Rel:
    op = _RELATIONS.get(type(cond).__name__)
    if op is None:
        raise ValueError(f"no row formula shows the condition {type(cond).__name__}")
    return F.Rel(op, _convert(cond.lhs, names), _convert(cond.rhs, names))


def _size(x: F.Node) -> int:
    """How many nodes a tree has (the smaller form reads better)."""
    if isinstance(x, (F.Elem, F.Num, F.Var)):
        return 1
    parts: list[Any] = [getattr(x, name) for name in x.__dataclass_fields__]
    count = 1
    for p in parts:
        items = p if isinstance(p, tuple) else (p,)
        for item in items:
            if isinstance(item, tuple):
                count += sum(_size(i) for i in item if i is not None)
            elif item is not None and not isinstance(item, (str, int, bool)):
                count += _size(item)
    return count


def _free(x: F.Node, name: str) -> bool:
    return name not in F.text(x)


def _proved(entry: Any, params: dict[str, Any]) -> list[Any]:
    """The proved hand forms of the entry's derivative for one output and a summed batch, with the
    parameters' values put in."""
    values = {p.name: params.get(p.name, p.default) for p in entry.params}
    return [entry.substitute(f.expr, values) for f in entry.forms_for()
            if f.expected == "proved" and f.n is None and f.definition is None and f.reduction is None
            and f.batch == "sum"]


def act_prime_form(name: str, params: dict[str, Any]) -> F.Node | None:
    """f'(z) as the hand writes it, in @z and (preferably) the output @a: a(1 - a), 1 - a^2."""
    import sympy as sp

    from gradverify.derivations import catalog

    entry = catalog.get(name)
    if entry.is_vector:
        return None
    values = {p.name: params.get(p.name, p.default) for p in entry.params}
    definition = entry.substitute(entry.definition, values)
    x = entry.sym(entry.variables[0])
    names: dict[str, F.Node] = {x.name: F.Var("@z")}
    found = []
    for form in _proved(entry, params) or [entry.derivative(params=values)]:
        in_output = form.xreplace({definition: sp.Symbol("@a")}) if definition != x else form
        try:
            tree = convert(in_output, names)
        except ValueError:
            continue
        found.append((not _free(tree, "@z"), _size(tree), tree))  # in the output alone first, then short
    if not found:
        return None
    return min(found, key=lambda t: (t[0], t[1]))[2]


def loss_forms(name: str, params: dict[str, Any]) -> tuple[F.Node | None, F.Node | None]:
    """(one output's term of the loss, its derivative dL/da) in @a, @y and n."""
    from gradverify.derivations import catalog

    entry = catalog.get(name)
    if entry.is_vector or "y" not in entry.symbols:
        return None, None
    values = {p.name: params.get(p.name, p.default) for p in entry.params}
    names: dict[str, F.Node] = {entry.sym(entry.variables[0]).name: F.Var("@a"), "y": F.Var("@y"), "n": F.Var("n")}
    try:
        term = convert(entry.substitute(entry.definition * entry.scale(), values), names)
    except ValueError:
        term = None
    grads = []
    for form in _proved(entry, params) or [entry.derivative(params=values)]:
        try:
            tree = convert(form, names)
        except ValueError:
            continue
        grads.append((_size(tree), tree))
    return term, (min(grads, key=lambda t: t[0])[1] if grads else None)


def textbook_forms(info: ExampleInfo) -> TextbookForms:
    """The catalog's forms for the activations and the loss of a worked example."""
    primes = {}
    for name, params in zip(info.activations, info.act_params):
        if name not in primes and name != "softmax":
            primes[name] = act_prime_form(name, params)
    term, grad = (None, None) if info.loss == FUSED else loss_forms(info.loss, info.loss_params)
    return TextbookForms({k: v for k, v in primes.items() if v is not None}, term, grad)
