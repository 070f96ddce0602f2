"""Whole-process start-up against its floor, interleaved: `check` against `import numpy`, `claim` against `import sympy`.

A `check` of numbers cannot start faster than numpy imports, and a `claim` proved afresh cannot
answer before SymPy is imported (in its worker); so each is timed as a ratio to that floor, the
two processes alternating round by round. Bytecode is cached as an installed copy has it
(harness.byte_compiled_env). Goals (issue 18), whole process: `check --example cs7015-q3` <= 1.3x
`python -c "import numpy"` (its verdict cache filled, as after the first run); `claim` with an
empty verdict cache <= 1.2x `python -c "import sympy"`. Also shown: `check` with an empty cache
(its two [[derivative]] tables start the proof worker) and `check --json`.
Median of >= 5 rounds, spread [lowest..highest]. Run: python bench/bench_startup.py [--rounds N]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile

import harness


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=9, help="rounds (>= 5)")
    args = ap.parse_args()
    py = sys.executable
    base = harness.byte_compiled_env()
    with tempfile.TemporaryDirectory() as tmp:
        filled = {**base, "GRADVERIFY_CACHE_DIR": os.path.join(tmp, "filled")}
        empty_dirs = iter(range(10**6))

        def empty() -> dict[str, str]:  # a fresh, empty verdict cache for every run
            return {**base, "GRADVERIFY_CACHE_DIR": os.path.join(tmp, f"empty{next(empty_dirs)}")}

        check = [py, "-m", "gradverify", "check", "--example", "cs7015-q3"]
        claim = [py, "-m", "gradverify", "claim", r"1-\tanh^2(x)", "--of", "tanh"]
        for cmd in (check, claim):  # write bytecode, fill the cache
            harness.wall(cmd, filled)
        harness.wall([py, "-c", "import numpy, sympy"], base)
        figs = harness.interleave({
            "check": lambda: harness.wall(check, filled),
            "check --json": lambda: harness.wall(check + ["--json"], filled),
            "import numpy": lambda: harness.wall([py, "-c", "import numpy"], base),
            "check, empty cache": lambda: harness.wall(check, empty()),
            "claim, empty cache": lambda: harness.wall(claim, empty()),
            "import sympy": lambda: harness.wall([py, "-c", "import sympy"], base),
            "python -c pass": lambda: harness.wall([py, "-c", "pass"], base),
        }, args.rounds)
    print(harness.machine_line() + "\n")
    for name, f in figs.items():
        print(f"{name:<22}{f.text()}")
    print()
    rows = (("check --example cs7015-q3", "check", "import numpy", 1.3),
            ("check --json", "check --json", "import numpy", None),
            ("check, empty verdict cache", "check, empty cache", "import sympy", None),
            ("claim, empty verdict cache", "claim, empty cache", "import sympy", 1.2))
    for label, ours, floor, goal in rows:
        per_round = [o / f for o, f in zip(figs[ours].samples, figs[floor].samples)]
        ratio = figs[ours].median / figs[floor].median
        line = f"{label:<28} {ratio:.2f}x {floor!r} [{min(per_round):.2f}..{max(per_round):.2f}]"
        if goal is not None:
            line += "; " + harness.goal_text(ratio <= goal, f"<= {goal}x")
        print(line)
    print(f"load average at the end: {harness.machine_line()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
