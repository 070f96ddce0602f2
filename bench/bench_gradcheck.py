"""The per-element finite-difference check against jax check_grads, interleaved, and its cost per parameter by width.

gradverify.numeric.check_grads differences every element of W, b and x (each with its own verdict);
jax.test_util.check_grads tests one random direction (cheap, but blind to a sparse error). Network:
600-400-20 (tanh, softmax + cross-entropy), float64, one sample, the same parameters on both sides.
Goal (issue 18): at least as fast as jax check_grads while still checking every element, and a cost
per parameter that stays flat as the network widens (150-100-5, 600-400-20, 600-400-80).
Each figure is the median of >= 5 rounds, spread [lowest..highest].
Run: python bench/bench_gradcheck.py [--rounds N]
"""

from __future__ import annotations

import argparse

import cases
import harness

from gradverify.numeric.gradcheck import check_grads

GOAL_SIZES = [600, 400, 20]
WIDTHS = ([150, 100, 5], [600, 400, 20], [600, 400, 80])


def ours(sizes: list[int]):
    net = cases.network(sizes)
    x, y = cases.batch(sizes, 1)
    report = check_grads(net, x, y)
    params = sum(w.size for w in net.W) + sum(b.size for b in net.b)
    return (lambda: check_grads(net, x, y)), report, params


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=7, help="rounds (>= 5)")
    args = ap.parse_args()
    print(harness.machine_line() + "\n")
    jax = harness.Peer("jax")
    have_jax = jax.start()
    if not have_jax:
        print(f"jax: skipped: {jax.missing}")
    try:
        contenders = {}
        runs = {}
        for sizes in WIDTHS:
            fn, report, params = ours(sizes)
            name = "-".join(map(str, sizes))
            runs[name] = (report, params)
            contenders[name] = (lambda fn=fn: harness.per_call(fn, 2))
        if have_jax:
            case = "check:" + "-".join(map(str, GOAL_SIZES))
            contenders["jax check_grads"] = lambda: jax.ask(case, 5)
        figs = harness.interleave(contenders, args.rounds)
    finally:
        jax.stop()
    print(f"{'network':<14}{'parameters':>11}  {'check_grads, every element':<32}{'per parameter':>14}")
    for name, (report, params) in runs.items():
        f = figs[name]
        print(f"{name:<14}{params:>11,}  {f.text():<32}{f.median / params * 1e9:>11.0f} ns")
        print(f"{'':<27}{report.summary(1).splitlines()[0]}")
    per = [figs[n].median / p for n, (_, p) in runs.items()]
    print(f"cost per parameter, widest / narrowest: {per[-1] / per[0]:.2f}x ({'flat' if per[-1] / per[0] <= 1.5 else 'NOT flat'})")
    goal = "-".join(map(str, GOAL_SIZES))
    if have_jax:
        ratio = figs["jax check_grads"].median / figs[goal].median
        print(f"\njax check_grads {goal} (one random direction): {figs['jax check_grads'].text()}")
        print(f"gradverify, every element, against it: {harness.ratio_text(figs[goal], figs['jax check_grads'])}; "
              + harness.goal_text(ratio >= 1.0, ">= 1.0x"))
    print(f"load average at the end: {harness.machine_line()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
