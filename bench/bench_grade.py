"""Grading throughput: 2 worker processes against one, and the judge alone, interleaved; dask too.

Writes N distinct claims-only submissions of the bundled 3-2-1 example (seed 001 Q3: the key's own
claims, each with one or two digits changed as students would, and a student-specific final
loss, so no two are alike and every one is really judged), then grades them round by round with
`gradverify grade --jobs 1` and `--jobs 2` (whole processes, fresh gradebooks), and with the
judge called in one process over all files (no pool: the floor of one process). Goals (issue 18),
on an idle 2-core machine: 2 workers >= 1.7x one worker; >= 300 distinct submissions per second. `--big 10000`
adds one run of that many with 2 workers; `--dask` adds the dask executor on a local cluster of
2 single-threaded workers. Median of >= 5 rounds, spread [lowest..highest].
Run: python bench/bench_grade.py [--n 600] [--rounds N] [--big 10000] [--dask]
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import tomllib
from pathlib import Path

import harness

GOAL_SPEEDUP = 1.7
GOAL_RATE = 300.0


def _key_path() -> Path:
    return harness.ROOT / "reports" / "examples" / "cs7015-q3.toml"


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


def _grade_cmd(folder: Path, out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "gradverify", "grade", str(folder), "--key", str(_key_path()), "--out", str(out), *extra]


ALONE = """
import sys
from pathlib import Path
from gradverify.grade.grader import load_key, make_grader
from gradverify.grade.outcome import Task
key_path, folder = sys.argv[1], Path(sys.argv[2])
key = load_key(Path(key_path))
grader = make_grader(key_path, key.text, key.claim_ids)
for f in sorted(folder.glob("*.toml")):
    grader(Task.read(f))
"""


def _alone_cmd(folder: Path) -> list[str]:
    """The judge called in one process on every file, no pool (the grader the pool's workers run)."""
    return [sys.executable, "-c", ALONE, str(_key_path()), str(folder)]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=600, help="distinct submissions per run (default 600)")
    ap.add_argument("--rounds", type=int, default=5, help="rounds (>= 5)")
    ap.add_argument("--big", type=int, default=0, help="also one run of this many with 2 workers (e.g. 10000)")
    ap.add_argument("--dask", action="store_true", help="also the dask executor on a local 2-worker cluster")
    args = ap.parse_args()
    env = harness.byte_compiled_env()
    steps = tomllib.loads(_key_path().read_text(encoding="utf-8"))["step"]
    print(harness.machine_line())
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "class"
        _write_class(folder, steps, args.n, duplicates=False, seed=7)
        runs = iter(range(10**6))

        def whole(*extra: str):
            return lambda: harness.wall(_grade_cmd(folder, Path(tmp) / f"book{next(runs)}.csv", *extra), env)

        contenders = {"judge alone, one process": lambda: harness.wall(_alone_cmd(folder), env),
                      "grade --jobs 1": whole("--jobs", "1"), "grade --jobs 2": whole("--jobs", "2")}
        cluster = None
        if args.dask:
            try:
                from dask.distributed import LocalCluster
            except ImportError:
                print("dask: skipped: not installed (pip install 'gradverify[dask]')")
            else:
                cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
                contenders["grade --executor dask (2 local workers)"] = whole(
                    "--executor", "dask", "--scheduler", cluster.scheduler_address)
        try:
            figs = harness.interleave(contenders, args.rounds)
            big = None
            if args.big:
                bigdir = Path(tmp) / "big"
                _write_class(bigdir, steps, args.big, duplicates=False, seed=11)
                big = harness.wall(_grade_cmd(bigdir, Path(tmp) / "big.csv", "--jobs", "2"), env)
        finally:
            if cluster is not None:
                cluster.close()
    print(f"{args.n} distinct claims-only submissions of the 3-2-1 example per run\n")
    for name, f in figs.items():
        rates = sorted(args.n / t for t in f.samples)
        print(f"{name:<42}{args.n / f.median:7.0f} submissions/s [{rates[0]:.0f}..{rates[-1]:.0f}]  ({f.text()} per run)")
    two, one = figs["grade --jobs 2"], figs["grade --jobs 1"]
    speedup = one.median / two.median
    rate = args.n / two.median
    print(f"\n2 workers / 1 worker: {harness.ratio_text(two, one)}; " + harness.goal_text(speedup >= GOAL_SPEEDUP, f">= {GOAL_SPEEDUP}x"))
    alone = figs["judge alone, one process"]
    print(f"2 workers / the judge alone in one process: {harness.ratio_text(two, alone)}")
    print(f"2 workers: {rate:.0f} submissions/s; " + harness.goal_text(rate >= GOAL_RATE, f">= {GOAL_RATE:.0f}/s"))
    if big is not None:
        print(f"{args.big} submissions, 2 workers, one run: {big:.1f} s = {args.big / big:.0f} submissions/s")
    print(f"load average at the end: {harness.machine_line()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
