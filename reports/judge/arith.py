"""The working a hand writes before a result: "0.2 - 1 x 7.2 x 10^-3 = 0.1928".

A claim's text may hold its arithmetic before the printed result. The working is read by a small
grammar (numbers, + - x * / ÷ ·, powers, parentheses; never eval) and evaluated exactly in fractions,
so the judge can tell a right result written under a slipped working (a 10^-2 where 10^-3 is meant)
and name which printed number of the working is off.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

MAX_CHARS = 300
MAX_EXPONENT = 400
_TOKEN = re.compile(r"\s*(?:(?P<num>\d+\.?\d*(?:[eE][+\-]?\d+)?|\.\d+(?:[eE][+\-]?\d+)?)|(?P<op>\*\*|[-+*/x×·÷^(){}\u2212\u2013]))")
_TIMES = {"*", "x", "×", "·"}
_POWER = re.compile(r"10\s*(?:\^|\*\*)\s*\{?\s*([-+\u2212]?)\s*(\d+)\s*\}?")


class WorkingError(ValueError):
    """The working is not arithmetic gradverify can read."""


@dataclass(frozen=True)
class Working:
    """The text of the working and its exact value."""

    text: str
    value: Fraction

    def with_power_moved(self, which: int, by: int) -> Fraction:
        """The value with the `which`-th power of ten 10^k of the working written 10^(k+by)."""
        m = list(_POWER.finditer(self.text))[which]
        k = int(m.group(2)) * (-1 if m.group(1) in ("-", "\u2212") else 1) + by
        return read(self.text[:m.start()] + f"10^{{{k}}}" + self.text[m.end():]).value

    def power_text(self, which: int, by: int = 0) -> str:
        """The `which`-th power of ten as written ("10^-2"), or moved by `by` ("10^-3")."""
        m = list(_POWER.finditer(self.text))[which]
        k = int(m.group(2)) * (-1 if m.group(1) in ("-", "\u2212") else 1) + by
        return m.group(0).strip() if by == 0 else f"10^{k}"

    @property
    def powers_of_ten(self) -> int:
        """How many powers of ten 10^k the working writes."""
        return len(_POWER.findall(self.text))


def read(text: str) -> Working:
    """The working's exact value; WorkingError when it is not plain arithmetic."""
    if len(text) > MAX_CHARS:
        raise WorkingError(f"the working is {len(text)} characters; at most {MAX_CHARS}")
    return Working(text.strip(), _Parser(_tokens(text)).parse())


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


class _Parser:
    """expr := term (+|- term)*; term := unary ((x|*|/) unary)*; unary := (+|-) unary | power;
    power := atom (^ or ** signed integer)?; atom := number | ( expr ) | { expr }."""

    def __init__(self, tokens: list[tuple[str, str]]):
        self.t, self.i = tokens, 0

    def peek(self) -> tuple[str, str] | None:
        return self.t[self.i] if self.i < len(self.t) else None

    def take(self) -> tuple[str, str]:
        tok = self.peek()
        if tok is None:
            raise WorkingError("the working ends too early")
        self.i += 1
        return tok

    def parse(self) -> Fraction:
        if not self.t:
            raise WorkingError("the working is empty")
        v = self.expr()
        if self.peek() is not None:
            raise WorkingError(f"unexpected {self.peek()[1]!r} in the working")
        return v

    def expr(self) -> Fraction:
        v = self.term()
        while self.peek() in (("op", "+"), ("op", "-"), ("op", "\u2212"), ("op", "\u2013")):
            op = self.take()[1]
            v = v + self.term() if op == "+" else v - self.term()
        return v

    def term(self) -> Fraction:
        v = self.unary()
        while self.peek() is not None and self.peek()[0] == "op" and self.peek()[1] in _TIMES | {"/", "÷"}:
            op = self.take()[1]
            rhs = self.unary()
            if op in ("/", "÷"):
                if rhs == 0:
                    raise WorkingError("the working divides by 0")
                v = v / rhs
            else:
                v = v * rhs
        return v

    def unary(self) -> Fraction:
        tok = self.peek()
        if tok in (("op", "-"), ("op", "\u2212"), ("op", "\u2013")):
            self.take()
            return -self.unary()
        if tok == ("op", "+"):
            self.take()
            return self.unary()
        return self.power()

    def power(self) -> Fraction:
        base = self.atom()
        if self.peek() in (("op", "^"), ("op", "**")):
            self.take()
            brace = self.peek() == ("op", "{")
            if brace:
                self.take()
            sign = 1
            while self.peek() in (("op", "-"), ("op", "\u2212"), ("op", "+")):
                sign *= -1 if self.take()[1] != "+" else 1
            kind, text = self.take()
            if kind != "num" or not text.isdigit():
                raise WorkingError("a power in the working must be a whole number, e.g. 10^-3")
            k = sign * int(text)
            if brace and self.take() != ("op", "}"):
                raise WorkingError("a power opened with { must close with }")
            if abs(k) > MAX_EXPONENT:
                raise WorkingError(f"the power {k} is too large for a hand-worked number")
            if base == 0 and k < 0:
                raise WorkingError("the working divides by 0")
            return base ** k
        return base

    def atom(self) -> Fraction:
        kind, text = self.take()
        if kind == "num":
            mant, _, exp = text.lower().partition("e")
            if exp and abs(int(exp)) > MAX_EXPONENT:
                raise WorkingError(f"the number {text} is too large for a hand-worked number")
            return Fraction(mant) * (Fraction(10) ** int(exp or 0))
        if text in ("(", "{"):
            v = self.expr()
            close = ")" if text == "(" else "}"
            if self.take() != ("op", close):
                raise WorkingError(f"a {text} in the working is not closed")
            return v
        raise WorkingError(f"unexpected {text!r} in the working")
