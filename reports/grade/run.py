"""One grading run: find submissions, skip those already in the gradebook, grade, record, report.

The executor (local process pool or dask) only turns tasks into outcomes; everything that must
never be lost (the gradebook) and everything the instructor watches (progress) stays here.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator, Protocol, TextIO

from gradverify.grade.files import discover
from gradverify.grade.gradebook import Gradebook, iter_journal, journal_path, write_json
from gradverify.grade.outcome import Outcome, Task, failed_outcome


class Executor(Protocol):
    """Anything that turns a stream of tasks into batches of outcomes, each task exactly once."""

    def batches(self, tasks: Iterable[Task]) -> Iterator[list[Outcome]]: ...


@dataclass(frozen=True)
class KeyInfo:
    """What the coordinating process needs of the answer key."""

    path: str
    sha256: str
    claim_ids: list[str]
    max_score: float


@dataclass
class RunSummary:
    """Counts of one run, by status, plus those skipped because an earlier run recorded them."""

    total: int = 0
    skipped: int = 0
    by_status: dict[str, int] = field(default_factory=dict)

    @property
    def failed(self) -> int:
        return sum(n for s, n in self.by_status.items() if s != "graded")


class Progress:
    """Count, rate and time left on stderr: redrawn in place on a terminal, a line every few s else."""

    def __init__(self, total: int, stream: TextIO | None = None, enabled: bool | None = None) -> None:
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.tty = self.stream.isatty()
        self.total, self.done = total, 0
        self.start = self.last = time.monotonic()

    def advance(self, n: int) -> None:
        self.done += n
        now = time.monotonic()
        if self.enabled and now - self.last >= (0.2 if self.tty else 5.0):
            self.last = now
            self._draw(now)

    def line(self, now: float | None = None) -> str:
        """The progress text: 'graded 120/500  45.1/s  about 8 s left'."""
        now = time.monotonic() if now is None else now
        rate = self.done / max(now - self.start, 1e-9)
        left = (self.total - self.done) / rate if rate > 0 else float("inf")
        eta = f"about {left:.0f} s left" if left != float("inf") else "starting"
        return f"graded {self.done}/{self.total}  {rate:.1f}/s  {eta}"

    def _draw(self, now: float) -> None:
        end = "" if self.tty else "\n"
        self.stream.write(("\r" if self.tty else "") + self.line(now) + end)
        self.stream.flush()

    def finish(self) -> None:
        if self.enabled:
            self._draw(time.monotonic())
            if self.tty:
                self.stream.write("\n")
            self.stream.flush()


# A worked example is a few kilobytes; anything far larger is not read into memory at all.
MAX_BYTES = 1_000_000


def _tasks(files: list[Path], book: Gradebook, summary: RunSummary, unreadable: list[Outcome],
           progress: "Progress") -> Iterator[Task]:
    def fail(f: Path, tag: str, reason: str) -> None:
        t = Task(file=str(f), data=b"", sha256=tag)
        if (t.file, t.sha256) in book.done:
            skip()
        else:
            unreadable.append(failed_outcome(t, "malformed", reason))

    def skip() -> None:
        summary.skipped += 1
        progress.advance(1)

    for f in files:
        try:
            size = f.stat().st_size
            if size > MAX_BYTES:
                fail(f, f"oversize-{size}", f"{f}: {size:,} bytes; a worked example is a few "
                     f"kilobytes (limit {MAX_BYTES:,}): submit the claims only")
                continue
            task = Task.read(f)
        except OSError as exc:
            fail(f, "unreadable", f"cannot read the file: {exc.strerror or exc}")
            continue
        if (task.file, task.sha256) in book.done:
            skip()
            continue
        yield task


def grade(
    files: list[Path],
    key: KeyInfo,
    out: Path,
    executor: Executor,
    json_out: Path | None = None,
    progress: Progress | None = None,
    opener: Callable = open,
) -> RunSummary:
    """Grade `files` into gradebook `out` (resuming it), then write `json_out` if asked.

    Raises GradebookError when the gradebook cannot be opened or written; every result recorded
    before that stays recorded.
    """
    summary = RunSummary(total=len(files))
    book = Gradebook.open(out, key.claim_ids, key.sha256, opener=opener)
    progress = progress or Progress(len(files), enabled=False)
    unreadable: list[Outcome] = []

    def record(batch: list[Outcome]) -> None:
        for o in batch:
            if o.status != "graded" and not o.max_score:
                o.max_score = key.max_score
            summary.by_status[o.status] = summary.by_status.get(o.status, 0) + 1
        book.append(batch)
        progress.advance(len(batch))

    batches = executor.batches(_tasks(files, book, summary, unreadable, progress))
    try:
        for batch in batches:
            if unreadable:
                record(unreadable[:])
                unreadable.clear()
            record(batch)
        if unreadable:
            record(unreadable)
    finally:
        close = getattr(batches, "close", None)
        if close:  # stop the workers now, not whenever the generator is collected
            close()
        book.close()
        progress.finish()
    if json_out is not None:
        write_json(json_out, iter_journal(out), key.path)
    return summary


__all__ = ["Executor", "KeyInfo", "Progress", "RunSummary", "discover", "grade", "journal_path"]
