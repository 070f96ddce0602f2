"""The dask executor on a local loopback cluster: same outcomes, time limits and gradebook as locally."""

from __future__ import annotations

import csv
import sys
import time
from pathlib import Path

import pytest

distributed = pytest.importorskip("distributed")

from gradverify.grade.dask_executor import DaskExecutor  # noqa: E402
from gradverify.grade.outcome import Outcome, Task  # noqa: E402
from gradverify.grade.run import KeyInfo, discover, grade  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
from submissions import steps_text  # noqa: E402


def echo_factory():
    """Stand-in grader: 'ok N' scores N, 'sleep S' hangs S seconds, 'raise' is a bug."""

    def grade_one(task: Task) -> Outcome:
        word, _, arg = task.data.decode().partition(" ")
        if word == "sleep":
            time.sleep(float(arg))
        if word == "raise":
            raise RuntimeError("scripted")
        return Outcome(task.file, task.sha256, task.file, "graded", score=float(arg or 0), max_score=9)

    return grade_one


@pytest.fixture(scope="module")
def cluster():
    # processes=False: scheduler and worker live in this process, talking in memory (no network).
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  dashboard_address=None) as c:
        yield c


def test_dask_grades_each_submission_once_and_kills_a_hang(cluster, tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    for i in range(25):
        (subs / f"s{i:02d}.toml").write_text(f"ok {i % 5}")
    (subs / "hang.toml").write_text("sleep 60")
    (subs / "bug.toml").write_text("raise")
    key = KeyInfo("key.toml", "k" * 64, [], 9.0)
    ex = DaskExecutor(echo_factory, (), cluster.scheduler_address, timeout=1.5, chunk=4)
    summary = grade(discover([subs]), key, tmp_path / "book.csv", ex)
    rows = {r["file"]: r for r in csv.DictReader(open(tmp_path / "book.csv"))}
    assert len(rows) == 27 and summary.by_status == {"graded": 25, "timeout": 1, "crashed": 1}
    assert rows[str(subs / "hang.toml")]["status"] == "timeout"
    assert "RuntimeError: scripted" in rows[str(subs / "bug.toml")]["reason"]
    assert all(rows[str(subs / f"s{i:02d}.toml")]["score"] == str(i % 5) for i in range(25))
    again = grade(discover([subs]), key, tmp_path / "book.csv", ex)  # resume: nothing left
    assert again.skipped == 27 and not again.by_status


def test_dask_worker_in_its_own_process_on_loopback_with_the_real_judge(tmp_path):
    """A real worker process (daemonic, as dask starts them) grades seed 001 submissions."""
    from importlib import resources

    from gradverify.grade.grader import load_key, make_grader

    key_path = Path(str(resources.files("gradverify") / "examples" / "cs7015-q3.toml"))
    key = load_key(key_path)
    steps = steps_text(key.text)
    subs = tmp_path / "subs"
    subs.mkdir()
    for i in range(5):
        (subs / f"s{i}.toml").write_text(f'student = "s{i}"\n' + steps.replace('"0.1903"', f'"0.19{i}"'))
    (subs / "broken.toml").write_text("[[step]]\nloss = 0.2\n")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address="127.0.0.1:0", worker_dashboard_address="127.0.0.1:0") as c:
        ex = DaskExecutor(make_grader, (str(key_path), key.text, key.claim_ids), c.scheduler_address,
                          timeout=60, chunk=2)
        summary = grade(discover([subs]), key.info, tmp_path / "b.csv", ex)
        assert c.scheduler_address.startswith("tcp://127.0.0.1:")
    assert summary.by_status == {"graded": 5, "malformed": 1}
    rows = {r["id"]: r for r in csv.DictReader(open(tmp_path / "b.csv"))}
    assert all(rows[f"s{i}"]["step1.delta3[1]"] == "wrong" and rows[f"s{i}"]["step1.z2[1]"] == "correct"
               for i in range(5))


def test_cli_dask_executor_writes_the_same_gradebook_as_the_process_pool(cluster, tmp_path, capsys):
    from importlib import resources

    from gradverify.cli import main

    key = str(resources.files("gradverify") / "examples" / "cs7015-q3.toml")
    subs = tmp_path / "subs"
    subs.mkdir()
    steps = steps_text(open(key).read())
    for i in range(4):
        (subs / f"s{i}.toml").write_text(f'student = "s{i}"\n' + steps.replace('"0.1903"', f'"0.19{i}"'))
    common = ["grade", str(subs), "--key", key, "--timeout", "60"]
    assert main([*common, "--out", str(tmp_path / "d.csv"), "--executor", "dask",
                 "--scheduler", cluster.scheduler_address, "--chunk", "3"]) == 0, capsys.readouterr().err
    assert main([*common, "--out", str(tmp_path / "p.csv"), "--jobs", "2"]) == 0
    def table(name):
        rows = csv.DictReader(open(tmp_path / name))
        return sorted((r["id"], r["score"], r["step2.loss"], r["step1.delta3[1]"]) for r in rows)
    assert table("d.csv") == table("p.csv") and len(table("d.csv")) == 4
