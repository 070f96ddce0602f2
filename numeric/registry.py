"""Name lookup shared by the activation and loss registries: unknown names fail with the closest ones."""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Mapping
from typing import TypeVar

import numpy as np

T = TypeVar("T")


def lookup(table: Mapping[str, T], name: str, kind: str, aliases: Mapping[str, str] | None = None) -> T:
    """Return table[name] (or the entry an alias stands for); a KeyError names the closest known names."""
    aliases = aliases or {}
    try:
        return table[aliases.get(name, name)]
    except KeyError:
        import difflib  # only when a name is unknown

        close = difflib.get_close_matches(str(name), [*table, *aliases], n=3, cutoff=0.5)
        hint = f" did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
        known = ", ".join(sorted(table))
        raise KeyError(f"unknown {kind} {name!r};{hint} known names: {known}") from None


def warn_at_caller(message: str, category: type[Warning]) -> None:
    """Warn with the location of the first caller outside numeric/, so the message points at user code."""
    frame = sys._getframe(1)
    level = 2
    here = os.path.dirname(os.path.abspath(__file__))
    while frame is not None and os.path.dirname(os.path.abspath(frame.f_code.co_filename)) == here:
        frame = frame.f_back
        level += 1
    warnings.warn(message, category, stacklevel=level)


def as_float(x: object) -> np.ndarray:
    """An array in a floating dtype: float32/float64 kept as given, anything else becomes float64."""
    arr = np.asarray(x)
    if arr.dtype.kind != "f":
        arr = arr.astype(np.float64)
    return arr


def merged(defaults: Mapping[str, float], given: Mapping[str, float], kind: str) -> dict[str, float]:
    """Defaults overridden by the given parameters; an unknown parameter name is a TypeError that lists the known ones."""
    extra = set(given) - set(defaults)
    if extra:
        names = ", ".join(sorted(defaults)) or "none"
        raise TypeError(f"{kind} takes no parameter {', '.join(sorted(extra))}; its parameters: {names}")
    out = dict(defaults)
    out.update(given)
    return out
