"""Layer-indexed formulas in a seed's own notation: the notations and the evaluator.

Seed 000 writes its recursion with layers 0..L and indices from 0 (Delta^1 at the output,
dE/domega^{L-n}_ij = O^{L-n}_i Delta^n_j); seed 003 with layers 1..N and indices from 1 (w^n_{i,j}
into layer n, dA^n_j = dL/da^n_j). A notation maps each name to a quantity of `layernet`'s network
(with its layer shift and valid layers); the evaluator computes a parsed formula (`indexparse`) on
one network at 30 digits, refusing a quantity at a layer or index it does not have (IndexSlip,
which says which exist) and noting a sum whose range is not that of what it sums. Judging over
every layer and index is `indexcheck`'s.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

import mpmath

from gradverify.derivations import layernet
from gradverify.derivations.equivalence import ClaimError
from gradverify.derivations.layernet import Net


@dataclass(frozen=True)
class Family:
    """A quantity of a notation: which network quantity, how its layer maps to the network's
    (k = layer + shift, or k = last - layer for Delta), its valid layers and its index count."""

    kind: str  # a | z | W | b | fprime | dz | target | width
    shift: int
    layers: tuple[str, str]  # e.g. ("0", "L-1"), in the notation's own constants
    arity: int
    from_end: bool = False
    words: str = ""
    plain: str = ""  # a width family's name without an index: "variable" (seed 000's n) or "count" (003's M)


@dataclass(frozen=True)
class Notation:
    name: str
    base: int  # the first index (0 or 1)
    last: str  # the name of the last layer: L or N
    depth_shift: int  # network L = last + depth_shift
    families: Mapping[str, Family]
    activation: str
    head: str  # the default; seed 000 has both heads
    widths: tuple[int, ...]
    biased: bool = True  # seed 000's forward pass has no bias: its networks' biases are 0


NOTATIONS: dict[str, Notation] = {
    "000": Notation("000", 0, "L", 0, {
        "O": Family("a", 0, ("0", "L"), 1, words="the outputs of layer l"),
        "s": Family("z", 0, ("0", "L-1"), 1, words="the inputs of layer l + 1"),
        "omega": Family("W", 0, ("0", "L-1"), 2, words="the weights from layer l to layer l + 1"),
        "w": Family("W", 0, ("0", "L-1"), 2, words="the weights from layer l to layer l + 1"),
        "b": Family("b", 0, ("0", "L-1"), 1, words="the biases of layer l + 1"),
        "sigma": Family("fprime", 0, ("0", "L-2"), 1, words="the activation's derivative at the inputs of layer l + 1"),
        "Delta": Family("dz", 0, ("1", "L"), 1, from_end=True, words="dE by the inputs of layer L - l + 1"),
        "y": Family("target", 0, ("0", "0"), 1), "l": Family("target", 0, ("0", "0"), 1),
        "n": Family("width", 0, ("0", "L"), 0, plain="variable"),
    }, "sigmoid", "regression", (2, 3, 4, 3, 2), biased=False),
    "003": Notation("003", 1, "N", -1, {
        "x": Family("a", -1, ("1", "N-1"), 1, words="the outputs of layer n (layer 1 is the input)"),
        "a": Family("z", -2, ("2", "N"), 1, words="the aggregations of layer n"),
        "w": Family("W", -2, ("2", "N"), 2, words="the weights from layer n - 1 into layer n"),
        "b": Family("b", -2, ("2", "N"), 1, words="the biases of layer n"),
        "dA": Family("dz", -2, ("2", "N"), 1, words="dL by the aggregations of layer n"),
        "y": Family("a", 0, ("", ""), 1, words="the softmax output"),
        "yhat": Family("target", 0, ("", ""), 1, words="the label"),
        "M": Family("width", -1, ("1", "N"), 0, words="the number of nodes of a layer, M alone of the output",
                    plain="count"),
    }, "relu", "classification", (3, 4, 3, 2)),
}
GREEK = {"omega": "ω", "Delta": "Δ", "sigma": "σ"}  # how the seeds write these names
TOLERANCE = mpmath.mpf("1e-20")
SEEDS = (17, 18, 19)


class IndexSlip(Exception):
    """A quantity asked for at a layer or index it does not have (the message says which exist)."""


class Evaluator:
    """Evaluates a tree on one network with the free and summation variables bound."""

    def __init__(self, notation: Notation, net: Net) -> None:
        self.nt, self.net = notation, net
        self.last = net.L - notation.depth_shift
        self.notes: list[str] = []

    def constant(self, text: str) -> int:
        """A layer bound such as "L-1" in the notation's constants."""
        if not text:
            return self.last
        name, _, off = text.partition("-")
        return (self.last if name == self.nt.last else int(name)) - (int(off) if off else 0)

    # -- values --------------------------------------------------------------------------------
    def value(self, t: tuple, env: Mapping[str, int]) -> Any:
        tag = t[0]
        if tag == "num":
            return mpmath.mpf(t[1]) if "." in t[1] else int(t[1])
        if tag == "q":
            return self.quantity(t, env)
        if tag == "+":
            return sum((self.value(c, env) for c in t[1:]), 0)
        if tag == "*":
            out: Any = 1
            for c in t[1:]:
                out = out * self.value(c, env)
            return out
        if tag == "neg":
            return -self.value(t[1], env)
        if tag == "/":
            return mpmath.mpf(self.value(t[1], env)) / self.value(t[2], env)
        if tag == "pow":
            return self.value(t[1], env) ** self.value(t[2], env)
        if tag == "sum":
            return self.summation(t, env)
        if tag == "ind":
            op, a, b = t[1]
            x, y = self.value(a, env), self.value(b, env)
            return int({"==": x == y, "!=": x != y, "<": x < y, ">": x > y, "<=": x <= y, ">=": x >= y}[op])
        if tag == "fn":
            return self.function(t[1], t[2], self.value(t[3], env))
        if tag == "grad":
            return self.net.derivative(("loss",), self.ref(t[1], env))
        if tag == "partial":
            return self.net.derivative(self.ref(t[1], env), self.ref(t[2], env))
        raise ClaimError(f"cannot read the part {tag!r}")

    def function(self, name: str, deriv: bool, u: Any) -> Any:
        act = {"sigma": "sigmoid", "relu": "relu", "tanh": "tanh"}.get(name)
        if act is None:
            return (mpmath.exp if name == "exp" else mpmath.log)(u)
        if deriv:
            return layernet.act_prime(act, mpmath.mpf(u))
        return layernet._act(act, layernet.Dual(mpmath.mpf(u), mpmath.mpf(0))).v

    def summation(self, t: tuple, env: Mapping[str, int]) -> Any:
        _, var, lo, hi, body = t
        a, b = int(self.value(lo, env)), int(self.value(hi, env))
        total: Any = 0
        for k in range(a, b + 1):
            total = total + self.value(body, {**env, var: k})
        for name, pos, first, last in self.indexed_by(body, var, env):
            if (a, b) != (first, last):
                self.notes.append(f"the sum over {var} runs {a}..{b} but {name} has {var} = {first}..{last}")
        return total

    def indexed_by(self, t: tuple, var: str, env: Mapping[str, int]) -> list[tuple[str, int, int, int]]:
        """(quantity shown, index position, first, last) for each quantity the body indexes by var."""
        out = []
        if t[0] == "q" and t[1] in self.nt.families:
            for pos, ix in enumerate(t[2]):
                if ix == ("q", var, (), None):
                    try:
                        k = self.layer(t, env) if t[3] is not None else None
                    except (IndexSlip, KeyError):
                        continue
                    width = self.width_of(t[1], k, pos)
                    if width is not None:
                        out.append((self.shown(t, env), pos, self.nt.base, self.nt.base + width - 1))
            return out
        for c in children(t):
            out += self.indexed_by(c, var, env)
        return out

    def shown(self, t: tuple, env: Mapping[str, int]) -> str:
        """The quantity in words, its layer computed: "Δ_j with superscript 2"."""
        idx = "".join(ix[1] if ix[0] == "q" else str(self.value(ix, env)) for ix in t[2])
        try:
            layer = f" with superscript {self.value(t[3], env)}" if t[3] is not None else ""
        except (IndexSlip, KeyError):
            layer = ""
        return f"{GREEK.get(t[1], t[1])}_{idx}{layer}"

    # -- quantities ----------------------------------------------------------------------------
    def layer(self, t: tuple, env: Mapping[str, int]) -> int:
        fam = self.nt.families[t[1]]
        lo, hi = self.constant(fam.layers[0]), self.constant(fam.layers[1])
        if t[3] is None:
            if fam.layers[0]:
                raise IndexSlip(f"{t[1]} needs its layer as a superscript, e.g. {t[1]}^{{n-1}}")
            return hi
        k = int(self.value(t[3], env))
        if not lo <= k <= hi:
            g = GREEK.get(t[1], t[1])
            raise IndexSlip(f"{g} with superscript {k} does not exist: {g} with superscript l are {fam.words or g}, "
                            f"for l = {fam.layers[0]}..{fam.layers[1]} ({lo}..{hi} here)")
        return k

    def net_layer(self, fam: Family, k: int) -> int:
        return self.last - k if fam.from_end else k + fam.shift

    def width_of(self, name: str, k: int | None, pos: int) -> int | None:
        fam = self.nt.families[name]
        widths = self.net.widths
        if fam.kind == "target":
            return widths[-1]
        if k is None:
            k = self.constant(fam.layers[1]) if fam.layers[1] else None
        if fam.kind == "a":
            return widths[self.net_layer(fam, k)] if fam.layers[0] else widths[-1]
        if fam.kind in ("z", "b", "dz"):
            return widths[self.net_layer(fam, k) + 1]
        if fam.kind == "fprime":
            return widths[k + 1]
        if fam.kind == "W":
            kk = self.net_layer(fam, k)
            return widths[kk + pos]
        return None

    def ref(self, t: tuple, env: Mapping[str, int]) -> tuple:
        if t[0] != "q" or t[1] not in self.nt.families:
            raise ClaimError(f"a derivative is taken of or with respect to a quantity of the network, not {t[1]!r}")
        fam = self.nt.families[t[1]]
        if fam.kind not in ("a", "z", "W", "b"):
            raise ClaimError(f"{t[1]} is not a quantity a derivative can be taken with respect to")
        k = self.layer(t, env)
        idx = self.indices(t, k, env)
        kk = self.net_layer(fam, k) if fam.layers[0] else self.net.L
        return (fam.kind, kk, *idx)

    def indices(self, t: tuple, k: int, env: Mapping[str, int]) -> list[int]:
        fam = self.nt.families[t[1]]
        if len(t[2]) != fam.arity:
            raise ClaimError(f"{t[1]} has {fam.arity} ind{'ex' if fam.arity == 1 else 'ices'}, not {len(t[2])}")
        out = []
        for pos, ix in enumerate(t[2]):
            v = int(self.value(ix, env)) - self.nt.base
            width = self.width_of(t[1], k, pos)
            if width is not None and not 0 <= v < width:
                raise IndexSlip(f"{self.shown(t, env)}: index {v + self.nt.base} is outside "
                                f"{self.nt.base}..{self.nt.base + width - 1}")
            out.append(v)
        return out

    def quantity(self, t: tuple, env: Mapping[str, int]) -> Any:
        _, name, idx, layer = t
        if name in env and not idx and layer is None and (name not in self.nt.families
                                                          or self.nt.families[name].plain == "variable"):
            return env[name]
        if name == self.nt.last and not idx and layer is None:
            return self.last
        if name not in self.nt.families:
            raise ClaimError(f"unknown name {name!r} in notation {self.nt.name}: it has "
                             f"{', '.join(sorted(self.nt.families))}, {self.nt.last} and the free indices")
        fam = self.nt.families[name]
        if fam.kind == "width":
            if not idx and fam.plain == "count":
                return self.net.widths[-1]
            if len(idx) != 1:
                raise ClaimError(f"write a layer's width as {name}_l, {name}_{{L-l+2}}")
            k = int(self.value(idx[0], env))
            lo, hi = self.constant(fam.layers[0]), self.constant(fam.layers[1])
            if not lo <= k <= hi:
                raise IndexSlip(f"{name}_{k} does not exist: the layers are {fam.layers[0]}..{fam.layers[1]} "
                                f"({lo}..{hi} here)")
            return self.net.widths[k + fam.shift]
        if fam.kind == "target":
            (j,) = self.indices(t, 0, env)
            return self.net.y[j]
        k = self.layer(t, env)
        ix = self.indices(t, k, env)
        if fam.kind == "fprime":
            return layernet.act_prime(self.net.activation, self.net.value(("z", k, ix[0])))
        if fam.kind == "dz":
            return self.net.derivative(("loss",), ("z", self.net_layer(fam, k), ix[0]))
        kk = self.net_layer(fam, k) if fam.layers[0] else self.net.L
        return self.net.value((fam.kind, kk, *ix))


def children(t: tuple) -> list[tuple]:
    """The sub-trees of a node (a condition's operands included)."""
    out = []
    for c in t[1:]:
        if isinstance(c, tuple) and c and isinstance(c[0], str):
            out.append(c)
        elif isinstance(c, tuple):
            out += [cc for cc in c if isinstance(cc, tuple) and cc and isinstance(cc[0], str)]
    return out


def free_names(t: tuple, nt: Notation, bound: frozenset = frozenset(), in_layer: bool = False) -> dict[str, bool]:
    """Free variable -> whether it appears in a layer (above a quantity, or in n_{...})."""
    out: dict[str, bool] = {}
    if not isinstance(t, tuple) or not t:
        return out
    if t[0] == "q":
        name, idx, layer = t[1], t[2], t[3]
        plain = name not in nt.families or nt.families[name].plain == "variable"  # n alone is a variable, n_l a width
        if not idx and layer is None and plain and name != nt.last and name not in bound:
            out[name] = in_layer
            return out
        width = nt.families.get(name, Family("", 0, ("", ""), 0)).kind == "width"
        for ix in idx:
            for k, v in free_names(ix, nt, bound, width).items():
                out[k] = out.get(k, False) or v
        if layer is not None:
            for k, v in free_names(layer, nt, bound, True).items():
                out[k] = True
        return out
    if t[0] == "sum":
        _, var, lo, hi, body = t
        for part in (lo, hi):
            for k, v in free_names(part, nt, bound, True).items():
                out[k] = out.get(k, False) or v
        for k, v in free_names(body, nt, bound | {var}, in_layer).items():
            out[k] = out.get(k, False) or v
        return out
    for c in children(t):
        for k, v in free_names(c, nt, bound, in_layer).items():
            out[k] = out.get(k, False) or v
    return out
