"""Formulas as small expression trees: printed to MathML, LaTeX and plain text, and evaluated.

A report's row formula (z^2_1 = W^2_11 x_1 + ... + b^2_1) is built once as a tree of these nodes;
`show` prints it through a `Notation`, `text` as plain text, and `evaluate` computes it from
values of its elements, so a test can check that the formula shown for a row gives the row's value.
No SymPy: a report that needs no symbolic work never imports it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Callable, Union

from gradverify.render import quantities
from gradverify.render.notation import Notation

Index = tuple[Union[int, str], ...]  # an index entry is a number or the name of a summation index


@dataclass(frozen=True)
class Elem:
    """An element of a named quantity in the file's numbering: z^2_1, W^3_12, x_1, y_1, delta^3_1."""

    quantity: str
    layer: int | None
    index: Index = ()
    step: int = 0  # 0: this step's value; -1: the previous step's (the parameters an update starts from)


@dataclass(frozen=True)
class Num:
    value: Fraction


@dataclass(frozen=True)
class Var:
    """A named constant: eta, lambda, a parameter such as alpha, the count n or B."""

    name: str


@dataclass(frozen=True)
class Add:
    terms: tuple["Node", ...]


@dataclass(frozen=True)
class Neg:
    arg: "Node"


@dataclass(frozen=True)
class Mul:
    factors: tuple["Node", ...]


@dataclass(frozen=True)
class Frac:
    num: "Node"
    den: "Node"


@dataclass(frozen=True)
class Pow:
    base: "Node"
    exp: "Node"


@dataclass(frozen=True)
class Call:
    """A function applied: exp, log, tanh, sigma ...; an activation by its catalog name (`prime`:
    its derivative), evaluated by the numeric engine with `params`."""

    fn: str
    args: tuple["Node", ...]
    prime: bool = False
    params: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class Rel:
    op: str  # ">", ">=", "<", "<=", "=", "!="
    lhs: "Node"
    rhs: "Node"


@dataclass(frozen=True)
class Cases:
    """Piecewise: the first case whose condition holds (None: otherwise)."""

    cases: tuple[tuple["Node", "Rel | None"], ...]


@dataclass(frozen=True)
class Sum:
    """The sum of `body` for the index named `var` from `lo` to `hi` (in the file's numbering)."""

    var: str
    lo: int
    hi: int
    body: "Node"


@dataclass(frozen=True)
class Eq:
    """lhs = rhs, or lhs <- rhs for an update (`op` is the relation printed)."""

    lhs: "Node"
    rhs: "Node"
    op: str = "="


Node = Union[Elem, Num, Var, Add, Neg, Mul, Frac, Pow, Call, Rel, Cases, Sum, Eq]

# ------------------------------------------------------------------------------------ building


def num(v: int | Fraction | str) -> Num:
    return Num(Fraction(v))


def add(*terms: Node) -> Node:
    flat: list[Node] = []
    for t in terms:
        flat.extend(t.terms if isinstance(t, Add) else (t,))
    return flat[0] if len(flat) == 1 else Add(tuple(flat))


def mul(*factors: Node) -> Node:
    flat: list[Node] = []
    for f in factors:
        if isinstance(f, Num) and f.value == 1:
            continue
        flat.extend(f.factors if isinstance(f, Mul) else (f,))
    if not flat:
        return num(1)
    return flat[0] if len(flat) == 1 else Mul(tuple(flat))


def neg(x: Node) -> Node:
    return x.arg if isinstance(x, Neg) else Neg(x)


def total(var: str, lo: int, hi: int, body: Callable[[int | str], Node], spell_out: int = 4) -> Node:
    """body(lo) + ... + body(hi) written out when there are at most `spell_out` terms, else a sum."""
    if hi - lo + 1 <= spell_out:
        return add(*(body(i) for i in range(lo, hi + 1)))
    return Sum(var, lo, hi, body(var))


def replace(x: Node, names: dict[str, Node]) -> Node:
    """The tree with each `Var` named in `names` replaced (a textbook form put in a row's elements)."""
    if isinstance(x, Var):
        return names.get(x.name, x)
    if isinstance(x, (Elem, Num)):
        return x
    if isinstance(x, Add):
        return Add(tuple(replace(t, names) for t in x.terms))
    if isinstance(x, Neg):
        return Neg(replace(x.arg, names))
    if isinstance(x, Mul):
        return Mul(tuple(replace(f, names) for f in x.factors))
    if isinstance(x, Frac):
        return Frac(replace(x.num, names), replace(x.den, names))
    if isinstance(x, Pow):
        return Pow(replace(x.base, names), replace(x.exp, names))
    if isinstance(x, Call):
        return Call(x.fn, tuple(replace(a, names) for a in x.args), x.prime, x.params)
    if isinstance(x, Rel):
        return Rel(x.op, replace(x.lhs, names), replace(x.rhs, names))
    if isinstance(x, Cases):
        return Cases(tuple((replace(v, names), replace(c, names) if c is not None else None) for v, c in x.cases))
    if isinstance(x, Sum):
        return Sum(x.var, x.lo, x.hi, replace(x.body, names))
    return Eq(replace(x.lhs, names), replace(x.rhs, names), x.op)


# ------------------------------------------------------------------------------------ printing

_NAMES = {"sigmoid": "sigma", "relu": "ReLU", "leaky_relu": "LReLU", "identity": "id", "sign": "sgn"}
_GREEK = {"sigma", "Phi", "phi"}  # printed as the letter (MathML) or its command (LaTeX)
_PREC = {Eq: 0, Rel: 0, Add: 1, Sum: 1, Neg: 2, Mul: 3, Frac: 4, Pow: 5}


def _prec(x: Node) -> int:
    if isinstance(x, Num) and x.value < 0:
        return 2
    if isinstance(x, Num) and x.value.denominator != 1:
        return 4
    return _PREC.get(type(x), 9)


def show(n: Notation, x: Node, *, negated: bool = False) -> str:
    """The formula in the notation's markup (MathML or LaTeX), without the outer math element;
    `negated`: gradients are reported as -dL/d. and named so."""
    return _Printer(n, negated).p(x)


class _Printer:
    def __init__(self, n: Notation, negated: bool) -> None:
        self.n, self.negated = n, negated

    def wrap(self, x: Node, above: int) -> str:
        inner = self.p(x)
        return self.n.paren(inner) if _prec(x) <= above else inner

    def p(self, x: Node) -> str:
        n = self.n
        if isinstance(x, Elem):
            return quantities.symbol(n, x.quantity, x.layer, x.index, negated=self.negated)
        if isinstance(x, Num):
            v = x.value
            if v < 0:
                return n.row(n.mo("-"), self.p(Num(-v)))
            if v.denominator != 1:
                return n.frac(n.mn(str(v.numerator)), n.mn(str(v.denominator)))
            return n.mn(str(v.numerator))
        if isinstance(x, Var):
            return n.mi(x.name)
        if isinstance(x, Add):
            parts = [self.wrap(x.terms[0], 0)]
            for t in x.terms[1:]:
                if isinstance(t, Neg) or (isinstance(t, Num) and t.value < 0):
                    parts += [n.mo("-"), self.wrap(t.arg if isinstance(t, Neg) else Num(-t.value), 1)]
                else:
                    parts += [n.mo("+"), self.wrap(t, 1)]
            return n.row(*parts)
        if isinstance(x, Neg):
            return n.row(n.mo("-"), self.wrap(x.arg, 2))
        if isinstance(x, Mul):
            parts = [self.wrap(x.factors[0], 2)]
            for before, f in zip(x.factors, x.factors[1:]):
                numbers = isinstance(before, Num) and isinstance(f, Num)
                parts += [n.mo("\u00b7" if numbers else "\u2062"), self.wrap(f, 3 if not isinstance(f, Frac) else 2)]
            return n.row(*parts)
        if isinstance(x, Frac):
            return n.frac(self.p(x.num), self.p(x.den))
        if isinstance(x, Pow):
            if isinstance(x.base, Call) and x.base.fn == "exp":
                return n.sup(n.mi("e"), self.p(Pow(x.base.args[0], x.exp)))
            return n.sup(self.wrap(x.base, 5), self.p(x.exp))
        if isinstance(x, Call):
            return self.call(x)
        if isinstance(x, Rel):
            op = {">=": "\u2265", "<=": "\u2264", "!=": "\u2260"}.get(x.op, x.op)
            return n.row(self.p(x.lhs), n.mo(op), self.p(x.rhs))
        if isinstance(x, Cases):
            return n.cases([(self.p(v), self.p(c) if c is not None else None) for v, c in x.cases])
        if isinstance(x, Sum):
            return n.row(n.underover(n.mo("\u2211"), n.row(n.mi(x.var), n.mo("="), n.mn(str(x.lo))), n.mn(str(x.hi))),
                         self.wrap(x.body, 1))
        if isinstance(x, Eq):
            return n.row(self.p(x.lhs), n.mo(x.op), self.p(x.rhs))
        raise TypeError(f"cannot print {type(x).__name__}")

    def call(self, x: Call) -> str:
        n = self.n
        arg = n.row(*[self.p(a) if i == 0 else n.row(n.mo(","), self.p(a)) for i, a in enumerate(x.args)])
        if x.fn == "exp" and not x.prime:
            return n.sup(n.mi("e"), arg)
        if x.fn == "abs":
            return n.row(n.mo("|"), arg, n.mo("|"))
        name = _NAMES.get(x.fn, x.fn)
        head = n.mi(name) if name in _GREEK else n.fn(name.replace("_", " "))
        if x.prime:
            head = n.row(head, n.mo("\u2032"))
        return n.row(head, n.paren(arg))


def text(x: Node) -> str:
    """Plain text: elements as the file writes them (z2[1], W3[1,2]), operators in Unicode."""
    if isinstance(x, Elem):
        name = x.quantity if x.layer is None else f"{x.quantity}{x.layer}"
        return name + (f"[{','.join(str(i) for i in x.index)}]" if x.index else "")
    if isinstance(x, Num):
        return str(x.value).replace("-", "\u2212")
    if isinstance(x, Var):
        return x.name
    if isinstance(x, Add):
        out = text(x.terms[0])
        for t in x.terms[1:]:
            out += f" \u2212 {_t(t.arg, 1)}" if isinstance(t, Neg) else f" + {_t(t, 1)}"
        return out
    if isinstance(x, Neg):
        return "\u2212" + _t(x.arg, 2)
    if isinstance(x, Mul):
        return "\u00b7".join(_t(f, 3) for f in x.factors)
    if isinstance(x, Frac):
        return f"{_t(x.num, 4)}/{_t(x.den, 4)}"
    if isinstance(x, Pow):
        return f"{_t(x.base, 5)}^{_t(x.exp, 5)}"
    if isinstance(x, Call):
        return f"{x.fn}{chr(0x2032) if x.prime else ''}({', '.join(text(a) for a in x.args)})"
    if isinstance(x, Rel):
        return f"{text(x.lhs)} {x.op} {text(x.rhs)}"
    if isinstance(x, Cases):
        return "; ".join(f"{text(v)} if {text(c)}" if c is not None else f"{text(v)} otherwise" for v, c in x.cases)
    if isinstance(x, Sum):
        return f"sum over {x.var} = {x.lo}..{x.hi} of {_t(x.body, 1)}"
    if isinstance(x, Eq):
        return f"{text(x.lhs)} {x.op} {text(x.rhs)}"
    raise TypeError(f"cannot print {type(x).__name__}")


def _t(x: Node, above: int) -> str:
    return f"({text(x)})" if _prec(x) <= above else text(x)


# ---------------------------------------------------------------------------------- evaluation

Lookup = Callable[[Elem], float]


def evaluate(x: Node, lookup: Lookup, env: dict[str, float] | None = None) -> float:
    """The value of the formula (or of an equation's right-hand side), elements from `lookup`,
    constants and summation indices from `env`."""
    env = env or {}
    if isinstance(x, Eq):
        return evaluate(x.rhs, lookup, env)
    if isinstance(x, Elem):
        index = tuple(int(env[i]) if isinstance(i, str) else i for i in x.index)
        return float(lookup(Elem(x.quantity, x.layer, index, x.step)))
    if isinstance(x, Num):
        return float(x.value)
    if isinstance(x, Var):
        return float(env[x.name])
    if isinstance(x, Add):
        return sum(evaluate(t, lookup, env) for t in x.terms)
    if isinstance(x, Neg):
        return -evaluate(x.arg, lookup, env)
    if isinstance(x, Mul):
        return math.prod(evaluate(f, lookup, env) for f in x.factors)
    if isinstance(x, Frac):
        return evaluate(x.num, lookup, env) / evaluate(x.den, lookup, env)
    if isinstance(x, Pow):
        return evaluate(x.base, lookup, env) ** evaluate(x.exp, lookup, env)
    if isinstance(x, Call):
        return _call(x, [evaluate(a, lookup, env) for a in x.args])
    if isinstance(x, Rel):
        a, b = evaluate(x.lhs, lookup, env), evaluate(x.rhs, lookup, env)
        return float({">": a > b, ">=": a >= b, "<": a < b, "<=": a <= b, "=": a == b, "!=": a != b}[x.op])
    if isinstance(x, Cases):
        for value, cond in x.cases:
            if cond is None or evaluate(cond, lookup, env):
                return evaluate(value, lookup, env)
        raise ValueError("no case holds")
    if isinstance(x, Sum):
        return sum(evaluate(x.body, lookup, {**env, x.var: i}) for i in range(x.lo, x.hi + 1))
    raise TypeError(f"cannot evaluate {type(x).__name__}")


_MATH: dict[str, Callable[..., float]] = {
    "exp": math.exp, "log": math.log, "tanh": math.tanh, "erf": math.erf, "abs": abs, "max": max, "min": min,
    "sign": lambda v: float((v > 0) - (v < 0)), "sqrt": math.sqrt, "sigma": lambda v: 1 / (1 + math.exp(-v)),
    "cosh": math.cosh, "sinh": math.sinh, "sech": lambda v: 1 / math.cosh(v),
    "Phi": lambda v: (1 + math.erf(v / math.sqrt(2))) / 2, "phi": lambda v: math.exp(-v * v / 2) / math.sqrt(2 * math.pi),
}


def _call(x: Call, args: list[float]) -> float:
    if x.fn in _MATH and not x.prime:
        return float(_MATH[x.fn](*args))
    import numpy as np

    from gradverify.numeric.activations import get_activation

    act = get_activation(x.fn)
    fn = act.df if x.prime else act.f
    return float(np.asarray(fn(np.array(args, dtype=float), **dict(x.params))).reshape(-1)[0])
