"""What a written quantity is, in a notation: `z_1^2` -> z of layer 2, neuron 1;
`\\frac{\\partial L}{\\partial w_{11}^3}` -> dW of layer 3, element (1, 1); `\\sigma'(z_1^2)` -> act_prime.

Layers and indices stay in the write-up's own numbering; the worked-example file is written in it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from gradverify.draft import nodes
from gradverify.draft.notation import Notation
from gradverify.judge.claimkeys import WEIGHT_LIKE

# Quantities with no layer.
UNLAYERED = ("loss", "x", "y", "dx", "learning_rate", "l2")
GRADIENT_OF = {"W": "dW", "b": "db", "z": "delta", "a": "dL_da", "x": "dx", "output": "dL_da"}
INDEX_LETTERS = frozenset("ijkmnNMt")


@dataclass(frozen=True)
class Ref:
    """A quantity as written: `layer` a number, "L" (the last layer), or the written symbol text when
    it is generic (`l`, `l-1`); `index` None for the whole quantity, else a tuple of numbers or letters."""

    qty: str
    layer: int | str | None = None
    index: tuple[int | str, ...] | None = None

    @property
    def name(self) -> str:
        """"z2[1]", "dW3[1,2]", "loss", "delta2": as a worked-example key is written."""
        layer = "" if self.layer is None else str(self.layer)
        idx = "" if self.index is None else f"[{','.join(map(str, self.index))}]"
        return f"{self.qty}{layer}{idx}"

    @property
    def numeric(self) -> bool:
        """True when it names particular numbers (layer and every index written as numbers)."""
        layer_ok = self.qty in UNLAYERED or isinstance(self.layer, int) or self.layer == "L"
        return layer_ok and (self.index is None or all(isinstance(i, int) for i in self.index))


@dataclass(frozen=True)
class Unknown:
    """Why a member is not a quantity of the notation."""

    reason: str


def ref_of(node: nodes.Node, notation: Notation) -> Ref | Unknown:
    """The quantity a chain member names, or why it names none."""
    node = _without_words(node)
    if isinstance(node, nodes.Text):
        role = _word_role(node.words, notation)
        return Ref(role) if role == "loss" else Unknown(f"the words {node.words!r} name no quantity")
    if isinstance(node, nodes.Sym):
        return _symbol(node, notation)
    if isinstance(node, nodes.Deriv):
        return _derivative(node, notation)
    if isinstance(node, nodes.Call):
        return _call(node, notation)
    if isinstance(node, nodes.Op) and node.op == "*" and len(node.args) == 2:
        term = _update_term(node.args, notation)
        if term is not None:
            return term
    if isinstance(node, (nodes.Num, nodes.Op)) and _has_number(node):
        return Unknown("a number or arithmetic on the left, not a quantity")
    return Unknown("the left side is not a quantity of the network")


def _without_words(node: nodes.Node) -> nodes.Node:
    """`\\text{Loss function: } L(a^L)` -> `L(a^L)`: leading words are a label."""
    while isinstance(node, nodes.Op) and node.op == "*" and isinstance(node.args[0], nodes.Text):
        rest = node.args[1:]
        node = rest[0] if len(rest) == 1 else nodes.Op("*", rest)
    return node


def _word_role(words: str, notation: Notation) -> str | None:
    word = words.strip().rstrip(":").strip()
    return notation.role(word) or notation.role(word.lower())


def symbol_name(sym: nodes.Sym) -> str:
    """The notation's key of a symbol: "delta", "w", "hat y"."""
    return f"{sym.accent} {sym.name}" if sym.accent in ("hat", "widehat") else sym.name


def _symbol(sym: nodes.Sym, notation: Notation) -> Ref | Unknown:
    name = symbol_name(sym)
    role = notation.role(name)
    if role is None:
        if name in INDEX_LETTERS:
            return Unknown("")  # an index range (j = 1, 2), not a claim
        shown = sym.name if len(sym.name) == 1 else f"\\{sym.name}"
        return Unknown(f"{shown} is not a symbol of the {notation.name} notation")
    if sym.primes:
        return Unknown(f"{sym.name}' without an argument")
    if role in ("loss", "learning_rate", "l2"):
        return Ref(role)
    if role in ("x", "y"):
        return Ref(role, None, index_of(sym.sub, 1))
    if role == "output":
        return Ref("a", "L", index_of(sym.sub, 1))
    layer = layer_of(sym.sup)
    if layer is None:
        return Unknown(f"{name} has no layer number (write it like {name}^2 or {name}^{{(2)}})")
    return Ref(role, layer, index_of(sym.sub, 2 if role in WEIGHT_LIKE else 1))


def layer_of(sup: str) -> int | str | None:
    """"2", "(2)", "[2]", "{(2)}" -> 2; "L" -> "L"; "l", "l-1", "(l)" -> the text (generic); "" -> None."""
    s = sup.strip().strip("{}").strip()
    if len(s) >= 2 and s[0] in "([" and s[-1] in ")]":
        s = s[1:-1].strip()
    if not s or s == "T":
        return None
    if s.isdigit():
        return int(s)
    return "L" if s == "L" else s


def index_of(sub: str, arity: int) -> tuple[int | str, ...] | None:
    """"1" -> (1,); "11", "1,1", "{1}{1}" -> (1, 1) for a matrix; "jk" -> ("j", "k"); "" -> None."""
    s = re.sub(r"[{}\s]", "", sub)
    if not s:
        return None
    parts = [p for p in s.split(",") if p]
    if arity == 2 and len(parts) == 1 and len(parts[0]) == 2:
        parts = list(parts[0])
    return tuple(int(p) if p.isdigit() else p for p in parts)


def _derivative(d: nodes.Deriv, notation: Notation) -> Ref | Unknown:
    wrt = d.wrt
    if not isinstance(wrt, nodes.Sym):
        return Unknown("a derivative with respect to something that is not a quantity")
    inner = _symbol(wrt, notation)
    if isinstance(inner, Unknown):
        return inner
    of = ref_of(d.of, notation) if d.of is not None else Ref("loss")
    if isinstance(of, Ref) and of.qty == "a" and inner.qty == "z":
        return Ref("act_prime", inner.layer, inner.index)  # da/dz of one neuron: f'(z)
    if isinstance(of, Unknown) and of.reason:
        return of
    if not isinstance(of, Ref) or of.qty != "loss":
        return Unknown("a derivative of something other than the loss")
    grad = GRADIENT_OF.get(inner.qty)
    if grad is None:
        return Unknown(f"the loss's derivative with respect to {inner.qty} is not a quantity gradverify checks")
    return Ref(grad, inner.layer, inner.index)


def _call(call: nodes.Call, notation: Notation) -> Ref | Unknown:
    fn = call.fn
    if notation.role(fn.name) == "loss" and not fn.primes:
        return Ref("loss")
    if fn.primes == 1 and notation.function(fn.name) and len(call.args) == 1:
        inner = ref_of(call.args[0], notation)
        if isinstance(inner, Ref) and inner.qty == "z":
            return Ref("act_prime", inner.layer, inner.index)
    return Unknown(f"{fn.name}(...) is not a quantity of the network")


def _update_term(factors: tuple[nodes.Node, ...], notation: Notation) -> Ref | None:
    """`\\eta \\frac{\\partial L}{\\partial w_{11}^2}`: the update term lr_dW2[1,1] (lr_db for a bias)."""
    rate, grad = (ref_of(f, notation) for f in factors)
    if isinstance(grad, Ref) and isinstance(rate, Ref) and rate.qty == "learning_rate" and grad.qty in ("dW", "db"):
        return Ref("lr_" + grad.qty, grad.layer, grad.index)
    return None


def _has_number(node: nodes.Node) -> bool:
    if isinstance(node, nodes.Num):
        return True
    if isinstance(node, nodes.Op):
        return any(_has_number(a) for a in node.args)
    return False
