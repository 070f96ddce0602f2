"""Throughput of `gradverify grade` on the bundled 3-2-1 example (seed 001, CS 7015 Q3).

Writes N claims-only submissions (the key's own claims, most with one digit changed, as students
would), grades them with the default executor into a fresh gradebook, and prints submissions per
second against the 200/s target, with the judge's own time per submission for comparison (what
is left is the pool's overhead). Run: python bench/bench_grade.py [--n 2000] [--jobs N]
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
import tomllib
from importlib import resources
from pathlib import Path

TARGET = 200.0  # submissions per second on a 2-core machine


def _key_path() -> Path:
    return Path(str(resources.files("gradverify") / "examples" / "cs7015-q3.toml"))


def _toml_value(v) -> str:
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return repr(v)


def _tweak(text: str, rng: random.Random) -> str:
    """Change one digit of a claim's printed text (a typo or a slip)."""
    digits = [i for i, ch in enumerate(text) if ch.isdigit()]
    if not digits:
        return text
    i = rng.choice(digits)
    return text[:i] + str((int(text[i]) + rng.randint(1, 9)) % 10) + text[i + 1:]


def _claims_only(steps: list[dict], student: str, rng: random.Random, slips: int) -> str:
    steps = [dict(s) for s in steps]
    for _ in range(slips):
        s = rng.choice(steps)
        k = rng.choice(list(s))
        v = s[k]
        if isinstance(v, str):
            s[k] = _tweak(v, rng)
        elif isinstance(v, list) and v and all(isinstance(x, str) for x in v):
            j = rng.randrange(len(v))
            s[k] = v[:j] + [_tweak(v[j], rng)] + v[j + 1:]
    lines = [f'student = "{student}"', ""]
    for s in steps:
        lines.append("[[step]]")
        lines += [f"{_toml_value(k) if not k.isidentifier() else k} = {_toml_value(v)}" for k, v in s.items()]
        lines.append("")
    return "\n".join(lines)


def null_factory():
    """A grader that judges nothing: what is left is the executor's own cost per submission."""
    from gradverify.grade.outcome import Outcome

    def grade_one(task):
        return Outcome(task.file, task.sha256, "x", "graded", score=1.0, max_score=1.0)

    return grade_one


def _write_class(folder: Path, steps: list[dict], n: int, duplicates: bool, seed: int) -> None:
    rng = random.Random(seed)
    folder.mkdir()
    for i in range(n):
        # duplicates: a quarter hand in the key's numbers unchanged (as real classes do);
        # otherwise every submission differs, so each one is really judged.
        slips = 0 if duplicates and i % 4 == 0 else rng.randint(1, 2)
        text = _claims_only(steps, f"student {i}", rng, slips)
        if not duplicates:  # the final loss written with a student-specific last digits
            text = text.replace('loss = "0.1903"', f'loss = "0.1903{i:05d}"')
        (folder / f"s{i:05d}.toml").write_text(text)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=1000, help="submissions per run (default 1000)")
    ap.add_argument("--jobs", type=int, default=None, help="workers (default: cores)")
    args = ap.parse_args()

    from gradverify.grade.grader import load_key, make_grader
    from gradverify.grade.outcome import Task
    from gradverify.grade.pool import GradingPool
    from gradverify.grade.run import discover, grade

    key_path = _key_path()
    key = load_key(key_path)
    steps = tomllib.loads(key.text)["step"]
    print(f"gradverify grade, 3-2-1 example (seed 001 Q3, {len(key.claim_ids)} claims), "
          f"{args.n} claims-only submissions per run; cores {os.cpu_count()}, "
          f"load average {os.getloadavg()[0]:.1f}")
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        distinct, mixed = Path(tmp) / "distinct", Path(tmp) / "mixed"
        _write_class(distinct, steps, args.n, duplicates=False, seed=7)
        _write_class(mixed, steps, args.n, duplicates=True, seed=8)

        grader = make_grader(str(key_path), key.text)  # the judge alone, in this process
        sample = [Task.read(f) for f in discover([distinct])[:100]]
        grader(sample[0])
        t0 = time.perf_counter()
        graded = sum(grader(t).status == "graded" for t in sample[1:])
        judge_s = (time.perf_counter() - t0) / (len(sample) - 1)
        print(f"  judge alone, one process: {judge_s * 1e3:.1f} ms/submission = {1 / judge_s:.0f}/s "
              f"({graded}/{len(sample) - 1} graded)")

        for label, folder, factory, fargs in (
            ("executor only (null grader)", distinct, null_factory, ()),
            ("all distinct claims", distinct, make_grader, (str(key_path), key.text, key.claim_ids)),
            ("a class, 1/4 identical", mixed, make_grader, (str(key_path), key.text, key.claim_ids)),
        ):
            pool = GradingPool(factory, fargs, jobs=args.jobs)
            files = discover([folder])
            t0 = time.perf_counter()
            summary = grade(files, key.info, Path(tmp) / f"{label[:3]}.csv", pool)
            wall = time.perf_counter() - t0
            rate = len(files) / wall
            results[label] = rate
            ok = summary.by_status.get("graded", 0)
            print(f"  {label:29s} {pool.jobs} workers: {wall:6.2f} s = {rate:7.0f} submissions/s "
                  f"({ok} graded; ratio to the {TARGET:.0f}/s target {rate / TARGET:.2f})")
    speedup = results["all distinct claims"] * judge_s
    print(f"  executor cost per submission (read, hash, pipe, fsynced gradebook): "
          f"{1e3 / results['executor only (null grader)']:.2f} ms; parallel speed-up over the judge "
          f"alone: {speedup:.2f}x (a busy machine shows less than the worker count)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
