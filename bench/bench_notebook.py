"""How long a worked example takes to show in a notebook, and how much the notebook stores.

The compact display (`CheckResult._repr_html_`, gradverify.render.notebook) against the full
report fragment it replaced (`gradverify.render.html_fragment`: plots, network picture, every truth
column), with JSON of the same result as the floor, timed interleaved in one process on the bundled
seed-001 example. Prints medians with their spread and the ratios; no assertions.

Run: python bench/bench_notebook.py [--repeat 7]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from typing import Callable


def _spread(times: list[float]) -> str:
    return f"{statistics.median(times) * 1e3:8.1f} ms (min {min(times) * 1e3:.1f}, max {max(times) * 1e3:.1f})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()

    import gradverify
    from gradverify.render import html_fragment

    result = gradverify.check(example="cs7015-q3")
    shows: dict[str, Callable[[], str]] = {
        "json (floor)": lambda: json.dumps(result.to_json()),
        "notebook table": result._repr_html_,
        "full report fragment": lambda: html_fragment(result),
    }
    times: dict[str, list[float]] = {name: [] for name in shows}
    first: dict[str, float] = {}
    sizes: dict[str, int] = {}
    for name, show in shows.items():  # the first call imports the renderer: what a notebook user waits for
        start = time.perf_counter()
        sizes[name] = len(show().encode("utf-8"))
        first[name] = time.perf_counter() - start
    for _ in range(args.repeat):
        for name, show in shows.items():
            start = time.perf_counter()
            show()
            times[name].append(time.perf_counter() - start)
    print(f"seed 001 (cs7015-q3): {len(result.claims)} claims, {len(result.derivatives)} derivative claims; "
          f"{args.repeat} interleaved runs")
    for name in shows:
        print(f"{name:22s} first {first[name] * 1e3:8.1f} ms, then {_spread(times[name])}   "
              f"{sizes[name] / 1024:7.1f} KiB")
    table, full = statistics.median(times["notebook table"]), statistics.median(times["full report fragment"])
    floor = statistics.median(times["json (floor)"])
    print(f"notebook table: {full / table:.0f}x faster and {sizes['full report fragment'] / sizes['notebook table']:.1f}x "
          f"smaller than the full fragment; {table / floor:.1f}x the time of JSON")
    return 0


if __name__ == "__main__":
    sys.exit(main())
