"""How fast the judge is in process, on large worked examples: a 1,000-claim file, the same file with
two wrong claims, and a 50-step file with and without two wrong claims.

Run on demand: `python bench/bench_judge.py [ROUNDS]`. The files are written here by a small
independent generator (a sigmoid network worked the way a person does: every number computed from the
numbers already written, printed at 6 significant digits), so the bench runs on any version of the
judge. Contenders are interleaved round by round; medians and spreads (min-max) are printed, and the
ratio of each file with wrong claims to the same file without them.
"""

from __future__ import annotations

import math
import statistics
import sys
import time

import numpy as np


def _p(v: float) -> str:
    return f"{v:.6g}"


def _arr(a: np.ndarray) -> str:
    if a.ndim == 1:
        return "[" + ", ".join(f'"{_p(v)}"' for v in a) + "]"
    return "[" + ", ".join(_arr(r) for r in a) + "]"


def _r(a: np.ndarray) -> np.ndarray:
    return np.vectorize(lambda v: float(_p(v)))(a)


def worked_file(sizes: list[int], steps: int, every: int = 1, wrong: int = 0, seed: int = 1) -> str:
    """A worked example of a sigmoid network with squared error, `steps` steps, every quantity claimed
    at steps divisible by `every` (the first and last always) and `wrong` mistyped numbers."""
    rng = np.random.default_rng(seed)
    W = [np.round(rng.uniform(-0.9, 0.9, (sizes[k + 1], sizes[k])), 1) for k in range(len(sizes) - 1)]
    b = [np.round(rng.uniform(-0.5, 0.5, sizes[k + 1]), 1) for k in range(len(sizes) - 1)]
    x = np.round(rng.uniform(-1, 1, sizes[0]), 1)
    y = np.round(rng.uniform(0.1, 0.9, sizes[-1]), 1)
    lr = 0.5
    head = [f'title = "bench {sizes} x {steps}"', "[network]", f"sizes = {sizes}",
            f"activations = {['sigmoid'] * (len(sizes) - 1)}".replace("'", '"'),
            'loss = "squared_error"', f"learning_rate = {lr}", "[data]",
            f"x = {x.tolist()}", f"y = {y.tolist()}", "[parameters]"]
    for k in range(len(W)):
        head += [f"W{k + 2} = {W[k].tolist()}", f"b{k + 2} = {b[k].tolist()}"]
    lines = head
    Ws, bs = [w.copy() for w in W], [v.copy() for v in b]
    planted = 0
    for s in range(1, steps + 1):
        shown = s == 1 or s == steps or s % every == 0
        if shown:
            lines += ["", "[[step]]"] + ([f"step = {s}"] if every > 1 else [])
            if s > 1:
                for k in range(len(Ws)):
                    lines += [f"W{k + 2} = {_arr(Ws[k])}", f"b{k + 2} = {_arr(bs[k])}"]
        a, acts = x, [x]
        for k in range(len(Ws)):
            z = Ws[k] @ a + bs[k]
            z = _r(z) if shown else z
            a = 1 / (1 + np.exp(-z))
            a = _r(a) if shown else a
            acts.append(a)
            if shown:
                lines += [f"z{k + 2} = {_arr(z)}", f"a{k + 2} = {_arr(a)}"]
        loss = float(np.sum((y - a) ** 2))
        g = 2 * (a - y)
        dW, db = [None] * len(Ws), [None] * len(Ws)
        for k in range(len(Ws) - 1, -1, -1):
            d = g * acts[k + 1] * (1 - acts[k + 1])
            d = _r(d) if shown else d
            dW[k] = np.outer(d, acts[k])
            dW[k] = _r(dW[k]) if shown else dW[k]
            db[k] = d
            if shown:
                text = _arr(d)
                if planted < wrong and k == len(Ws) - 1:  # a typo in the output delta: 1.23456 -> 1.32456
                    t = _p(d[0])
                    i = next(j for j, ch in enumerate(t) if ch.isdigit() and ch != "0")
                    if i + 2 < len(t) and t[i + 1] != "." and t[i + 1] != t[i + 2] and t[i + 2] != ".":
                        bad = t[:i + 1] + t[i + 2] + t[i + 1] + t[i + 3:]
                        text = "[" + ", ".join([f'"{bad}"'] + [f'"{_p(v)}"' for v in d[1:]]) + "]"
                        planted += 1
                lines += [f"delta{k + 2} = {text}", f"dW{k + 2} = {_arr(dW[k])}", f"db{k + 2} = {_arr(db[k])}"]
            g = Ws[k].T @ d
        if shown:
            lines.append(f'loss = "{_p(loss)}"')
        Ws = [Ws[k] - lr * dW[k] for k in range(len(Ws))]
        bs = [bs[k] - lr * db[k] for k in range(len(Ws))]
        if shown:
            Ws, bs = [_r(w) for w in Ws], [_r(v) for v in bs]
    return "\n".join(lines) + "\n"


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    from gradverify.judge import verdicts as judge
    from gradverify.judge import worked

    files = {
        "1,000 claims (6-12-12-4, 2 steps)": worked_file([6, 12, 12, 4], 2),
        "1,000 claims, 2 wrong": worked_file([6, 12, 12, 4], 2, wrong=2),
        "50 steps (3-4-2)": worked_file([3, 4, 2], 50),
        "50 steps, 2 wrong": worked_file([3, 4, 2], 50, wrong=2),
    }
    examples = {name: worked.loads(text, name) for name, text in files.items()}
    times: dict[str, list[float]] = {name: [] for name in files}
    summary = {}
    for name, ex in examples.items():  # warm up, and count
        r = judge.judge(ex)
        summary[name] = (len(ex.claims), r.summary())
    for _ in range(rounds):
        for name, ex in examples.items():
            t = time.perf_counter()
            judge.judge(ex)
            times[name].append(time.perf_counter() - t)
    print(f"judge in process, {rounds} rounds interleaved: median (min-max)")
    for name, ts in times.items():
        n, s = summary[name]
        print(f"{name:38s} {statistics.median(ts) * 1000:8.1f} ms ({min(ts) * 1000:.1f}-{max(ts) * 1000:.1f})"
              f"  {n} claims, {s}")
    names = list(files)
    for base, bad in ((names[0], names[1]), (names[2], names[3])):
        ratio = statistics.median(times[bad]) / statistics.median(times[base])
        print(f"ratio with 2 wrong claims / without, {base.split('(')[0].strip():12s} {ratio:.2f}"
              f"  (goal <= 1.5)")
    assert math.isfinite(ratio)


if __name__ == "__main__":
    main()
