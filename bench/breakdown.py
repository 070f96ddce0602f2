"""Where the time goes, for the goals bench/RESULTS.md reports as missed.

`python bench/breakdown.py engine`: the 150-100-5 step at batch 1024 on one BLAS thread, split into
its matrix products (timed on the plan's own buffers), tanh, tanh's derivative, and the rest.
`python bench/breakdown.py check`: `gradverify check --example cs7015-q3` in one process, split into
numpy's import, the command line, the judge's imports, loading the file, judging, rendering.
Each part is the median of 7 repeats (a profile, not a comparison: run it on a quiet machine).
"""

from __future__ import annotations

import importlib
import io
import os
import statistics
import sys
import time
from collections.abc import Callable


def _median(fn: Callable[[], object], number: int) -> float:
    fn()
    times = []
    for _ in range(7):
        t = time.perf_counter()
        for _ in range(number):
            fn()
        times.append((time.perf_counter() - t) / number)
    return statistics.median(times)


def engine() -> None:
    import numpy as np
    from threadpoolctl import threadpool_limits

    import cases
    from gradverify.numeric.fast import plan_for

    B = 1024
    net = cases.network([150, 100, 5])
    x, y = cases.batch([150, 100, 5], B)
    with threadpool_limits(1, user_api="blas"):
        net.step(x, y, cases.LR)
        plan = plan_for(net, B, np.dtype(np.float64))
        (W1, W2), (z1, z2), (a1, _), (t1, _), (g1, g2), (dW1, dW2) = net.W, plan.z, plan.a, plan.t, plan.g, plan.dW
        parts = {
            "step": lambda: net.step(x, y, cases.LR),
            "GEMM z1 = W1 x^T": lambda: np.matmul(W1, x.T, out=z1),
            "GEMM z2 = W2 a1": lambda: np.matmul(W2, a1, out=z2),
            "GEMM dA = W2^T g2": lambda: np.matmul(W2.T, g2, out=t1),
            "GEMM dW2 = g2 a1^T": lambda: np.matmul(g2, a1.T, out=dW2),
            "GEMM dW1 = g1 x": lambda: np.matmul(g1, x, out=dW1),
            "tanh": lambda: np.tanh(z1, out=t1),
            "tanh' = 1 - a^2, times g": lambda: (np.multiply(a1, a1, out=t1), np.subtract(1, t1, out=t1),
                                                  np.multiply(g1, t1, out=t1)),
        }
        times = {name: _median(fn, 20) for name, fn in parts.items()}
    step = times.pop("step")
    print(f"150-100-5 float64 B={B}, one BLAS thread: step {step * 1e6:.0f} us")
    for name, t in times.items():
        print(f"  {name:<28}{t * 1e6:8.0f} us  {t / step:6.1%}")
    rest = step - sum(times.values())
    print(f"  {'everything else':<28}{rest * 1e6:8.0f} us  {rest / step:6.1%}")


def check() -> None:
    t0 = time.perf_counter()
    importlib.import_module("numpy")

    t1 = time.perf_counter()
    from gradverify.cli import build_parser

    args = build_parser().parse_args(["check", "--example", "cs7015-q3"])
    t2 = time.perf_counter()
    from gradverify.judge import verdicts, worked
    from gradverify.render import terminal

    t3 = time.perf_counter()
    example = worked.load_example(args.example[0])
    t4 = time.perf_counter()
    result = verdicts.judge(example)
    t5 = time.perf_counter()
    terminal.render(result, io.StringIO())
    t6 = time.perf_counter()
    parts = {"import numpy": t1 - t0, "command line (argparse, command modules)": t2 - t1,
             "judge and renderer imports": t3 - t2, "load the example": t4 - t3,
             "judge (verdict cache filled)": t5 - t4, "render the table": t6 - t5}
    total = t6 - t0
    print(f"check --example cs7015-q3 in one process (interpreter start not included): {total * 1e3:.1f} ms")
    for name, t in parts.items():
        print(f"  {name:<44}{t * 1e3:7.1f} ms  {t / total:6.1%}")


def main() -> None:
    what = sys.argv[1] if len(sys.argv) > 1 else "engine"
    if what == "check" and os.environ.get("PYTHONDONTWRITEBYTECODE"):
        import subprocess

        import harness

        env = harness.byte_compiled_env()  # as installed: bytecode cached
        for _ in range(2):  # the first run writes the bytecode
            out = subprocess.run([sys.executable, __file__, "check"], env=env, capture_output=True, text=True)
        print(out.stdout, end="")
        return
    {"engine": engine, "check": check}[what]()


if __name__ == "__main__":
    main()
