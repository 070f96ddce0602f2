"""The networks and batches every contender is timed on, built once here so all sides compute the same thing."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gradverify.numeric.mlp import MLP  # noqa: E402

# A tiny learning rate keeps every contender at its starting point, so each repeat does the same
# arithmetic: thousands of steps on one batch would converge and leave subnormal gradients, which
# slow BLAS and exp tenfold on any side.
LR = 1e-7


def network(sizes: list[int], dtype: str = "float64") -> MLP:
    """tanh hidden layers, softmax + cross-entropy output, batch mean; Glorot weights, seed 0."""
    acts = ["tanh"] * (len(sizes) - 2) + ["softmax"]
    return MLP.random(sizes, acts, "cross_entropy", seed=0, dtype=getattr(np, dtype))


def batch(sizes: list[int], B: int, dtype: str = "float64") -> tuple[np.ndarray, np.ndarray]:
    """A standard-normal batch and one-hot labels (seed 0)."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((B, sizes[0])).astype(dtype)
    y = np.eye(sizes[-1], dtype=dtype)[rng.integers(0, sizes[-1], B)]
    return x, y


def network_data(sizes: list[int], B: int, dtype: str) -> tuple[list[np.ndarray], list[np.ndarray], np.ndarray, np.ndarray]:
    """The same network's weights (n_out, n_in), biases, batch and labels as plain arrays (for peers)."""
    net = network(sizes, dtype)
    x, y = batch(sizes, B, dtype)
    return [w.copy() for w in net.W], [v.copy() for v in net.b], x, y
