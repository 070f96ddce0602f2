"""A circuit's formulas in a report: node names, gates, local gradients and sums over paths, each
gate's expression put in the report's formula tree and printed by its one printer (MathML, LaTeX).

`derivative` writes a gate's local gradient as a tree (d/dx of x y is y, of sigma(u) is
sigma(u) (1 - sigma(u)) times the inner derivative), so the formula shown for a local gradient is
the rule the hand applies, not a number.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from gradverify.judge.circuitexpr import Apply, Const, Expr, Named, Ref, refs
from gradverify.judge.result import ClaimVerdict
from gradverify.render import formula as F
from gradverify.render.notation import Notation

PRIME = "\u2032"  # an activation's derivative in a local gradient: relu\u2032(u)
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
    outer = _OUTER[e.op](a[0]) if e.op in _OUTER else Apply(e.op + PRIME, a)
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


def formula_of(e: Expr) -> F.Node:
    """The expression as a report formula (node names as variables), for the one formula printer."""
    if isinstance(e, Const):
        return F.Num(e.value)
    if isinstance(e, (Named, Ref)):
        return F.Var(e.name)
    a = [formula_of(x) for x in e.args]
    if e.op == "add":
        return F.add(*a)
    if e.op == "mul":
        return F.mul(*a)
    if e.op == "neg":
        return F.neg(a[0])
    if e.op == "div":
        return F.Frac(a[0], a[1])
    if e.op == "pow":
        return F.Pow(a[0], a[1])
    prime = e.op.endswith(PRIME)
    return F.Call(e.op[:-1] if prime else e.op, tuple(a), prime)


def partial(n: Notation, top: str, bottom: str) -> str:
    """A local gradient: the partial derivative of a gate's expression, its other inputs held."""
    d = n.mo("\u2202")
    return n.frac(n.row(d, n.mi(top)), n.row(d, n.mi(bottom)))


def total(n: Notation, top: str, bottom: str) -> str:
    """A gradient of the output: every path from the node to the output counted."""
    d = n.mi("d")
    return n.frac(n.row(d, n.mi(top)), n.row(d, n.mi(bottom)))


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
        return n.mi(self.node)

    def formula(self, n: Notation) -> str:
        eq = n.mo("=")
        if self.quantity != "grad":
            return n.row(self.symbol(n), eq, F.show(n, formula_of(self.rule))) if self.rule is not None \
                else self.symbol(n)
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
