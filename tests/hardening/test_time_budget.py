"""A file's derivative and formula claims share one time budget (`--budget`), counted from the start
of the file and including the checking process's start-up: past it the remaining claims are
undecided with the reason, so a file of runaway claims ends instead of taking one time limit each.
No test here measures time; each asserts what the budget decides."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from gradverify.derivations.sandbox import DiskCache, Sandbox, judge_claim

ROOT = Path(__file__).resolve().parents[2]
NUMBERS_KEY = (ROOT / "reports" / "examples" / "cs7015-q3.toml").read_text(encoding="utf-8").split(
    "\n[[derivative]]", 1)[0] + "\n"
RUNAWAY = "e^{e^{e^{e^{e^{e^{e^{x}}}}}}}"


def table(claimed: str) -> str:
    return f"[[derivative]]\nof = \"tanh\"\nclaimed = '{claimed}'\n\n"


def console(*argv: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "GRADVERIFY_CACHE_DIR": "off"}
    return subprocess.run([sys.executable, "-m", "gradverify.cli", *argv], capture_output=True, text=True,
                          timeout=300, env=env)


def test_a_spent_budget_leaves_the_remaining_claims_undecided_with_the_reason(tmp_path):
    """Eight runaway claims at 60 s each would take eight minutes; a 4 s budget decides them all."""
    f = tmp_path / "runaways.toml"
    f.write_text(NUMBERS_KEY + "\n" + table(RUNAWAY) * 8, encoding="utf-8")
    proc = console("check", str(f), "--json", "--timeout", "60", "--budget", "4")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    tables = json.loads(proc.stdout)["derivatives"]
    assert [t["verdict"] for t in tables] == ["undecided"] * 8
    assert all("time budget of 4 s for the whole file (--budget)" in t["explanation"] for t in tables)


def test_claims_within_the_budget_are_judged_as_without_one(tmp_path):
    f = tmp_path / "fine.toml"
    f.write_text(NUMBERS_KEY + "\n" + table("1 - \\tanh^2(x)") + table("\\tanh(x)"), encoding="utf-8")
    proc = console("check", str(f), "--json", "--budget", "300")
    assert [t["verdict"] for t in json.loads(proc.stdout)["derivatives"]] == ["equivalent", "not equivalent"]


def test_the_checking_process_start_is_counted_in_the_budget():
    """A cold worker imports SymPy before it can answer: with 0.2 s in all, that import alone spends
    the budget, so even a claim that takes milliseconds is undecided (the per-claim time limit, by
    contrast, starts when judging starts)."""
    with Sandbox(timeout=60, disk=DiskCache("off")) as box:
        with box.budget(0.2):
            res = judge_claim("1 - tanh(x)**2", "tanh", box=box)
        assert res["verdict"] == "undecided" and res.get("budget_spent")
        assert box.proc is None, "the worker stopped at the deadline is not left running"
        assert judge_claim("1 - tanh(x)**2", "tanh", box=box)["verdict"] == "equivalent"  # budget over


def test_a_claim_asked_after_the_budget_starts_no_process():
    with Sandbox(timeout=60, disk=DiskCache("off")) as box:
        with box.budget(1.0):
            box.deadline = time.monotonic() - 1  # spent by the claims before
            res = judge_claim("1 - tanh(x)**2", "tanh", box=box)
        assert res["verdict"] == "undecided" and "used it up" in res["explanation"]
        assert box.proc is None and box.deadline is None  # nothing started; the budget ended with its block


def test_claim_command_budget_counts_for_the_whole_command(tmp_path):
    f = tmp_path / "claims.toml"
    f.write_text(table(RUNAWAY) * 5, encoding="utf-8")
    proc = console("claim", "--file", str(f), "--timeout", "60", "--budget", "3", "--json")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    got = json.loads(proc.stdout)["derivative"]
    assert [r["verdict"] for r in got] == ["undecided"] * 5
    assert all("time budget of 3 s for the whole file" in r["explanation"] for r in got)


def test_a_graded_submission_with_a_runaway_claim_is_graded_within_its_budget(tmp_path):
    """The default budget is two thirds of --timeout: the runaway claim is undecided and the
    submission graded, instead of the whole submission being stopped as 'timeout'."""
    key = tmp_path / "key.toml"
    key.write_text(NUMBERS_KEY + "\n" + table("1 - \\tanh^2(x)"), encoding="utf-8")
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "runaway.toml").write_text(NUMBERS_KEY + "\n" + table(RUNAWAY), encoding="utf-8")
    (subs / "right.toml").write_text(NUMBERS_KEY + "\n" + table("1 - \\tanh(x)^2"), encoding="utf-8")
    book = tmp_path / "book.csv"
    proc = console("grade", str(subs), "--key", str(key), "--out", str(book), "--jobs", "1", "--timeout", "24")
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    with book.open(newline="", encoding="utf-8") as fh:
        rows = {Path(r["file"]).name: r for r in csv.DictReader(fh)}
    assert rows["runaway.toml"]["status"] == "graded" and rows["runaway.toml"]["derivative1"] == "undecided"
    assert rows["right.toml"]["derivative1"] == "correct"
