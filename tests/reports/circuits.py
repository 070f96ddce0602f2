"""Circuit files for tests, and their claims judged: text in, verdicts by claim name out."""

from __future__ import annotations

import json
from fractions import Fraction

import mpmath as mp

from gradverify.judge.result import ClaimVerdict
from gradverify.judge.verdicts import check_text

mp.mp.dps = 50


def circuit(inputs: dict[str, object], nodes: list[str], steps: list[dict[str, str]], extra: str = "") -> str:
    """A circuit file: inputs (numbers or exact strings), statements, [[step]] tables of claims."""
    values = ", ".join(f"{k} = {json.dumps(str(v))}" for k, v in inputs.items())
    text = f"[graph]\ninputs = {{ {values} }}\nnodes = {json.dumps(nodes)}\n{extra}\n"
    for claims in steps:
        text += "\n[[step]]\n" + "".join(f"{json.dumps(k)} = {json.dumps(v)}\n" for k, v in claims.items())
    return text


def judged(text: str) -> dict[str, ClaimVerdict]:
    return {c.name: c for c in check_text(text, "circuit.toml").claims}


def printed(v: object, digits: int = 6) -> str:
    """A true value as a hand prints it: `digits` significant digits (exact rationals and mpf alike)."""
    x = mp.mpf(v.numerator) / v.denominator if isinstance(v, Fraction) else mp.mpf(v)
    return mp.nstr(x, digits, strip_zeros=False) if x != 0 else "0"


def off(v: object, digits: int = 6) -> str:
    """A wrong number near a true one: 7% more, at the same precision (no typo, factor or sign)."""
    x = mp.mpf(v.numerator) / v.denominator if isinstance(v, Fraction) else mp.mpf(v)
    return printed(x * mp.mpf("1.07") + mp.mpf("0.013"), digits)
