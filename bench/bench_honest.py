"""How many honest hand-worked files the judge calls wrong (the goal is none), and how fast it judges them.

Run on demand: `python bench/bench_honest.py [N] [FIRST_SEED]` (default 3,000 files from seed 0).
The files come from tests/reports/handwork.py: each number computed the way a careful person does,
from their own written, rounded numbers with the textbook recipes, in 50-digit arithmetic.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "reports"))
import handwork  # noqa: E402

from gradverify.judge.verdicts import check_text  # noqa: E402


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 3000
    first = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    wrong_files, claims, kinds, times = [], 0, Counter(), []
    for seed in range(first, first + n):
        text = handwork.honest(seed)
        t = time.perf_counter()
        result = check_text(text, f"honest:{seed}")
        times.append(time.perf_counter() - t)
        claims += len(result.claims)
        bad = result.wrong()
        if bad:
            wrong_files.append((seed, [(c.step, c.name, c.claimed, c.diagnosis[:100]) for c in bad]))
            kinds.update(c.quantity for c in bad)
    print(f"{n} honest files (seeds {first}..{first + n - 1}), {claims:,} claims")
    print(f"files with a wrong claim: {len(wrong_files)} ({100 * len(wrong_files) / n:.2f}%)  {dict(kinds)}")
    print(f"judge per file: median {statistics.median(times) * 1000:.1f} ms, "
          f"max {max(times) * 1000:.1f} ms, total {sum(times):.1f} s")
    for seed, bad in wrong_files[:10]:
        print("  seed", seed, bad)


if __name__ == "__main__":
    main()
