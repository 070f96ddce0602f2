"""The judge's result: one `ClaimVerdict` per claimed number and the `CheckResult` of a file.

Renderers (terminal, JSON, HTML/LaTeX) read these field names; `to_json` is DESIGN.md's contract.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .numbers import shown

VERDICTS = ("correct", "follows", "wrong")


def _j(v: float | None) -> float | None:
    """A float for JSON at 15 significant digits (0.21, not 0.20999999999999996); NaN/inf as None."""
    if v is None or v != v or v in (float("inf"), float("-inf")):
        return None
    return float(f"{v:.15g}")


@dataclass
class ClaimVerdict:
    """One claim judged: its position (file numbering), the three values, the verdict and why."""

    step: int
    quantity: str
    layer: int | None
    index: list[int]
    claimed: str
    exact: float | None
    from_claims: float | None
    verdict: str
    diagnosis: str = ""
    tolerance: float = 0.0
    key: str = ""
    line: int | None = None
    note: str = ""
    kind: str = ""  # the diagnosis kind of a wrong claim: typo, half_convention, sign, learning_rate, ...

    @property
    def name(self) -> str:
        """"z2[1]", "loss", "W2[1,3]"."""
        layer = "" if self.layer is None else str(self.layer)
        idx = f"[{','.join(map(str, self.index))}]" if self.index else ""
        return f"{self.quantity}{layer}{idx}"

    def to_json(self) -> dict[str, Any]:
        return {
            "step": self.step, "quantity": self.quantity, "layer": self.layer, "index": list(self.index),
            "claimed": self.claimed, "exact": _j(self.exact), "from_claims": _j(self.from_claims),
            "verdict": self.verdict, "diagnosis": self.diagnosis,
        }


@dataclass
class CheckResult:
    """All claims of one worked example, judged."""

    source: str
    title: str
    conventions: dict[str, Any]
    example: Any
    claims: list[ClaimVerdict] = field(default_factory=list)

    def summary(self) -> dict[str, int]:
        counts = {v: 0 for v in VERDICTS}
        for c in self.claims:
            counts[c.verdict] += 1
        return counts

    def wrong(self) -> list[ClaimVerdict]:
        return [c for c in self.claims if c.verdict == "wrong"]

    def summary_text(self) -> str:
        """Plain words: what is right, where the first mistake is, and what follows from it."""
        s = self.summary()
        total = sum(s.values())
        if total == 0:
            return "No claims to check."
        head = (f"{total} claims: {s['correct']} correct, {s['follows']} follow from your own earlier numbers, "
                f"{s['wrong']} wrong.")
        if not s["wrong"]:
            tail = (" Where a value differs from the exact one, it is what your own rounded numbers give."
                    if s["follows"] else "")
            return head + tail
        parts = [head]
        for n, c in enumerate(self.wrong()):
            lead = "The first mistake is in" if n == 0 else "Also in"
            why = f": {c.diagnosis}" if c.diagnosis else f" (exact {shown(c.exact)})"
            parts.append(f"{lead} step {c.step}, {c.name} = {c.claimed}{why}.")
        later = [c for c in self.claims if c.verdict == "follows"]
        if later:
            parts.append(f"The {len(later)} claims that differ from the exact values only because of earlier "
                         "numbers follow from yours, so only the wrong claims need fixing.")
        return " ".join(parts)

    def exit_status(self) -> int:
        return 1 if any(c.verdict == "wrong" for c in self.claims) else 0

    def to_json(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "conventions": dict(self.conventions),
            "claims": [c.to_json() for c in self.claims],
            "summary": self.summary(),
        }

    def _repr_html_(self) -> str:
        from .render import html_fragment

        return html_fragment(self)

    def _repr_latex_(self) -> str:
        from .render import latex_fragment

        return latex_fragment(self)
