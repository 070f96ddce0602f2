"""The result of a finite-difference check: per-element values, bands, and a readable summary.

A report keeps arrays per parameter (never whole Jacobians as text) and names elements in the
worked example's own conventions (W2[3,7], b3[1], x[2]), so a failure points at one number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from gradverify.numeric.mlp import MLP

BANDS = ("good", "acceptable", "uncomfortable", "wrong", "kink")


@dataclass(frozen=True)
class Element:
    """One checked element: its name in the user's conventions, the two values and the verdict."""

    name: str
    analytic: float
    numeric: float
    rel: float
    band: str


@dataclass
class Block:
    """All elements of one parameter array (W of a layer, b of a layer, or x), as arrays."""

    kind: str
    layer: int | None
    analytic: np.ndarray
    numeric: np.ndarray
    rel: np.ndarray
    band: np.ndarray  # indices into BANDS


@dataclass
class GradReport:
    """The per-element result of a check; ``summary()`` names the worst elements, not whole Jacobians."""

    net: MLP
    blocks: list[Block]
    h: float
    loss: float
    noise: float
    _names: dict[str, tuple[int, tuple[int, ...]]] = field(default_factory=dict, repr=False)

    @property
    def size(self) -> int:
        return sum(b.rel.size for b in self.blocks)

    def counts(self) -> dict[str, int]:
        """How many elements fall in each band."""
        out = dict.fromkeys(BANDS, 0)
        for b in self.blocks:
            for i, c in enumerate(np.bincount(b.band.ravel(), minlength=len(BANDS))):
                out[BANDS[i]] += int(c)
        return out

    @property
    def ok(self) -> bool:
        """True when no element is wrong or uncomfortable (kinks and near-kink differences allowed)."""
        c = self.counts()
        return c["wrong"] == 0 and c["uncomfortable"] == 0

    def _element(self, block: Block, idx: tuple[int, ...]) -> Element:
        name = self.net.conventions.element_name(block.kind, block.layer, idx)
        return Element(name, float(block.analytic[idx]), float(block.numeric[idx]), float(block.rel[idx]), BANDS[int(block.band[idx])])

    def worst(self, n: int = 5, bands: tuple[str, ...] = ("good", "acceptable", "uncomfortable", "wrong")) -> list[Element]:
        """The n worst elements among the given bands: by band (wrong first), then by relative error."""
        codes = [BANDS.index(b) for b in bands]
        severity = np.array([0, 1, 2, 3, -1])  # good, acceptable, uncomfortable, wrong, kink
        cand: list[tuple[int, float, int, tuple[int, ...]]] = []
        for bi, b in enumerate(self.blocks):
            keep = np.isin(b.band, codes)
            # an element under the noise floor is as good as exact: rank it by 0, not by its relative error
            rel = np.where(np.abs(b.analytic - b.numeric) <= self.noise, 0.0, np.minimum(b.rel, 9.0))
            score = np.where(keep, severity[b.band] * 10.0 + rel, -1.0)
            for f in np.argsort(score, axis=None)[::-1][:n]:
                idx = tuple(int(i) for i in np.unravel_index(f, score.shape))
                if score[idx] >= 0:
                    cand.append((float(score[idx]), bi, idx))
        cand.sort(key=lambda t: -t[0])
        return [self._element(self.blocks[bi], idx) for _, bi, idx in cand[:n]]

    def kinks(self, n: int = 5) -> list[Element]:
        """Up to n elements whose difference straddles a kink."""
        out = []
        for b in self.blocks:
            for f in np.flatnonzero(b.band == BANDS.index("kink"))[:n]:
                out.append(self._element(b, tuple(int(i) for i in np.unravel_index(f, b.band.shape))))
        return out[:n]

    def element(self, name: str) -> Element:
        """The element called e.g. 'W2[3,7]', 'b3[1]' or 'x[2]' in the user's numbering."""
        kind, layer, idx = parse_name(self.net, name)
        for b in self.blocks:
            if b.kind == kind and b.layer == layer:
                return self._element(b, idx if b.analytic.ndim == len(idx) else (0,) + idx)
        raise KeyError(f"{name!r} was not checked; checked: {', '.join(self._block_names())}")

    def _block_names(self) -> list[str]:
        conv = self.net.conventions
        return [conv.element_name(b.kind, b.layer, ()) for b in self.blocks]

    def summary(self, n: int = 5) -> str:
        """A few readable lines: counts per band, the worst elements by name, kinks met."""
        c = self.counts()
        head = f"{'OK' if self.ok else 'FAILED'}: {self.size} elements checked by central differences (h={self.h:g}): "
        lines = [head + ", ".join(f"{v} {k}" for k, v in c.items() if v)]
        shown = [e for e in self.worst(n) if e.band != "good" or abs(e.analytic - e.numeric) > self.noise]
        for e in shown:
            lines.append(f"  {e.name:<14} analytic {e.analytic: .10g}  numeric {e.numeric: .10g}  rel {e.rel:.2e}  {e.band}")
        quiet = sum(int(np.count_nonzero((b.band == 0) & (np.abs(b.analytic - b.numeric) <= self.noise))) for b in self.blocks)
        if len(shown) < n and quiet:
            which = "every other" if shown else "every"
            lines.append(f"  {which} |analytic - numeric| is within the noise floor of the differences ({self.noise:.1e})")
        ks = self.kinks(n)
        if ks:
            lines.append("  at a kink (the difference straddles it; not a failure): " + ", ".join(e.name for e in ks))
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()


_NAME = re.compile(r"^(W|b|x|dL_da|delta)(\d*)(?:\[(\d+(?:\s*,\s*\d+)*)\])?$")


def parse_name(net: MLP, name: str) -> tuple[str, int | None, tuple[int, ...]]:
    """'W2[3,7]' -> ('W', core layer, core index), in the network's conventions."""
    m = _NAME.match(name.replace(" ", ""))
    if not m:
        raise KeyError(f"cannot read {name!r}: write W2[1,3], b3[1], x[2], delta2[1] or dL_da2[1]")
    kind, num, idx = m.group(1), m.group(2), m.group(3)
    conv = net.conventions
    layer = None if kind == "x" else conv.core_layer(kind, int(num))
    if layer is not None and not 0 <= layer < len(net.W):
        raise KeyError(f"{name!r}: no such layer in a network of sizes {net.sizes}")
    core = tuple(int(i) - conv.first_index for i in idx.split(",")) if idx else ()
    if kind == "W" and conv.weights == "from_to":
        core = core[::-1]
    return kind, layer, core
