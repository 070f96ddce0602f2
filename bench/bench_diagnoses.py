"""How well the judge names mistakes: one typical mistake planted per file on honest hand work and carried
forward as a student would (tests/reports/injection.py, independent of the engine), per mistake type.

Run on demand: `python bench/bench_diagnoses.py [FILES_PER_TYPE] [TYPE ...]` (default 80 files per type).
For each type it prints the share of files where the judge's first wrong claim is a number the mistake
changed ("flagged at the place"), where its diagnosis kind is the planted one, and the share of every
other claim that is not `wrong` (what follows from the mistake carried forward). Goals: 100%, >= 95%,
>= 99%; and no diagnosis at all on honest files (bench/bench_honest.py).
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "reports"))
import injection  # noqa: E402

from gradverify.judge.verdicts import check_text  # noqa: E402


def measure(kind: str, n: int) -> dict:
    """Plant `kind` in the first `n` seeds where it applies and shows; judge each file."""
    files = flagged = right = others = others_ok = 0
    kinds: Counter = Counter()
    misses = []
    seed = 0
    while files < n and seed < 50 * n:
        planted = injection.plant(seed, kind)
        seed += 1
        if planted is None:
            continue
        files += 1
        result = check_text(planted.text, f"{kind}:{seed - 1}")
        wrong = [c for c in result.claims if c.verdict == "wrong"]
        first = wrong[0] if wrong else None
        if first is not None and (first.step, first.name) in planted.changed:
            flagged += 1
            kinds[first.kind] += 1
            right += first.kind == injection.KINDS[kind]
        if first is None or first.kind != injection.KINDS[kind]:
            misses.append((seed - 1, planted.place, first.kind if first else "not flagged"))
        rest = [c for c in result.claims if c is not first]
        others += len(rest)
        others_ok += sum(c.verdict != "wrong" for c in rest)
    return {"files": files, "flagged": flagged, "right": right, "others": others, "others_ok": others_ok,
            "kinds": kinds, "misses": misses}


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 80
    types = sys.argv[2:] or list(injection.KINDS)
    print(f"{'mistake':30s} {'files':>5s} {'flagged':>8s} {'kind right':>10s} {'others not wrong':>17s}")
    start = time.perf_counter()
    for kind in types:
        m = measure(kind, n)
        f = max(m["files"], 1)
        print(f"{kind:30s} {m['files']:5d} {100 * m['flagged'] / f:7.1f}% {100 * m['right'] / f:9.1f}% "
              f"{100 * m['others_ok'] / max(m['others'], 1):16.2f}%   " + (f"misses: {m['misses'][:3]}" if m["misses"] else ""))
    print(f"({time.perf_counter() - start:.0f} s)")


if __name__ == "__main__":
    main()
