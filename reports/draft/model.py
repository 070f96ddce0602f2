"""A drafted worked example: what was read from the write-up, where, and what is still unknown."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union

from gradverify.draft.detect import Numbering
from gradverify.draft.notation import Notation

# A vector or matrix of printed numbers, None where the write-up does not state one.
Grid = Union[list[Union[str, None]], list[list[Union[str, None]]]]


@dataclass(frozen=True)
class DraftClaim:
    """One claimed number: its step, its element in the file's numbering ("z2[1]", "loss", "W2[1,1]"),
    the text exactly as printed, and the write-up line it was read from."""

    step: int
    qty: str
    layer: int | None
    index: tuple[int, ...]
    text: str
    line: int
    working: str = ""  # the arithmetic written before the number, in the format's plain form

    @property
    def name(self) -> str:
        layer = "" if self.layer is None else str(self.layer)
        idx = f"[{','.join(map(str, self.index))}]" if self.index else ""
        return f"{self.qty}{layer}{idx}"


@dataclass(frozen=True)
class Unmapped:
    """A line with a number that is not in the draft, and why."""

    line: int
    text: str
    reason: str


@dataclass(frozen=True)
class Setting:
    """A network setting as read (a TOML value's text) and the line that states it (None: inferred)."""

    value: str
    line: int | None = None
    said: str = ""


@dataclass
class Draft:
    """Everything `gradverify draft` writes. None (or a None element) marks what the write-up does not
    state: the writer turns it into a TODO line."""

    source: str
    title: str
    notation: Notation
    notation_why: str
    numbering: Numbering
    sizes: list[int | None] = field(default_factory=list)
    activations: list[Setting | None] = field(default_factory=list)
    loss: Setting | None = None
    learning_rate: Setting | None = None
    l2: Setting | None = None
    x: list[str | None] | None = None
    y: list[str | None] | None = None
    data_lines: dict[str, list[int]] = field(default_factory=dict)
    parameters: dict[str, Grid] = field(default_factory=dict)
    claims: list[DraftClaim] = field(default_factory=list)
    unmapped: list[Unmapped] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def n_steps(self) -> int:
        return max((c.step for c in self.claims), default=0)

    @property
    def updates(self) -> bool:
        """Does the write-up update the parameters (a second step, or an update term)? Only then is
        the learning rate needed."""
        return self.n_steps > 1 or any(c.qty in ("lr_dW", "lr_db") for c in self.claims)

    def todo(self) -> list[str]:
        """What the file still needs, in words (empty when the draft is a complete worked example)."""
        out = []
        if not self.sizes or any(s is None for s in self.sizes):
            out.append("the network's sizes")
        if not self.activations or any(a is None for a in self.activations):
            out.append("the activations")
        if self.loss is None:
            out.append("the loss")
        if self.learning_rate is None and self.updates:
            out.append("the learning rate")
        for name, values in (("x", self.x), ("y", self.y)):
            if values is None or any(v is None for v in values):
                out.append(f"the data {name}")
        for name, grid in self.parameters.items():
            if _missing(grid):
                out.append(f"the starting {name}")
        if not self.claims:
            out.append("claims (no numbered quantity was read)")
        return out


def _missing(grid: Grid | list[str | None] | str | None) -> bool:
    if isinstance(grid, list):
        return any(_missing(g) for g in grid)
    return grid is None
