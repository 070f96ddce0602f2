"""The one number module: a claim's printed text -> value and precision, and floats -> printed numbers.

Printed digits decide every tolerance: "0.210" means +-0.0005, "7.2e-3" means +-0.05e-3, so tiny
gradients are judged as finely as they were written. Formatted numbers stay structured (sign,
mantissa digits, exponent) so the HTML/LaTeX renderers can typeset them without reparsing text.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

_MINUSES = "\u2212\u2013"
_CLAIM = re.compile(
    r"""^\s*(?P<sign>[+\-])?\s*(?P<mant>\d+\.?\d*|\.\d+)\s*
        (?:(?:[eE](?P<e>[+\-]?\d+))
          |(?:(?:[x\u00d7*]|\\times|\\cdot)\s*10\s*(?:\^|\*\*)\s*\{?\s*(?P<p>[+\-]?\d+)\s*\}?))?\s*$""",
    re.VERBOSE,
)
# Float noise only: a relative slack far below any printed digit.
REL_SLACK = 1e-12


class NumberError(ValueError):
    """A claim's text is not a number gradverify can read."""


@dataclass(frozen=True)
class Printed:
    """A number as a person printed it: the text, its value, and half a unit in its last digit."""

    text: str
    value: float
    sig_digits: int
    last_place: int  # power of ten of the last printed digit: "0.210" -> -3

    @property
    def tolerance(self) -> float:
        """Half a unit in the last printed digit."""
        return 0.5 * 10.0 ** self.last_place

    @property
    def decimals(self) -> int:
        """Decimal places the text carries (0 when the last digit is at or above the units)."""
        return max(0, -self.last_place)

    def matches(self, v: float) -> bool:
        """True when v rounds to this printed number (|v - c| <= half a unit, plus float slack)."""
        if v is None or not math.isfinite(v):
            return False
        slack = REL_SLACK * max(abs(v), abs(self.value), self.tolerance)
        return abs(v - self.value) <= self.tolerance + slack

    def matches_rounded_twice(self, v: float) -> bool:
        """True when v, rounded first at one more digit and then at this one (halves up), gives the
        printed number: what a hand that rounded an intermediate writes (0.12345 -> 0.1235 -> 0.124)."""
        if v is None or not math.isfinite(v) or abs(v - self.value) > 2 * self.tolerance:
            return False  # rounding twice moves a number by at most a unit and a tenth
        once = Decimal(repr(v)).quantize(Decimal(1).scaleb(self.last_place - 1), rounding=ROUND_HALF_UP)
        return self.matches(float(once))

    def relative_error(self, v: float) -> float:
        """How far v is, in units of the tolerance (<= 1 means a match)."""
        return abs(v - self.value) / self.tolerance


def parse(text: str) -> Printed:
    """Read "0.210", "-0.29", "7.2e-3", "7.2 x 10^-3", "7.2 \\times 10^{-3}", "9e-4", "1" into a `Printed`."""
    if not isinstance(text, str):
        raise NumberError(f"{text!r} is not text; write the number in quotes, as printed")
    clean = text.strip()
    for m in _MINUSES:
        clean = clean.replace(m, "-")
    m = _CLAIM.match(clean)
    if not m:
        raise NumberError(
            f"{text!r} is not a number; write it as printed, e.g. \"0.210\", \"-7.2e-3\" or \"7.2 x 10^-3\""
        )
    mant = m.group("mant")
    exp = int(m.group("e") or m.group("p") or 0)
    whole, _, frac = mant.partition(".")
    digits = (whole + frac).lstrip("0")
    last_place = exp - len(frac)
    sig = len(digits) if digits else 1
    value = float(f"{'-' if m.group('sign') == '-' else ''}{mant}e{exp}")
    if math.isinf(value) or (value == 0.0 and digits):
        side = "above the largest float64 number (about 1.8e308)" if value else "below the smallest float64 number (about 4.9e-324)"
        raise NumberError(f"{text!r} is {side}; gradverify computes in float64 and cannot "
                          "judge it: write the value as float64 gives it (0 for an underflow), or leave the claim out")
    if value == 0.0 and m.group("sign") == "-":
        value = 0.0
    return Printed(text=text, value=value, sig_digits=sig, last_place=last_place)


def is_number_text(text: str) -> bool:
    """True when `parse` accepts the text."""
    try:
        parse(text)
    except NumberError:
        return False
    return True


@dataclass(frozen=True)
class Number:
    """A formatted number: sign ("-" or ""), mantissa digits as printed, exponent (None: plain)."""

    sign: str
    mantissa: str
    exponent: int | None = None

    @property
    def scientific(self) -> bool:
        return self.exponent is not None

    @property
    def digits(self) -> str:
        return self.mantissa

    def plain(self) -> str:
        """Plain text: "-0.117", "7.2e-3"."""
        tail = f"e{self.exponent}" if self.exponent is not None else ""
        return f"{self.sign}{self.mantissa}{tail}"

    def __str__(self) -> str:
        return self.plain()

    @property
    def value(self) -> float:
        return float(self.plain())


def _exponent10(value: float) -> int:
    return int(math.floor(math.log10(abs(value)))) if value != 0 else 0


def format_sig(value: float, digits: int) -> Number:
    """`value` at `digits` significant digits; scientific when |value| < 1e-3 or >= 1e6, or when
    plain text could not show the digits (1 digit of 10 is "1e1")."""
    digits = max(1, int(digits))
    if value is None or not math.isfinite(value):
        return Number("", "nan" if value is None or math.isnan(value) else "inf", None)
    if value == 0:
        return Number("", "0" if digits == 1 else "0." + "0" * (digits - 1), None)
    text = f"{abs(value):.{digits - 1}e}"  # rounded at `digits` digits; its mantissa is exact even for
    mant, e = text.split("e")[0], int(text.split("e")[1])  # a denormal, where 10.0 ** e would be 0
    rounded = float(text)
    sign = "-" if value < 0 else ""
    if rounded < 1e-3 or rounded >= 1e6 or e >= digits:  # "10" at 1 digit would read as 2
        return Number(sign, mant, e)
    decimals = max(0, digits - 1 - e)
    return Number(sign, f"{abs(rounded):.{decimals}f}", None)


def format_place(value: float, last_place: int, scientific_exponent: int | None = None) -> Number:
    """`value` rounded at the 10^last_place digit, written plainly or with the given exponent."""
    if value is None or not math.isfinite(value):
        return Number("", "nan", None)
    if scientific_exponent is not None:
        decimals = max(0, scientific_exponent - last_place)
        if -300 <= scientific_exponent <= 300:
            scaled = value / 10.0 ** scientific_exponent
        else:  # 10.0 ** -400 is 0.0 (a ZeroDivisionError) and 10.0 ** 400 overflows: scale exactly
            scaled = float(Decimal(value).scaleb(-scientific_exponent))
        text = f"{abs(scaled):.{decimals}f}"
        sign = "-" if float(text) != 0 and scaled < 0 else ""
        return Number(sign, text, scientific_exponent)
    decimals = max(0, -last_place)
    if last_place > 0:
        q = round(value / 10.0 ** last_place) * 10.0 ** last_place
        text = f"{abs(q):.0f}"
    else:
        text = f"{abs(value):.{decimals}f}"
    sign = "-" if float(text) != 0 and value < 0 else ""
    return Number(sign, text, None)


def format_like(value: float, printed: Printed, extra: int = 0) -> Number:
    """`value` printed the way the person printed `printed`, with `extra` more digits (or fewer)."""
    m = _CLAIM.match(printed.text.strip().replace("\u2212", "-"))
    exp = None
    if m and (m.group("e") or m.group("p")):
        exp = int(m.group("e") or m.group("p"))
    return format_place(value, printed.last_place - extra, exp)


def shown(value: float | None, digits: int = 5) -> str:
    """A value for a table or a sentence: `digits` significant digits, plain text ("-" for none)."""
    if value is None:
        return "-"
    n = format_sig(value, digits)
    if "." in n.mantissa:
        n = Number(n.sign, n.mantissa.rstrip("0").rstrip("."), n.exponent)
    return n.plain()


def round_sig(value: float, digits: int) -> float:
    """`value` rounded to `digits` significant digits (0 stays 0)."""
    if value == 0 or not math.isfinite(value):
        return value
    return float(f"{value:.{max(1, digits) - 1}e}")
