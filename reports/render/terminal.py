"""The terminal table of a judged worked example: readable without colour (words and symbols).

Colour is added only when the stream is a terminal and NO_COLOR is unset.
"""

from __future__ import annotations

import os
import shutil
import textwrap
from typing import IO, Mapping

from gradverify.judge.numbers import shown
from gradverify.judge.result import CheckResult, ClaimVerdict, TableVerdict

SYMBOL = {"correct": "\u2713 correct", "follows": "\u2192 follows", "wrong": "\u2717 WRONG"}
ASCII = {"correct": "ok correct", "follows": "-> follows", "wrong": "XX WRONG"}
COLOUR = {"correct": "\033[32m", "follows": "\033[33m", "wrong": "\033[1;31m"}
RESET = "\033[0m"
TABLE_SYMBOL = {"equivalent": "\u2713 equivalent", "equivalent on a domain": "\u2713 on a domain",
                "not equivalent": "\u2717 NOT EQUIVALENT", "undecided": "? UNDECIDED", "unusable": "\u2717 UNUSABLE"}
TABLE_ASCII = {"equivalent": "ok equivalent", "equivalent on a domain": "ok on a domain",
               "not equivalent": "XX NOT EQUIVALENT", "undecided": "?? UNDECIDED", "unusable": "XX UNUSABLE"}
TABLE_COLOUR = {"equivalent": COLOUR["correct"], "equivalent on a domain": COLOUR["follows"],
                "not equivalent": COLOUR["wrong"], "undecided": COLOUR["wrong"], "unusable": COLOUR["wrong"]}
CLAIMED_WIDTH = 28  # a long LaTeX claim wraps inside its column


def use_colour(stream: IO[str]) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set."""
    return bool(getattr(stream, "isatty", lambda: False)()) and not os.environ.get("NO_COLOR")


def _expectation(expect: Mapping[str, str], claims: list[ClaimVerdict]) -> str:
    """Whether the verdicts are the ones the file's [expect] table records (what the exit status says)."""
    from gradverify.grade.expect import compare

    off = compare(expect, claims)
    if not off:
        return "Every verdict is the one the file's [expect] table records (exit status 0)."
    shown_off = "; ".join(f"{m.cid} expected {m.expected}, got {m.claim.verdict}" for m in off[:3])
    more = f"; and {len(off) - 3} more" if len(off) > 3 else ""
    verb = "verdicts differ" if len(off) > 1 else "verdict differs"
    return f"{len(off)} {verb} from the file's [expect] table: {shown_off}{more}."


def _can_encode(stream: IO[str], text: str) -> bool:
    enc = getattr(stream, "encoding", None) or "utf-8"
    try:
        text.encode(enc)
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def render(result: CheckResult, stream: IO[str], colour: bool | None = None, width: int | None = None,
           show_lines: bool = False) -> str:
    """The table and the plain-words summary as text; `show_lines` adds the line each claim was
    written on (for a write-up drafted into a worked example, the write-up's line)."""
    colour = use_colour(stream) if colour is None else colour
    marks = SYMBOL if _can_encode(stream, "\u2713\u2192\u2717") else ASCII
    width = width or max(80, min(160, shutil.get_terminal_size((100, 24)).columns))
    rows = [("step",) + (("line",) if show_lines else ()) + ("claim", "claimed", "exact", "from yours", "verdict")]
    whys: list[str] = []
    for c in result.claims:
        line = (("" if c.line is None else str(c.line)),) if show_lines else ()
        rows.append((str(c.step),) + line + (c.name, c.claimed, shown(c.exact), shown(c.from_claims), c.verdict))
        whys.append(c.diagnosis or c.note)
    n = len(rows[0])
    widths = [max(len(r[i]) for r in rows) for i in range(n)]
    widths[-1] = max(len(m) for m in marks.values())
    lead = sum(widths) + 2 * n
    why_width = max(20, width - lead)
    lines = [visible(result.title), f"({visible(result.source)})", ""]
    head = "  ".join(h.ljust(w) for h, w in zip(rows[0], widths)) + "  why"
    lines.append(head)
    lines.append("-" * min(width, len(head) + why_width - 3))
    for row, why in zip(rows[1:], whys):
        verdict = row[-1]
        mark = marks[verdict].ljust(widths[-1])
        if colour:
            mark = COLOUR[verdict] + mark + RESET
        cells = [row[0].rjust(widths[0])] + [v.ljust(w) for v, w in zip(row[1:-1], widths[1:-1])] + [mark]
        wrapped = textwrap.wrap(why, why_width) or [""]
        lines.append(("  ".join(cells) + "  " + wrapped[0]).rstrip())
        for more in wrapped[1:]:
            lines.append(" " * lead + more)
    if result.derivatives:
        lines.append("")
        lines.extend(_tables(result, colour, _can_encode(stream, "\u2713\u2717"), width))
    lines.append("")
    lines.extend(textwrap.wrap(result.summary_text(), width))
    if result.example.expect:
        lines.extend(textwrap.wrap(_expectation(result.example.expect, result.claims), width))
    text = "\n".join(lines) + "\n"
    return text if _can_encode(stream, text) else _plain_ascii(text, stream)


# Written ASCII equivalents of the mathematics a title or claim may hold in Unicode.
_ASCII = {"\u2212": "-", "\u00b2": "^2", "\u00b3": "^3", "\u00bd": "1/2", "\u00d7": "x", "\u2032": "'",
          "\u2264": "<=", "\u2265": ">=", "\u2260": "!=", "\u2192": "->", "\u00b7": "*", "\u2013": "-"}


def _plain_ascii(text: str, stream: IO[str]) -> str:
    """The text for a stream that cannot encode it: maths signs spelled in ASCII, anything else '?'."""
    enc = getattr(stream, "encoding", None) or "ascii"
    spelled = "".join(_ASCII.get(c, c) for c in text)
    try:
        return spelled.encode(enc, errors="replace").decode(enc)
    except LookupError:
        return spelled.encode("ascii", errors="replace").decode("ascii")


def _tables(result: CheckResult, colour: bool, unicode: bool, width: int) -> list[str]:
    """The second table: each [[derivative]]/[[formula]] claim, its verdict and why."""
    marks = TABLE_SYMBOL if unicode else TABLE_ASCII
    names = [t.name if t.kind != "formula" else f"formula (layout {t.layout or '004'})" for t in result.derivatives]
    claimed = [textwrap.wrap(visible(t.claimed).replace("\n", " "), CLAIMED_WIDTH, break_on_hyphens=False) or [""]
               for t in result.derivatives]
    widths = [max(len("claim"), *map(len, names)), max(len("claimed"), *(len(x) for c in claimed for x in c)),
              max(len(m) for m in marks.values())]
    lead = sum(widths) + 2 * 3
    why_width = max(20, width - lead)
    head = "  ".join(h.ljust(w) for h, w in zip(("claim", "claimed", "verdict"), widths)) + "  why"
    out = [head, "-" * min(width, len(head) + why_width - 3)]
    for t, name, cl in zip(result.derivatives, names, claimed):
        mark = marks.get(t.verdict, t.verdict).ljust(widths[2])
        if colour:
            mark = TABLE_COLOUR.get(t.verdict, "") + mark + RESET
        whys = [w for part in _why(t) for w in (textwrap.wrap(part, why_width) or [""])]
        for i in range(max(len(cl), len(whys))):
            cells = [(name if i == 0 else "").ljust(widths[0]), (cl[i] if i < len(cl) else "").ljust(widths[1]),
                     mark if i == 0 else " " * widths[2]]
            out.append(("  ".join(cells) + "  " + (whys[i] if i < len(whys) else "")).rstrip())
    return out


def visible(text: str, newlines: bool = True) -> str:
    """User text as it may reach a terminal: control and invisible characters (C0, DEL, C1, bidi
    overrides, zero-width spaces, undecodable bytes) shown as \\xNN or \\uNNNN, so a file's claim,
    label or note cannot move the cursor, recolour the screen or print a line that looks like a
    verdict. Line breaks stay unless `newlines` is false (one field that must stay one line)."""
    out = []
    for c in text:
        if c.isprintable() or (newlines and c == "\n"):
            out.append(c)
        else:
            o = ord(c)
            out.append(f"\\x{o:02x}" if o < 0x100 else f"\\u{o:04x}" if o < 0x10000 else f"\\U{o:08x}")
    return "".join(out)


def _why(t: TableVerdict) -> list[str]:
    """Explanation, diagnoses, the expectation and note of a table claim, as separate paragraphs."""
    parts = [p for p in visible(t.explanation).splitlines() if p.strip()]
    parts += [f"diagnosis: {visible(d)}" for d in t.diagnoses]
    if t.expect and t.as_expected is False:
        parts.append(f"(the file expects {t.expect})")
    if t.label:
        parts.insert(0, f"[{visible(t.label)}]".replace("\n", " "))
    return parts
