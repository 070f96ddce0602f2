"""The report's finite-difference witness agrees with backpropagation on random small networks."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from numeric.conventions import Conventions
from numeric.mlp import MLP
from reports.render.witness import named_gradients

SMOOTH = ["sigmoid", "tanh", "softplus", "gelu", "silu", "identity"]


@settings(max_examples=12, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 4), min_size=2, max_size=4),
    acts=st.lists(st.sampled_from(SMOOTH), min_size=3, max_size=3),
    softmax_ce=st.booleans(),
    layout=st.sampled_from(["to_from", "from_to"]),
    sign=st.sampled_from(["gradient", "negative"]),
    l2=st.sampled_from([0.0, 0.05]),
    seed=st.integers(0, 10_000),
)
def test_witness_matches_backprop(sizes, acts, softmax_ce, layout, sign, l2, seed) -> None:
    rng = np.random.default_rng(seed)
    layers = len(sizes) - 1
    names = list(acts[:layers])
    loss = "squared_error"
    if softmax_ce and sizes[-1] > 1:
        names[-1], loss = "softmax", "cross_entropy"
    conv = Conventions(weights=layout, error_sign=sign, l2=l2, first_layer=0, first_index=0)
    net = MLP.random(sizes, names, loss, seed=seed, conventions=conv)
    x = rng.uniform(-1, 1, sizes[0])
    y = rng.dirichlet(np.ones(sizes[-1])) if loss == "cross_entropy" else rng.uniform(-1, 1, sizes[-1])
    fwd = net.forward(x)
    named = net.named(fwd, net.backward(fwd, y))
    fd = named_gradients(net, SimpleNamespace(x=x, y=y))
    assert fd, "a small network always gets a witness"
    for key, value in fd.items():
        scale = max(1e-3, float(np.max(np.abs(named[key]))))
        assert np.max(np.abs(value - named[key])) / scale < 1e-6, key


def test_seed001_output_delta_by_finite_differences() -> None:
    """delta3 of seed 001 with L = (y - a)^2 is 2(a - y) a (1 - a) = -0.2338 (the lead's exact value)."""
    net = MLP.from_user([[[0.2, 0.3, 0.4], [-0.2, 0.1, 0.5]], [[-0.3, 0.1]]], [[-0.2, -0.2], [-0.2]],
                        ["sigmoid", "sigmoid"], "squared_error", Conventions())
    fd = named_gradients(net, SimpleNamespace(x=np.array([0.8, 0.7, 0.1]), y=np.array([0.9])))
    assert round(float(fd["delta3"][0]), 4) == -0.2338
    assert round(float(fd["db3"][0]), 4) == -0.2338
