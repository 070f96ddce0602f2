"""Draft a worked-example file from a LaTeX or Markdown write-up (`gradverify draft`).

    from gradverify.draft import draft_file, to_toml
    d = draft_file("homework.md")        # a Draft: claims with their write-up lines, TODOs, unmapped lines
    print(to_toml(d))                     # the worked-example file (docs/worked-example-format.md)

The pipeline (drafting.py): source (the mathematics, row by row) -> chains (equations, members read
by the grammar into nodes) -> reader (claims, settings, forward sums, in the notation detected or
chosen) -> assemble (sizes, parameters, data) -> writer (TOML with TODO lines and the unmapped lines
as comments). The public names load on first use, so `gradverify check` on a TOML file never loads
the drafter.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from gradverify.draft.checking import load_writeup
    from gradverify.draft.drafting import DraftError, draft_file, draft_text
    from gradverify.draft.model import Draft, DraftClaim, Unmapped
    from gradverify.draft.notation import BUILT_IN, Notation, NotationError, named
    from gradverify.draft.writer import to_toml

WRITEUP_SUFFIXES = (".md", ".markdown", ".tex", ".txt", ".ltx")
_PUBLIC = {"draft_file": "drafting", "draft_text": "drafting", "DraftError": "drafting", "to_toml": "writer",
           "Draft": "model", "DraftClaim": "model", "Unmapped": "model", "Notation": "notation",
           "NotationError": "notation", "named": "notation", "BUILT_IN": "notation", "load_writeup": "checking"}
__all__ = ["WRITEUP_SUFFIXES", "is_writeup", "draft_file", "draft_text", "DraftError", "to_toml", "Draft",
           "DraftClaim", "Unmapped", "Notation", "NotationError", "named", "BUILT_IN", "load_writeup"]


def is_writeup(path: str | Path) -> bool:
    """True for a LaTeX or Markdown (or plain text) write-up, by its suffix."""
    return Path(path).suffix.lower() in WRITEUP_SUFFIXES


def __getattr__(name: str) -> Any:
    if name in _PUBLIC:
        return getattr(importlib.import_module(f"gradverify.draft.{_PUBLIC[name]}"), name)
    raise AttributeError(f"module 'gradverify.draft' has no attribute {name!r}")
