"""The weights, biases and inputs a forward pass's arithmetic states.

`z_1^2 = 0.2 \\times 0.8 + 0.3 \\times 0.7 + 0.4 \\times 0.1 - 0.2` names every weight into neuron 1
of layer 2, its bias, and the three inputs. Which factor of each product is the activation: the one
equal to an activation already written for that step; for the inputs, the one that is the same in
every neuron's sum of the layer; else the notation's order (weight first, as in z = sum w a + b).
"""

from __future__ import annotations

from dataclasses import dataclass

from gradverify.draft.values import WeightedSum, signed, value


@dataclass(frozen=True)
class Sum:
    """A written weighted sum: z of `layer` (as written), neuron `neuron`, in step `step`."""

    step: int
    layer: int
    neuron: int
    sum: WeightedSum
    line: int


@dataclass(frozen=True)
class Stated:
    """A number the arithmetic states: ("W", (j, k)) a weight into neuron j from neuron k of the layer
    before, ("b", (j,)) a bias, ("input", (k,)) an activation of the layer before."""

    kind: str
    index: tuple[int, ...]
    text: str
    line: int


def read_layer(sums: list[Sum], previous: dict[int, str], first_index: int) -> tuple[list[Stated], list[str]]:
    """What the sums of one layer in one step state, and notes on what could not be placed.
    `previous` maps neuron index -> the written activation of the layer before (may be empty)."""
    where = _activation_factor(sums, previous)
    out: list[Stated] = []
    notes: list[str] = []
    for s in sums:
        for t, product in enumerate(s.sum.products):
            weight_text, act_text = product.factors[1 - where], product.factors[where]
            k = _matching(previous, act_text)
            if k is None:  # the sign of the product goes to the weight
                k = t + first_index
                weight = signed(product.sign, weight_text)
            else:  # the activation's sign is known: the weight's is what makes the product's
                flips = [product.sign == "-", weight_text.startswith("-"), act_text.startswith("-"),
                         previous[k].startswith("-")]
                weight = ("-" if sum(flips) % 2 else "") + weight_text.lstrip("-")
            out.append(Stated("W", (s.neuron, k), weight, s.line))
            out.append(Stated("input", (k,), act_text, s.line))
        if len(s.sum.constants) == 1:
            out.append(Stated("b", (s.neuron,), s.sum.constants[0], s.line))
        elif len(s.sum.constants) > 1:
            notes.append(f"line {s.line}: {len(s.sum.constants)} lone numbers in the sum; which is the bias?")
    return out, notes


def _activation_factor(sums: list[Sum], previous: dict[int, str]) -> int:
    """0 or 1: the position of the activation in each product."""
    if previous:
        hits = [sum(_matching(previous, p.factors[i]) is not None for s in sums for p in s.sum.products)
                for i in (0, 1)]
        if hits[0] != hits[1]:
            return 0 if hits[0] > hits[1] else 1
    if len(sums) > 1:
        same = [all(_column(sums, i, t) for t in range(min(len(s.sum.products) for s in sums))) for i in (0, 1)]
        if same[0] != same[1]:
            return 0 if same[0] else 1
    return 1


def _column(sums: list[Sum], i: int, t: int) -> bool:
    """Is factor i of product t the same number in every neuron's sum?"""
    texts = {s.sum.products[t].factors[i] for s in sums}
    return len(texts) == 1


def _matching(previous: dict[int, str], text: str) -> int | None:
    """The neuron whose written activation this factor is (same printed digits, either sign: a minus
    written before a product may be the activation's), if exactly one."""
    try:
        v = abs(value(text))
    except ValueError:
        return None
    found = [k for k, a in previous.items() if _magnitude(a) == v]
    return found[0] if len(found) == 1 else None


def _magnitude(text: str) -> float | None:
    try:
        return abs(value(text))
    except ValueError:
        return None
