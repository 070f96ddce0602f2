"""One SGD step of the numeric engine against PyTorch CPU, side by side, with ratios and targets.

Cases: 150-100-5 (tanh, softmax + cross-entropy; seed 004's network) at batch 1, 64 and 1024 in
float64 and float32, and seed 001's 3-2-1 sigmoid step. Each figure is the best of several repeats
of the mean time per step (both sides compute the loss, the gradients and the update).
Targets on a 2-core machine: >= 4.5x faster than torch at batch 1, >= 2.3x at 64, <= 1.05x torch's
time at 1024; the 3-2-1 step <= 15 us. Torch is optional (pip install torch==2.13.0); without it
the torch columns are skipped with a message. Torch runs in a child process right after the
engine's figure for the same case (paired rounds), so neither side's threads disturb the other and
both see the same machine load. Run: python bench/bench_engine.py [--quick] [--rounds N]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import timeit
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gradverify.numeric.mlp import MLP  # noqa: E402

TARGET_SPEEDUP = {1: 4.5, 64: 2.3, 1024: 1 / 1.05}
TARGET_321_US = 15.0
# A tiny learning rate keeps both networks at their starting point, so every repeat does the same
# arithmetic: thousands of steps on one batch would converge and leave subnormal gradients, which
# slow BLAS and exp by 10x or more on either side and make the figures meaningless.
LR = 1e-7


def best_us(fn: Callable[[], object], number: int, repeat: int) -> float:
    """Best-of-repeat mean time per call, in microseconds."""
    fn()  # warm up (plans, caches, thread pools)
    return min(timeit.repeat(fn, number=number, repeat=repeat)) / number * 1e6


def engine_case(B: int, dtype: type, rng: np.random.Generator) -> Callable[[], object]:
    net = MLP.random([150, 100, 5], ["tanh", "softmax"], "cross_entropy", seed=0, dtype=dtype)
    x = rng.standard_normal((B, 150)).astype(dtype)
    y = np.eye(5, dtype=dtype)[rng.integers(0, 5, B)]
    return lambda: net.step(x, y, LR)


def engine_321() -> Callable[[], object]:
    net = MLP.from_user([[[0.2, 0.3, 0.4], [-0.2, 0.1, 0.5]], [[-0.3, 0.1]]], [[-0.2, -0.2], [-0.2]],
                        ["sigmoid", "sigmoid"], "half_squared_error")
    x, y = np.array([[0.8, 0.7, 0.1]]), np.array([[0.9]])
    return lambda: net.step(x, y, 1e-6)


def torch_case(torch, B: int, dtype, rng: np.random.Generator) -> Callable[[], object]:
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(150, 100), torch.nn.Tanh(), torch.nn.Linear(100, 5)).to(dtype)
    opt = torch.optim.SGD(model.parameters(), lr=LR)
    lossf = torch.nn.CrossEntropyLoss()
    x = torch.from_numpy(rng.standard_normal((B, 150))).to(dtype)
    y = torch.from_numpy(rng.integers(0, 5, B))

    def step() -> float:
        opt.zero_grad(set_to_none=True)
        loss = lossf(model(x), y)
        loss.backward()
        opt.step()
        return loss.item()

    return step


def torch_321(torch) -> Callable[[], object]:
    model = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.Sigmoid(), torch.nn.Linear(2, 1), torch.nn.Sigmoid()).double()
    with torch.no_grad():
        model[0].weight.copy_(torch.tensor([[0.2, 0.3, 0.4], [-0.2, 0.1, 0.5]]))
        model[0].bias.fill_(-0.2)
        model[2].weight.copy_(torch.tensor([[-0.3, 0.1]]))
        model[2].bias.fill_(-0.2)
    opt = torch.optim.SGD(model.parameters(), lr=1e-6)
    x, y = torch.tensor([[0.8, 0.7, 0.1]], dtype=torch.float64), torch.tensor([[0.9]], dtype=torch.float64)

    def step() -> float:
        opt.zero_grad(set_to_none=True)
        loss = 0.5 * ((model(x) - y) ** 2).sum()
        loss.backward()
        opt.step()
        return loss.item()

    return step


def _torch_figure(case: str, number: int, repeat: int) -> float:
    """Time one torch case in a child process, so torch's OpenMP workers never share our process."""
    out = subprocess.run([sys.executable, __file__, "--torch-case", case, "--number", str(number), "--repeat", str(repeat)],
                         capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def _torch_child(case: str, number: int, repeat: int) -> int:
    import torch

    if case == "321":
        fn = torch_321(torch)
    else:
        B, dt = case.split(":")
        fn = torch_case(torch, int(B), getattr(torch, dt), np.random.default_rng(0))
    print(best_us(fn, number, repeat))
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer repeats and rounds (a rough look)")
    ap.add_argument("--rounds", type=int, default=3, help="paired rounds per case; the best of each side is kept")
    ap.add_argument("--torch-case", help=argparse.SUPPRESS)
    ap.add_argument("--number", type=int, default=0, help=argparse.SUPPRESS)
    ap.add_argument("--repeat", type=int, default=0, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.torch_case:
        return _torch_child(args.torch_case, args.number, args.repeat)
    repeat = 3 if args.quick else 7
    rounds = 1 if args.quick else args.rounds
    div = 3 if args.quick else 1
    try:
        import importlib.util

        have_torch = importlib.util.find_spec("torch") is not None
    except (ImportError, ValueError):
        have_torch = False
    if not have_torch:
        print("torch is not installed: the torch columns are skipped (pip install torch==2.13.0 to compare)\n")
    else:
        print(f"numpy {np.__version__}; torch timed in a child process, {rounds} paired round(s), best of each side\n")
    cases = [(B, dt) for B in (1, 64, 1024) for dt in ("float64", "float32")] + [("321", "float64")]
    numbers = {1: 2000, 64: 300, 1024: 30, "321": 20000}
    ours: dict[tuple, float] = {}
    theirs: dict[tuple, float] = {}
    for c in cases:
        number = max(10, numbers[c[0]] // div)
        for _ in range(rounds):
            fn = engine_321() if c[0] == "321" else engine_case(c[0], getattr(np, c[1]), np.random.default_rng(0))
            ours[c] = min(ours.get(c, float("inf")), best_us(fn, number, repeat))
            if have_torch:
                key = "321" if c[0] == "321" else f"{c[0]}:{c[1]}"
                t_num = min(number, 2000)
                theirs[c] = min(theirs.get(c, float("inf")), _torch_figure(key, t_num, repeat))
    head = f"{'case':<28}{'gradverify':>12}{'torch':>12}{'speedup':>10}{'target':>10}  met"
    print(head)
    print("-" * len(head))
    missed = []
    for c in cases:
        label = "3-2-1 sigmoid step B=1" if c[0] == "321" else f"150-100-5 B={c[0]} {c[1]}"
        t_ours = ours[c]
        if c[0] == "321":
            ok, tgt = t_ours <= TARGET_321_US, f"<={TARGET_321_US:g}us"
        else:
            ok = (theirs[c] / t_ours >= TARGET_SPEEDUP[c[0]]) if have_torch else True
            tgt = f">={TARGET_SPEEDUP[c[0]]:.2f}x" if c[0] != 1024 else "<=1.05t"
        if not have_torch:
            print(f"{label:<28}{t_ours:>10.1f}us{'-':>12}{'-':>10}{tgt:>10}  {'yes' if ok else 'NO'}")
        else:
            print(f"{label:<28}{t_ours:>10.1f}us{theirs[c]:>10.1f}us{theirs[c] / t_ours:>9.2f}x{tgt:>10}  {'yes' if ok else 'NO'}")
        if not ok:
            missed.append(label)
    print("\nall targets met" if not missed else f"\ntargets missed: {', '.join(missed)}")
    print(f"load average at the end: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores (other processes skew every figure)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
