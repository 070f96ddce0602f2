"""A circuit's formulas in a report: node names, gates, local gradients and sums over paths, printed
from the circuit's own expression trees through `Notation` (MathML and LaTeX alike).

`derivative` writes a gate's local gradient as a tree (d/dx of x y is y, of sigma(u) is
sigma(u) (1 - sigma(u)) times the inner derivative), so the formula shown for a local gradient is
the rule the hand applies, not a number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

from gradverify.judge.circuitexpr import Apply, Const, Expr, Named, Ref, number_text, refs
from gradverify.judge.result import ClaimVerdict
from gradverify.render.notation import Notation

_NAME = re.compile(r"^([A-Za-z]+?)_?(\d+|[A-Za-z]{1,4})?(?:@(\d+))?$")
# a gate's derivative written in its own function: f'(u) = (rule in u)
_OUTER = {
    "exp": lambda u: Apply("exp", (u,)),
    "log": lambda u: Apply("div", (Const(Fraction(1)), u)),
    "sqrt": lambda u: Apply("div", (Const(Fraction(1)), Apply("mul", (Const(Fraction(2)), Apply("sqrt", (u,)))))),
    "sigmoid": lambda u: Apply("mul", (Apply("sigmoid", (u,)), Apply("add", (Const(Fraction(1)), Apply("neg", (Apply("sigmoid", (u,)),)))))),
    "tanh": lambda u: Apply("add", (Const(Fraction(1)), Apply("neg", (Apply("pow", (Apply("tanh", (u,)), Const(Fraction(2)))),)))),
    "identity": lambda u: Const(Fraction(1)),
}


def derivative(e: Expr, wrt: str) -> Expr:
    """The local gradient of `e` with respect to the node `wrt`, as a tree (lightly simplified)."""
    if isinstance(e, Ref):
        return Const(Fraction(int(e.name == wrt)))
    if not isinstance(e, Apply) or wrt not in refs(e):
        return Const(Fraction(0))
    a = e.args
    if e.op == "add":
        return _sum([derivative(x, wrt) for x in a])
    if e.op == "neg":
        return _neg(derivative(a[0], wrt))
    if e.op == "mul":
        return _sum([_product([derivative(x, wrt) if j == i else x for j, x in enumerate(a)])
                     for i in range(len(a)) if wrt in refs(a[i])])
    if e.op == "div" and wrt not in refs(a[1]):
        return _quotient(derivative(a[0], wrt), a[1])
    if e.op == "div":
        top = _sum([_product([derivative(a[0], wrt), a[1]]), _neg(_product([a[0], derivative(a[1], wrt)]))])
        return _quotient(top, Apply("pow", (a[1], Const(Fraction(2)))))
    if e.op == "pow" and isinstance(a[1], Const):
        k = a[1].value
        lower = Const(Fraction(1)) if k == 1 else (a[0] if k == 2 else Apply("pow", (a[0], Const(k - 1))))
        return _product([Const(k), lower, derivative(a[0], wrt)])
    if e.op == "pow":
        return _product([e, derivative(Apply("mul", (a[1], Apply("log", (a[0],)))), wrt)])
    outer = _OUTER[e.op](a[0]) if e.op in _OUTER else Apply(e.op + "\u2032", a)
    return _product([outer, derivative(a[0], wrt)])


def _sum(terms: list[Expr]) -> Expr:
    kept = [t for t in terms if not (isinstance(t, Const) and t.value == 0)]
    return Const(Fraction(0)) if not kept else kept[0] if len(kept) == 1 else Apply("add", tuple(kept))


def _neg(e: Expr) -> Expr:
    if isinstance(e, Apply) and e.op == "neg":
        return e.args[0]
    return Const(-e.value) if isinstance(e, Const) else Apply("neg", (e,))


def _quotient(top: Expr, bottom: Expr) -> Expr:
    return top if isinstance(top, Const) and top.value == 0 else Apply("div", (top, bottom))


def _product(factors: list[Expr]) -> Expr:
    factors = [g for f in factors for g in (f.args if isinstance(f, Apply) and f.op == "mul" else (f,))]
    if any(isinstance(f, Const) and f.value == 0 for f in factors):
        return Const(Fraction(0))
    k = Fraction((-1) ** sum(isinstance(f, Apply) and f.op == "neg" for f in factors))
    factors = [f.args[0] if isinstance(f, Apply) and f.op == "neg" else f for f in factors]
    for f in factors:
        if isinstance(f, Const):
            k *= f.value
    rest = [f for f in factors if not isinstance(f, Const)]
    if k != 1 or not rest:
        rest = [Const(k), *rest] if k != -1 or not rest else rest
        if k == -1 and rest:
            return _neg(rest[0] if len(rest) == 1 else Apply("mul", tuple(rest)))
    return rest[0] if len(rest) == 1 else Apply("mul", tuple(rest))


def name(n: Notation, node: str) -> str:
    """A node's name as a symbol: w1 as w with subscript 1, c@2 as c with subscript (2)."""
    m = _NAME.match(node)
    if not m:
        return n.mi(node)
    base = n.mi(m.group(1))
    index = [n.mn(m.group(2)) if m.group(2).isdigit() else n.mi(m.group(2))] if m.group(2) else []
    if m.group(3):
        index.append(n.row(n.mo("("), n.mn(m.group(3)), n.mo(")")))
    return n.sub(base, n.row(*index)) if index else base


def partial(n: Notation, top: str, bottom: str) -> str:
    """A local gradient: the partial derivative of a gate's expression, its other inputs held."""
    d = n.mo("\u2202")
    return n.frac(n.row(d, name(n, top)), n.row(d, name(n, bottom)))


def total(n: Notation, top: str, bottom: str) -> str:
    """A gradient of the output: every path from the node to the output counted."""
    d = n.mi("d")
    return n.frac(n.row(d, name(n, top)), n.row(d, name(n, bottom)))


_LEVEL = {"add": 1, "neg": 2, "mul": 3, "div": 3, "pow": 4}


def show(n: Notation, e: Expr, outer: int = 0) -> str:
    """The expression in `n`'s format: fractions as fractions, powers raised, e^u for exp."""
    if isinstance(e, Const):
        v = e.value
        body = n.frac(n.mn(str(abs(v.numerator))), n.mn(str(v.denominator))) if "/" in number_text(v) \
            else n.mn(number_text(abs(v)))
        return n.paren(n.row(n.mo("-"), body)) if v < 0 and outer >= 2 else (n.row(n.mo("-"), body) if v < 0 else body)
    if isinstance(e, Named):
        return n.mi(e.name)
    if isinstance(e, Ref):
        return name(n, e.name)
    level = _LEVEL.get(e.op, 5)
    a = e.args
    if e.op == "add":
        parts = [show(n, a[0], 1)]
        for t in a[1:]:
            negative = isinstance(t, Apply) and t.op == "neg" or isinstance(t, Const) and t.value < 0
            inner = t.args[0] if isinstance(t, Apply) and t.op == "neg" else (Const(-t.value) if negative else t)
            parts += [n.mo("-" if negative else "+"), show(n, inner, 2 if negative else 1)]
        out = n.row(*parts)
    elif e.op == "neg":
        out = n.row(n.mo("-"), show(n, a[0], 2))
    elif e.op == "mul":
        out = n.row(*[show(n, x, 3) for x in a])
    elif e.op == "div":
        out, level = n.frac(show(n, a[0]), show(n, a[1])), 5
    elif e.op == "pow":
        out = n.sup(show(n, a[0], 5), show(n, a[1]))
    elif e.op == "exp":
        out, level = n.sup(n.mi("e"), show(n, a[0])), 5
    elif e.op == "abs":
        return n.row(n.mo("|"), show(n, a[0]), n.mo("|"))
    else:
        fn = n.mi("sigma") if e.op == "sigmoid" else n.text(e.op)
        args = [show(n, x) for x in a]
        inner = n.row(*[p for i, x in enumerate(args) for p in ((n.mo(","), x) if i else (x,))])
        return n.row(fn, n.paren(inner))
    return n.paren(out) if level <= outer and level < 5 else out


@dataclass(frozen=True)
class CircuitRow:
    """A circuit claim as a report row shows it: its symbol and the rule that gives its value."""

    quantity: str  # "value", "grad" or "local"
    node: str
    of: str | None = None  # the output (grad; the output gate's own local gradient)
    wrt: str | None = None  # the gate's input (local)
    rule: Expr | None = None  # value: the gate; local: its derivative
    readers: tuple[str, ...] = ()  # grad: the gates reading the node (the sum over paths)

    def symbol(self, n: Notation) -> str:
        if self.quantity == "grad":
            return total(n, self.of or "", self.node)
        if self.quantity == "local":
            return partial(n, self.node, self.wrt or "")
        return name(n, self.node)

    def formula(self, n: Notation) -> str:
        eq = n.mo("=")
        if self.quantity != "grad":
            return n.row(self.symbol(n), eq, show(n, self.rule)) if self.rule is not None else self.symbol(n)
        if self.node == self.of:
            return n.row(self.symbol(n), eq, n.mn("1"))
        if not self.readers:
            return n.row(self.symbol(n), eq, n.mn("0"))
        terms = []
        for i, c in enumerate(self.readers):  # the output's own gradient is 1: not written
            upstream = [] if c == self.of else [total(n, self.of or "", c)]
            terms += ([n.mo("+")] if i else []) + [partial(n, c, self.node), *upstream]
        return n.row(self.symbol(n), eq, *terms)


def claim_symbol(n: Notation, cv: ClaimVerdict) -> str:
    """A judged circuit claim's symbol: q, df/dq or the partial dq/dx."""
    return CircuitRow(cv.quantity, cv.node or "", cv.of, cv.wrt).symbol(n)
