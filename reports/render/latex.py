"""LaTeX text: escaping of every user string, and small builders mirroring `mathml`.

Escaping turns each special character into a command that prints it, so no user text can
start a command (`\\input`, `\\write18`, `\\catcode`) or break the document's grouping.
"""

from __future__ import annotations

_ESCAPES = {
    "\\": r"$\backslash$",
    "{": r"\{",
    "}": r"\}",
    "$": r"\$",
    "&": r"\&",
    "#": r"\#",
    "^": r"\^{}",
    "_": r"\texttt{\char95}",  # OT1 has no underscore glyph: \_ is a rule that text extraction loses
    "%": r"\%",
    "~": r"\~{}",
    "<": r"$<$",
    ">": r"$>$",
    "|": r"$|$",
    "\u2212": "$-$",
    "\u2713": r"$\checkmark$",
    "\u2717": r"$\times$",
    "\u2192": r"$\rightarrow$",
    "\u00d7": r"$\times$",
    "\u2264": r"$\le$",
    "\u2265": r"$\ge$",
    "\u00bd": r"$\frac12$",
    "\u2032": r"$'$",
    "-": "-{}",  # no -- or --- ligatures: a hand's "--" stays two hyphens
    "`": "{`}",
    "'": "{'}",
    '"': "{''}",
    "\n": " ",
    "\r": " ",
    "\t": " ",
}

_GREEK_TEXT = {
    "\u03b1": r"$\alpha$", "\u03b2": r"$\beta$", "\u03b3": r"$\gamma$", "\u03b4": r"$\delta$",
    "\u03b5": r"$\varepsilon$", "\u03b7": r"$\eta$", "\u03b8": r"$\theta$", "\u03bb": r"$\lambda$",
    "\u03bc": r"$\mu$", "\u03c3": r"$\sigma$", "\u03c4": r"$\tau$", "\u03c6": r"$\varphi$",
    "\u03c9": r"$\omega$", "\u2113": r"$\ell$", "\u0394": r"$\Delta$", "\u03a3": r"$\Sigma$", "\u2202": r"$\partial$", "\u2207": r"$\nabla$",
    "\u00b2": r"\textsuperscript{2}", "\u00b3": r"\textsuperscript{3}", "\u1d40": r"\textsuperscript{T}",
    "\u2070": r"\textsuperscript{0}", "\u00b9": r"\textsuperscript{1}", "\u2074": r"\textsuperscript{4}",
    "\u2075": r"\textsuperscript{5}", "\u2076": r"\textsuperscript{6}", "\u2077": r"\textsuperscript{7}",
    "\u2078": r"\textsuperscript{8}", "\u2079": r"\textsuperscript{9}", "\u207b": r"\textsuperscript{$-$}",
    "\u02b8": r"\textsuperscript{y}", "\u00f7": r"$\div$",
    "\u2299": r"$\odot$", "\u00b7": r"$\cdot$", "\u2248": r"$\approx$", "\u2260": r"$\neq$",
    "\u2026": r"\ldots{}", **{chr(0x2080 + d): f"$_{{{d}}}$" for d in range(10)},  # "…", subscripts "s₁"
}


class Tex(str):
    """A string already in LaTeX: templates insert it verbatim (everything else is escaped)."""

    __slots__ = ()


def escape(text: object) -> Tex:
    """LaTeX text that prints `text` literally; Tex values pass through unchanged."""
    if isinstance(text, Tex):
        return text
    out = []
    for ch in str(text):
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ch in _GREEK_TEXT:
            out.append(_GREEK_TEXT[ch])
        elif ord(ch) < 32 or ord(ch) == 127:
            out.append(" ")
        elif ord(ch) > 126 and not (ch.isalpha() and 0xC0 <= ord(ch) <= 0xFF and ch not in "\u00f0\u00fe\u00d0\u00de"):
            out.append("?")  # a character pdflatex's default (OT1) fonts cannot print
        else:
            out.append(ch)
    return Tex("".join(out))


def text_in_math(text: str) -> Tex:
    """Words inside mathematics, escaped."""
    return Tex(r"\text{" + escape(text) + "}")


def expr(e: object) -> Tex:
    """LaTeX of a SymPy expression (sympy.latex), with `e` upright-free and no Heaviside(0) tuple."""
    from sympy import latex

    return Tex(latex(e))


_GREEK_CMD = {
    "alpha", "beta", "gamma", "delta", "epsilon", "eta", "theta", "lambda", "mu", "sigma",
    "tau", "phi", "Phi", "Delta", "Sigma", "nabla", "partial",
}


def mi(name: str) -> Tex:
    """An identifier; Greek names become commands; other multi-letter names upright."""
    if name in _GREEK_CMD:
        return Tex("\\" + name)
    if len(name) > 1 and name.isalpha():
        return Tex(r"\mathrm{" + name + "}")
    return Tex(escape(name))


def mn(text: str) -> Tex:
    return Tex(escape(text))


def mo(op: str) -> Tex:
    table = {"-": "-", "\u2212": "-", "\u00d7": r"\times ", "\u00b7": r"\cdot ", "\u2299": r"\odot ",
             "=": "=", "+": "+", "\u2248": r"\approx ", "\u2202": r"\partial ", "\u2192": r"\to ",
             "(": "(", ")": ")", ",": ",", "\u2211": r"\sum ", "\u2207": r"\nabla ",
             "\u22a4": "T", "\u2062": "", "\u2032": "'", "\u2190": r"\leftarrow ",
             "\u2261": r"\equiv ", "\u21d2": r"\Rightarrow ", "\u2264": r"\le ", "\u2265": r"\ge ",
             "\u2260": r"\neq ", "|": "|", "<": "<", ">": ">"}
    return Tex(table.get(op, escape(op)))


def row(*items: str) -> Tex:
    return Tex("{" + " ".join(items) + "}")


def sub(base: str, index: str) -> Tex:
    return Tex(f"{{{base}}}_{{{index}}}")


def sup(base: str, exponent: str) -> Tex:
    return Tex(f"{{{base}}}^{{{exponent}}}")


def subsup(base: str, index: str, exponent: str) -> Tex:
    return Tex(f"{{{base}}}_{{{index}}}^{{{exponent}}}")


def frac(num: str, den: str) -> Tex:
    return Tex(rf"\frac{{{num}}}{{{den}}}")


def paren(inner: str) -> Tex:
    return Tex(rf"\left({inner}\right)")


def math(inner: str, *, block: bool = False) -> Tex:
    """Inline `$...$` or display `\\[...\\]` mathematics."""
    return Tex(rf"\[{inner}\]" if block else f"${inner}$")


def underover(op: str, under: str, over: str) -> Tex:
    return Tex(f"{op}_{{{under}}}^{{{over}}}")


def fn(name: str) -> Tex:
    """An upright function name (log, tanh, ReLU)."""
    return Tex(r"\operatorname{" + escape(name) + "}")


def cases(rows: list[tuple[str, str | None]]) -> Tex:
    """A left brace before value/condition rows ("otherwise" where the condition is None)."""
    body = r" \\ ".join(f"{value} & " + (r"\text{otherwise}" if cond is None else rf"\text{{if }} {cond}")
                         for value, cond in rows)
    return Tex(r"\begin{cases}" + body + r"\end{cases}")
