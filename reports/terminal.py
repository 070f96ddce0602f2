"""The terminal table of a judged worked example: readable without colour (words and symbols).

Colour is added only when the stream is a terminal and NO_COLOR is unset.
"""

from __future__ import annotations

import os
import shutil
import textwrap
from typing import IO

from .numbers import shown
from .result import CheckResult

SYMBOL = {"correct": "\u2713 correct", "follows": "\u2192 follows", "wrong": "\u2717 WRONG"}
ASCII = {"correct": "ok correct", "follows": "-> follows", "wrong": "XX WRONG"}
COLOUR = {"correct": "\033[32m", "follows": "\033[33m", "wrong": "\033[1;31m"}
RESET = "\033[0m"


def use_colour(stream: IO[str]) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set."""
    return bool(getattr(stream, "isatty", lambda: False)()) and not os.environ.get("NO_COLOR")


def _can_encode(stream: IO[str], text: str) -> bool:
    enc = getattr(stream, "encoding", None) or "utf-8"
    try:
        text.encode(enc)
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def render(result: CheckResult, stream: IO[str], colour: bool | None = None, width: int | None = None) -> str:
    """The table and the plain-words summary as text."""
    colour = use_colour(stream) if colour is None else colour
    marks = SYMBOL if _can_encode(stream, "\u2713\u2192\u2717") else ASCII
    width = width or max(80, min(160, shutil.get_terminal_size((100, 24)).columns))
    rows = [("step", "claim", "claimed", "exact", "from yours", "verdict")]
    whys: list[str] = []
    for c in result.claims:
        rows.append((str(c.step), c.name, c.claimed, shown(c.exact), shown(c.from_claims), c.verdict))
        whys.append(c.diagnosis or c.note)
    widths = [max(len(r[i]) for r in rows) for i in range(6)]
    widths[5] = max(len(m) for m in marks.values())
    lead = sum(widths) + 2 * 6
    why_width = max(20, width - lead)
    lines = [result.title, f"({result.source})", ""]
    head = "  ".join(h.ljust(w) for h, w in zip(rows[0], widths)) + "  why"
    lines.append(head)
    lines.append("-" * min(width, len(head) + why_width - 3))
    for row, why in zip(rows[1:], whys):
        verdict = row[5]
        mark = marks[verdict].ljust(widths[5])
        if colour:
            mark = COLOUR[verdict] + mark + RESET
        cells = [row[0].rjust(widths[0])] + [v.ljust(w) for v, w in zip(row[1:5], widths[1:5])] + [mark]
        wrapped = textwrap.wrap(why, why_width) or [""]
        lines.append(("  ".join(cells) + "  " + wrapped[0]).rstrip())
        for more in wrapped[1:]:
            lines.append(" " * lead + more)
    lines.append("")
    lines.extend(textwrap.wrap(result.summary_text(), width))
    return "\n".join(lines) + "\n"
