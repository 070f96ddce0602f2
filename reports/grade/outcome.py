"""What a grading run passes around: a submission to grade (Task) and what became of it (Outcome).

Both are plain, picklable records so they cross process pipes and dask's wire unchanged, and an
Outcome turns into one gradebook row and one journal line.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gradverify.judge import tomltext

STATUSES = ("graded", "malformed", "crashed", "timeout")


@dataclass(frozen=True)
class Task:
    """One submission: its path as the gradebook names it, its bytes and their SHA-256."""

    file: str
    data: bytes
    sha256: str

    @classmethod
    def read(cls, path: str | Path) -> "Task":
        """Read a submission file once; grading works from these bytes, never the path again."""
        data = Path(path).read_bytes()
        return cls(file=str(path), data=data, sha256=hashlib.sha256(data).hexdigest())


@dataclass
class Outcome:
    """The gradebook's record of one submission, graded or not."""

    file: str
    sha256: str
    ident: str
    status: str
    reason: str = ""
    score: float = 0.0
    max_score: float = 0.0
    correct: int = 0
    follows: int = 0
    wrong: int = 0
    missing: int = 0
    verdicts: dict[str, str] = field(default_factory=dict)  # claim id -> verdict, key's claims
    result: dict[str, Any] | None = None  # the judge's full JSON (DESIGN.md's contract)
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict with every field (the journal line); shallow, never a deep copy
        (dataclasses.asdict would copy every verdict of every submission: 5 ms each)."""
        return {name: getattr(self, name) for name in self.__dataclass_fields__}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Outcome":
        """Inverse of `to_json`; unknown fields are ignored so older journals still load."""
        names = cls.__dataclass_fields__.keys()
        return cls(**{k: v for k, v in data.items() if k in names})


def identifier(task: Task, doc: dict[str, Any] | None = None) -> str:
    """The submission's `student = "..."` when it states one readably, else the file's stem."""
    if doc is None:
        try:
            doc = tomltext.loads(task.data.decode("utf-8"), task.file)
        except (UnicodeDecodeError, tomltext.TomlError):
            doc = {}
    student = doc.get("student")
    if isinstance(student, str) and student.strip():
        return " ".join(student.split())[:200]
    return Path(task.file).stem


def failed_outcome(task: Task, status: str, reason: str, max_score: float = 0.0) -> Outcome:
    """The record of a submission that could not be graded (malformed, crashed or timeout)."""
    assert status in STATUSES and status != "graded"
    return Outcome(
        file=task.file,
        sha256=task.sha256,
        ident=identifier(task),
        status=status,
        reason=reason,
        max_score=max_score,
    )
