"""Counterexample points and values as people read them: `x = -2.2853`, six significant digits.

Proofs keep their values as 15-digit strings (in JSON, where a program may want them); every
sentence a person reads goes through here instead, so no dict or 15-digit float reaches a terminal.
Plain Python (no SymPy), so the parent process formats the worker's answers too.
"""

from __future__ import annotations

from typing import Any, Mapping

DIGITS = 6


def number(value: Any, digits: int = DIGITS) -> str:
    """A value (a number or its text) at `digits` significant digits; text that is not a
    decimal number (an exact fraction such as 1/4, "nan") is kept as written."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        return str(value)
    if v != v or v in (float("inf"), float("-inf")):
        return str(value)
    text = f"{v:.{digits}g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        return f"{mantissa}e{int(exponent)}"
    return "0" if text == "-0" else text


def point(values: Mapping[str, Any] | None) -> str:
    """{"x": "-2.2853", "y": "0.0151"} -> "x = -2.2853, y = 0.0151"."""
    return ", ".join(f"{name} = {number(v)}" for name, v in (values or {}).items())
