"""`gradverify grade` with the real judge: seed 001's hand numbers, planted mistakes, faults.

Truth comes from outside the grader: the lead's verdicts for seed 001 Q3 (two wrong claims: delta3
by the 1/2 convention, b_1^2 a typo), and planted, which plants one mistake of a known
kind at a known claim of an engine-built example.
"""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import time
from importlib import resources
from pathlib import Path

import pytest

from gradverify.cli import main
from gradverify.grade.grader import load_key, make_grader
from gradverify.grade.outcome import Task
from gradverify.grade.pool import GradingPool
from gradverify.grade.run import discover, grade

sys.path.insert(0, str(Path(__file__).parent))
from submissions import claims_only  # noqa: E402

SEED_KEY = Path(str(resources.files("gradverify") / "examples" / "cs7015-q3.toml"))
ROOT = Path(__file__).resolve().parents[2]


def _rows(path: Path) -> list[dict]:
    return list(csv.DictReader(io.StringIO(path.read_text())))


def numbers_only(text: str) -> str:
    """A worked example's text without its [[derivative]]/[[formula]] tables: the numbers' problem."""
    out, keep = [], True
    for line in text.splitlines(keepends=True):
        if line.startswith("["):
            keep = not line.startswith(("[[derivative]]", "[[formula]]"))
        if keep:
            out.append(line)
    return "".join(out)


def _key_with_grading(tmp_path: Path) -> Path:
    text = numbers_only(SEED_KEY.read_text())
    key = tmp_path / "key.toml"
    key.write_text(text + "\n[grading]\npoints = 1\nfollows = 0.5\nconvention = 0.5\n")
    return key


def test_seed001_hand_numbers_get_the_leads_verdicts_and_score(tmp_path, capsys):
    key = _key_with_grading(tmp_path)
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "hand.toml").write_text(claims_only(SEED_KEY.read_text(), "Moulshaw"))
    code = main(["grade", str(subs), "--key", str(key), "--out", str(tmp_path / "book.csv"),
                 "--verdicts", str(tmp_path / "v.json"), "--jobs", "1"])
    err = capsys.readouterr().err
    assert code == 0, err
    assert "key claim step1.delta3[1] = -0.117 is judged wrong" in err  # the key's own slips, warned
    [row] = _rows(tmp_path / "book.csv")
    assert row["id"] == "Moulshaw" and row["status"] == "graded"
    correct = {"step1.z2[1]", "step1.z2[2]", "step1.a2[1]", "step1.a2[2]", "step1.z3[1]", "step1.a3[1]",
               "step1.act_prime2[1]", "step1.act_prime2[2]"}
    wrong = {"step1.delta3[1]", "step2.b2[1]"}
    claims = [c for c in row if c.startswith("step")]
    assert len(claims) == 43
    for c in claims:
        assert row[c] == ("correct" if c in correct else "wrong" if c in wrong else "follows"), c
    # 8 correct + 33 follows x 0.5 + delta3 (1/2 convention) x 0.5 + the typo 0
    assert (row["score"], row["max_score"]) == ("25", "43")
    assert (row["correct"], row["follows"], row["wrong"], row["missing"]) == ("8", "33", "2", "0")
    doc = json.loads((tmp_path / "v.json").read_text())
    [sub] = doc["submissions"]
    assert sub["result"]["summary"] == {"correct": 8, "follows": 33, "wrong": 2}
    assert {"step", "quantity", "layer", "index", "claimed", "exact", "from_claims", "verdict",
            "diagnosis"} <= set(sub["result"]["claims"][0])


def hanging_factory(key_path: str, key_text: str):
    """The real grader, except that a file named hang*.toml never finishes."""
    real = make_grader(key_path, key_text)

    def grade_one(task: Task):
        if Path(task.file).name.startswith("hang"):
            time.sleep(3600)
        return real(task)

    return grade_one


def test_a_class_of_planted_mistakes_malformed_files_and_a_hang(tmp_path):
    mistakes = pytest.importorskip("planted")
    base = mistakes.plant(3, None, "seed001")
    key = tmp_path / "key.toml"
    key.write_text(base.text)
    subs = tmp_path / "subs"
    subs.mkdir()
    planted = {}
    for kind in ("half_convention", "sign", "learning_rate", "wrong_point", "typo_dropped", "typo_swapped"):
        p = mistakes.plant(3, kind, "seed001")
        (subs / f"{kind}.toml").write_text(p.text)
        planted[f"{kind}.toml"] = f"step{p.claim[0]}.{p.claim[1]}"
    (subs / "perfect.toml").write_text(claims_only(base.text, "Perfect Student"))
    (subs / "syntax.toml").write_text('[[step]]\nz2 = ["0.1"\n')
    (subs / "unquoted.toml").write_text("[[step]]\nloss = 0.0211563\n")
    (subs / "unknown.toml").write_text('[[step]]\nlos = "0.0211563"\n')
    (subs / "hang.toml").write_text(claims_only(base.text, "Hangs"))
    k = load_key(key)
    pool = GradingPool(hanging_factory, (str(key), k.text), jobs=2, timeout=5)
    summary = grade(discover([subs]), k.info, tmp_path / "book.csv", pool)
    rows = {Path(r["file"]).name: r for r in _rows(tmp_path / "book.csv")}
    assert len(rows) == 11 and summary.by_status == {"graded": 7, "malformed": 3, "timeout": 1}
    perfect = rows["perfect.toml"]  # printed to 6 digits: some claims follow from rounded ones
    assert (perfect["wrong"], perfect["missing"], perfect["max_score"]) == ("0", "0", str(len(k.claim_ids)))
    for name, claim in planted.items():
        row = rows[name]
        wrong = [c for c in k.claim_ids if row[c] == "wrong"]
        assert wrong == [claim], name  # exactly the planted claim, nothing else
        assert row["missing"] == "0" and all(row[c] in ("correct", "follows", "wrong") for c in k.claim_ids)
    assert "syntax.toml: TOML syntax error" in rows["syntax.toml"]["reason"]
    assert "quote" in rows["unquoted.toml"]["reason"] and "line 2" in rows["unquoted.toml"]["reason"]
    assert "los" in rows["unknown.toml"]["reason"] and "loss" in rows["unknown.toml"]["reason"]
    assert rows["hang.toml"]["status"] == "timeout" and rows["hang.toml"]["id"] == "Hangs"


def _env() -> dict:
    return {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}


def _class(tmp_path: Path, n: int) -> Path:
    subs = tmp_path / "subs"
    subs.mkdir()
    text = SEED_KEY.read_text()
    for i in range(n):  # distinct claims, so every one is really judged
        body = claims_only(text, f"s{i:03d}").replace('loss = "0.1903"', f'loss = "0.{1900 + i}"')
        (subs / f"s{i:03d}.toml").write_text(body)
    return subs


def _cli(subs: Path, out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "gradverify", "grade", str(subs), "--key", str(SEED_KEY),
            "--out", str(out), "--jobs", "2", *extra]


def test_killed_run_resumes_with_nothing_lost_or_duplicated(tmp_path):
    subs, out = _class(tmp_path, 40), tmp_path / "book.csv"
    proc = subprocess.Popen(_cli(subs, out), env=_env(), stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and (not out.exists() or out.read_text().count("\n") < 6):
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    before = _rows(out)
    assert 5 <= len(before) < 40, "killed midway"
    done = subprocess.run(_cli(subs, out), env=_env(), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    skipped = int(done.stderr.rsplit("; ", 1)[1].split()[0])
    # the journal may hold one more batch than the CSV (killed between the two): restored, not regraded
    assert "already recorded, skipped" in done.stderr and skipped >= len(before)
    rows = _rows(out)
    assert rows[: len(before)] == before
    assert sorted(r["id"] for r in rows) == [f"s{i:03d}" for i in range(40)]
    assert all(r["status"] == "graded" for r in rows)


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc")
def test_worker_killed_from_outside_mid_run_loses_nothing(tmp_path):
    subs, out = _class(tmp_path, 30), tmp_path / "book.csv"
    proc = subprocess.Popen(_cli(subs, out, "--progress"), env=_env(), stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and (not out.exists() or out.read_text().count("\n") < 3):
        time.sleep(0.05)
    victims = _children(proc.pid)
    assert victims, "the grading workers are child processes"
    os.kill(victims[0], signal.SIGKILL)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    rows = _rows(out)
    assert sorted(r["id"] for r in rows) == [f"s{i:03d}" for i in range(30)]
    assert all(r["status"] == "graded" for r in rows)
    assert "graded 30/30" in err  # --progress: count, rate and time left on stderr


def test_exit_statuses_and_messages(tmp_path, capsys):
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "ok.toml").write_text(claims_only(SEED_KEY.read_text(), "ok"))
    (subs / "bad.toml").write_text("[[step]]\nloss = 0.2304\n")
    out = tmp_path / "book.csv"
    assert main(["grade", str(subs), "--key", str(SEED_KEY), "--out", str(out), "--jobs", "1"]) == 1
    assert "recorded 2 submissions" in capsys.readouterr().err
    assert main(["grade", str(subs), "--key", str(SEED_KEY), "--out", str(out), "--jobs", "1"]) == 0
    assert "2 already recorded, skipped" in capsys.readouterr().err
    bad_key = tmp_path / "k.toml"
    bad_key.write_text(SEED_KEY.read_text() + "\n[grading]\npoint = 2\n")
    assert main(["grade", str(subs), "--key", str(bad_key), "--out", str(tmp_path / "b2.csv")]) == 2
    err = capsys.readouterr().err
    assert "k.toml, line" in err and "did you mean 'points'" in err and "Traceback" not in err
    changed = tmp_path / "k2.toml"
    changed.write_text(SEED_KEY.read_text().replace("learning_rate = 1", "learning_rate = 0.5"))
    assert main(["grade", str(subs), "--key", str(changed), "--out", str(out)]) == 2
    assert "different answer key" in capsys.readouterr().err


def test_seed001_derivative_claims_are_graded_with_the_real_judge(tmp_path, capsys):
    text = SEED_KEY.read_text()
    if "[[derivative]]" not in text:
        pytest.skip("the bundled seed-001 example states no [[derivative]] claims")
    subs = tmp_path / "subs"
    subs.mkdir()
    hand = text[text.index("[[step]]"):]  # the hand's numbers and its derivatives of the sigmoid
    (subs / "hand.toml").write_text('student = "hand"\n' + hand)
    slip = hand.replace(r"\sigma(x)(1-\sigma(x))", r"\sigma(x)(1+\sigma(x))")
    (subs / "slip.toml").write_text('student = "slip"\n' + slip)
    assert main(["grade", str(subs), "--key", str(SEED_KEY), "--out", str(tmp_path / "b.csv"),
                 "--jobs", "1"]) == 0, capsys.readouterr().err
    rows = {r["id"]: r for r in _rows(tmp_path / "b.csv")}
    tables = [c for c in rows["hand"] if c.startswith("derivative")]
    assert tables and all(rows["hand"][c] == "correct" for c in tables)
    assert slip != hand and any(rows["slip"][c] != "correct" for c in tables)
    assert float(rows["slip"]["score"]) < float(rows["hand"]["score"])
