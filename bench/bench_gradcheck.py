"""Time of the per-element finite-difference check against a plain loop of 2P forward passes.

Network: 150-100-5 (tanh, softmax + cross-entropy), float64, one sample: 15,605 parameters (W and
b; the 150 input elements are timed apart). Target on a 2-core machine: <= 10 ms for all of them.
With torch installed, torch.autograd.gradcheck's default (full Jacobian) mode is timed for scale.
Run: python bench/bench_gradcheck.py [--quick]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import timeit
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gradverify.numeric.gradcheck import check_grads  # noqa: E402
from gradverify.numeric.mlp import MLP  # noqa: E402

TARGET_MS = 10.0


def plain_loop(net: MLP, x: np.ndarray, y: np.ndarray, h: float = 1e-5) -> int:
    """Central differences one parameter at a time: 2 lean forward passes (numpy, no registry) per parameter."""
    W1, W2 = net.W
    b1, b2 = net.b
    label = int(np.argmax(y))

    def loss() -> float:
        z = np.tanh(x @ W1.T + b1) @ W2.T + b2
        m = z.max()
        return float(m + np.log(np.exp(z - m).sum()) - z[0, label])

    count = 0
    for arr in (W1, W2, b1, b2):
        flat = arr.reshape(-1)
        for i in range(flat.size):
            old = flat[i]
            flat[i] = old + h
            lp = loss()
            flat[i] = old - h
            lm = loss()
            flat[i] = old
            count += 1 if lp != lm else 0
    return count


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer repeats")
    args = ap.parse_args()
    net = MLP.random([150, 100, 5], ["tanh", "softmax"], "cross_entropy", seed=0)
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((1, 150)), np.eye(5)[[2]]
    P = sum(w.size for w in net.W) + sum(b.size for b in net.b)
    repeat = 3 if args.quick else 7
    t_wb = min(timeit.repeat(lambda: check_grads(net, x, y, wrt=("W", "b")), number=5, repeat=repeat)) / 5 * 1e3
    t_all = min(timeit.repeat(lambda: check_grads(net, x, y), number=5, repeat=repeat)) / 5 * 1e3
    report = check_grads(net, x, y)
    t0 = time.perf_counter()
    plain_loop(net.copy(), x, y)
    t_loop = (time.perf_counter() - t0) * 1e3
    print(f"150-100-5, float64, one sample: {P} parameters (+150 inputs)\n")
    print(f"{'method':<46}{'time':>12}{'vs check':>10}")
    print(f"{'check_grads, W and b, per element':<46}{t_wb:>10.2f}ms{1.0:>9.1f}x")
    print(f"{'check_grads, W, b and x, per element':<46}{t_all:>10.2f}ms{t_all / t_wb:>9.1f}x")
    print(f"{'plain loop, 2P forward passes':<46}{t_loop:>10.1f}ms{t_loop / t_wb:>9.1f}x")
    try:
        import torch
    except ImportError:
        print("torch is not installed: torch.autograd.gradcheck not timed (pip install torch==2.13.0)")
    else:
        tw = [torch.from_numpy(a.copy()).requires_grad_() for a in (*net.W, *net.b)]
        tx, label = torch.from_numpy(x), int(np.argmax(y))

        def f(W1, W2, b1, b2):
            z = torch.tanh(tx @ W1.T + b1) @ W2.T + b2
            return torch.nn.functional.cross_entropy(z, torch.tensor([label]))

        t0 = time.perf_counter()
        torch.autograd.gradcheck(f, (tw[0], tw[1], tw[2], tw[3]))
        t_torch = (time.perf_counter() - t0) * 1e3
        print(f"{'torch.autograd.gradcheck (default mode)':<46}{t_torch:>10.1f}ms{t_torch / t_wb:>9.1f}x")
    print(f"\nresult: {report.summary(3)}")
    ok = t_wb <= TARGET_MS
    print(f"\ntarget <= {TARGET_MS:g} ms for all {P} parameters: {'met' if ok else 'MISSED'} ({t_wb:.2f} ms)")
    print(f"load average at the end: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores (other processes skew every figure)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
