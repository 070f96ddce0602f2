"""The gradebook: a CSV row per submission plus a journal of full verdicts, both append-only.

Every result is written to the file as it arrives, journal first, so a run killed at any moment
keeps all it finished; the files are fsynced at most once a second and at the end, so a machine that
loses power loses at most the last second's results (graded again on resume), while a class of
thousands is not held back by a disk flush per submission. Re-opening the same gradebook resumes: a half-written last line (a kill or
a full disk mid-write) is cut off, journal records whose CSV row never got written are restored,
and the (file, sha256) pairs already present are reported as done so they are not graded twice.
"""

from __future__ import annotations

import csv
import errno
import io
import json
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Iterable, Iterator

from gradverify.grade.outcome import Outcome

FIXED_COLUMNS = (
    "id", "file", "status", "reason", "score", "max_score",
    "correct", "follows", "wrong", "missing", "sha256",
)
JOURNAL_FORMAT = 1
# Spreadsheets run a cell that starts with these as a formula: student text is defused with a quote.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class GradebookError(Exception):
    """The gradebook cannot be used or written; the message says which file and what to do."""


def journal_path(out: Path) -> Path:
    """Where the full verdicts of gradebook `out` are journaled (beside it)."""
    return out.with_name(out.name + ".verdicts.jsonl")


def header(claim_ids: Iterable[str]) -> list[str]:
    """The CSV header: fixed columns, then one column per claim of the key."""
    return [*FIXED_COLUMNS, *claim_ids]


def _defuse(text: str) -> str:
    text = " ".join(str(text).split()) if any(c in text for c in "\r\n") else str(text)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _undefuse(text: str) -> str:
    return text[1:] if text.startswith("'") and text[1:].startswith(_FORMULA_START) else text


def _number(x: float) -> str:
    return f"{x:.6g}"


def csv_row(outcome: Outcome, claim_ids: list[str]) -> list[str]:
    """The gradebook row of one outcome (claims it does not have are left blank)."""
    return [
        _defuse(outcome.ident), _defuse(outcome.file), outcome.status, _defuse(outcome.reason),
        _number(outcome.score), _number(outcome.max_score),
        str(outcome.correct), str(outcome.follows), str(outcome.wrong), str(outcome.missing),
        outcome.sha256, *(outcome.verdicts.get(c, "") for c in claim_ids),
    ]


def _encode_rows(rows: list[list[str]]) -> bytes:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue().encode("utf-8")


def _cut_partial_last_line(path: Path) -> int:
    """Cut a half-written last line (a kill or a full disk mid-write) off the file; new size.

    Reads backwards from the end only as far as the last newline, so a huge file costs little.
    """
    with open(path, "r+b") as f:
        size = f.seek(0, os.SEEK_END)
        end = size
        while end > 0:
            start = max(0, end - 65536)
            f.seek(start)
            block = f.read(end - start)
            nl = block.rfind(b"\n")
            if nl >= 0:
                keep = start + nl + 1
                break
            end = start
        else:
            keep = 0
        if keep != size:
            f.truncate(keep)
            f.flush()
            os.fsync(f.fileno())
        return keep


SYNC_EVERY = 1.0  # seconds between fsyncs of a gradebook's files while a run writes them


@dataclass
class _Sink:
    """One append-only file: writes whole records (fsynced at most every SYNC_EVERY seconds), and
    undoes a partial write on error."""

    path: Path
    file: BinaryIO
    size: int
    synced: float = field(default_factory=time.monotonic)

    def append(self, data: bytes) -> None:
        try:
            self.file.write(data)
            self.file.flush()  # in the system's hands: a killed run keeps it
            if time.monotonic() - self.synced >= SYNC_EVERY:
                self.sync()
        except OSError as exc:
            try:  # leave no half record behind; resume would also cut it, this keeps it tidy now
                self.file.truncate(self.size)
                self.file.seek(self.size)
            except (OSError, ValueError):
                pass
            raise GradebookError(_write_failure(self.path, exc)) from exc
        self.size += len(data)

    def sync(self) -> None:
        os.fsync(self.file.fileno())
        self.synced = time.monotonic()


def _write_failure(path: Path, exc: OSError) -> str:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        why, fix = "the disk is full", "free some space"
    else:
        why, fix = (exc.strerror or str(exc)).lower(), "fix that (e.g. create the folder, or allow writing)"
    return (
        f"cannot write {path}: {why}. Every result written before this one is kept; {fix} "
        f"and run the same command again: it resumes where it stopped."
    )


class Gradebook:
    """An open gradebook: `done` holds the (file, sha256) pairs already recorded."""

    def __init__(self, out: Path, claim_ids: list[str], key_sha256: str,
                 csv_file: BinaryIO, journal_file: BinaryIO) -> None:
        self.out = out
        self.claim_ids = claim_ids
        self.key_sha256 = key_sha256
        self._csv = _Sink(out, csv_file, csv_file.seek(0, os.SEEK_END))
        self._journal = _Sink(journal_path(out), journal_file, journal_file.seek(0, os.SEEK_END))
        self.done: set[tuple[str, str]] = set()
        self.written = 0

    @classmethod
    def open(cls, out: Path, claim_ids: list[str], key_sha256: str,
             opener=open) -> "Gradebook":
        """Open (creating or resuming) gradebook `out` for a key with these claim columns."""
        out = Path(out)
        jpath = journal_path(out)
        want = header(claim_ids)
        fresh_csv, fresh_journal = not out.exists(), not jpath.exists()
        try:
            csv_file = opener(out, "ab")
        except OSError as exc:
            raise GradebookError(_write_failure(out, exc)) from exc
        try:
            _lock(csv_file, out)
            journal_file = opener(jpath, "ab")
        except OSError as exc:
            csv_file.close()
            raise GradebookError(_write_failure(jpath, exc)) from exc
        except GradebookError:
            csv_file.close()
            raise
        try:
            rows = None if fresh_csv else _read_csv(out, want)
            done = {(r[1], r[10]) for r in rows or []}
            lost = None if fresh_journal else _journal_lost(jpath, key_sha256, out, done)
        except GradebookError:
            csv_file.close()
            journal_file.close()
            raise
        book = cls(out, claim_ids, key_sha256, csv_file, journal_file)
        if lost is None:
            book._journal.append(_journal_header(key_sha256, claim_ids))
        if rows is None:
            book._csv.append(_encode_rows([want]))
        book.done = done
        # A kill between the journal line and its CSV row: restore the row from the journal.
        if lost:
            book._csv.append(_encode_rows([csv_row(o, claim_ids) for o in lost]))
            book.done.update((o.file, o.sha256) for o in lost)
        return book

    def append(self, outcomes: list[Outcome]) -> None:
        """Record outcomes: journal lines, then CSV rows (see SYNC_EVERY for when they reach the disk)."""
        fresh = [o for o in outcomes if (o.file, o.sha256) not in self.done]
        if not fresh:
            return
        lines = "".join(json.dumps(o.to_json(), ensure_ascii=False) + "\n" for o in fresh)
        self._journal.append(lines.encode("utf-8"))
        self._csv.append(_encode_rows([csv_row(o, self.claim_ids) for o in fresh]))
        self.done.update((o.file, o.sha256) for o in fresh)
        self.written += len(fresh)

    def close(self) -> None:
        for sink in (self._journal, self._csv):
            try:
                sink.sync()
            except (OSError, ValueError):  # a closed or failed file: what it holds is what was written
                pass
            try:
                sink.file.close()
            except OSError:
                pass


def _lock(file: BinaryIO, out: Path) -> None:
    """Hold an exclusive lock on the gradebook while grading: two runs must not both append."""
    try:
        import fcntl
    except ImportError:  # not POSIX: no advisory locks; one run at a time is then up to the user
        return
    try:
        fcntl.flock(file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise GradebookError(
            f"{out} is being written by another gradverify grade run; wait for it to finish "
            f"(or stop it), then run this command again to complete the gradebook") from None
    except (OSError, AttributeError, ValueError):  # a file system without locks
        return


def _journal_header(key_sha256: str, claim_ids: list[str]) -> bytes:
    head = {"gradverify_gradebook": JOURNAL_FORMAT, "key_sha256": key_sha256, "claims": claim_ids}
    return (json.dumps(head) + "\n").encode("utf-8")


def _read_csv(out: Path, want: list[str]) -> list[list[str]] | None:
    if _cut_partial_last_line(out) == 0:
        return None  # empty (killed before the header was complete): start it afresh
    with open(out, encoding="utf-8", errors="replace", newline="") as f:
        reader = csv.reader(f)
        first = next(reader, None)
        if first != want:
            shown = ",".join((first or [])[:14])
            raise GradebookError(
                f"{out}: this gradebook was written for a key with other claims "
                f"(header {shown}...); grade into a new --out file, or move this one away"
            )
        rows = []
        for row in reader:
            if len(row) != len(want):
                raise GradebookError(
                    f"{out}, line {reader.line_num}: {len(row)} fields where the header has "
                    f"{len(want)}; delete that line (it will be graded again) and re-run"
                )
            rows.append([row[0], _undefuse(row[1]), *row[2:11]])  # what resume needs, not verdicts
        return rows


_PREFIX = re.compile(rb'^\{"file": ("(?:[^"\\]|\\.)*"), "sha256": "([^"]*)"')


def _journal_lost(jpath: Path, key_sha256: str, out: Path,
                  done: set[tuple[str, str]]) -> list[Outcome] | None:
    """Journaled outcomes whose CSV row is missing (None: no journal yet), checking it belongs
    to this key. Lines already in the CSV are recognised from their start, not fully parsed."""
    if _cut_partial_last_line(jpath) == 0:
        return None
    lost: dict[tuple[str, str], Outcome] = {}
    with open(jpath, "rb") as f:
        try:
            recorded_key = json.loads(f.readline())["key_sha256"]
        except (ValueError, KeyError, TypeError):
            raise GradebookError(f"{jpath}, line 1: not a gradverify journal; move it away and re-run") from None
        if recorded_key != key_sha256:
            raise GradebookError(
                f"{out} was graded against a different answer key (its content changed since); "
                f"grade into a new --out file so old and new scores do not mix"
            )
        for n, line in enumerate(f, start=2):
            m = _PREFIX.match(line)
            if m and (json.loads(m.group(1)), m.group(2).decode()) in done:
                continue
            try:
                o = Outcome.from_json(json.loads(line))
            except (ValueError, TypeError):
                raise GradebookError(f"{jpath}, line {n}: unreadable record; delete that line and re-run") from None
            if (o.file, o.sha256) not in done:
                lost.setdefault((o.file, o.sha256), o)
    return list(lost.values())


def load_journal(out: Path) -> list[Outcome]:
    """Every outcome recorded for gradebook `out`, once each, in the order written."""
    return list(iter_journal(out))


def write_json(out_json: Path, outcomes: Iterable[Outcome], key: str) -> None:
    """The `--verdicts` document: every submission's full verdicts, written atomically.

    Outcomes are streamed one at a time, so a MOOC's journal is never held in memory whole.
    """
    tmp = Path(out_json).with_name(Path(out_json).name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write('{"key": ' + json.dumps(key, ensure_ascii=False) + ', "submissions": [')
        for n, o in enumerate(outcomes):
            f.write(("," if n else "") + "\n" + json.dumps(o.to_json(), ensure_ascii=False))
        f.write("\n]}\n")
    os.replace(tmp, out_json)


def iter_journal(out: Path) -> Iterator[Outcome]:
    """Every outcome journaled for gradebook `out`, once each, read one line at a time."""
    jpath = journal_path(Path(out))
    if not jpath.exists():
        return
    seen: set[tuple[str, str]] = set()
    with open(jpath, "rb") as f:
        next(f, None)  # the header line
        for raw in f:
            if not raw.endswith(b"\n"):
                break  # a half-written last line is not a result
            try:
                o = Outcome.from_json(json.loads(raw))
            except (ValueError, TypeError):
                continue
            if (o.file, o.sha256) not in seen:
                seen.add((o.file, o.sha256))
                yield o
