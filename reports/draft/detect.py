"""Which notation a write-up uses, and how it numbers layers and neurons, from the symbols it writes.

Evidence: layer labels in parentheses (W^{(2)}, z^{(l)}: seed 004); in a generic formula, which index
of the weight is shared with the activation it multiplies (w_{jk} a_k: into j from k, Nielsen;
w_{ij} a_i: from i to j); omega for weights or a layer 0 (seed 000); the word "Nielsen".
"""

from __future__ import annotations

from dataclasses import dataclass

from gradverify.draft import nodes
from gradverify.draft.chains import Equation
from gradverify.draft.notation import FROM_TO, NIELSEN, SEED004, Notation
from gradverify.draft.refs import index_of, layer_of, symbol_name

NETWORK = ("z", "a", "delta", "W", "b", "x")


@dataclass(frozen=True)
class Numbering:
    """The input layer's number and the first neuron's index, as the write-up uses them."""

    first_layer: int
    first_index: int


def notation(equations: list[Equation], prose: list[str]) -> tuple[Notation, str]:
    """The built-in notation the write-up most likely uses, and the evidence in words."""
    parens = 0
    votes = {"to_from": 0, "from_to": 0}
    omega = zero = 0
    for eq in equations:
        syms = [n for m in eq.members for n in nodes.walk(m) if isinstance(n, nodes.Sym)]
        for s in syms:
            role = NIELSEN.role(symbol_name(s)) or FROM_TO.role(symbol_name(s))
            if role in NETWORK and s.sup.strip("{}").startswith("("):
                parens += 1
            omega += s.name == "omega"
            zero += role in NETWORK and layer_of(s.sup) == 0
        for layout in _layouts(syms):
            votes[layout] += 1
    nielsen_named = any("nielsen" in line.lower() for line in prose)
    if parens >= 2:
        return SEED004, f"layer labels in parentheses such as W^{{(l)}} ({parens} seen)"
    if votes["from_to"] > votes["to_from"] or (votes["from_to"] == votes["to_from"] and (omega or zero)
                                              and not nielsen_named):
        why = [_formulas(votes["from_to"], "w_ij multiplying a_i")] if votes["from_to"] else []
        why += ["omega for the weights"] if omega else []
        why += ["a layer numbered 0"] if zero else []
        return FROM_TO, ", ".join(why)
    if nielsen_named:
        return NIELSEN, "the write-up names Nielsen's notation"
    if votes["to_from"]:
        return NIELSEN, _formulas(votes["to_from"], "w_jk multiplying a_k")
    return NIELSEN, "no notation-specific symbols; Nielsen's is the default"


def _formulas(n: int, what: str) -> str:
    return f"{n} formula{'s' * (n != 1)} with {what}"


def _layouts(syms: list[nodes.Sym]) -> list[str]:
    """For a weight w_{pq} next to an activation a_r with a letter index: "to_from" when r is q."""
    weights = [s.sub for s in syms if NIELSEN.role(s.name) == "W" or s.name == "omega"]
    acts = {s.sub for s in syms if (NIELSEN.role(s.name) in ("a", "x") or s.name == "O") and len(s.sub) == 1
            and s.sub.isalpha()}
    out = []
    for sub in weights:
        pair = sub.replace(",", "").replace(" ", "")
        if len(pair) == 2 and pair.isalpha() and pair[0] != pair[1]:
            if pair[1] in acts and pair[0] not in acts:
                out.append("to_from")
            elif pair[0] in acts and pair[1] not in acts:
                out.append("from_to")
    return out


def numbering(equations: list[Equation], chosen: Notation) -> Numbering:
    """The notation's numbering, or where it leaves it open, as the write-up numbers: layers from 0
    when a layer 0 is written or z, delta, W or b of layer 1 are (the input is the layer before);
    neurons from 0 when an index 0 is written."""
    layer, index = chosen.first_layer, chosen.first_index
    if layer is not None and index is not None:
        return Numbering(layer, index)
    lowest = 1
    zero_index = False
    for eq in equations:
        for m in eq.members:
            for s in nodes.walk(m):
                role = chosen.role(symbol_name(s)) if isinstance(s, nodes.Sym) else None
                if not isinstance(s, nodes.Sym) or role not in NETWORK + ("y",):
                    continue
                number = layer_of(s.sup)
                if isinstance(number, int):
                    computed = role in ("z", "delta", "b") or role == "W" and chosen.weights_named_by == "to"
                    lowest = min(lowest, number - 1 if computed else number)
                zero_index |= 0 in (index_of(s.sub, 2 if role == "W" else 1) or ())
    return Numbering(layer if layer is not None else (0 if lowest <= 0 else 1),
                     index if index is not None else (0 if zero_index else 1))
