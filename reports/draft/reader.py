"""Read a write-up's equation chains into claims: every chain whose member is a printed number (or a
vector or matrix of numbers) claims the quantity on its left, in the step it belongs to. Along the
way it collects what the write-up states about the network (activations, loss, learning rate, data)
and the weighted sums of the forward passes (their weights, biases and inputs; see forward.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gradverify.draft import nodes, settings
from gradverify.draft.chains import Equation
from gradverify.draft.detect import Numbering
from gradverify.draft.forward import Sum
from gradverify.draft.model import Setting, Unmapped
from gradverify.draft.notation import Notation
from gradverify.draft.refs import Ref, Unknown, ref_of
from gradverify.draft.steps import Placed, Steps
from gradverify.draft.values import Value, value_of, weighted_sum, working_of
from gradverify.judge.claimkeys import BIAS_LIKE, WEIGHT_LIKE

VECTOR_QUANTITIES = ("z", "a", "delta", "act_prime", "dL_da", "x", "y", "dx") + BIAS_LIKE


@dataclass(frozen=True)
class Read:
    """One number read: its quantity (layer and index as written; index None: not yet known), the
    printed text and the line."""

    ref: Ref
    text: str
    line: int
    said: str = ""
    working: str = ""  # the arithmetic written just before the number, if any


@dataclass
class Reading:
    """Everything read from the chains, before the network's sizes are known."""

    claims: list[tuple[int, Read]] = field(default_factory=list)  # (step, read)
    starting: list[Read] = field(default_factory=list)  # W and b before the first gradient
    data: list[Read] = field(default_factory=list)  # x and y
    sums: list[Sum] = field(default_factory=list)
    activations: dict[int | str, Setting] = field(default_factory=dict)  # layer, "L" or "all" -> activation
    losses: list[Setting] = field(default_factory=list)
    learning_rate: Setting | None = None
    l2: Setting | None = None
    delta_factors: tuple[str, str] | None = None
    unmapped: list[Unmapped] = field(default_factory=list)


class Reader:
    """Walks the equations in write-up order."""

    def __init__(self, notation: Notation, numbering: Numbering):
        self.n, self.numbering = notation, numbering
        self.steps = Steps()
        self.out = Reading()

    def equation(self, eq: Equation) -> None:
        lhs = ref_of(eq.members[0], self.n)
        values = [(i, value_of(m)) for i, m in enumerate(eq.members) if i > 0]
        found = [(i, v) for i, v in values if v is not None]
        if isinstance(lhs, Ref):
            self._statements(lhs, eq)
        self._bindings(eq)
        if not found:
            return
        at, value = found[-1]
        said = eq.text.strip()
        if isinstance(lhs, Unknown):
            if lhs.reason:
                self.out.unmapped.append(Unmapped(eq.line, said, lhs.reason))
            return
        if not lhs.numeric:
            self.out.unmapped.append(Unmapped(eq.line, said, f"{lhs.name} is generic (layer or index "
                                              "written as a letter), not one number"))
            return
        working = working_of(eq.members[at - 1]) if at > 1 and isinstance(value, str) else None
        self._value(lhs, value, eq.line, said, working=working or "")
        if lhs.qty == "delta" and at > 1:
            self._delta_factors(lhs, eq.members[at - 1], eq.line, said)

    # -- statements about the network -------------------------------------------------------------
    def _statements(self, lhs: Ref, eq: Equation) -> None:
        for m in eq.members[1:]:
            if lhs.qty == "a":
                act = settings.activation(m, self.n)
                if act:
                    layer = lhs.layer if isinstance(lhs.layer, int) or lhs.layer == "L" else "all"
                    self.out.activations.setdefault(layer, Setting(act, eq.line, eq.text.strip()))
            if lhs.qty == "loss":
                name = settings.loss(m, self.n)
                if name:
                    self.out.losses.append(Setting(name, eq.line, eq.text.strip()))
            if lhs.qty == "delta" and self.out.delta_factors is None:
                self.out.delta_factors = _factor_order(m, self.n)
            if lhs.qty == "z" and lhs.numeric and lhs.index and len(lhs.index) == 1 and isinstance(lhs.layer, int):
                ws = weighted_sum(m)
                if ws is not None:
                    step = self.steps.where(("z", lhs.layer, lhs.index))
                    self.out.sums.append(Sum(step, lhs.layer, int(lhs.index[0]), ws, eq.line))

    def _bindings(self, eq: Equation) -> None:
        """`L = (y - a)^2 = (0.9 - 0.42)^2`: y is 0.9 (a symbolic member followed by its numbers)."""
        for left, right in zip(eq.members, eq.members[1:]):
            for sym, number in _aligned(left, right):
                ref = ref_of(sym, self.n)
                if isinstance(ref, Ref) and ref.qty in ("y", "x", "learning_rate") and ref.numeric:
                    self._value(ref, number, eq.line, eq.text.strip(), binding=True)

    # -- values ----------------------------------------------------------------------------------
    def _value(self, ref: Ref, value: Value, line: int, said: str, binding: bool = False, working: str = "") -> None:
        if ref.qty in ("learning_rate", "l2"):
            if isinstance(value, str):
                setting = Setting(value, line, said)
                if ref.qty == "learning_rate":
                    self.out.learning_rate = self.out.learning_rate or setting
                else:
                    self.out.l2 = self.out.l2 or setting
            return
        elements = _elements(ref, value, self.numbering.first_index)
        if elements is None:
            self.out.unmapped.append(Unmapped(line, said, f"{ref.name}: the numbers' shape does not fit it"))
            return
        for elem, text in elements:
            if elem.qty == "a" and elem.layer == self.numbering.first_layer:  # the input layer's "activation"
                elem = Ref("x", None, elem.index)
            if elem.qty in ("x", "y"):
                if not binding or not any(d.ref == elem for d in self.out.data):
                    self.out.data.append(Read(elem, text, line, said))
                continue
            self._claim(Read(elem, text, line, said, working))

    def _claim(self, read: Read) -> None:
        ref = read.ref
        placed: Placed = self.steps.place((ref.qty, ref.layer, ref.index), read.text, read.line)
        if placed.clash:
            old_line, old_text = placed.clash
            where = "the starting parameters" if placed.step == 0 else f"step {placed.step}"
            self.out.unmapped.append(Unmapped(read.line, read.said, f"{ref.name} = {read.text} again: line {old_line} "
                                              f"wrote {old_text} for it in {where} (if this is a second "
                                              f"printing in that step, claim it as \"{ref.name}#2\")"))
        elif not placed.repeated:
            if placed.step == 0:
                self.out.starting.append(read)
            else:
                self.out.claims.append((placed.step, read))

    def _delta_factors(self, delta: Ref, member: nodes.Node, line: int, said: str) -> None:
        """`delta^2 = [0.035, -0.012] \\odot [0.247, 0.246] = ...`: the two factors are dL/da and f'(z)."""
        negated = isinstance(member, nodes.Op) and member.op == "neg"
        if negated:  # -0.802 x 0.240 reads as -(0.802 x 0.240): the minus is the first factor's
            member = member.args[0]
        if not (isinstance(member, nodes.Op) and member.op in ("odot", "*") and len(member.args) == 2):
            return
        first = nodes.Op("neg", (member.args[0],)) if negated else member.args[0]
        factors = [value_of(a) for a in (first, member.args[1])]
        if any(f is None for f in factors):
            return
        order = self.out.delta_factors or self.n.delta_factors
        for qty, value in zip(order, factors):
            assert value is not None
            self._value(Ref(qty, delta.layer, delta.index), value, line, said)


def _factor_order(member: nodes.Node, notation: Notation) -> tuple[str, str] | None:
    """The order of dL/da and f'(z) in a written backpropagation formula, when both are recognisable."""
    if not (isinstance(member, nodes.Op) and member.op in ("odot", "*") and len(member.args) == 2):
        return None
    kinds = [_factor_kind(a, notation) for a in member.args]
    if sorted(k or "" for k in kinds) == ["act_prime", "dL_da"]:
        return (kinds[0], kinds[1])  # type: ignore[return-value]
    return None


def _factor_kind(node: nodes.Node, notation: Notation) -> str | None:
    for n in nodes.walk(node):
        if isinstance(n, nodes.Call) and n.fn.primes:
            return "act_prime"
        if isinstance(n, nodes.Op) and n.op == "T":
            return "dL_da"
        if isinstance(n, nodes.Deriv):
            inner = ref_of(n, notation)
            if isinstance(inner, Ref) and inner.qty == "dL_da":
                return "dL_da"
    return None


def _aligned(symbolic: nodes.Node, numeric: nodes.Node) -> list[tuple[nodes.Sym, Value]]:
    """Pairs (symbol, number) at the same place of two members of the same shape."""
    v = value_of(numeric)
    if isinstance(symbolic, nodes.Sym):
        return [(symbolic, v)] if v is not None and not isinstance(v, list) else []
    if type(symbolic) is not type(numeric):
        return []
    if isinstance(symbolic, nodes.Op) and isinstance(numeric, nodes.Op):
        if symbolic.op != numeric.op or len(symbolic.args) != len(numeric.args):
            return []
        return [p for a, b in zip(symbolic.args, numeric.args) for p in _aligned(a, b)]
    if isinstance(symbolic, nodes.Group) and isinstance(numeric, nodes.Group):
        return _aligned(symbolic.body, numeric.body)
    return []


def _elements(ref: Ref, value: Value, first_index: int) -> list[tuple[Ref, str]] | None:
    """The element claims of a value: one number for an element (or a whole one-neuron quantity),
    a vector for a vector quantity, a matrix for W or dW (rows as written)."""
    if isinstance(value, str):
        return [(ref, value)]
    if ref.index is not None:
        return None
    rows = value
    if ref.qty in VECTOR_QUANTITIES:
        flat = [c for row in rows for c in row] if (len(rows) == 1 or all(len(r) == 1 for r in rows)) else None
        if flat is None:
            return None
        return [(Ref(ref.qty, ref.layer, (i + first_index,)), t) for i, t in enumerate(flat)]
    if ref.qty in WEIGHT_LIKE:
        return [(Ref(ref.qty, ref.layer, (r + first_index, c + first_index)), t)
                for r, row in enumerate(rows) for c, t in enumerate(row)]
    return None
