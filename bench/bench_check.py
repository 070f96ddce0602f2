"""`gradverify check` of a 50-step file with and without two wrong claims, whole process, interleaved.

The file: seed 001's 3-2-1 sigmoid network trained for 50 SGD steps, every step's z, a, loss, delta,
dW, db and updated W, b written at 4 significant digits (computed by the engine, as a careful hand
would). The wrong version has two typos in written weights (steps 10 and 30) that the later steps
do not use: the judge must try each corrected value and re-judge what depends on it. Goal (issue
18): the file with wrong claims costs at most 1.5x the same file without them. Also printed: the
bundled example against the `import numpy` floor (see bench_startup.py for the start-up goals).
Median of >= 5 rounds, spread [lowest..highest]. Run: python bench/bench_check.py [--rounds N]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np

import harness

from gradverify.numeric.mlp import MLP

STEPS = 50
GOAL = 1.5
TYPOS = ((10, "W2", 0, 1), (30, "W3", 0, 0))  # (step, name, row, column): the written weight gets a digit wrong


def _sig(v: float) -> str:
    return f"{v:.4g}"


def _vec(a: np.ndarray) -> str:
    return "[" + ", ".join(f'"{_sig(float(v))}"' for v in np.ravel(a)) + "]"


def _mat(a: np.ndarray) -> str:
    return "[" + ", ".join(_vec(row) for row in a) + "]"


def fifty_steps(typos: bool) -> str:
    """The 50-step worked example as TOML; with `typos`, two written weights have a digit changed."""
    W = [np.array([[0.2, 0.3, 0.4], [-0.2, 0.1, 0.5]]), np.array([[-0.3, 0.1]])]
    b = [np.array([-0.2, -0.2]), np.array([-0.2])]
    x, y, lr = np.array([0.8, 0.7, 0.1]), np.array([0.9]), 0.5
    net = MLP.from_user(W, b, ["sigmoid", "sigmoid"], "squared_error")
    lines = ['title = "50 SGD steps of seed 001\'s 3-2-1 sigmoid network"', "", "[network]", "sizes = [3, 2, 1]",
             'activations = ["sigmoid", "sigmoid"]', 'loss = "squared_error"', f"learning_rate = {lr}",
             "numbering = { first_layer = 1, first_index = 1 }", 'weights = "to_from"', "", "[data]",
             "x = [0.8, 0.7, 0.1]", "y = [0.9]", "", "[parameters]",
             "W2 = [[0.2, 0.3, 0.4], [-0.2, 0.1, 0.5]]", "b2 = [-0.2, -0.2]", "W3 = [[-0.3, 0.1]]", "b3 = [-0.2]"]
    for step in range(1, STEPS + 1):
        lines += ["", "[[step]]"]
        if step > 1:
            for name, value in (("W2", net.W[0]), ("b2", net.b[0]), ("W3", net.W[1]), ("b3", net.b[1])):
                text = _mat(value) if name.startswith("W") else _vec(value)
                for s, n, i, j in TYPOS:
                    if typos and s == step and n == name:
                        good = _sig(float(value[i, j]))
                        bad = good[:-1] + str((int(good[-1]) + 3) % 10)
                        text = text.replace(f'"{good}"', f'"{bad}"', 1)
                lines.append(f"{name} = {text}")
        fwd = net.forward(x)
        g = net.backward(fwd, y)
        lines += [f"z2 = {_vec(fwd.z[0])}", f"a2 = {_vec(fwd.a[0])}", f"z3 = {_vec(fwd.z[1])}",
                  f"a3 = {_vec(fwd.a[1])}", f'loss = "{_sig(g.loss)}"', f"delta3 = {_vec(g.delta[1])}",
                  f"dW3 = {_mat(g.dW[1])}", f"db3 = {_vec(g.db[1])}", f"delta2 = {_vec(g.delta[0])}",
                  f"dW2 = {_mat(g.dW[0])}", f"db2 = {_vec(g.db[0])}"]
        net = net.updated(g, lr)
    return "\n".join(lines) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=7, help="rounds (>= 5)")
    args = ap.parse_args()
    env = harness.byte_compiled_env()
    py = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        clean, wrong = Path(tmp) / "fifty.toml", Path(tmp) / "fifty-wrong.toml"
        clean.write_text(fifty_steps(False))
        wrong.write_text(fifty_steps(True))
        cmd = [py, "-m", "gradverify", "check"]
        for f in (clean, wrong):
            harness.wall(cmd + [str(f)], env)
        figs = harness.interleave({
            "50 steps": lambda: harness.wall(cmd + [str(clean)], env),
            "50 steps, 2 wrong": lambda: harness.wall(cmd + [str(wrong)], env),
            "check --example cs7015-q3": lambda: harness.wall(cmd + ["--example", "cs7015-q3"], env),
            "import numpy": lambda: harness.wall([py, "-c", "import numpy"], env),
        }, args.rounds)
    print(harness.machine_line() + "\n")
    for name, f in figs.items():
        print(f"{name:<28}{f.text()}")
    per_round = [w / c for w, c in zip(figs["50 steps, 2 wrong"].samples, figs["50 steps"].samples)]
    ratio = figs["50 steps, 2 wrong"].median / figs["50 steps"].median
    print(f"\nwith 2 wrong claims / without: {ratio:.2f}x [{min(per_round):.2f}..{max(per_round):.2f}]; "
          + harness.goal_text(ratio <= GOAL, f"<= {GOAL}x"))
    print(f"check --example cs7015-q3 / import numpy: {figs['check --example cs7015-q3'].median / figs['import numpy'].median:.2f}x")
    print(f"load average at the end: {harness.machine_line()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
