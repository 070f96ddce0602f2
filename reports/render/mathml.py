"""Presentation MathML: SymPy expressions through a corrected printer, and small builders.

SymPy's presentation printer is used as the base; its pitfalls (hyphen minus, double-struck
named entities, no Piecewise layout, bare `mrow`) are fixed here so every report shares them.
"""

from __future__ import annotations

import re
from html import escape as _esc

MINUS = "\u2212"
TIMES = "\u00d7"

_ENTITY_TEXT = {
    "&ExponentialE;": "e",
    "&dd;": "d",
    "&InvisibleTimes;": "\u2062",
    "&pi;": "\u03c0",
    "&#x2062;": "\u2062",
}

_GREEK = {
    "alpha": "\u03b1", "beta": "\u03b2", "gamma": "\u03b3", "delta": "\u03b4",
    "epsilon": "\u03b5", "eta": "\u03b7", "theta": "\u03b8", "lambda": "\u03bb",
    "mu": "\u03bc", "sigma": "\u03c3", "tau": "\u03c4", "phi": "\u03c6", "Phi": "\u03a6",
    "Delta": "\u0394", "Sigma": "\u03a3", "nabla": "\u2207", "partial": "\u2202",
}


def greek(name: str) -> str:
    """The Unicode letter for a Greek name ("sigma" -> σ), else the name itself."""
    return _GREEK.get(name, name)


def _printer_class():
    """A subclass of SymPy's presentation printer with the report's fixes (built lazily)."""
    from sympy.printing.mathml import MathMLPresentationPrinter

    class ReportMathMLPrinter(MathMLPresentationPrinter):
        """Presentation printer: e as a plain italic e, cases for Piecewise, H(x) for Heaviside."""

        def _print_Exp1(self, e):  # noqa: N802 (SymPy's naming)
            x = self.dom.createElement("mi")
            x.appendChild(self.dom.createTextNode("e"))
            return x

        def _print_Piecewise(self, expr):  # noqa: N802
            mrow = self.dom.createElement("mrow")
            brace = self.dom.createElement("mo")
            brace.appendChild(self.dom.createTextNode("{"))
            mrow.appendChild(brace)
            table = self.dom.createElement("mtable")
            table.setAttribute("columnalign", "left left")
            for value, cond in expr.args:
                tr = self.dom.createElement("mtr")
                td = self.dom.createElement("mtd")
                td.appendChild(self._print(value))
                tr.appendChild(td)
                td2 = self.dom.createElement("mtd")
                if cond == True:  # noqa: E712 (SymPy's true)
                    t = self.dom.createElement("mtext")
                    t.appendChild(self.dom.createTextNode("\u2003otherwise"))
                    td2.appendChild(t)
                else:
                    row = self.dom.createElement("mrow")
                    t = self.dom.createElement("mtext")
                    t.appendChild(self.dom.createTextNode("\u2003if\u2002"))
                    row.appendChild(t)
                    row.appendChild(self._print(cond))
                    td2.appendChild(row)
                tr.appendChild(td2)
                table.appendChild(tr)
            mrow.appendChild(table)
            return mrow

        def _print_Add(self, expr, order=None):  # noqa: N802
            # SymPy prints a - (b + c) held unevaluated as "a - b + c"; parenthesize as LaTeX does
            mrow = self.dom.createElement("mrow")
            args = self._as_ordered_terms(expr, order=order)
            mrow.appendChild(self._print(args[0]))
            for arg in args[1:]:
                minus = arg.could_extract_minus_sign()
                term = -arg if minus else arg
                op = self.dom.createElement("mo")
                op.appendChild(self.dom.createTextNode("-" if minus else "+"))
                mrow.appendChild(op)
                mrow.appendChild(self._paren(self._print(term)) if minus and term.is_Add else self._print(term))
            return mrow

        def _print_Mul(self, expr):  # noqa: N802
            # A minus is printed here: SymPy prints -(a - y) held unevaluated as "-a - y" (another
            # number) and -1*2 as "-2 mn 1"
            if expr.could_extract_minus_sign():
                rest = -expr
                mrow = self.dom.createElement("mrow")
                minus = self.dom.createElement("mo")
                minus.appendChild(self.dom.createTextNode("-"))
                mrow.appendChild(minus)
                mrow.appendChild(self._paren(self._print(rest)) if rest.is_Add else self._print(rest))
                return mrow
            # SymPy's printer splits with fraction(expr), which moves exp(-x) below the bar as
            # exp(x); sympy.latex uses exact=True and keeps it on top. Print the same as LaTeX.
            import importlib

            simplify = importlib.import_module("sympy.simplify")
            original = simplify.fraction
            simplify.fraction = lambda e, exact=False: original(e, exact=True)
            try:
                mrow = super()._print_Mul(expr)
            finally:
                simplify.fraction = original
            kids = mrow.childNodes
            for before, op, after in zip(kids, kids[1:], kids[2:]):  # 2 3 would read as 23: write 2 · 3
                if before.nodeName == after.nodeName == "mn" and op.nodeName == "mo" and op.firstChild.data == "&InvisibleTimes;":
                    op.firstChild.data = "\u22c5"
            return mrow

        def _print_Derivative(self, e):  # noqa: N802
            # SymPy prints d/dx 1 + e^-x for d/dx (1 + e^-x); parenthesize sums and negated
            # terms as sympy.latex does
            from sympy.printing.precedence import PRECEDENCE, precedence_traditional

            mrow = super()._print_Derivative(e)
            if precedence_traditional(e.expr) < PRECEDENCE["Mul"] or e.expr.could_extract_minus_sign():
                last = mrow.lastChild
                mrow.removeChild(last)
                mrow.appendChild(self._paren(last))
            return mrow

        def _print_UnevaluatedExpr(self, expr):  # noqa: N802 (SymPy names it "unevaluatedexpr(...)")
            return self._print(expr.args[0])

        def _print_AppliedUndef(self, e):  # noqa: N802
            """A named function as its name is written (SymPy lowercases it: G(x) came out g(x)),
            a Greek name as its letter (sigma(x) as σ(x))."""
            x = self.dom.createElement("mi")
            x.appendChild(self.dom.createTextNode(greek(type(e).__name__)))
            mrow = self.dom.createElement("mrow")
            mrow.appendChild(x)
            mrow.appendChild(self._paren_comma_separated(*e.args))
            return mrow

        def _print_Heaviside(self, expr):  # noqa: N802
            mrow = self.dom.createElement("mrow")
            mi = self.dom.createElement("mi")
            mi.appendChild(self.dom.createTextNode("H"))
            mrow.appendChild(mi)
            mrow.appendChild(self._paren(self._print(expr.args[0])))
            return mrow

        def _paren(self, inner):
            row = self.dom.createElement("mrow")
            for i, ch in enumerate("()"):
                mo = self.dom.createElement("mo")
                mo.appendChild(self.dom.createTextNode(ch))
                row.appendChild(mo)
                if i == 0:
                    row.appendChild(inner)
            return row

    return ReportMathMLPrinter


_PRINTER = None


def _fix(markup: str) -> str:
    """Replace SymPy's hyphen minus and named entities by the characters they should be."""
    for ent, ch in _ENTITY_TEXT.items():
        markup = markup.replace(ent, ch)
    markup = markup.replace("<mo>-</mo>", f"<mo>{MINUS}</mo>")
    markup = markup.replace("<mo><</mo>", "<mo>&lt;</mo>").replace("<mo>></mo>", "<mo>&gt;</mo>")
    markup = re.sub(r"<mn>-", f"<mo>{MINUS}</mo><mn>", markup)
    markup = _unstretch(markup)
    if "&" in re.sub(r"&(#x?[0-9a-fA-F]+|lt|gt|amp|quot);", "", markup):
        raise ValueError(f"unexpected named entity in MathML: {markup[:200]}")
    return markup


_TALL = ("<mfrac", "<munderover", "<mtable", "<msqrt", "<mroot", "<munder", "<mover")
_FENCES = {"(": ")", "[": "]", "|": "|"}


def _unstretch(markup: str) -> str:
    """Mark fences around flat content `stretchy="false"`.

    Chromium lays out stretchy fences with extra space ("sign ( a − y )"); fences that enclose
    a fraction, sum, table or root keep stretching, all others print as text parentheses do.
    """
    tokens = re.split(r"(<mo>[\(\)\[\]|]</mo>)", markup)
    stack: list[int] = []
    pairs: dict[int, int] = {}
    for i, tok in enumerate(tokens):
        if tok in ("<mo>(</mo>", "<mo>[</mo>"):
            stack.append(i)
        elif tok in ("<mo>)</mo>", "<mo>]</mo>") and stack:
            pairs[stack.pop()] = i
    for start, end in pairs.items():
        inner = "".join(tokens[start + 1:end])
        if not any(tag in inner for tag in _TALL):
            for i in (start, end):
                ch = tokens[i][4]
                tokens[i] = f'<mo stretchy="false">{ch}</mo>'
    return "".join(tokens)


def expr(e: object) -> str:
    """Presentation MathML (an `mrow`-level fragment) of a SymPy expression."""
    global _PRINTER
    if _PRINTER is None:
        _PRINTER = _printer_class()
    return _fix(_PRINTER().doprint(e))


def math(inner: str, *, block: bool = False) -> str:
    """Wrap a MathML fragment in a `<math>` element (display block or inline)."""
    display = ' display="block"' if block else ""
    return f'<math xmlns="http://www.w3.org/1998/Math/MathML"{display}>{_unstretch(inner)}</math>'


# Small builders: every function returns a MathML fragment string.

def mi(name: str) -> str:
    """An identifier; Greek names become letters; multi-letter names are upright functions."""
    return f"<mi>{_esc(greek(name))}</mi>"


def mn(text: str) -> str:
    """A number token (digits only; signs are operators)."""
    return f"<mn>{_esc(text)}</mn>"


def mo(op: str) -> str:
    """An operator; a hyphen minus becomes U+2212."""
    return f"<mo>{_esc(MINUS if op == '-' else op)}</mo>"


def mtext(text: str) -> str:
    """Words inside mathematics."""
    return f"<mtext>{_esc(text)}</mtext>"


def row(*items: str) -> str:
    """Group fragments in one `mrow`."""
    return "<mrow>" + "".join(items) + "</mrow>"


def sub(base: str, index: str) -> str:
    return f"<msub>{base}{index}</msub>"


def sup(base: str, exponent: str) -> str:
    return f"<msup>{base}{exponent}</msup>"


def subsup(base: str, index: str, exponent: str) -> str:
    return f"<msubsup>{base}{index}{exponent}</msubsup>"


def frac(num: str, den: str) -> str:
    return f"<mfrac>{num}{den}</mfrac>"


def paren(inner: str) -> str:
    return row(mo("("), inner, mo(")"))


def underover(op: str, under: str, over: str) -> str:
    return f"<munderover>{op}{under}{over}</munderover>"


def fn(name: str) -> str:
    """An upright function name (log, tanh, ReLU)."""
    return f'<mi mathvariant="normal">{_esc(name)}</mi>' if len(name) == 1 else f"<mi>{_esc(name)}</mi>"


def cases(rows: list[tuple[str, str | None]]) -> str:
    """A left brace before value/condition rows ("otherwise" where the condition is None)."""
    trs = "".join(
        f"<mtr><mtd>{value}</mtd><mtd>{mtext(chr(0x2003) + 'otherwise') if cond is None else row(mtext(chr(0x2003) + 'if' + chr(0x2002)), cond)}</mtd></mtr>"
        for value, cond in rows)
    return row('<mo stretchy="true">{</mo>', f'<mtable columnalign="left left">{trs}</mtable>')
