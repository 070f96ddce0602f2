"""The drafting pipeline: a write-up's text -> its rows of mathematics -> equation chains -> claims
and settings in a notation -> a `Draft` (the writer turns it into TOML)."""

from __future__ import annotations

from pathlib import Path

from gradverify.draft import assemble, chains, detect, settings, source
from gradverify.draft.model import Draft, Setting, Unmapped
from gradverify.draft.notation import BUILT_IN, Notation
from gradverify.draft.reader import Reader

MAX_WRITEUP_BYTES = 2_000_000
MAX_ROW_CHARS = 20_000


class DraftError(ValueError):
    """A write-up that cannot be read; the message names the file and what to do."""


def draft_text(text: str, *, latex: bool = False, source_name: str = "<write-up>",
               notation: Notation | None = None) -> Draft:
    """Draft a worked example from the text of a write-up (`latex=False`: Markdown or plain text)."""
    writeup = source.read(text, latex)
    eqs: list[chains.Equation] = []
    previous = None
    names = frozenset().union(*(n.names for n in BUILT_IN.values()), notation.names if notation else frozenset())
    too_long = [row for row in writeup.rows if len(row.text) > MAX_ROW_CHARS]
    for row in writeup.rows:
        if len(row.text) > MAX_ROW_CHARS:
            continue
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
    reader.out.unmapped += [Unmapped(row.line, row.text[:60] + "...", f"{len(row.text):,} characters in one "
                                     f"equation; a hand-written one is shorter than {MAX_ROW_CHARS:,}")
                            for row in too_long]
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
