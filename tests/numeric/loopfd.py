"""A plain, slow, obviously right central-difference loop: the tests' independent witness."""

from __future__ import annotations

import numpy as np

from gradverify.numeric.mlp import MLP


def loop_fd(net: MLP, x: np.ndarray, y: np.ndarray, h: float = 1e-6, layers: set[int] | None = None) -> dict[str, list[np.ndarray]]:
    """dL/dW, dL/db per layer and dL/dx by perturbing one element at a time and re-running the loss.

    ``layers`` limits W and b to those weight layers (None for the others) to keep big networks quick.
    """
    out: dict[str, list[np.ndarray]] = {"W": [], "b": [], "x": []}
    for kind in ("W", "b"):
        for k in range(len(net.W)):
            arr = (net.W if kind == "W" else net.b)[k]
            if arr is None or (layers is not None and k not in layers):
                out[kind].append(None)
                continue
            g = np.zeros_like(arr, dtype=np.float64)
            for idx in np.ndindex(arr.shape):
                old = arr[idx]
                arr[idx] = old + h
                lp = net.evaluate(x, y)
                arr[idx] = old - h
                lm = net.evaluate(x, y)
                arr[idx] = old
                g[idx] = (lp - lm) / (2 * h)
            out[kind].append(g)
    xs = np.array(x, dtype=np.float64)
    gx = np.zeros_like(xs)
    for idx in np.ndindex(xs.shape):
        xp, xm = xs.copy(), xs.copy()
        xp[idx] += h
        xm[idx] -= h
        gx[idx] = (net.evaluate(xp, y) - net.evaluate(xm, y)) / (2 * h)
    out["x"].append(gx)
    return out
