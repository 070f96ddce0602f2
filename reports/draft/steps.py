"""Which training step a claim read from a write-up belongs to.

A write-up runs forward, computes the loss, backpropagates, updates, and maybe runs forward again.
Parameters written after the step's gradients are the next step's (the update's results); a
forward quantity written again after the step's gradients starts the next step; parameters written
before any gradient are the starting parameters (step 0 here, the file's [parameters]).
"""

from __future__ import annotations

from dataclasses import dataclass, field

BACKWARD = ("delta", "dW", "db", "dL_da", "dx")
UPDATE_TERMS = ("lr_dW", "lr_db")  # learning rate x gradient: the step whose gradients they scale
FORWARD = ("z", "a", "loss")
PARAMETERS = ("W", "b")

Key = tuple[str, object, object]  # (quantity, layer, index) as written


@dataclass(frozen=True)
class Placed:
    """Where a claim goes: `step` (0 = the starting parameters), or a `clash` with an earlier claim of
    the same element (its line and text); `repeated` when the same text was already written there."""

    step: int
    clash: tuple[int, str] | None = None
    repeated: bool = False


@dataclass
class Steps:
    """The claims placed so far, step by step, and the step being written."""

    current: int = 1
    written: dict[int, dict[Key, tuple[str, int]]] = field(default_factory=dict)
    backward: set[int] = field(default_factory=set)  # steps with a gradient written

    def _has_backward(self, step: int) -> bool:
        return step in self.backward

    def where(self, key: Key) -> int:
        """The step a claim of `key` would go to now (0: a starting parameter), without placing it."""
        qty = key[0]
        if qty in UPDATE_TERMS:
            return max(self.backward, default=self.current)
        if qty in PARAMETERS:
            if self._has_backward(self.current):
                return self.current + 1
            return 0 if self.current == 1 else self.current
        if key in self.written.get(self.current, {}) and qty in FORWARD and self._has_backward(self.current):
            return self.current + 1
        return self.current

    def place(self, key: Key, text: str, line: int) -> Placed:
        """Place a claim: the step it belongs to, or the earlier claim it clashes with."""
        step = self.where(key)
        self.current = max(self.current, step)
        return self._put(step, key, text, line)

    def _put(self, step: int, key: Key, text: str, line: int) -> Placed:
        table = self.written.setdefault(step, {})
        if key in table:
            old_text, old_line = table[key]
            if old_text == text:
                return Placed(step, repeated=True)
            return Placed(step, clash=(old_line, old_text))
        table[key] = (text, line)
        if key[0] in BACKWARD:
            self.backward.add(step)
        return Placed(step)
