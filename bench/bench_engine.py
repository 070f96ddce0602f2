"""One SGD step of the numeric engine against JAX jit (and PyTorch), interleaved, with ratios.

Cases: 150-100-5 (tanh, softmax + cross-entropy, batch mean; seed 004's network), float64, at batch
1, 64 and 1024, the engine at its own thread choice. Peers run in child processes (bench/peers.py):
JAX at its default threads and pinned to one thread (the faster of the two is the peer), PyTorch
for scale. Goals (issue 18): B=1 >= 1.5x faster than JAX, B=64 >= 1.0x, B=1024 >= 0.8x and within
1.5x of the single-thread BLAS limit (the step's GEMM FLOPs at the peak GEMM rate measured in the
same round). Each figure is the median of >= 5 rounds, spread [lowest..highest].
Run: python bench/bench_engine.py [--rounds N] [--quick]
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

import numpy as np

import cases
import harness

SIZES = [150, 100, 5]
NUMBER = {1: 2000, 64: 200, 1024: 20}
GOAL = {1: 1.5, 64: 1.0, 1024: 0.8}
LIMIT_GOAL = 1.5


def engine_case(B: int) -> Callable[[], object]:
    net = cases.network(SIZES)
    x, y = cases.batch(SIZES, B)
    return lambda: net.step(x, y, cases.LR)


def gemm_flops(B: int) -> float:
    """Multiply-adds x 2 of the step's matrix products: forward, dA, and the two dW."""
    n0, n1, n2 = SIZES
    return 2.0 * B * (n0 * n1 + n1 * n2 + n2 * n1 + n2 * n1 + n1 * n0)


def peak_gemm_seconds_per_flop() -> Callable[[], float]:
    """One sample of the single-thread peak: a 512^3 float64 GEMM, seconds per FLOP."""
    from threadpoolctl import threadpool_limits

    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((512, 512)), rng.standard_normal((512, 512))
    out = np.empty((512, 512))

    def sample() -> float:
        with threadpool_limits(1, user_api="blas"):
            return harness.per_call(lambda: np.matmul(a, b, out=out), 5) / (2.0 * 512**3)

    sample()
    return sample


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=7, help="rounds (>= 5)")
    ap.add_argument("--quick", action="store_true", help="a tenth of the calls per sample")
    args = ap.parse_args()
    div = 10 if args.quick else 1
    peers = {k: harness.Peer(k) for k in ("jax", "jax1", "torch")}
    live = {k: p for k, p in peers.items() if p.start()}
    for k, p in peers.items():
        if k not in live:
            print(f"{k}: skipped: {p.missing}")
    print(f"numpy {np.__version__}; {harness.machine_line()}\n")
    peak = peak_gemm_seconds_per_flop()
    missed = []
    try:
        for B in (1, 64, 1024):
            number = max(3, NUMBER[B] // div)
            step = engine_case(B)
            step()
            contenders: dict[str, Callable[[], float]] = {"gradverify": lambda: harness.per_call(step, number)}
            for k, p in live.items():
                contenders[k] = (lambda p=p: p.ask(f"step:{B}:float64", number))
            contenders["blas limit"] = lambda: peak() * gemm_flops(B)
            figs = harness.interleave(contenders, args.rounds)
            ours = figs["gradverify"]
            print(f"150-100-5 float64 B={B}: gradverify {ours.text()}")
            jax_keys = [k for k in ("jax", "jax1") if k in figs]
            for k in [*jax_keys, *(["torch"] if "torch" in figs else [])]:
                print(f"  {k:6s} {figs[k].text():32s} gradverify faster by {harness.ratio_text(ours, figs[k])}")
            if jax_keys:
                best = min(jax_keys, key=lambda k: figs[k].median)
                met = figs[best].median / ours.median >= GOAL[B]
                print(f"  against the faster JAX ({best}): {figs[best].median / ours.median:.2f}x; "
                      + harness.goal_text(met, f">= {GOAL[B]}x"))
                if not met:
                    missed.append(f"B={B} vs JAX")
            lim = figs["blas limit"]
            over = ours.median / lim.median
            line = f"  single-thread BLAS limit {lim.text()}: gradverify at {over:.2f}x the limit"
            if B == 1024:
                line += "; " + harness.goal_text(over <= LIMIT_GOAL, f"<= {LIMIT_GOAL}x")
                if over > LIMIT_GOAL:
                    missed.append("B=1024 vs the BLAS limit")
            print(line)
    finally:
        for p in live.values():
            p.stop()
    print("\nall goals met" if not missed else f"\ngoals missed: {', '.join(missed)}")
    print(f"load average at the end: {harness.machine_line()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
