"""How fast `gradverify check` is: whole process (wall clock) and the judge alone.

Run on demand: `python bench/bench_check.py`. Prints the process time of
`gradverify check --example cs7015-q3` (target <= 0.3 s), the floor of a bare `python -c "import numpy"`
on the same machine (the check cannot start faster than numpy imports), and the judge's time in process.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path


def wall(cmd: list[str], runs: int) -> float:
    """Best-of-runs wall time of a command."""
    times = []
    env = {**os.environ, "NO_COLOR": "1"}
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    py = sys.executable
    check = wall([py, "-m", "gradverify", "check", "--example", "cs7015-q3"], runs)
    check_json = wall([py, "-m", "gradverify", "check", "--example", "cs7015-q3", "--json"], runs)
    bare = wall([py, "-c", "pass"], runs)
    numpy_floor = wall([py, "-c", "import numpy"], runs)
    print(f"gradverify check --example cs7015-q3        {check:.3f} s  (target 0.300 s)")
    print(f"gradverify check --example cs7015-q3 --json {check_json:.3f} s")
    print(f"python -c pass                              {bare:.3f} s")
    print(f"python -c 'import numpy'                    {numpy_floor:.3f} s")
    print(f"check minus the numpy floor                 {check - numpy_floor:.3f} s")
    print(f"ratio check / numpy floor                   {check / numpy_floor:.2f}")

    from gradverify.judge import verdicts as judge
    from gradverify.judge import worked

    ex = worked.load_example("cs7015-q3")
    judge.judge(ex)
    inner = []
    for _ in range(20):
        t = time.perf_counter()
        judge.judge(worked.load_example("cs7015-q3"))
        inner.append(time.perf_counter() - t)
    print(f"load + judge in process (median of 20)      {statistics.median(inner) * 1000:.1f} ms")

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "reports"))
    import planted as mistakes

    t = time.perf_counter()
    p = mistakes.plant(1, "learning_rate", "seed004")
    t_plant = time.perf_counter() - t
    t = time.perf_counter()
    judge.judge(p.example)
    print(f"plant a mistake (seed-004-like, 2 steps)    {t_plant * 1000:.1f} ms; judge it {(time.perf_counter() - t) * 1000:.1f} ms "
          f"({len(p.example.claims)} claims)")


if __name__ == "__main__":
    main()
