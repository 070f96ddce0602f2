"""Sentences with mathematics in them: words and SymPy expressions kept apart.

A derivation step's note ("quotient rule with f = 1, g = 1 + e^(-x)") is a `Prose`: its words stay
words and its formulas stay expression trees, so a report typesets each formula (MathML, LaTeX)
and a terminal prints it as one line of plain text (`plain`), never as SymPy's `**` or a repr.
Importing this module does not import SymPy (reports read `Prose` without it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

_SUPERSCRIPT = str.maketrans("0123456789", "\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079")


@dataclass(frozen=True)
class Prose:
    """Words (str) and formulas (SymPy expressions) in reading order."""

    parts: tuple[Any, ...]

    def __str__(self) -> str:
        return "".join(p if isinstance(p, str) else plain(p) for p in self.parts)

    def __bool__(self) -> bool:
        return bool(self.parts)


def prose(*parts: Any) -> Prose:
    """A sentence from its pieces: strings are words, everything else a formula."""
    import sympy as sp

    return Prose(tuple(p if isinstance(p, str) else sp.sympify(p) for p in parts))


def joined(items: list[Any], sep: str) -> list[Any]:
    """The formulas (or words) with `sep` between them, ready to splice into `prose`."""
    out: list[Any] = []
    for i, item in enumerate(items):
        if i:
            out.append(sep)
        out.append(item)
    return out


@lru_cache(maxsize=1)
def _printer() -> Any:
    from sympy import Rational
    from sympy.printing.str import StrPrinter

    class Plain(StrPrinter):
        """One line of Unicode: x², 1/w², √(2), a·b, derivatives as ∂p/∂w."""

        def _print_Pow(self, expr: Any, rational: bool = False) -> str:  # noqa: N802 (SymPy's naming)
            base, exp = expr.args
            shown = self.parenthesize(base, 60)  # the precedence of a power
            if exp.is_Integer and 2 <= exp <= 9:
                return shown + str(exp).translate(_SUPERSCRIPT)
            if exp == Rational(1, 2):
                return f"\u221a({self._print(base)})"
            if exp.is_Integer and exp < 0:
                return f"1/{self._print(base ** -exp)}" if exp != -1 else f"1/{shown}"
            return f"{shown}^({self._print(exp)})"

        def _print_Mul(self, expr: Any) -> str:  # noqa: N802
            return super()._print_Mul(expr).replace("*", "\u00b7")

        def _print_Derivative(self, expr: Any) -> str:  # noqa: N802
            wrt = "".join(f"\u2202{self._print(v)}" for v in expr.variables)
            if expr.expr.is_Symbol:
                return f"\u2202{self._print(expr.expr)}/{wrt}"
            return f"\u2202/{wrt} {self.parenthesize(expr.expr, 60)}"

        def _print_Equality(self, expr: Any) -> str:  # noqa: N802
            return f"{self._print(expr.lhs)} = {self._print(expr.rhs)}"

        def _print_Heaviside(self, expr: Any) -> str:  # noqa: N802 (its value at 0 is the kink's, said apart)
            return f"H({self._print(expr.args[0])})"

        def _print_Piecewise(self, expr: Any) -> str:  # noqa: N802
            cases = [self._print(v) if c == True else f"{self._print(v)} if {self._print(c)}"  # noqa: E712
                     for v, c in expr.args]
            if expr.args[-1][1] == True:  # noqa: E712
                cases[-1] += " otherwise"
            return "(" + "; ".join(cases) + ")"

        def _print_MatrixBase(self, expr: Any) -> str:  # noqa: N802
            rows = ("; ".join(", ".join(self._print(v) for v in expr.row(i)) for i in range(expr.rows)))
            return f"[{rows}]"

        def _print_Relational(self, expr: Any) -> str:  # noqa: N802
            op = {"<=": "\u2264", ">=": "\u2265", "!=": "\u2260"}.get(expr.rel_op, expr.rel_op)
            return f"{self._print(expr.lhs)} {op} {self._print(expr.rhs)}"

    return Plain({"order": "none"})


def plain(e: Any) -> str:
    """A formula as one line of plain text with a true minus sign."""
    return re.sub(r"(^|[\s(=,])-", "\\1\u2212", _printer().doprint(e))
