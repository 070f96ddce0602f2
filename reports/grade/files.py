"""Which files a command works on: each file named, and every *.toml under each folder named.

Shared by `grade` (submissions) and `check` (worked examples), and kept apart from the grading run
so that checking one file loads nothing of the gradebook or the pool.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable

__all__ = ["discover"]


def discover(paths: Iterable[str | Path], exclude: Iterable[str | Path] = ()) -> list[Path]:
    """Submission files: each file given, and every *.toml under each folder (recursively).

    Sorted and without repeats; files in `exclude` (the key itself) are left out.
    """
    skip = {Path(p).resolve() for p in exclude}
    found: dict[Path, Path] = {}
    for p in map(Path, paths):
        candidates = sorted(q for q in p.rglob("*.toml") if q.is_file()) if p.is_dir() else [p]
        for q in candidates:
            real = q.resolve()
            if real not in skip and real not in found:
                found[real] = Path(os.path.normpath(q))
    return sorted(found.values(), key=str)
