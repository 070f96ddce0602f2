"""Draft a worked-example file from a LaTeX or Markdown write-up (`gradverify draft`).

    from gradverify.draft import draft_file, to_toml
    d = draft_file("homework.md")        # a Draft: claims with their write-up lines, TODOs, unmapped lines
    print(to_toml(d))                     # the worked-example file (docs/worked-example-format.md)

The pipeline: source (the mathematics, row by row) -> chains (equations, members as trees) ->
reader (claims, settings, forward sums, in the notation detected or chosen) -> assemble (sizes,
parameters, data) -> writer (TOML with TODO lines and the unmapped lines as comments).
"""

from __future__ import annotations

from pathlib import Path

from gradverify.draft import assemble, chains, detect, settings, source
from gradverify.draft.model import Draft, DraftClaim, Setting, Unmapped
from gradverify.draft.notation import BUILT_IN, Notation, NotationError, named
from gradverify.draft.reader import Reader
from gradverify.draft.source import WRITEUP_SUFFIXES, is_writeup
from gradverify.draft.writer import to_toml

__all__ = ["Draft", "DraftClaim", "DraftError", "Notation", "NotationError", "Unmapped", "BUILT_IN",
           "WRITEUP_SUFFIXES", "draft_file", "draft_text", "is_writeup", "named", "to_toml"]

MAX_WRITEUP_BYTES = 2_000_000


class DraftError(ValueError):
    """A write-up that cannot be read; the message names the file and what to do."""


def draft_text(text: str, *, latex: bool = False, source_name: str = "<write-up>",
               notation: Notation | None = None) -> Draft:
    """Draft a worked example from the text of a write-up (`latex=False`: Markdown or plain text)."""
    writeup = source.read(text, latex)
    eqs: list[chains.Equation] = []
    previous = None
    names = frozenset().union(*(n.names for n in BUILT_IN.values()), notation.names if notation else frozenset())
    for row in writeup.rows:
        found = chains.equations(row, previous if row.continues else None, names)
        eqs.extend(found)
        previous = found[-1] if found else previous
    prose = [line for _, line in writeup.prose]
    if notation is None:
        chosen, why = detect.notation(eqs, prose)
    else:
        chosen, why = notation, "chosen with --notation"
    numbering = detect.numbering(eqs, chosen)
    reader = Reader(chosen, numbering)
    for eq in eqs:
        reader.equation(eq)
    in_words = next(((n, lr) for n, line in writeup.prose if (lr := settings.learning_rate_in_words(line))), None)
    words = Setting(in_words[1], in_words[0], "") if in_words else None
    return assemble.assemble(reader.out, chosen, numbering, source=source_name, title=writeup.title,
                             notation_why=why, learning_rate_words=words)


def draft_file(path: str | Path, notation: Notation | None = None) -> Draft:
    """Draft a worked example from a write-up file (.tex as LaTeX, anything else as Markdown)."""
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > MAX_WRITEUP_BYTES:
            raise DraftError(f"{p}: {size:,} bytes; a write-up is at most {MAX_WRITEUP_BYTES:,} bytes: "
                             "check that this is the right file")
        text = p.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise DraftError(f"{p}: no such file; give the path of a .md, .tex or .txt write-up") from None
    except IsADirectoryError:
        raise DraftError(f"{p}: is a directory; give the path of one write-up") from None
    except (UnicodeDecodeError, PermissionError) as exc:
        raise DraftError(f"{p}: cannot read it as UTF-8 text ({exc.__class__.__name__})") from None
    return draft_text(text, latex=p.suffix.lower() in (".tex", ".ltx"), source_name=str(p), notation=notation)
