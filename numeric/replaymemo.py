"""Memory of one network's replays: each formula's result keyed by the values it read.

A replay's formula (z of a layer, a delta, an update, ...) reads a few taken values and the fixed
network; under one `Variant`, the same values read give the same result. Replays of many sets of
claims of one problem (a class's submissions, the judge's convention variants and corrected
passes) share most of them: a claim differing from the key's changes only the formulas that read
it, since every claimed quantity after it is taken from the claims again. Which keys a formula
reads is learnt when it is first computed and checked every time it is computed again; a formula
found reading another key starts over with the larger set, so a remembered result is only ever
reused for the same values of everything it read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping

import numpy as np

if TYPE_CHECKING:
    from gradverify.numeric.replay import Key, Net, Variant

# (raw value in the file's sign, alternatives in the file's sign, value in the gradient sign)
Result = tuple[np.ndarray, "list[tuple[str, np.ndarray]] | None", np.ndarray]
# the same, and the bytes of the value (what the formulas reading it are recalled by)
Stored = tuple[np.ndarray, "list[tuple[str, np.ndarray]] | None", np.ndarray, bytes]


class _Formula:
    """What one formula (one key, one variant) reads, and its results by the bytes of those values."""

    __slots__ = ("reads", "results")

    def __init__(self, reads: tuple["Key", ...]):
        self.reads = reads
        self.results: dict[tuple[bytes, ...], Stored] = {}


class ReplayMemo:
    """Formula results of the replays of one network (`net`), for every variant replayed.

    Owned by whoever replays one problem many times (the judge's per-problem context); at most
    `max_results` results are kept, and all are forgotten when that is exceeded.
    """

    def __init__(self, net: "Net", max_results: int = 50_000):
        self.net = net
        self.max_results = max_results
        self.size = 0
        self.hits = 0
        self.misses = 0
        self._formulas: dict["Variant", dict["Key", _Formula]] = {}

    def formulas(self, variant: "Variant") -> dict["Key", _Formula]:
        """The formulas remembered for replays under `variant`."""
        table = self._formulas.get(variant)
        if table is None:
            table = self._formulas[variant] = {}
        return table

    def lookup(self, table: dict["Key", _Formula], key: "Key", seen: Mapping["Key", bytes]) -> Stored | None:
        """The remembered result of `key`'s formula for the values now taken (`seen`: their bytes), or None."""
        f = table.get(key)
        found = None
        if f is not None:
            try:
                found = f.results.get(tuple([seen[k] for k in f.reads]))
            except KeyError:  # a key it read before is not computed (yet) in this replay
                pass
        if found is None:
            self.misses += 1
        else:
            self.hits += 1
        return found

    def store(self, table: dict["Key", _Formula], key: "Key", reads: list["Key"],
              seen: Mapping["Key", bytes], result: Result) -> Stored:
        """Remember `result`, computed by `key`'s formula from the taken values of `reads` (`seen`:
        the bytes of the values taken so far); returns it as remembered."""
        f = table.get(key)
        if f is None or not set(reads) <= set(f.reads):
            prior = () if f is None else f.reads
            if f is not None:
                self.size -= len(f.results)
            f = table[key] = _Formula(tuple(dict.fromkeys([*prior, *reads])))
        stored = (*result, result[2].tobytes())
        try:
            fingerprint = tuple([seen[k] for k in f.reads])
        except KeyError:  # read in another replay, not in this one: nothing safe to remember
            return stored
        if self.size >= self.max_results:
            self.clear()
        for arr in _arrays(result):
            arr.flags.writeable = False  # shared by every replay that finds it: never changed in place
        f.results[fingerprint] = stored
        self.size += 1
        return stored

    def clear(self) -> None:
        """Forget every result (what each formula reads is kept)."""
        for table in self._formulas.values():
            for f in table.values():
                f.results.clear()
        self.size = 0


def _arrays(result: Result) -> list[Any]:
    raw, alts, value = result
    return [a for a in (raw, value, *(v for _, v in alts or [])) if isinstance(a, np.ndarray)]
