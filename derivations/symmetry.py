"""Index symmetry of vector identities: entries equal up to renaming indices are one class.

Renaming symbols bijectively preserves an identity, so the prover checks one representative of
each class (for the N x N softmax Jacobian: the diagonal and one off-diagonal entry).
"""

from __future__ import annotations

import re

import sympy as sp


def index_families(syms: set) -> dict[str, dict[int, sp.Symbol]]:
    """Symbols named like x1..xN grouped by their stem."""
    fam: dict[str, dict[int, sp.Symbol]] = {}
    for s in syms:
        m = re.fullmatch(r"([A-Za-z_]+)(\d+)", s.name)
        if m:
            fam.setdefault(m.group(1), {})[int(m.group(2))] = s
    return fam


def renaming(families: dict[str, dict[int, sp.Symbol]], index: list[int]) -> dict:
    """A permutation of indices sending the entry's index to (1, 2), applied to every family."""
    top = max((max(f) for f in families.values()), default=0)
    perm = {k: k for k in range(1, top + 1)}
    done: set[int] = set()
    for dst, src in enumerate(index, start=1):
        if src in done or src not in perm or dst not in perm:
            continue
        other = next(k for k, v in perm.items() if v == dst)
        perm[src], perm[other] = perm[other], perm[src]
        done.add(src)
    return {sym: _canon(stem, perm.get(k, k)) for stem, members in families.items() for k, sym in members.items()}


_CANON: dict[tuple[str, int], sp.Symbol] = {}


def _canon(stem: str, k: int) -> sp.Symbol:
    key = (stem, k)
    if key not in _CANON:
        _CANON[key] = sp.Symbol(f"__{stem}__{k}")
    return _CANON[key]
