"""Symbols of claimed quantities (z_j^l, δ^l, ∂L/∂W_jk^l ...) in the file's own numbering.

Written once against `Notation`, so the HTML (MathML) and LaTeX reports name every quantity
and formula identically.
"""

from __future__ import annotations

from typing import Sequence

from gradverify.render.notation import Notation

GRADIENTS = {"dL_da", "delta", "dW", "db", "dx", "act_prime"}
NEGATED = {"dL_da", "dW", "db", "dx"}  # written -dL/d. when the file reports negative gradients


def _index(n: Notation, index: Sequence[int | str]) -> str:
    if not index:
        return ""
    if any(isinstance(i, str) for i in index):  # a summation index among the numbers: W_{jk}, W_{1k}
        sep = "" if all(isinstance(i, str) or 0 <= i < 10 for i in index) else n.mo(",")
        items = [n.mi(i) if isinstance(i, str) else n.mn(str(i)) for i in index]
        return n.row(*[x for i, item in enumerate(items) for x in ((sep, item) if i and sep else (item,))])
    sep = "" if all(0 <= i < 10 for i in index) else ","
    return n.mn(sep.join(str(i) for i in index))


def _scripted(n: Notation, base: str, index: Sequence[int | str], layer: int | None) -> str:
    idx = _index(n, index)
    lay = n.mn(str(layer)) if layer is not None else ""
    if idx and lay:
        return n.subsup(base, idx, lay)
    if idx:
        return n.sub(base, idx)
    if lay:
        return n.sup(base, lay)
    return base


def _partial(n: Notation, of: str, wrt: str) -> str:
    d = n.mo("\u2202")
    return n.frac(n.row(d, of), n.row(d, wrt))


def symbol(n: Notation, quantity: str, layer: int | None, index: Sequence[int | str] = (), *,
           negated: bool = False) -> str:
    """The mathematical name of a claimed quantity in the file's own numbering; `negated` for a
    gradient reported as -dL/d. (the file's error_sign = "negative")."""
    if negated and quantity in NEGATED:
        return n.row(n.mo("-"), symbol(n, quantity, layer, index))
    L = n.mi("L")
    if quantity == "loss":
        return L
    if quantity in ("z", "a", "W", "b"):
        return _scripted(n, n.mi(quantity), index, layer)
    if quantity == "delta":
        return _scripted(n, n.mi("delta"), index, layer)
    if quantity == "act_prime":
        return n.row(n.mi("f"), n.mo("\u2032"), n.paren(_scripted(n, n.mi("z"), index, layer)))
    if quantity == "dL_da":
        return _partial(n, L, _scripted(n, n.mi("a"), index, layer))
    if quantity == "dW":
        return _partial(n, L, _scripted(n, n.mi("W"), index, layer))
    if quantity == "db":
        return _partial(n, L, _scripted(n, n.mi("b"), index, layer))
    if quantity == "dx":
        return _partial(n, L, _scripted(n, n.mi("x"), index, None))
    if quantity in ("x", "y"):
        return _scripted(n, n.mi(quantity), index, None)
    return n.text(quantity)
