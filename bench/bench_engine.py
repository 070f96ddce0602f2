"""One SGD step of the numeric engine against PyTorch CPU, side by side, with ratios and targets.

Cases: 150-100-5 (tanh, softmax + cross-entropy; seed 004's network) at batch 1, 64 and 1024 in
float64 and float32, and seed 001's 3-2-1 sigmoid step. Each figure is the best of several repeats
of the mean time per step (both sides compute the loss, the gradients and the update).
Targets on a 2-core machine: >= 4.5x faster than torch at batch 1, >= 2.3x at 64, <= 1.05x torch's
time at 1024; the 3-2-1 step <= 15 us. Torch is optional (pip install torch==2.13.0); without it
the torch columns are skipped with a message. Run: python bench/bench_engine.py [--quick]
"""

from __future__ import annotations

import argparse
import sys
import timeit
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from numeric.mlp import MLP  # noqa: E402

TARGET_SPEEDUP = {1: 4.5, 64: 2.3, 1024: 1 / 1.05}
TARGET_321_US = 15.0


def best_us(fn: Callable[[], object], number: int, repeat: int) -> float:
    """Best-of-repeat mean time per call, in microseconds."""
    fn()  # warm up (plans, caches, thread pools)
    return min(timeit.repeat(fn, number=number, repeat=repeat)) / number * 1e6


def engine_case(B: int, dtype: type, rng: np.random.Generator) -> Callable[[], object]:
    net = MLP.random([150, 100, 5], ["tanh", "softmax"], "cross_entropy", seed=0, dtype=dtype)
    x = rng.standard_normal((B, 150)).astype(dtype)
    y = np.eye(5, dtype=dtype)[rng.integers(0, 5, B)]
    return lambda: net.step(x, y, 1e-3)


def engine_321() -> Callable[[], object]:
    net = MLP.from_user([[[0.2, 0.3, 0.4], [-0.2, 0.1, 0.5]], [[-0.3, 0.1]]], [[-0.2, -0.2], [-0.2]],
                        ["sigmoid", "sigmoid"], "half_squared_error")
    x, y = np.array([[0.8, 0.7, 0.1]]), np.array([[0.9]])
    return lambda: net.step(x, y, 1e-6)


def torch_case(torch, B: int, dtype, rng: np.random.Generator) -> Callable[[], object]:
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(150, 100), torch.nn.Tanh(), torch.nn.Linear(100, 5)).to(dtype)
    opt = torch.optim.SGD(model.parameters(), lr=1e-3)
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


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer repeats (a rough look)")
    args = ap.parse_args()
    repeat = 3 if args.quick else 7
    try:
        import torch
    except ImportError:
        torch = None
        print("torch is not installed: the torch columns are skipped (pip install torch==2.13.0 to compare)\n")
    # All engine figures first, then torch's: torch's OpenMP workers keep spinning after a parallel
    # region and would steal the cores from OpenBLAS's threads if the two were interleaved.
    cases = [(B, dt) for B in (1, 64, 1024) for dt in ("float64", "float32")]
    numbers = {1: 2000, 64: 300, 1024: 30}
    div = 3 if args.quick else 1
    ours = {c: best_us(engine_case(c[0], getattr(np, c[1]), np.random.default_rng(0)), numbers[c[0]] // div, repeat) for c in cases}
    ours_321 = best_us(engine_321(), 20000 // div, repeat)
    theirs: dict[tuple[int, str], float] = {}
    theirs_321 = float("nan")
    if torch is not None:
        print(f"torch {torch.__version__}, {torch.get_num_threads()} threads; numpy {np.__version__}\n")
        theirs = {c: best_us(torch_case(torch, c[0], getattr(torch, c[1]), np.random.default_rng(0)), numbers[c[0]] // div, repeat)
                  for c in cases}
        theirs_321 = best_us(torch_321(torch), 2000 // div, repeat)
    head = f"{'case':<28}{'gradverify':>12}{'torch':>12}{'speedup':>10}{'target':>10}  met"
    print(head)
    print("-" * len(head))
    missed = []
    for c in cases:
        label = f"150-100-5 B={c[0]} {c[1]}"
        if torch is None:
            print(f"{label:<28}{ours[c]:>10.1f}us{'-':>12}")
            continue
        speedup = theirs[c] / ours[c]
        target = TARGET_SPEEDUP[c[0]]
        ok = speedup >= target
        if not ok:
            missed.append(label)
        tgt = f">={target:.2f}x" if c[0] < 1024 else "<=1.05t"
        print(f"{label:<28}{ours[c]:>10.1f}us{theirs[c]:>10.1f}us{speedup:>9.2f}x{tgt:>10}  {'yes' if ok else 'NO'}")
    ok = ours_321 <= TARGET_321_US
    if not ok:
        missed.append("3-2-1 step")
    ratio = f"{theirs_321 / ours_321:>9.2f}x" if torch is not None else f"{'-':>10}"
    print(f"{'3-2-1 sigmoid step B=1':<28}{ours_321:>10.1f}us{theirs_321:>10.1f}us{ratio}{'<=15us':>10}  {'yes' if ok else 'NO'}")
    print("\nall targets met" if not missed else f"\ntargets missed: {', '.join(missed)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
