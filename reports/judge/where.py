"""Where a key is written in a worked-example file, and errors that say so.

Every error about a file names the file, the line where the key is written, the key, and what to
write instead; the commands print it and exit with status 2.
"""

from __future__ import annotations

import functools
import re
from typing import Any


class WorkedExampleError(ValueError):
    """An unusable worked example; the message says where and what to write instead."""


_ASSIGN = re.compile(r"""^\s*(?:"([^"]+)"|'([^']+)'|([A-Za-z0-9_\-\[\],]+))\s*=""")


@functools.lru_cache(maxsize=32)
def step_lines(text: str) -> dict[tuple[int, str], int]:
    """(step number, key) -> line of each `key = ...` inside the [[step]] tables, in one scan."""
    out: dict[tuple[int, str], int] = {}
    current, steps = None, 0
    for n, raw in enumerate(text.splitlines(), start=1):
        s = raw.split("#", 1)[0].strip()
        if s.startswith("["):
            current = s.strip("[] ")
            if current == "step" and s.startswith("[["):
                steps += 1
            continue
        m = _ASSIGN.match(raw)
        if m and current == "step":
            out.setdefault((steps, m.group(1) or m.group(2) or m.group(3)), n)
    return out


def line_of(text: str, key: str, section: str | None = None, step: int | None = None) -> int | None:
    """The 1-based line where `key = ...` is written (inside `section` / the step-th [[step]])."""
    pat = re.compile(rf'^\s*(?:"{re.escape(key)}"|\'{re.escape(key)}\'|{re.escape(key)})\s*=')
    current, steps = None, 0
    for n, raw in enumerate(text.splitlines(), start=1):
        s = raw.split("#", 1)[0].strip()
        if s.startswith("["):  # a table's header; a key that is a table is found at its header
            current = s.strip("[] ")
            if current == "step" and s.startswith("[["):
                steps += 1
            if section is None and current == key:
                return n
            continue
        if not pat.match(raw):
            # inline tables: numbering = { first_layer = 1 } -> key inside a value
            if section is not None and current is None and re.match(rf"^\s*{re.escape(section)}\s*=", raw):
                return n
            continue
        if section is None and current is None:
            return n
        if section == "step" and current == "step" and (step is None or steps == step):
            return n
        if section is not None and section != "step" and current == section:
            return n
    if section and section != "step":
        return line_of(text, section) if key != section else None
    return None


class Context:
    """Error building: the file name and its text."""

    def __init__(self, source: str, text: str):
        self.source, self.text = source, text

    def err(self, msg: str, key: str | None = None, section: str | None = None, step: int | None = None) -> WorkedExampleError:
        line = line_of(self.text, key, section, step) if key and self.text else None
        where = f"{self.source}, line {line}" if line else self.source
        shown = f"{section}.{key}" if section and section != "step" and key else (
            f"step {step}, {key}" if section == "step" and key else key)
        if shown:  # a key is the file's text: its control characters must not reach a terminal
            shown = "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in shown)
        return WorkedExampleError(f"{where}: {shown}: {msg}" if shown else f"{where}: {msg}")


def closest(word: str, options: Any) -> str:
    import difflib  # only when an error is being written

    best = difflib.get_close_matches(word, list(options), n=1, cutoff=0.5)
    return f" (did you mean {best[0]!r}?)" if best else f"; known: {', '.join(options)}"
