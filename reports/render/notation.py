"""One notation interface over two targets (MathML and LaTeX), and the ONE number renderer.

Renderers that must print the same mathematics to both formats (numbers, derivation steps,
formulas of a claim) are written once against `Notation`; `MATHML` and `LATEX` implement it.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape as html_escape
from types import ModuleType
from typing import TYPE_CHECKING, Any

from gradverify.render import latex as _latex
from gradverify.render import mathml as _mathml

if TYPE_CHECKING:
    from gradverify.judge.numbers import Number


@dataclass(frozen=True)
class Notation:
    """The primitives of one output format (a thin, uniform face over `mathml`/`latex`)."""

    name: str
    module: ModuleType

    def mi(self, name: str) -> str:
        return self.module.mi(name)

    def mn(self, text: str) -> str:
        return self.module.mn(text)

    def mo(self, op: str) -> str:
        return self.module.mo(op)

    def text(self, words: str) -> str:
        """Words inside mathematics."""
        return self.module.mtext(words) if self.name == "mathml" else _latex.text_in_math(words)

    def words(self, text: str) -> str:
        """Words outside mathematics, escaped for the format."""
        return html_escape(text, quote=False) if self.name == "mathml" else _latex.escape(text)

    def row(self, *items: str) -> str:
        return self.module.row(*items)

    def sub(self, base: str, index: str) -> str:
        return self.module.sub(base, index)

    def sup(self, base: str, exponent: str) -> str:
        return self.module.sup(base, exponent)

    def subsup(self, base: str, index: str, exponent: str) -> str:
        return self.module.subsup(base, index, exponent)

    def frac(self, num: str, den: str) -> str:
        return self.module.frac(num, den)

    def paren(self, inner: str) -> str:
        return self.module.paren(inner)

    def underover(self, op: str, under: str, over: str) -> str:
        return self.module.underover(op, under, over)

    def fn(self, name: str) -> str:
        return self.module.fn(name)

    def cases(self, rows: list[tuple[str, str | None]]) -> str:
        return self.module.cases(rows)

    def expr(self, e: Any) -> str:
        """A SymPy expression (SymPy's own printers, corrected for MathML), in display form."""
        return self.module.expr(display_form(e))

    def math(self, inner: str, *, block: bool = False) -> str:
        return self.module.math(inner, block=block)

    def safe(self, markup: str) -> str:
        """Mark finished markup so the format's template inserts it unescaped."""
        if self.name == "mathml":
            from markupsafe import Markup

            return Markup(markup)
        return _latex.Tex(markup)

    def number(self, value: Any) -> str:
        """A number from `gradverify.judge.numbers` (structured: sign, mantissa digits, exponent)."""
        sign, mantissa, exponent = number_parts(value)
        parts = []
        if sign == "-":
            parts.append(self.mo("-"))
        parts.append(self.mn(mantissa))
        if exponent is not None:
            exp_text = str(abs(exponent))
            power = self.row(self.mo("-"), self.mn(exp_text)) if exponent < 0 else self.mn(exp_text)
            parts.append(self.mo("\u00d7"))
            parts.append(self.sup(self.mn("10"), power))
        return self.row(*parts) if len(parts) > 1 else parts[0]


def display_form(e: Any) -> Any:
    """The expression as a reader should see it: Heaviside(u, h0) with a chosen value at 0 (the
    catalog's kink convention) becomes cases {1 if u > 0; h0 if u = 0; 0 otherwise}, so no
    format hides the convention (SymPy's printers drop the second argument)."""
    import sympy as sp

    if not isinstance(e, sp.Basic) or not e.has(sp.Heaviside):
        return e

    def cases(arg: Any, *rest: Any) -> Any:
        if not rest:
            return sp.Heaviside(arg)
        h0 = rest[0]
        return sp.Piecewise((1, arg > 0), (h0, sp.Eq(arg, 0)), (0, True), evaluate=False)

    return e.replace(sp.Heaviside, cases)


MATHML = Notation("mathml", _mathml)
LATEX = Notation("latex", _latex)
TARGETS = (MATHML, LATEX)


@dataclass(frozen=True)
class Printed:
    """One formula, or a sentence with formulas, printed from its tree for each format: MathML
    (within HTML), LaTeX, and plain text. Reports carry these, so a report printed once can be
    kept and shown again without its trees (or SymPy)."""

    html: str
    latex: str
    text: str = ""

    def markup(self, n: Notation) -> str:
        """The printing for the notation's format."""
        return self.html if n.name == "mathml" else self.latex


def printed(e: Any, *, block: bool = False) -> Printed:
    """A SymPy expression printed for every format (mathematics: a whole math element each)."""
    from gradverify.derivations.prose import plain

    return Printed(MATHML.math(MATHML.expr(e), block=block), LATEX.math(LATEX.expr(e), block=block), plain(e))


def number_parts(value: Number | str) -> tuple[str, str, int | None]:
    """(sign "-" or "", mantissa digits as printed, exponent or None) of a structured number
    (`gradverify.judge.numbers.Number`) or, for fixed literals in templates only, a printed decimal."""
    if isinstance(value, str):
        text = value.strip()
        sign = "-" if text.startswith(("-", "\u2212")) else ""
        text = text.lstrip("+-\u2212")
        exponent = None
        for sep in ("e", "E"):
            if sep in text:
                text, exp = text.split(sep, 1)
                exponent = int(exp)
        return sign, text, exponent
    return value.sign, value.mantissa, value.exponent
