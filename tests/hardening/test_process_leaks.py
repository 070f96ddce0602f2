"""No process started by gradverify outlives the command that started it, however the command ends:
normally, by SIGTERM, SIGINT or SIGKILL mid-proof, or when grading stops a submission at its time
limit. Every process a command starts inherits a marker in its environment; after the command ends
/proc must hold none with that marker. (Linux: /proc and the kernel's parent-death signal.)"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs Linux /proc")

ROOT = Path(__file__).resolve().parents[2]
KEY_TEXT = (ROOT / "reports" / "examples" / "cs7015-q3.toml").read_text(encoding="utf-8")
NUMBERS_KEY = KEY_TEXT.split("\n[[derivative]]", 1)[0] + "\n"
RUNAWAY = "e^{e^{e^{e^{e^{e^{e^{x}}}}}}}"  # SymPy simplifies it for minutes
RUNAWAY_TABLE = f"[[derivative]]\nof = \"tanh\"\nclaimed = '{RUNAWAY}'\n"
HANG_GUARD = 120.0  # seconds: only to end a test that would otherwise hang, never asserted


def marked(tag: str) -> list[int]:
    """Live processes (not zombies) whose environment holds GV_LEAK_PROBE=tag."""
    needle = f"GV_LEAK_PROBE={tag}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if needle in (entry / "environ").read_bytes().split(b"\0"):
                found.append(int(entry.name))
        except OSError:  # gone meanwhile, or not ours
            continue
    return found


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def proof_worker(tag: str) -> int | None:
    for pid in marked(tag):
        try:
            if b"gradverify.derivations.sandbox" in Path(f"/proc/{pid}/cmdline").read_bytes():
                return pid
        except OSError:
            continue
    return None


def wait_until(condition, what: str) -> object:
    end = time.monotonic() + HANG_GUARD
    while time.monotonic() < end:
        got = condition()
        if got:
            return got
        time.sleep(0.1)
    pytest.fail(f"gave up waiting for {what}")


def start(tag: str, *argv: str, path: str | None = None) -> subprocess.Popen:
    env = {**os.environ, "GV_LEAK_PROBE": tag, "GRADVERIFY_CACHE_DIR": "off", **({"PATH": path} if path else {})}
    env.pop("GRADVERIFY_DEBUG", None)
    return subprocess.Popen([sys.executable, "-m", "gradverify.cli", *argv], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def mid_proof(tag: str) -> int:
    """The proof worker's pid once it has imported SymPy and is judging (3 s of its own CPU)."""
    def judging() -> int | None:
        pid = proof_worker(tag)
        try:
            return pid if pid and cpu_seconds(pid) >= 3.0 else None
        except OSError:
            return None

    return int(wait_until(judging, "the proof worker to be judging"))  # type: ignore[arg-type]


def ended(proc: subprocess.Popen) -> tuple[int, str]:
    _, err = proc.communicate(timeout=HANG_GUARD)
    return proc.returncode, err.decode("utf-8", "replace")


@pytest.fixture
def tag():
    t = uuid.uuid4().hex
    yield t
    for pid in marked(t):  # never leave a leak of a failed test behind
        os.kill(pid, signal.SIGKILL)


@pytest.mark.parametrize("signum, status", [(signal.SIGTERM, -signal.SIGTERM), (signal.SIGINT, 130),
                                            (signal.SIGHUP, -signal.SIGHUP)])
def test_claim_stopped_by_a_signal_mid_proof_leaves_no_process(tag, signum, status):
    proc = start(tag, "claim", RUNAWAY, "--of", "tanh", "--timeout", "300", "--budget", "300")
    mid_proof(tag)
    proc.send_signal(signum)
    code, err = ended(proc)
    assert code == status and "Traceback" not in err, err
    assert marked(tag) == [], "a process outlived `gradverify claim`"


def test_claim_killed_outright_takes_its_worker_with_it(tag):
    """SIGKILL runs no handler: the kernel's parent-death signal (and the worker's own watch of its
    parent) end the worker."""
    proc = start(tag, "claim", RUNAWAY, "--of", "tanh", "--timeout", "300", "--budget", "300")
    worker = mid_proof(tag)
    proc.kill()
    ended(proc)
    wait_until(lambda: not marked(tag), "the orphaned worker to end")
    assert not Path(f"/proc/{worker}/environ").exists() or worker not in marked(tag)


def test_check_stopped_by_sigterm_mid_proof_leaves_no_process(tag, tmp_path):
    f = tmp_path / "runaway.toml"
    f.write_text(NUMBERS_KEY + "\n" + RUNAWAY_TABLE, encoding="utf-8")
    proc = start(tag, "check", str(f), "--timeout", "300", "--budget", "300")
    mid_proof(tag)
    proc.terminate()
    code, err = ended(proc)
    assert code == -signal.SIGTERM and "Traceback" not in err
    assert marked(tag) == []


def test_commands_ending_normally_leave_no_process(tag, tmp_path):
    f = tmp_path / "tables.toml"
    f.write_text(NUMBERS_KEY + "\n[[derivative]]\nof = \"tanh\"\nclaimed = \"1 - tanh(x)^2\"\n", encoding="utf-8")
    subs = tmp_path / "subs"
    subs.mkdir()
    for k in range(3):
        (subs / f"s{k}.toml").write_text(KEY_TEXT, encoding="utf-8")
    for argv in (["claim", "1 - tanh(x)^2", "--of", "tanh"], ["claim", RUNAWAY, "--of", "tanh", "--timeout", "1"],
                 ["check", str(f)], ["claim", "--seed", "002"],
                 ["grade", str(subs), "--key", str(tmp_path / "tables.toml"), "--out", str(tmp_path / "b.csv")]):
        code, err = ended(start(tag, *argv))
        assert code in (0, 1) and "Traceback" not in err, (argv, err[-500:])
        assert marked(tag) == [], f"a process outlived {' '.join(argv[:1])}"


def _class_with_a_runaway(tmp_path: Path) -> tuple[Path, Path]:
    key = tmp_path / "key.toml"
    key.write_text(NUMBERS_KEY, encoding="utf-8")
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "a-runaway.toml").write_text(NUMBERS_KEY + "\n" + RUNAWAY_TABLE, encoding="utf-8")
    for k in range(4):
        (subs / f"s{k}.toml").write_text(NUMBERS_KEY, encoding="utf-8")
    return key, subs


def test_a_submission_stopped_at_its_time_limit_takes_its_proof_worker_with_it(tag, tmp_path):
    """The grading worker is killed at --timeout (its budget set beyond it), mid-proof: the proof
    worker it started must die with it, and the run goes on."""
    key, subs = _class_with_a_runaway(tmp_path)
    book = tmp_path / "book.csv"
    proc = start(tag, "grade", str(subs), "--key", str(key), "--out", str(book), "--jobs", "1",
                 "--timeout", "8", "--budget", "300")
    code, err = ended(proc)
    assert code == 1 and "Traceback" not in err, err[-800:]
    rows = book.read_text(encoding="utf-8")
    assert "a-runaway.toml,timeout," in rows and rows.count(",graded,") == 4
    assert marked(tag) == []


def test_grade_stopped_by_sigterm_mid_proof_leaves_no_process(tag, tmp_path):
    key, subs = _class_with_a_runaway(tmp_path)
    proc = start(tag, "grade", str(subs), "--key", str(key), "--out", str(tmp_path / "b.csv"), "--jobs", "2",
                 "--timeout", "300", "--budget", "300")
    mid_proof(tag)
    proc.terminate()
    ended(proc)
    wait_until(lambda: not marked(tag), "the grading workers to end")  # they die with their parent
    assert marked(tag) == []


def test_check_stopped_while_pdflatex_runs_leaves_no_pdflatex(tag, tmp_path):
    """A pdflatex that would run for ten minutes (a stand-in on PATH that sleeps): `check --pdf`
    stopped meanwhile must take it along."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "pdflatex"
    fake.write_text("#!/bin/sh\nexec sleep 600\n")
    fake.chmod(0o755)
    f = tmp_path / "numbers.toml"
    f.write_text(NUMBERS_KEY, encoding="utf-8")
    proc = start(tag, "check", str(f), "--pdf", str(tmp_path / "out.pdf"),
                 path=f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")

    def compiling() -> int | None:
        for pid in marked(tag):
            try:
                if Path(f"/proc/{pid}/cmdline").read_bytes().startswith(b"sleep"):
                    return pid
            except OSError:
                continue
        return None

    wait_until(compiling, "the stand-in pdflatex to start")
    proc.terminate()
    ended(proc)
    wait_until(lambda: not marked(tag), "the stand-in pdflatex to end with its parent")
    assert marked(tag) == []
