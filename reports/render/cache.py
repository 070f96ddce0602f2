"""What a report computes with SymPy, kept between runs: a report made again needs no SymPy at all.

The symbolic column of a network, each catalog function's printed derivation and plot, the textbook
forms behind the row formulas, and each derivative claim typeset are stored as JSON files in
$GRADVERIFY_CACHE_DIR/reports (default ~/.cache/gradverify/reports; GRADVERIFY_CACHE_DIR=off keeps
nothing). Every entry carries a stamp of the source that computed it and of SymPy's version, so
changed code or a new SymPy recomputes instead of showing stale mathematics. The folder is the
user's own, like the claim verdicts kept beside it: what is read back is trusted as written.
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, TypeVar

T = TypeVar("T")
_HERE = Path(__file__).resolve().parent


@lru_cache(maxsize=1)
def stamp() -> str:
    """A hash of the code whose results are kept (derivations, the engine that plots the points,
    render) and of SymPy's version."""
    from importlib.metadata import PackageNotFoundError, version

    from gradverify import derivations, numeric

    h = hashlib.sha1()
    for folder in (Path(derivations.__file__).resolve().parent, Path(numeric.__file__).resolve().parent, _HERE):
        for path in sorted(folder.glob("*.py")):
            h.update(path.name.encode())
            h.update(path.read_bytes())
    try:
        h.update(version("sympy").encode())
    except PackageNotFoundError:
        pass
    return h.hexdigest()[:16]


def folder() -> Path | None:
    """Where entries live, or None when caching is off."""
    base = os.environ.get("GRADVERIFY_CACHE_DIR") or str(Path.home() / ".cache" / "gradverify")
    return None if base == "off" else Path(base) / "reports"


def _path(kind: str, key: str) -> Path | None:
    where = folder()
    if where is None:
        return None
    digest = hashlib.sha1(f"{kind}\0{key}".encode()).hexdigest()[:24]
    return where / f"{kind}-{digest}.json"


def get(kind: str, key: str) -> Any | None:
    """The kept value (JSON data), or None when absent, stale or unreadable."""
    path = _path(kind, key)
    if path is None:
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("stamp") != stamp() or data.get("key") != key:
        return None
    return data.get("value")


def put(kind: str, key: str, value: Any) -> None:
    """Keep a value (JSON data); a cache that cannot be written is silently skipped."""
    path = _path(kind, key)
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"stamp": stamp(), "key": key, "value": value}), encoding="utf-8")
        os.replace(tmp, path)
    except (OSError, ValueError):
        pass


def cached(kind: str, key: str, compute: Callable[[], T], encode: Callable[[T], Any],
           decode: Callable[[Any], T]) -> T:
    """The kept value for (kind, key), else `compute()` kept for next time."""
    kept = get(kind, key)
    if kept is not None:
        try:
            return decode(kept)
        except (KeyError, TypeError, ValueError, IndexError):
            pass  # a damaged entry is recomputed
    value = compute()
    put(kind, key, encode(value))
    return value
