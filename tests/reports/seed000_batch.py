"""Seed 000's batch convention worked by hand: a 2-3-1 regression network (sigmoid hidden layer,
identity output, E = (y - O)^2, no biases, layers and indices from 0, omega^l from layer l to
l + 1), B samples averaged by dividing dE/dO^L by B, every number computed in 50-digit arithmetic
by the seed's own recursion (Delta^1 = -2 (y - O^2) / B, Delta^2_i = O^1_i (1 - O^1_i) sum_j
omega^1_ij Delta^1_j, dE/domega^l_ij = sum_b O^l_i Delta_j) and printed at 4 significant digits.
`python tests/reports/seed000_batch.py > reports/examples/seed000-batch-mean.toml` writes the
bundled example (B = 2)."""

from __future__ import annotations

import sys

import mpmath

W0 = [["0.5", "-0.3", "0.8"], ["0.2", "0.7", "-0.6"]]  # omega^0[i][j]: input i -> hidden j
W1 = [["0.4"], ["-0.9"], ["0.3"]]  # omega^1[i][0]: hidden i -> output
SAMPLES = [(["0.6", "-0.4"], "0.5"), (["-0.2", "0.9"], "-0.1"), (["1.0", "0.3"], "0.8")]


def _s(v: mpmath.mpf) -> str:
    return mpmath.nstr(v, 4, min_fixed=-5, max_fixed=5, strip_zeros=False)


def worked(B: int, convention: bool = True) -> str:
    """The example's TOML for the first B samples; without `convention`, the same numbers under
    the default batch convention (the false alarm the stated convention removes)."""
    with mpmath.workdps(50):
        w0 = [[mpmath.mpf(v) for v in row] for row in W0]
        w1 = [[mpmath.mpf(v) for v in row] for row in W1]
        lines, dw0, dw1 = [], [[0] * 3 for _ in range(2)], [[0] for _ in range(3)]
        for b, (x, y) in enumerate(SAMPLES[:B]):  # samples are numbered like neurons, from 0
            x = [mpmath.mpf(v) for v in x]
            s0 = [sum(x[i] * w0[i][j] for i in range(2)) for j in range(3)]
            o1 = [1 / (1 + mpmath.exp(-v)) for v in s0]
            o2 = sum(o1[i] * w1[i][0] for i in range(3))
            d1 = -2 * (mpmath.mpf(y) - o2) / B
            d2 = [o1[i] * (1 - o1[i]) * w1[i][0] * d1 for i in range(3)]
            for i in range(3):
                dw1[i][0] += o1[i] * d1
            for i in range(2):
                for j in range(3):
                    dw0[i][j] += x[i] * d2[j]
            lines += [f'"z1[{b},{j}]" = "{_s(s0[j])}"' for j in range(3)]
            lines += [f'"a1[{b},{j}]" = "{_s(o1[j])}"' for j in range(3)]
            lines += [f'"a2[{b},0]" = "{_s(o2)}"', f'"delta2[{b},0]" = "{_s(d1)}"']
            lines += [f'"delta1[{b},{j}]" = "{_s(d2[j])}"' for j in range(3)]
        lines.append("dW1 = [" + ", ".join(f'["{_s(r[0])}"]' for r in dw1) + "]")
        lines.append("dW0 = [" + ", ".join("[" + ", ".join(f'"{_s(v)}"' for v in r) + "]" for r in dw0) + "]")
    xs = ", ".join("[" + ", ".join(x) + "]" for x, _y in SAMPLES[:B])
    ys = ", ".join(f"[{y}]" for _x, y in SAMPLES[:B])
    return "\n".join([
        "# Seed 000's batch convention worked by hand (tests/reports/seed000_batch.py): a 2-3-1 regression",
        "# network, E = (y - O)^2 averaged over the batch by dividing dE/dO^L by B, so every Delta carries",
        "# 1/B and dE/domega sums over the samples. Every number follows the seed's recursion.",
        f'title = "Seed 000: the Delta recursion over a batch of {B}, the mean taken at dE/dO"', "",
        "[network]", "sizes = [2, 3, 1]", 'activations = ["sigmoid", "identity"]', 'loss = "squared_error"',
        "numbering = { first_layer = 0, first_index = 0 }", 'weights = "from_to"', 'weights_named_by = "from"',
        'bias = "none"', 'batch = "mean"', "learning_rate = 0.5  # the seed's alpha (no update is claimed)"] + (['batch_mean_at = "output_gradient"'] if convention else []) + [
        "", "[data]", f"x = [{xs}]", f"y = [{ys}]", "", "[parameters]",
        "W0 = [" + ", ".join("[" + ", ".join(r) + "]" for r in W0) + "]",
        "W1 = [" + ", ".join("[" + ", ".join(r) + "]" for r in W1) + "]", "", "[[step]]", *lines, ""])


if __name__ == "__main__":
    sys.stdout.write(worked(2))
