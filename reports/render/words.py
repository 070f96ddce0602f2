"""The judge's sentences in a report: words escaped, the formulas in them typeset.

Diagnoses and summaries are written once, as plain text for terminals and JSON ("the gradient of
1/2 (y-a)^2", "W^T delta", "7.2 x 10^-3"). In a typeset report each such power is read with the
claim parser (never evaluated) into a `formula` tree and printed as mathematics; everything else
stays words, with true minus signs. No SymPy is needed.
"""

from __future__ import annotations

import re
from fractions import Fraction

from gradverify.render import formula as F
from gradverify.render.notation import Notation

MINUS = "\u2212"
# A power as the judge writes it, with an optional fraction in front: "1/2 (y-a)^2", "W^T", "10^-3".
_POWER = re.compile(r"(?:\b\d+/\d+\s*)?(?:\([^()]*\)|\b[A-Za-z]\w*|\b\d+)\^(?:\{[^{}]*\}|\([^()]*\)|-?[A-Za-z0-9.]+)")


# A derivative as the judge writes one in a circuit's sentences: "dm/dw", "d(x · y)/dy".
_DERIVATIVE = re.compile(r"\bd(\([^()]*\)|[A-Za-z]\w*)/d([A-Za-z]\w*)\b(?![@(])")
_MATHS = re.compile(f"(?P<derivative>{_DERIVATIVE.pattern})|{_POWER.pattern}")


def true_minus(text: str) -> str:
    """Every hyphen that starts a number written as a true minus sign (U+2212)."""
    return re.sub(r"(?<![\w.])-(?=\.?\d)", MINUS, text)


def sentence(n: Notation, text: str) -> str:
    """The sentence in the notation's markup: words escaped, each written power and derivative typeset."""
    out, pos = [], 0
    for m in _MATHS.finditer(text):
        maths = derivative_of(m.group(0)) if m.group("derivative") else formula_of(m.group(0))
        if maths is None:
            continue
        out += [n.words(true_minus(text[pos:m.start()])), n.math(F.show(n, maths))]
        pos = m.end()
    out.append(n.words(true_minus(text[pos:])))
    return "".join(out)


def formula_of(text: str) -> F.Node | None:
    """A formula written in plain text ("1/2 (y-a)^2") as a tree, or None when it does not parse."""
    from gradverify.derivations.parse import ClaimSyntaxError, parse

    src = re.sub(r"^(\d+/\d+)\s+", r"\1*", text.strip())
    src = re.sub(r"\^\{([^{}]*)\}", r"^(\1)", src)
    try:
        return _node(parse(src, "sympy"))
    except (ClaimSyntaxError, ValueError, KeyError, RecursionError):
        return None


def derivative_of(text: str) -> F.Node | None:
    """"dm/dw" or "d(x · y)/dy" as a fraction of differentials, or None when its top does not parse."""
    m = _DERIVATIVE.fullmatch(text)
    if m is None:
        return None
    top = formula_of(m.group(1)[1:-1].replace("\u00b7", "*")) if m.group(1).startswith("(") else F.Var(m.group(1))
    if top is None:
        return None
    return F.Frac(F.Mul((F.Var("d"), top)), F.Mul((F.Var("d"), F.Var(m.group(2)))))


def _node(t: tuple) -> F.Node:
    tag = t[0]
    if tag == "num":
        return F.Num(Fraction(t[1]))
    if tag == "name":
        return F.Var({"E": "e"}.get(t[1], t[1]))
    if tag == "+":
        return F.add(*(_node(c) for c in t[1:]))
    if tag == "neg":
        return F.Neg(_node(t[1]))
    if tag == "*":
        return F.mul(*(_node(c) for c in t[1:]))
    if tag == "/":
        return F.Frac(_node(t[1]), _node(t[2]))
    if tag == "^":
        return F.Pow(_node(t[1]), _node(t[2]))
    if tag == "fn":
        return F.Call(t[1], tuple(_node(c) for c in t[2:]))
    raise ValueError(f"no sentence shows {tag}")
