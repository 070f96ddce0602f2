"""The gates of a circuit: the value of a node's expression and its local gradients, in any arithmetic.

`FLOAT` computes in float64 with the numeric engine's activations: the person's own numbers carried
through a gate; `circuitexact.EXACT` computes the truth in rationals and 60-digit decimals. Both run
the same rules (`evaluate`, `partial`), so a local gradient is the same formula in both. `slips` make a rule wrong the way a hand does (the chain factor of an inner
expression left out, a max routing the gradient to the other branch) for the judge's diagnoses.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Generic, Mapping, Protocol, TypeVar

import numpy as np

from gradverify.judge.circuitexpr import Apply, Const, Expr, Named, Path, Ref, refs
from gradverify.numeric.activations import get_activation

N = TypeVar("N")
SLIPS = ("drop_chain", "drop_power", "drop_const", "swap_factors", "swap_branch")
BRANCHED = ("max", "min", "relu", "leaky_relu", "prelu", "abs")  # gates whose gradient takes one branch
PARAMS = {"leaky_relu": "alpha", "prelu": "a", "elu": "alpha"}


class CircuitMathError(ArithmeticError):
    """A gate outside its domain (log of 0, division by 0, ...): the message says which and why."""


class Arith(Protocol[N]):
    """Numbers and the functions of the gates in one arithmetic."""

    def num(self, q: Fraction) -> N: ...
    def named(self, name: str) -> N: ...
    def add(self, a: N, b: N) -> N: ...
    def mul(self, a: N, b: N) -> N: ...
    def div(self, a: N, b: N) -> N: ...
    def pow(self, a: N, b: N) -> N: ...
    def less(self, a: N, b: N) -> bool: ...
    def fn(self, name: str, x: N, p: Fraction | None) -> N: ...
    def dfn(self, name: str, x: N, p: Fraction | None) -> N: ...


class FloatArith:
    """float64 with the numeric engine's activations; NaN and inf where a gate leaves its domain."""

    def num(self, q: Fraction) -> np.float64:
        return np.float64(q)

    def named(self, name: str) -> np.float64:
        return np.float64(math.e if name == "e" else math.pi)

    def add(self, a: np.float64, b: np.float64) -> np.float64:
        return a + b

    def mul(self, a: np.float64, b: np.float64) -> np.float64:
        return a * b

    def div(self, a: np.float64, b: np.float64) -> np.float64:
        return np.float64(a) / np.float64(b)

    def pow(self, a: np.float64, b: np.float64) -> np.float64:
        return np.power(np.float64(a), np.float64(b))

    def less(self, a: np.float64, b: np.float64) -> bool:
        return bool(a < b)

    def fn(self, name: str, x: np.float64, p: Fraction | None) -> np.float64:
        if name in _NUMPY:
            return _NUMPY[name](np.float64(x))
        return np.float64(get_activation(name).f(np.asarray(x, dtype=float), **_params(name, p)))

    def dfn(self, name: str, x: np.float64, p: Fraction | None) -> np.float64:
        x = np.float64(x)
        if name == "exp":
            return np.exp(x)
        if name == "log":
            return 1.0 / x
        if name == "sqrt":
            return 1.0 / (2.0 * np.sqrt(x))
        if name == "abs":
            return np.sign(x)
        return np.float64(get_activation(name).df(np.asarray(x, dtype=float), **_params(name, p)))


_NUMPY = {"exp": np.exp, "log": np.log, "sqrt": np.sqrt, "abs": np.absolute}


def _params(name: str, p: Fraction | None) -> dict[str, float]:
    return {PARAMS[name]: float(p)} if name in PARAMS and p is not None else {}


FLOAT: Arith[np.float64] = FloatArith()


class _Dual(Generic[N]):
    """Forward-mode differentiation of one expression with respect to one name, with slips."""

    def __init__(self, ar: Arith[N], env: Mapping[str, N], wrt: str | None, slips: Mapping[Path, str],
                 out: N | None):
        self.ar, self.env, self.wrt, self.slips, self.out = ar, env, wrt, slips, out
        self.zero, self.one = ar.num(Fraction(0)), ar.num(Fraction(1))

    def depends(self, e: Expr) -> bool:
        return self.wrt is not None and self.wrt in refs(e)

    def run(self, e: Expr, path: Path = ()) -> tuple[N, N]:
        ar = self.ar
        if isinstance(e, Const):
            return ar.num(e.value), self.zero
        if isinstance(e, Named):
            return ar.named(e.name), self.zero
        if isinstance(e, Ref):
            return self.env[e.name], (self.one if e.name == self.wrt else self.zero)
        slip = self.slips.get(path, "")
        if e.op in ("add", "mul", "neg", "div", "max", "min"):
            pairs = [self.run(a, path + (i,)) for i, a in enumerate(e.args)]
            return self.combine(e, pairs, slip, path)
        if e.op == "pow":
            return self.power(e, path, slip)
        x, dx = self.run(e.args[0], path + (0,))
        p = e.args[1].value if len(e.args) > 1 and isinstance(e.args[1], Const) else None
        value = ar.fn(e.op, x, p)
        if not self.depends(e.args[0]):
            return value, self.zero
        if slip == "swap_branch":
            outer = ar.dfn(e.op, ar.mul(ar.num(Fraction(-1)), x), p)
        elif path == () and self.out is not None and e.op in ("exp", "sigmoid", "tanh", "sqrt"):
            outer = _from_output(ar, e.op, self.out)
        else:
            outer = ar.dfn(e.op, x, p)
        return value, (outer if slip == "drop_chain" else ar.mul(outer, dx))

    def combine(self, e: Apply, pairs: list[tuple[N, N]], slip: str, path: Path) -> tuple[N, N]:
        ar = self.ar
        vals = [v for v, _ in pairs]
        if e.op == "add":
            v, dv = pairs[0]
            for a, da in pairs[1:]:
                v, dv = ar.add(v, a), ar.add(dv, da)
            return v, dv
        if e.op == "neg":
            m = ar.num(Fraction(-1))
            return ar.mul(m, vals[0]), ar.mul(m, pairs[0][1])
        if e.op == "mul":
            v, dv = vals[0], self.zero
            for a in vals[1:]:
                v = ar.mul(v, a)
            for i, (_, da) in enumerate(pairs):
                if not self.depends(e.args[i]):
                    continue
                term = ar.mul(da, vals[i]) if slip == "swap_factors" else da  # x.y: dx times x, not y
                for j, a in enumerate(vals):
                    if j != i and slip != "swap_factors" and not (slip == "drop_const" and isinstance(e.args[j], Const)):
                        term = ar.mul(term, a)
                dv = ar.add(dv, term)
            return v, dv
        if e.op == "div":
            (a, da), (b, db) = pairs
            v = ar.div(a, b)
            if slip == "drop_const":  # a / c differentiated as if the / c were not there
                return v, da
            if path == () and self.out is not None and isinstance(e.args[0], Const) and e.args[0].value != 0:
                outer = ar.div(ar.mul(ar.num(-e.args[0].value), ar.mul(self.out, self.out)), ar.num(e.args[0].value ** 2))
                return v, ar.mul(outer, db)  # d(c/b) = -c/b^2 db = -(c/b)^2 / c db
            return v, ar.div(ar.add(ar.mul(da, b), ar.mul(ar.num(Fraction(-1)), ar.mul(a, db))), ar.mul(b, b))
        best = 0  # max / min: the gradient goes to the first largest (smallest) argument
        for i in range(1, len(vals)):
            if ar.less(vals[best], vals[i]) if e.op == "max" else ar.less(vals[i], vals[best]):
                best = i
        if slip == "swap_branch" and len(vals) == 2:
            return vals[best], pairs[1 - best][1]
        return vals[best], pairs[best][1]

    def power(self, e: Apply, path: Path, slip: str) -> tuple[N, N]:
        ar = self.ar
        (a, da), (b, db) = self.run(e.args[0], path + (0,)), self.run(e.args[1], path + (1,))
        v = ar.pow(a, b)
        dv = self.zero
        if self.depends(e.args[0]):
            if path == () and self.out is not None and isinstance(e.args[1], Const) and e.args[1].value == -1:
                outer = ar.mul(ar.num(Fraction(-1)), ar.mul(self.out, self.out))  # d(1/a) = -(1/a)^2
            else:
                lower = ar.pow(a, ar.add(b, ar.num(Fraction(-1))))
                outer = lower if slip == "drop_power" else ar.mul(b, lower)
            dv = outer if slip == "drop_chain" else ar.mul(outer, da)
        if self.depends(e.args[1]):
            dv = ar.add(dv, ar.mul(ar.mul(v, ar.fn("log", a, None)), db))
        return v, dv


def _from_output(ar: Arith[N], op: str, out: N) -> N:
    """A gate's derivative written in its output: e^u from e^u, s(1-s), 1 - t^2, 1/(2 sqrt u)."""
    if op == "exp":
        return out
    if op == "sqrt":
        return ar.div(ar.num(Fraction(1)), ar.mul(ar.num(Fraction(2)), out))
    square = ar.mul(out, out)
    if op == "tanh":
        return ar.add(ar.num(Fraction(1)), ar.mul(ar.num(Fraction(-1)), square))
    return ar.add(out, ar.mul(ar.num(Fraction(-1)), square))  # sigmoid: s - s^2


def evaluate(e: Expr, env: Mapping[str, N], ar: Arith[N]) -> N:
    """The expression's value from the values of the names it reads."""
    return _Dual(ar, env, None, {}, None).run(e)[0]


def partial(e: Expr, wrt: str, env: Mapping[str, N], ar: Arith[N], slips: Mapping[Path, str] | None = None,
            out: N | None = None) -> N:
    """The local gradient of the expression with respect to one name it reads (the others held);
    `out`: the expression's own value as written, for gates whose derivative is written in it."""
    return _Dual(ar, env, wrt, slips or {}, out).run(e)[1]


def has_output_form(e: Expr) -> bool:
    """True when the gate's local gradient can be written in its own output (e^u, s(1-s), 1/w ...)."""
    if not isinstance(e, Apply):
        return False
    if e.op in ("exp", "sigmoid", "tanh", "sqrt"):
        return True
    if e.op == "div":
        return isinstance(e.args[0], Const) and e.args[0].value != 0
    return e.op == "pow" and isinstance(e.args[1], Const) and e.args[1].value == -1


def slips_of(e: Expr) -> list[tuple[Path, str]]:
    """Every slip a hand may make in the expression's local gradients, where it can make it."""
    from gradverify.judge.circuitexpr import walk

    out: list[tuple[Path, str]] = []
    for path, sub in walk(e):
        if not isinstance(sub, Apply):
            continue
        inner = sub.args[0]
        if sub.op not in ("add", "mul", "neg", "div", "max", "min") and isinstance(inner, Apply):
            out.append((path, "drop_chain"))
        if sub.op == "pow" and isinstance(sub.args[1], Const) and sub.args[1].value not in (0, 1):
            out.append((path, "drop_power"))
        if sub.op == "mul" and any(isinstance(a, Const) and abs(a.value) != 1 for a in sub.args):
            out.append((path, "drop_const"))
        if sub.op == "div" and isinstance(sub.args[1], Const) and abs(sub.args[1].value) != 1:
            out.append((path, "drop_const"))  # r^2 / 2: the 1/2 of a square, written as a division
        if sub.op == "mul" and len(sub.args) == 2 and all(isinstance(a, Ref) for a in sub.args):
            out.append((path, "swap_factors"))
        if sub.op in BRANCHED and (sub.op not in ("max", "min") or len(sub.args) == 2):
            out.append((path, "swap_branch"))
    return out
