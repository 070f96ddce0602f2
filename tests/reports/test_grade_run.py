"""A whole grading run under faults: killed coordinator, full disk, hangs, crashes, unreadable files.

The grader is a stand-in (a one-word script per submission) so these tests are about the run's
bookkeeping; the real judge's grading is tested in test_grade_cli.py.
"""

from __future__ import annotations

import csv
import errno
import io
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from gradverify.grade.gradebook import GradebookError
from gradverify.grade.outcome import Outcome, Task
from gradverify.grade.pool import GradingPool
from gradverify.grade.run import KeyInfo, Progress, discover, grade

KEY = KeyInfo("key.toml", "k" * 64, ["q1"], 1.0)


def script_factory():
    def grade_one(task: Task) -> Outcome:
        word, _, arg = task.data.decode().partition(" ")
        if word == "sleep":
            time.sleep(float(arg))
        if word == "raise":
            raise ValueError("scripted bug")
        return Outcome(task.file, task.sha256, Path(task.file).stem, "graded", score=1.0, max_score=1.0,
                       correct=1, verdicts={"q1": "correct"})

    return grade_one


def _rows(path: Path) -> list[dict]:
    return list(csv.DictReader(io.StringIO(path.read_text())))


def _folder(tmp_path: Path, bodies: dict[str, str]) -> Path:
    subs = tmp_path / "subs"
    for name, body in bodies.items():
        (subs / name).parent.mkdir(parents=True, exist_ok=True)
        (subs / name).write_text(body)
    return subs


def test_discover_recurses_sorts_dedupes_and_skips_the_key(tmp_path):
    subs = _folder(tmp_path, {"b.toml": "", "a/c.toml": "", "a/notes.txt": "", "key.toml": ""})
    got = discover([subs, subs / "b.toml"], exclude=[subs / "key.toml"])
    assert [p.relative_to(subs).as_posix() for p in got] == ["a/c.toml", "b.toml"]


def test_mixed_class_every_file_recorded_once_with_its_status(tmp_path):
    subs = _folder(tmp_path, {f"ok{i}.toml": "ok" for i in range(6)}
                   | {"hang.toml": "sleep 60", "bug.toml": "raise", "dir.toml/x.toml": "ok"})
    (subs / "locked.toml").write_text("ok")
    os.chmod(subs / "locked.toml", 0)
    files = discover([subs]) + [subs / "missing.toml"]
    pool = GradingPool(script_factory, jobs=2, timeout=1.0)
    summary = grade(files, KEY, tmp_path / "book.csv", pool)
    rows = {r["file"]: r for r in _rows(tmp_path / "book.csv")}
    assert len(rows) == len(files)
    status = {Path(f).name: r["status"] for f, r in rows.items()}
    assert status["hang.toml"] == "timeout" and status["bug.toml"] == "crashed"
    assert status["missing.toml"] == "malformed" and "cannot read" in rows[str(subs / "missing.toml")]["reason"]
    if os.geteuid() != 0:  # root reads anything
        assert status["locked.toml"] == "malformed"
    assert all(status[f"ok{i}.toml"] == "graded" for i in range(6))
    assert rows[str(subs / "hang.toml")]["max_score"] == "1"  # ungraded rows still show the maximum
    assert summary.failed == 3 + (os.geteuid() != 0)


def test_full_disk_mid_run_then_resume_completes(tmp_path):
    subs = _folder(tmp_path, {f"s{i:02d}.toml": "ok" for i in range(30)})
    state = {"room": 2500}

    class FullDisk(io.FileIO):
        def write(self, data):
            if str(self.name).endswith(".csv") and len(data) > state["room"]:
                super().write(data[: max(state["room"], 0)])
                state["room"] = 0
                raise OSError(errno.ENOSPC, "No space left on device")
            if str(self.name).endswith(".csv"):
                state["room"] -= len(data)
            return super().write(data)

    pool = GradingPool(script_factory, jobs=2)
    with pytest.raises(GradebookError, match="disk is full"):
        grade(discover([subs]), KEY, tmp_path / "book.csv", pool, opener=FullDisk)
    first = _rows(tmp_path / "book.csv")
    assert 0 < len(first) < 30
    summary = grade(discover([subs]), KEY, tmp_path / "book.csv", GradingPool(script_factory, jobs=2))
    rows = _rows(tmp_path / "book.csv")
    assert rows[: len(first)] == first  # nothing written before the failure changed
    assert sorted(r["id"] for r in rows) == [f"s{i:02d}" for i in range(30)]
    assert summary.skipped >= len(first)


RUNNER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from gradverify.grade.outcome import Outcome
    from gradverify.grade.pool import GradingPool
    from gradverify.grade.run import KeyInfo, discover, grade

    def factory():
        def g(task):
            time.sleep(0.02)
            return Outcome(task.file, task.sha256, Path(task.file).stem, "graded", score=1, max_score=1)
        return g

    grade(discover([sys.argv[1]]), KeyInfo("key.toml", "k" * 64, ["q1"], 1.0), Path(sys.argv[2]),
          GradingPool(factory, jobs=2, timeout=5))
""")


def test_coordinator_killed_midway_then_rerun_loses_and_duplicates_nothing(tmp_path):
    subs = _folder(tmp_path, {f"s{i:03d}.toml": "ok" for i in range(150)})
    (tmp_path / "runner.py").write_text(RUNNER)
    out = tmp_path / "book.csv"
    env = {**os.environ, "PYTHONPATH": os.getcwd() + os.pathsep + os.environ.get("PYTHONPATH", "")}
    proc = subprocess.Popen([sys.executable, str(tmp_path / "runner.py"), str(subs), str(out)], env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (not out.exists() or out.read_text().count("\n") < 20):
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    before = _rows(out)
    assert 19 <= len(before) < 150, "killed midway"
    subprocess.run([sys.executable, str(tmp_path / "runner.py"), str(subs), str(out)], env=env,
                   check=True, timeout=120)
    rows = _rows(out)
    assert rows[: len(before)] == before
    assert sorted(r["id"] for r in rows) == [f"s{i:03d}" for i in range(150)]


def test_progress_line_has_count_rate_and_time_left():
    buf = io.StringIO()
    p = Progress(10, stream=buf, enabled=True)
    p.start -= 2.0
    p.done = 4
    assert p.line() .startswith("graded 4/10  2.0/s  about 3 s left")
    p.finish()
    assert "graded 4/10" in buf.getvalue()


def test_oversized_file_is_recorded_without_being_read_and_skips_count_in_progress(tmp_path, monkeypatch):
    import gradverify.grade.run as run_mod

    monkeypatch.setattr(run_mod, "MAX_BYTES", 100)
    subs = _folder(tmp_path, {"big.toml": "ok " + "9" * 200, "small.toml": "ok"})
    book = tmp_path / "book.csv"
    grade(discover([subs]), KEY, book, GradingPool(script_factory, jobs=1))
    rows = {Path(r["file"]).name: r for r in _rows(book)}
    assert rows["big.toml"]["status"] == "malformed" and "203 bytes" in rows["big.toml"]["reason"]
    progress = Progress(2, stream=io.StringIO(), enabled=False)
    again = grade(discover([subs]), KEY, book, GradingPool(script_factory, jobs=1), progress=progress)
    assert again.skipped == 2 and progress.done == 2 and len(_rows(book)) == 2
