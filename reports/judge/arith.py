"""The working a hand writes before a result: "0.2 - 1 x 7.2 x 10^-3 = 0.1928".

A claim's text may hold its arithmetic before the printed result. The working is read by a small
grammar (numbers, + - x * / ÷ ·, powers, parentheses; never eval) and evaluated exactly in fractions.
A number of the working may itself be a rounded display of what the hand carried on (the update
"0.20 - 0.11" of a step 0.1106 that gives 0.089): `interval` widens such numbers by half a unit in
their last digit, so the judge can tell rounding from a slipped working (a 10^-2 where 10^-3 is meant).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Callable

MAX_CHARS = 300
MAX_EXPONENT = 400
_TOKEN = re.compile(r"\s*(?:(?P<num>\d+\.?\d*(?:[eE][+\-]?\d+)?|\.\d+(?:[eE][+\-]?\d+)?)|(?P<op>\*\*|[-+*/x×·÷^(){}\u2212\u2013]))")
_TIMES = {"*", "x", "×", "·"}
_MINUS = {"-", "\u2212", "\u2013"}
_BINARY = re.compile(r"([\d.)}])\s*([-+\u2212\u2013])")  # a + or - after a number or a bracket
_POWER = re.compile(r"10\s*(?:\^|\*\*)\s*\{?\s*([-+\u2212]?)\s*(\d+)\s*\}?")
Interval = tuple[Fraction, Fraction]
Width = Callable[[str, Fraction], Fraction]  # a number's text and value -> half the width it may carry


class WorkingError(ValueError):
    """The working is not arithmetic gradverify can read."""


@dataclass(frozen=True)
class Working:
    """The text of the working and its exact value."""

    text: str
    value: Fraction

    def interval(self, width: Width) -> Interval | None:
        """The values the working takes when each number may be off by `width` (None: unbounded)."""
        try:
            return _Parser(_tokens(self.text), width).parse()
        except ZeroDivisionError:
            return None

    def with_power_moved(self, which: int, by: int) -> Fraction:
        """The value with the `which`-th power of ten 10^k of the working written 10^(k+by)."""
        m = list(_POWER.finditer(self.text))[which]
        return read(self.text[:m.start()] + self.power_text(which, by) + self.text[m.end():]).value

    def power_text(self, which: int, by: int = 0) -> str:
        """The `which`-th power of ten as written ("10^-2"), or moved by `by` ("10^-3")."""
        m = list(_POWER.finditer(self.text))[which]
        k = int(m.group(2)) * (-1 if m.group(1) in ("-", "\u2212") else 1) + by
        return m.group(0).strip() if by == 0 else f"10^{k}"

    def sign_flips(self) -> list[tuple[str, Fraction]]:
        """Each binary + or - of the working turned round: (the working so written, its value)."""
        out = []
        for m in _BINARY.finditer(self.text):
            op = m.group(2)
            flipped = self.text[:m.start(2)] + ("+" if op in _MINUS else "-") + self.text[m.end(2):]
            try:
                out.append((flipped, read(flipped).value))
            except WorkingError:
                continue
        return out

    @property
    def powers_of_ten(self) -> int:
        """How many powers of ten 10^k the working writes."""
        return len(_POWER.findall(self.text))


def read(text: str) -> Working:
    """The working's exact value; WorkingError when it is not plain arithmetic."""
    if len(text) > MAX_CHARS:
        raise WorkingError(f"the working is {len(text)} characters; at most {MAX_CHARS}")
    lo, _hi = _Parser(_tokens(text), lambda _t, _v: Fraction(0)).parse()
    return Working(text.strip(), lo)


def half_unit(text: str) -> Fraction:
    """Half a unit in the last printed digit of a number ("0.11" -> 0.005); 0 for a whole number,
    which a hand writes exactly (a learning rate of 1, a factor 2)."""
    mant, _, exp = text.lower().partition("e")
    if "." not in mant:
        return Fraction(0)
    decimals = len(mant.split(".")[1])
    return Fraction(1, 2) * Fraction(10) ** (int(exp or 0) - decimals)


def _tokens(text: str) -> list[tuple[str, str]]:
    out, pos, text = [], 0, text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            rest = text[pos:].strip()
            if not rest:
                break
            raise WorkingError(f"cannot read {rest[:20]!r} in the working {text!r}: write numbers joined by "
                               "+ - x / and powers such as 10^-3")
        kind = "num" if m.group("num") else "op"
        out.append((kind, m.group(kind)))
        pos = m.end()
    return out


def _mul(a: Interval, b: Interval) -> Interval:
    ends = [a[0] * b[0], a[0] * b[1], a[1] * b[0], a[1] * b[1]]
    return min(ends), max(ends)


def _div(a: Interval, b: Interval) -> Interval:
    if b[0] <= 0 <= b[1]:
        raise ZeroDivisionError
    return _mul(a, (1 / b[1], 1 / b[0]))


class _Parser:
    """expr := term (+|- term)*; term := unary ((x|*|/) unary)*; unary := (+|-) unary | power;
    power := atom (^ or ** signed integer)?; atom := number | ( expr ) | { expr }. Values are
    intervals, each number as wide as `width` says (a whole number such as 10 is exact)."""

    def __init__(self, tokens: list[tuple[str, str]], width: Width):
        self.t, self.i, self.width = tokens, 0, width

    def peek(self) -> tuple[str, str] | None:
        return self.t[self.i] if self.i < len(self.t) else None

    def take(self) -> tuple[str, str]:
        tok = self.peek()
        if tok is None:
            raise WorkingError("the working ends too early")
        self.i += 1
        return tok

    def parse(self) -> Interval:
        if not self.t:
            raise WorkingError("the working is empty")
        v = self.expr()
        if self.peek() is not None:
            raise WorkingError(f"unexpected {self.peek()[1]!r} in the working")
        return v

    def expr(self) -> Interval:
        v = self.term()
        while self.peek() is not None and self.peek()[0] == "op" and self.peek()[1] in _MINUS | {"+"}:
            op = self.take()[1]
            rhs = self.term()
            v = (v[0] + rhs[0], v[1] + rhs[1]) if op == "+" else (v[0] - rhs[1], v[1] - rhs[0])
        return v

    def term(self) -> Interval:
        v = self.unary()
        while self.peek() is not None and self.peek()[0] == "op" and self.peek()[1] in _TIMES | {"/", "÷"}:
            op = self.take()[1]
            rhs = self.unary()
            if op in ("/", "÷"):
                if rhs == (0, 0):
                    raise WorkingError("the working divides by 0")
                v = _div(v, rhs)
            else:
                v = _mul(v, rhs)
        return v

    def unary(self) -> Interval:
        tok = self.peek()
        if tok is not None and tok[0] == "op" and tok[1] in _MINUS:
            self.take()
            lo, hi = self.unary()
            return -hi, -lo
        if tok == ("op", "+"):
            self.take()
            return self.unary()
        return self.power()

    def power(self) -> Interval:
        base = self.atom()
        if self.peek() not in (("op", "^"), ("op", "**")):
            return base
        self.take()
        brace = self.peek() == ("op", "{")
        if brace:
            self.take()
        sign = 1
        while self.peek() is not None and self.peek()[0] == "op" and self.peek()[1] in _MINUS | {"+"}:
            sign *= -1 if self.take()[1] != "+" else 1
        kind, text = self.take()
        if kind != "num" or not text.isdigit():
            raise WorkingError("a power in the working must be a whole number, e.g. 10^-3")
        k = sign * int(text)
        if brace and self.take() != ("op", "}"):
            raise WorkingError("a power opened with { must close with }")
        if abs(k) > MAX_EXPONENT:
            raise WorkingError(f"the power {k} is too large for a hand-worked number")
        if base[0] <= 0 <= base[1] and k < 0:
            raise WorkingError("the working divides by 0")
        ends = [base[0] ** k, base[1] ** k]
        if k % 2 == 0 and base[0] < 0 < base[1]:
            ends.append(Fraction(0))
        return min(ends), max(ends)

    def atom(self) -> Interval:
        kind, text = self.take()
        if kind == "num":
            mant, _, exp = text.lower().partition("e")
            if exp and abs(int(exp)) > MAX_EXPONENT:
                raise WorkingError(f"the number {text} is too large for a hand-worked number")
            v = Fraction(mant) * (Fraction(10) ** int(exp or 0))
            w = self.width(text, v)
            return v - w, v + w
        if text in ("(", "{"):
            v = self.expr()
            close = ")" if text == "(" else "}"
            if self.take() != ("op", close):
                raise WorkingError(f"a {text} in the working is not closed")
            return v
        raise WorkingError(f"unexpected {text!r} in the working")
