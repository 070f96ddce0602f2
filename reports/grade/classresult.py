"""What grading a class gives back to Python: the gradebook written, this run's counts, the key's
warnings, and every submission recorded (read back from the gradebook's journal)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gradverify.grade.gradebook import iter_journal
from gradverify.grade.outcome import Outcome
from gradverify.grade.run import RunSummary


@dataclass
class GradeRun:
    """One `gradverify.grade(...)`: where the gradebook is, what this run recorded, what the key
    warned about. `outcomes()` lists every submission the gradebook holds, earlier runs included."""

    out: Path
    summary: RunSummary
    warnings: list[str] = field(default_factory=list)

    @property
    def failed(self) -> int:
        """Submissions this run recorded as malformed, crashed or timeout."""
        return self.summary.failed

    def outcomes(self) -> list[Outcome]:
        return list(iter_journal(self.out))

    def to_json(self) -> dict[str, Any]:
        """This run's counts and every recorded submission's score (the full verdicts stay in the
        journal beside the gradebook, or in `verdicts=` when asked)."""
        return {"gradebook": str(self.out), "total": self.summary.total, "skipped": self.summary.skipped,
                "recorded": dict(self.summary.by_status), "warnings": list(self.warnings),
                "submissions": [{"file": o.file, "student": o.ident, "status": o.status, "reason": o.reason,
                                 "score": o.score, "max_score": o.max_score, "correct": o.correct,
                                 "follows": o.follows, "wrong": o.wrong, "missing": o.missing}
                                for o in self.outcomes()]}

    def _repr_html_(self) -> str:
        from gradverify.render.notebook import grade_html

        return grade_html(self)
