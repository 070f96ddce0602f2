"""The full fuzz of `gradverify check`: N hypothesis-generated malformed worked-example files
(default 10,000; networks and circuits), each run through the command in this process, then every
hostile circuit statement (tests/hardening/worked_fuzz.py) as a node of a circuit file; prints how
many were judged, refused (exit 2 with a message naming the file), and how many were failures (a
traceback, a message that does not name the file, a verdict computed from NaN/inf, a Python warning
or a control character on stderr, or a proof worker left running), with timings, and at the end
any process still carrying this run's marker and whether a payload wrote its canary.

    python bench/fuzz_worked.py [N] [--seed S]

Exit status 0 when there were no failures. The generator lives in tests/hardening/worked_fuzz.py
(CI runs a few hundred of the same cases).
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "hardening"))

from hypothesis import HealthCheck, given, seed, settings  # noqa: E402

from fuzz_claims import marked  # noqa: E402
from worked_fuzz import BASE_TEXTS, BYTE_OPS, hostile_statements, malformed_file, run_check  # noqa: E402

from gradverify.derivations import sandbox  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("n", nargs="?", type=int, default=10_000, help="files to generate (default 10000)")
    ap.add_argument("--seed", type=int, default=20261123, help="hypothesis seed (default fixed)")
    args = ap.parse_args()
    tag = uuid.uuid4().hex
    os.environ["GV_LEAK_PROBE"] = tag  # every process a command starts inherits it

    counts: collections.Counter[str] = collections.Counter()
    byte_ops: collections.Counter[str] = collections.Counter()
    by_kind: collections.Counter[tuple[str, str]] = collections.Counter()  # (network|circuit, outcome)
    failures: list[tuple[str, str]] = []
    times: list[float] = []
    slowest = (0.0, "")
    work = Path(tempfile.mkdtemp(prefix="gv-fuzz-"))
    path = work / "fuzzed.toml"

    @seed(args.seed)
    @settings(max_examples=args.n, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(case=malformed_file())
    def one(case: tuple[bytes, str]) -> None:
        nonlocal slowest
        data, what = case
        path.write_bytes(data)
        out = run_check(path)
        counts[out.kind] += 1
        kind = "circuit" if "[graph]" in BASE_TEXTS[what.split("; ", 1)[0]] else "network"
        by_kind[kind, out.kind] += 1
        by_kind[kind, "statements mutated"] += "circuit " in what
        last = what.rsplit("; ", 1)[-1]
        byte_ops[last if last in BYTE_OPS else "none"] += 1
        times.append(out.seconds)
        if out.seconds > slowest[0]:
            slowest = (out.seconds, what)
        if out.kind not in ("judged", "refused"):
            failures.append((what, out.traceback or "; ".join(out.problems)))
        if sandbox.running():  # a proof worker left behind by a [[derivative]] table
            counts["orphaned"] += 1
            failures.append((what, "a proof worker was still running after the command"))
            sandbox.stop_all()

    start = time.monotonic()
    one()
    wall = time.monotonic() - start
    statements = collections.Counter()
    canary = work / "canary"
    for cid, statement in hostile_statements(str(canary)):
        path.write_bytes((f"[graph]\ninputs = {{ x = 3, y = -4 }}\nnodes = [{json.dumps(statement, ensure_ascii=False)}]"
                          "\n\n[[step]]\np = \"-12\"\n").encode("utf-8", errors="surrogateescape"))
        out = run_check(path)
        statements[out.kind] += 1
        if out.kind not in ("judged", "refused"):
            failures.append((cid, out.traceback or "; ".join(out.problems)))
    total = sum(counts[k] for k in ("judged", "refused", "traceback", "bad"))
    times.sort()
    print(f"fuzzed worked-example files: {total} in {wall:.1f} s ({1000 * wall / max(total, 1):.1f} ms each)")
    for kind in ("judged", "refused", "traceback", "bad", "orphaned"):
        print(f"  {kind:10s} {counts.get(kind, 0):6d}")
    if times:
        print(f"  check time per file: median {1000 * times[len(times) // 2]:.1f} ms, "
              f"p99 {1000 * times[int(len(times) * 0.99)]:.1f} ms, max {1000 * times[-1]:.1f} ms ({slowest[1][:80]})")
    print("  byte-level mutation: " + ", ".join(f"{k} {v}" for k, v in byte_ops.most_common()))
    for kind in ("network", "circuit"):
        print(f"  {kind} files: " + ", ".join(f"{k} {by_kind[kind, k]}" for k in
                                              ("judged", "refused", "traceback", "bad", "statements mutated")))
    print(f"hostile circuit statements: {sum(statements.values())}: "
          + ", ".join(f"{k} {statements.get(k, 0)}" for k in ("judged", "refused", "traceback", "bad")))
    left = marked(tag)
    print(f"processes carrying this run's marker after all commands: {len(left)}")
    print(f"canary written by a hostile statement: {'YES' if canary.exists() else 'no'}")
    if left or canary.exists():
        failures.append(("the run", f"{len(left)} process(es) left; canary {'written' if canary.exists() else 'absent'}"))
    for what, why in failures[:10]:
        print(f"FAIL [{what}]\n{why[-800:]}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
