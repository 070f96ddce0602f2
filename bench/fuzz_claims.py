"""The full run of `gradverify claim` against hostile input: every hostile claim text of
tests/hardening/hostile_cases.py through the command line, N fuzzed claim files (`claim --file`)
and N fuzzed command lines (claim, check, derive, catalog). Prints, for each, how many were
judged, refused (exit 2 with a message), and the failures: tracebacks, bad behaviour (no message,
control characters reaching the terminal, unreadable JSON) and proof workers left running, both
after each command and, at the end, any process still carrying this run's marker.

    python bench/fuzz_claims.py [N] [--seed S]

Exit status 0 when there were no failures. The generators live in tests/hardening/claim_fuzz.py
(CI runs a few hundred of the same cases).
"""

from __future__ import annotations

import argparse
import collections
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "hardening"))

from hypothesis import HealthCheck, given, seed, settings  # noqa: E402

from claim_fuzz import claim_file, command_line, run_claim_file, run_command  # noqa: E402
from hostile_cases import cases  # noqa: E402
from worked_fuzz import Outcome  # noqa: E402


def marked(tag: str) -> list[int]:
    """Processes other than this one whose environment holds this run's marker."""
    needle = f"GV_LEAK_PROBE={tag}".encode()
    found = []
    for entry in Path("/proc").iterdir() if Path("/proc/self").exists() else []:
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                if needle in (entry / "environ").read_bytes().split(b"\0"):
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


class Tally:
    """Counts of one section and its first failures."""

    def __init__(self, name: str) -> None:
        self.name, self.counts, self.failures = name, collections.Counter(), []
        self.start = time.monotonic()

    def add(self, run: Outcome, what: str) -> None:
        self.counts[run.kind] += 1
        self.counts["orphaned"] += sum("still running" in p for p in run.problems)
        if run.kind not in ("judged", "refused"):
            self.failures.append((what, run.traceback or "; ".join(run.problems)))

    def report(self) -> None:
        total = sum(self.counts[k] for k in ("judged", "refused", "traceback", "bad"))
        wall = time.monotonic() - self.start
        print(f"{self.name}: {total} in {wall:.1f} s")
        for kind in ("judged", "refused", "traceback", "bad", "orphaned"):
            print(f"  {kind:10s} {self.counts.get(kind, 0):6d}")
        for what, why in self.failures[:5]:
            print(f"  FAIL [{what[:100]!r}]\n{why[-600:]}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("n", nargs="?", type=int, default=2000, help="fuzzed files and command lines each (default 2000)")
    ap.add_argument("--seed", type=int, default=20261125, help="hypothesis seed (default fixed)")
    args = ap.parse_args()
    tag = uuid.uuid4().hex
    os.environ["GV_LEAK_PROBE"] = tag  # every process a command starts inherits it
    os.environ["GRADVERIFY_CACHE_DIR"] = tempfile.mkdtemp(prefix="gv-claim-fuzz-cache-")
    work = Path(tempfile.mkdtemp(prefix="gv-claim-fuzz-"))

    hostile = Tally("hostile claims (gradverify claim TEXT --of tanh)")
    for cid, syntax, text in cases(str(work / "canary")):
        hostile.add(run_command(["claim", "--of", "tanh", "--syntax", syntax, "--timeout", "2", "--", text]), cid)
    canary_written = (work / "canary").exists()

    path = work / "claims.toml"

    @seed(args.seed)
    @settings(max_examples=args.n, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(case=claim_file())
    def one_file(case: tuple[bytes, str]) -> None:
        data, what = case
        path.write_bytes(data)
        files.add(run_claim_file(path, as_json=len(data) % 2 == 0), what)

    @seed(args.seed)
    @settings(max_examples=args.n, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(argv=command_line())
    def one_command(argv: list[str]) -> None:
        commands.add(run_command(argv), " ".join(argv))

    files = Tally("fuzzed claim files (gradverify claim --file)")
    one_file()
    commands = Tally("fuzzed command lines (claim, check, derive, catalog)")
    one_command()
    left = marked(tag)
    for tally in (hostile, files, commands):
        tally.report()
    print(f"processes carrying this run's marker after all commands: {len(left)}")
    print(f"canary written by a hostile claim: {'YES' if canary_written else 'no'}")
    failed = any(t.failures for t in (hostile, files, commands)) or left or canary_written
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
