"""The mathematics of a write-up, row by row, with the line each row starts on.

LaTeX (.tex) and Markdown (.md, and text with LaTeX in it such as the seeds): `$...$`, `$$...$$`,
`\\[...\\]`, `\\(...\\)` and the display environments (equation, align, gather, ...). A display block
is split into its rows at `\\\\` (not inside a matrix), since each row is usually one equation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DISPLAY_ENVS = ("equation", "align", "aligned", "gather", "gathered", "multline", "eqnarray", "displaymath",
                "math", "split", "flalign", "alignat")
_ENV = "|".join(DISPLAY_ENVS)
_OPEN = re.compile(rf"\$\$|\\\[|\\\(|\$|\\begin\{{(?P<env>(?:{_ENV})\*?)\}}")
_FENCE = re.compile(r"^\s*(```|~~~)")
_NESTED = re.compile(r"\\(begin|end)\{([A-Za-z]+\*?)\}")


@dataclass(frozen=True)
class Row:
    """One row of mathematics: its LaTeX, the write-up line it starts on, whether it continues the
    previous row's equation (an aligned `&= ...` row), and whether it was displayed."""

    text: str
    line: int
    continues: bool = False
    display: bool = True


@dataclass(frozen=True)
class Writeup:
    """A write-up read for drafting: its rows of mathematics and its prose lines."""

    rows: tuple[Row, ...]
    prose: tuple[tuple[int, str], ...]
    title: str


def read(text: str, latex: bool) -> Writeup:
    """Rows of mathematics and the prose of a LaTeX (`latex=True`) or Markdown/plain write-up."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    title = _latex_title(text) if latex else ""
    if latex:
        text = _without_comments(text)
        begin = text.find("\\begin{document}")
        if begin >= 0:  # the preamble holds macros, not mathematics; keep its lines counted
            text = re.sub(r"[^\n]", " ", text[:begin]) + text[begin:]
    else:
        text = _without_code(text)
    rows: list[Row] = []
    prose: list[tuple[int, str]] = []
    pos = counted = paragraph = 0
    line = 1
    absent: dict[str, int] = {}  # closer -> a position after which it does not occur
    kept: list[str] = []
    while True:
        m = _OPEN.search(text, pos)
        if not m or _escaped(text, m.start()):
            if m:
                kept.append(text[pos:m.end()])
                pos = m.end()
                continue
            kept.append(text[pos:])
            break
        kept.append(text[pos:m.start()])
        opener = m.group(0)
        env = m.group("env")
        closer = {"$$": "$$", "\\[": "\\]", "\\(": "\\)", "$": "$"}.get(opener, f"\\end{{{env}}}")
        if opener == "$" and paragraph < m.end():  # an inline $ closes within its paragraph
            found = text.find("\n\n", m.end())
            paragraph = found if found >= 0 else len(text)
        limit = paragraph if opener == "$" else len(text)
        end = -1 if m.end() >= absent.get(closer, limit + 1) else _closing(text, m.end(), closer, limit)
        if end < 0 and limit == len(text):  # no closer to the end: none for a later opener either
            absent[closer] = min(absent.get(closer, m.end()), m.end())
        if end < 0:  # a lone $ (a price, a stray mark): prose
            kept.append(opener)
            pos = m.end()
            continue
        body = text[m.end():end]
        line += text.count("\n", counted, m.end())  # counted incrementally: one pass over the text
        counted = m.end()
        start_line = line
        display = opener != "$" and opener != "\\("
        rows.extend(_rows(body, start_line, display))
        kept.append("\n" * body.count("\n"))
        pos = end + len(closer)
    for n, words in enumerate("".join(kept).split("\n"), start=1):
        if words.strip():
            prose.append((n, words.strip()))
    return Writeup(tuple(rows), tuple(prose), title or _title(prose))


def _escaped(text: str, pos: int) -> bool:
    return pos > 0 and text[pos - 1] == "\\" and text[pos] == "$"


def _closing(text: str, pos: int, closer: str, limit: int) -> int:
    """Where `closer` closes the span opened before `pos`, before `limit`; -1 when it does not (an
    escaped \\$ does not close a span)."""
    i = pos
    while True:
        j = text.find(closer, i, limit)
        if j < 0 or not (closer == "$" and text[j - 1] == "\\"):
            return j
        i = j + 1


def _rows(body: str, start_line: int, display: bool) -> list[Row]:
    """Split a display block at row breaks `\\\\` outside matrices; inner aligned environments open up."""
    body = re.sub(rf"\\(?:begin|end)\{{(?:{_ENV})\*?\}}(?:\{{[^}}]*\}})?", lambda m: " " * len(m.group(0)), body)
    out: list[Row] = []
    depth = 0
    start = 0
    i = 0
    while i < len(body):
        nested = _NESTED.match(body, i)
        if nested:
            depth += 1 if nested.group(1) == "begin" else -1
            i = nested.end()
            continue
        if body.startswith("\\\\", i) and depth <= 0:
            out.append(_row(body, start, i, start_line, display))
            i += 2
            start = i
            continue
        i += 1
    out.append(_row(body, start, len(body), start_line, display))
    return [r for r in out if r.text]


def _row(body: str, start: int, end: int, start_line: int, display: bool) -> Row:
    piece = body[start:end]
    lead = len(piece) - len(piece.lstrip())
    line = start_line + body.count("\n", 0, start + lead)
    text = piece.strip()
    continues = bool(re.match(r"^&?\s*(=|\\approx)", text))
    return Row(text, line, continues, display)


def _without_comments(text: str) -> str:
    """LaTeX comments (an unescaped % to the end of the line) removed; lines kept."""
    return re.sub(r"(?<!\\)%[^\n]*", "", text)


def _without_code(text: str) -> str:
    """Markdown code blocks and inline code blanked out (their lines kept): they are not mathematics."""
    out = []
    fenced = False
    for line in text.split("\n"):
        if _FENCE.match(line):
            fenced = not fenced
            out.append("")
            continue
        out.append("" if fenced else re.sub(r"`[^`\n]*`", "", line))
    return "\n".join(out)


def _latex_title(text: str) -> str:
    """\\title{...}, else the first \\section{...} (or subsection), else none."""
    m = re.search(r"\\(?:title|section\*?|subsection\*?)\{([^}]*)\}", text)
    return m.group(1).strip() if m else ""


def _title(prose: list[tuple[int, str]]) -> str:
    """The first Markdown heading, or the first line of prose that is not a LaTeX command."""
    for _, line in prose:
        if line.startswith("#"):
            return line.lstrip("#").strip().strip("*").strip()
    return next((line for _, line in prose if not line.startswith("\\")), "")
