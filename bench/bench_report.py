"""How long `gradverify report --html` takes against `gradverify check` on the same file (seed 001).

Whole processes, timed interleaved round by round (bench/harness.py) so both see the same load;
medians with their spread and the ratio report/check are printed. Goal: report <= 2 x check.

- check: `gradverify check --example cs7015-q3` with its verdict cache kept (its state after one run);
- report, kept: `gradverify report ... --html` when an earlier report of the file was kept (the
  symbolic column, the derivations, the claims typeset: gradverify.render.cache) - every report of
  a file after its first, and after an edit of its claimed numbers;
- report, first: the same with nothing of the report kept (a new file's first report).

Run: python bench/bench_report.py [--rounds 7]   (prints figures; no assertions)
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

from harness import byte_compiled_env, interleave, machine_line, wall

EXAMPLE = "cs7015-q3"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    py = sys.executable
    with tempfile.TemporaryDirectory(prefix="gradverify-bench-") as tmp:
        kept, out = Path(tmp) / "kept", Path(tmp) / "q3.html"
        env = {**byte_compiled_env(), "GRADVERIFY_CACHE_DIR": str(kept)}
        check = [py, "-m", "gradverify", "check", "--example", EXAMPLE]
        report = [py, "-m", "gradverify", "report", "--example", EXAMPLE, "--html", str(out)]
        wall(check, env)
        wall(report, env)  # keeps what the report computes (and warms the bytecode)
        verdicts = kept / "claims.json"

        def first() -> float:
            fresh = Path(tempfile.mkdtemp(dir=tmp))
            if verdicts.exists():  # the claim verdicts stay kept, as for `check`: only the report's own work is new
                shutil.copy(verdicts, fresh / "claims.json")
            seconds = wall(report, {**env, "GRADVERIFY_CACHE_DIR": str(fresh)})
            shutil.rmtree(fresh, ignore_errors=True)
            return seconds

        figures = interleave({"check": lambda: wall(check, env), "report, kept": lambda: wall(report, env),
                              "report, first": first}, args.rounds)
    print(machine_line())
    for name, fig in figures.items():
        print(f"{name:15s} {fig.text()}")
    base = figures["check"]
    for name in ("report, kept", "report, first"):
        fig = figures[name]
        per_round = [r / c for r, c in zip(fig.samples, base.samples)]
        print(f"{name:15s} / check = {fig.median / base.median:.2f} "
              f"[{min(per_round):.2f}..{max(per_round):.2f}]  (goal <= 2)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
