"""A write-up as a worked example for `gradverify check`: drafted, then loaded like a worked-example
file, with each claim's line being the write-up's own line."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from gradverify.draft.drafting import DraftError, draft_file
from gradverify.draft.notation import Notation
from gradverify.draft.writer import to_toml
from gradverify.judge import worked


def load_writeup(path: str | Path, notation: Notation | None = None, working: bool = False) -> worked.WorkedExample:
    """The worked example a complete write-up states (`working`: with the arithmetic before each
    number); a `WorkedExampleError` saying what is missing (and how to finish the draft) when it is
    not complete."""
    try:
        draft = draft_file(path, notation)
    except DraftError as exc:
        raise worked.WorkedExampleError(str(exc)) from None
    missing = draft.todo()
    finish = f"run `gradverify draft {path} -o {Path(path).with_suffix('.toml').name}`, fill in its TODO lines and check that file"
    if missing:
        raise worked.WorkedExampleError(f"{path}: the write-up does not state {', '.join(missing)}, so it cannot "
                                        f"be checked as it is: {finish}")
    try:
        example = worked.loads(to_toml(draft, working), str(path))
    except worked.WorkedExampleError as exc:
        raise worked.WorkedExampleError(f"{exc}\n(in the worked example drafted from {path}: {finish})") from None
    lines = {(c.step, c.name): c.line for c in draft.claims}
    example.claims = [replace(c, line=lines.get((c.step, c.name), c.line)) for c in example.claims]
    return example
