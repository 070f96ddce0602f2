"""Symbols of claimed quantities (z_j^l, δ^l, ∂L/∂W_jk^l ...) and the textbook formula of each.

Written once against `Notation`, so the HTML (MathML) and LaTeX reports name every quantity
and formula identically.
"""

from __future__ import annotations

from typing import Sequence

from gradverify.render.notation import Notation

GRADIENTS = {"dL_da", "delta", "dW", "db", "dx", "act_prime"}


def _index(n: Notation, index: Sequence[int]) -> str:
    if not index:
        return ""
    sep = "" if all(0 <= i < 10 for i in index) else ","
    return n.mn(sep.join(str(i) for i in index))


def _scripted(n: Notation, base: str, index: Sequence[int], layer: int | None) -> str:
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


def symbol(n: Notation, quantity: str, layer: int | None, index: Sequence[int] = ()) -> str:
    """The mathematical name of a claimed quantity in the file's own numbering."""
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
    return n.text(quantity)


def formula(n: Notation, quantity: str, *, output_layer: bool, act_form: str | None = None,
            error_sign: str = "gradient") -> str:
    """The textbook (analytic) formula the analytic column uses for this quantity."""
    l, lm1, lp1 = n.mi("l"), n.row(n.mi("l"), n.mo("-"), n.mn("1")), n.row(n.mi("l"), n.mo("+"), n.mn("1"))
    z, a, W, b, d = n.mi("z"), n.mi("a"), n.mi("W"), n.mi("b"), n.mi("delta")
    eq = n.mo("=")
    T = n.mi("T")
    hadamard = n.mo("\u2299")
    if quantity == "z":
        return n.row(n.sup(z, l), eq, n.sup(W, l), n.sup(a, lm1), n.mo("+"), n.sup(b, l))
    if quantity == "a":
        return n.row(n.sup(a, l), eq, n.mi("f"), n.paren(n.sup(z, l)))
    if quantity == "loss":
        return n.row(n.mi("L"), eq, n.text(act_form or "the stated loss"))
    if quantity == "act_prime":
        rhs = n.text(act_form) if act_form else n.row(n.mi("f"), n.mo("\u2032"), n.paren(n.sup(z, l)))
        return n.row(n.mi("f"), n.mo("\u2032"), n.paren(n.sup(z, l)), eq, rhs)
    if quantity == "dL_da":
        if output_layer:
            return n.row(_partial(n, n.mi("L"), n.sup(a, n.mi("L"))), eq, n.text("loss gradient"))
        return n.row(_partial(n, n.mi("L"), n.sup(a, l)), eq, n.sup(n.paren(n.sup(W, lp1)), T), n.sup(d, lp1))
    if quantity == "delta":
        return n.row(n.sup(d, l), eq, _partial(n, n.mi("L"), n.sup(a, l)), hadamard,
                     n.mi("f"), n.mo("\u2032"), n.paren(n.sup(z, l)))
    if quantity == "dW":
        return n.row(_partial(n, n.mi("L"), n.sup(W, l)), eq, n.sup(d, l), n.sup(n.paren(n.sup(a, lm1)), T))
    if quantity == "db":
        return n.row(_partial(n, n.mi("L"), n.sup(b, l)), eq, n.sup(d, l))
    if quantity in ("W", "b"):
        p = W if quantity == "W" else b
        sign = n.mo("+") if error_sign == "negative" else n.mo("-")
        return n.row(n.sup(p, l), n.mo("\u2190"), n.sup(p, l), sign, n.mi("eta"),
                     _partial(n, n.mi("L"), n.sup(p, l)))
    if quantity == "dx":
        return n.row(_partial(n, n.mi("L"), n.mi("x")), eq, n.sup(n.paren(n.sup(W, n.mn("1"))), T), n.sup(d, n.mn("1")))
    return n.text(quantity)
