"""LaTeX as written by hand or by OCR, split into tokens: numbers keep their printed text, marks
that only decorate (underlines, boxes, \\left, thin spaces) are dropped, struck-out groups removed."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# A printed number, with the scientific forms people write: 7.2e-3, 7.2 x 10^-3, 7.2 \times 10^{-3}.
_NUMBER = (r"(?:\d+(?:\.\d+)?|\.\d+)"
           r"(?:\s*(?:\\times|\\cdot|\u00d7|\u00b7|\*|x)\s*10\s*\^\s*(?:\{\s*[-+\u2212]?\s*\d+\s*\}|[-+\u2212]?\d+)"
           r"|[eE][-+\u2212]?\d+(?![A-Za-z]))?")
_TOKEN = re.compile(rf"""
    (?P<num>{_NUMBER})
  | \\(?P<cmd>[A-Za-z]+\*?|[^A-Za-z])
  | (?P<letter>[A-Za-z])
  | (?P<sym>[-+*/^_{{}}()\[\]|&=<>,;:'!.?~])
  | (?P<space>\s+)
  | (?P<other>.)
""", re.VERBOSE | re.DOTALL)

# Characters a write-up (or OCR) uses instead of commands.
UNICODE = {
    "\u2212": ("sym", "-"), "\u2013": ("sym", "-"), "\u00d7": ("cmd", "times"), "\u00b7": ("cmd", "cdot"),
    "\u22c5": ("cmd", "cdot"), "\u2299": ("cmd", "odot"), "\u2218": ("cmd", "circ"), "\u03c3": ("cmd", "sigma"),
    "\u03b4": ("cmd", "delta"), "\u0394": ("cmd", "Delta"), "\u03b7": ("cmd", "eta"), "\u03c9": ("cmd", "omega"),
    "\u2202": ("cmd", "partial"), "\u03c4": ("cmd", "tau"), "\u03c1": ("cmd", "rho"), "\u03bb": ("cmd", "lambda"),
    "\u03b1": ("cmd", "alpha"), "\u03b2": ("cmd", "beta"), "\u2113": ("letter", "l"), "\u2211": ("cmd", "sum"),
    "\u2207": ("cmd", "nabla"), "\u2248": ("cmd", "approx"), "\u2032": ("sym", "'"), "\u2192": ("cmd", "rightarrow"),
    "\u21d2": ("cmd", "Rightarrow"), "\u2234": ("cmd", "therefore"), "\u2264": ("cmd", "le"),
    "\u2265": ("cmd", "ge"), "\u2260": ("cmd", "ne"), "\u2208": ("cmd", "in"),
}
SPACES = {" ", ",", ";", ":", "!", ">", "displaystyle", "textstyle", "limits", "nolimits", "left", "right",
          "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr", "middle", "nonumber", "notag",
          "hfill", "mathstrut", "strut"}
# Escaped delimiters: a set's braces read as parentheses (they never group a LaTeX argument).
BRACKETS = {"|": "|", "{": "(", "}": ")", "lbrace": "(", "rbrace": ")"}
# Decorations around a group: the group is kept, the command dropped.
TRANSPARENT = {"underline", "boxed", "fbox", "overline", "mathbf", "bm", "boldsymbol", "mathit", "mathsf",
               "vec", "textbf", "emph", "mathbb", "mathcal", "displaystyle", "ensuremath"}
# Struck out or invisible: the command and its group are dropped.
# Marks a hand adds after a result (a tick, a box, an end-of-proof square): dropped.
MARKS = {"checkmark", "square", "blacksquare", "Box", "qed", "surd", "dagger", "star"}
DROPPED = {"cancel", "bcancel", "xcancel", "sout", "st", "label", "tag", "tag*", "phantom", "color", "hspace", "vspace",
           "eqref", "ref", "cite"}
ALIASES = {"dfrac": "frac", "tfrac": "frac", "cfrac": "frac", "ast": "times", "lvert": "|", "rvert": "|",
           "vert": "|", "geq": "ge", "leq": "le", "neq": "ne", "to": "rightarrow",
           "longrightarrow": "rightarrow", "implies": "Rightarrow", "operatorname": "mathrm", "textrm": "text",
           "mbox": "text", "textit": "text", "intertext": "text", "ell": "l", "varepsilon": "epsilon"}


@dataclass(frozen=True)
class Tok:
    """One token: kind (num, cmd, letter, sym, text), its text as written."""

    kind: str
    text: str
    pos: int = field(default=0, compare=False)  # where it starts in the row's text

    def is_(self, kind: str, *texts: str) -> bool:
        return self.kind == kind and (not texts or self.text in texts)


def tokenize(text: str) -> list[Tok]:
    """Tokens of one row of mathematics; never raises (an unknown character is dropped)."""
    out: list[Tok] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        assert m is not None  # the last alternative matches any character
        kind = m.lastgroup or "other"
        value = m.group(kind)
        start, pos = pos, m.end()
        if kind == "num":
            out.append(Tok("num", re.sub(r"\s+", " ", value), start))
        elif kind == "cmd":
            value = ALIASES.get(value, value)
            if value == "text":
                body, pos = _braced(text, pos)
                out.append(Tok("text", body.strip(), start))
            elif value in BRACKETS:
                out.append(Tok("sym", BRACKETS[value], start))
            elif value in ("left", "right", "bigl", "bigr", "Bigl", "Bigr") and text[pos:pos + 1] == ".":
                pos += 1  # \left. is an invisible delimiter
            elif value not in SPACES and value not in MARKS:
                out.append(Tok("cmd", value, start))
        elif kind == "other":
            if value in UNICODE:  # anything else (a stray mark, a tick) is dropped
                out.append(Tok(*UNICODE[value], start))
        elif kind in ("letter", "sym") and value != "~":
            out.append(Tok(kind, value, start))
    return _undecorate(out)


def detokenize(toks: list[Tok]) -> str:
    """Tokens back to readable LaTeX (spacing normalised), for messages."""
    out = ""
    for t in toks:
        piece = "\\" + t.text if t.kind == "cmd" else ("\\text{" + t.text + "}" if t.kind == "text" else t.text)
        if out and (out[-1].isalnum() and piece[0].isalnum() or out[-1] == "=" or piece == "="):
            out += " "
        out += piece
    return out


def _braced(text: str, pos: int) -> tuple[str, int]:
    """The text of the {...} group at `pos` (after spaces) and the position after it."""
    while pos < len(text) and text[pos].isspace():
        pos += 1
    if pos >= len(text) or text[pos] != "{":
        return "", pos
    depth, start = 0, pos
    for i in range(pos, len(text)):
        if text[i] == "{" and text[i - 1] != "\\":
            depth += 1
        elif text[i] == "}" and text[i - 1] != "\\":
            depth -= 1
            if depth == 0:
                return text[start + 1:i], i + 1
    return text[start + 1:], len(text)


def group_end(toks: list[Tok], i: int) -> int:
    """Index just past the {...} group opening at toks[i] (len(toks) when it never closes)."""
    depth = 0
    for j in range(i, len(toks)):
        if toks[j].is_("sym", "{"):
            depth += 1
        elif toks[j].is_("sym", "}"):
            depth -= 1
            if depth == 0:
                return j + 1
    return len(toks)


def _undecorate(toks: list[Tok], depth: int = 0) -> list[Tok]:
    """Drop decorations (\\underline{X} -> X), struck-out groups (\\cancel{X}) and an \\underbrace's label."""
    if depth > 40:  # decorations inside decorations, forty deep: not hand work; left as they are
        return toks
    out: list[Tok] = []
    i = 0
    while i < len(toks):
        t = toks[i]
        has_group = i + 1 < len(toks) and toks[i + 1].is_("sym", "{")
        if t.kind == "cmd" and t.text in DROPPED:
            i = group_end(toks, i + 1) if has_group else i + 1
            continue
        if t.kind == "cmd" and t.text in ("underbrace", "overbrace") and has_group:
            end = group_end(toks, i + 1)
            out.extend(_undecorate(toks[i + 2:end - 1], depth + 1))
            i = end
            if i < len(toks) and toks[i].is_("sym", "_", "^"):
                i = group_end(toks, i + 1) if i + 1 < len(toks) and toks[i + 1].is_("sym", "{") else i + 2
            continue
        if t.kind == "cmd" and (t.text in TRANSPARENT or t.text.rstrip("*") in TRANSPARENT):
            if has_group:
                end = group_end(toks, i + 1)
                out.extend(_undecorate(toks[i + 2:end - 1], depth + 1))
                i = end
            else:
                i += 1
            continue
        out.append(t)
        i += 1
    return out
