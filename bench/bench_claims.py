"""Benchmark of derivative claims: warm time per LaTeX claim, and cold start to the first verdict.

Prints (targets from issue 5): median ms per LaTeX claim with a warm worker and no verdict cache
(every claim proved afresh), median ms per claim answered from the verdict cache (target <= 5 ms),
parse-only time, and wall time of a fresh `python` process: import + first claim, both with an
empty disk cache (SymPy must be imported) and with the disk cache filled (target < 0.5 s).

Run: python bench/bench_claims.py [--rounds N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

CLAIMS = [
    ("sigmoid", r"\frac{e^{-x}}{(1+e^{-x})^2}"), ("sigmoid", r"\sigma(x)(1-\sigma(x))"),
    ("tanh", r"1-\tanh^2(x)"), ("tanh", r"\operatorname{sech}^2 x"), ("tanh", r"\frac{1}{(e^{-x}+e^{x})^2}"),
    ("tanh", r"\frac{4}{(e^{x}+e^{-x})^2}"), ("tanh", r"4\sigma(2x)(1-\sigma(2x))"),
    ("relu", r"\begin{cases} 1 & x > 0 \\ 0 & \text{otherwise} \end{cases}"),
    ("relu", r"\begin{cases} 1 & x \ge 0 \\ 0 & x < 0 \end{cases}"),
    ("leaky_relu", r"\begin{cases} 1 & x > 0 \\ \alpha & \text{otherwise} \end{cases}"),
    ("softplus", r"\frac{e^{x}}{1+e^{x}}"), ("softplus", r"\frac{1}{1+e^{x}}"),
    ("silu", r"\sigma(x)\left(1 + x(1-\sigma(x))\right)"),
    ("softmax", r"s_i(\delta_{ij} - s_j)"), ("softmax", r"\mathbb{1}\{i=j\} s_i - s_i s_j"),
    ("softmax_cross_entropy", r"\hat{y}_i - y_i"),
    ("mean_squared_error", r"\frac{2}{n}(a - y)"), ("half_squared_error", r"-(y - a)"),
    ("cross_entropy", r"-\frac{y_i}{a_i}"), ("l1", r"-\frac{1}{n}\operatorname{sgn}(y - a)"),
    ("hinge", r"\begin{cases} 0 & y a \ge 1 \\ -y & \text{otherwise} \end{cases}"),
]

FIRST = r"""
import time, sys
t0 = time.perf_counter()
from gradverify.derivations.sandbox import judge_claim, shared
r = judge_claim(r"1-\tanh^2(x)", "tanh")
shared().stop()
print(r["verdict"], time.perf_counter() - t0)
"""


def warm(rounds: int) -> tuple[float, float, float]:
    from gradverify.derivations.parse import parse
    from gradverify.derivations.sandbox import DiskCache, Sandbox, judge_claim

    parse_times = []
    for _ in range(rounds):
        for _of, text in CLAIMS:
            t = time.perf_counter()
            parse(text, "latex")
            parse_times.append(time.perf_counter() - t)
    with Sandbox(timeout=60, disk=DiskCache("off")) as box:
        box.start()
        judge_claim(CLAIMS[0][1], CLAIMS[0][0], box=box)  # worker imported and ready
        fresh, cached = [], []
        for _ in range(rounds):
            box.cache.clear()
            for of, text in CLAIMS:
                t = time.perf_counter()
                judge_claim(text, of, box=box)
                fresh.append(time.perf_counter() - t)
            for of, text in CLAIMS:
                t = time.perf_counter()
                judge_claim(text, of, box=box)
                cached.append(time.perf_counter() - t)
    return statistics.median(fresh), statistics.median(cached), statistics.median(parse_times)


def first_claim(cache_dir: str) -> float:
    env = dict(os.environ, GRADVERIFY_CACHE_DIR=cache_dir)
    t = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", FIRST], capture_output=True, text=True, env=env, check=True)
    wall = time.perf_counter() - t
    assert out.stdout.startswith("equivalent"), out.stdout + out.stderr
    return wall


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    fresh, cached, parse_t = warm(args.rounds)
    print(f"{len(CLAIMS)} LaTeX claims x {args.rounds} rounds")
    print(f"  parse only (median)                      {parse_t * 1e3:8.3f} ms")
    print(f"  warm worker, proved afresh (median)      {fresh * 1e3:8.2f} ms")
    print(f"  warm, verdict cache (median)             {cached * 1e3:8.3f} ms   target <= 5 ms: "
          f"{'met' if cached <= 0.005 else 'MISSED'} (ratio {cached / 0.005:.3f})")
    with tempfile.TemporaryDirectory() as d:
        empty = statistics.median(first_claim(os.path.join(d, f"empty{i}")) for i in range(3))
        first_claim(d)  # fills the disk cache
        filled = statistics.median(first_claim(d) for _ in range(3))
    print(f"  process start + import + first claim, empty disk cache   {empty:6.3f} s "
          f"(SymPy imported in the worker)")
    print(f"  process start + import + first claim, disk cache filled  {filled:6.3f} s   target < 0.5 s: "
          f"{'met' if filled < 0.5 else 'MISSED'} (ratio {filled / 0.5:.2f})")


if __name__ == "__main__":
    main()
