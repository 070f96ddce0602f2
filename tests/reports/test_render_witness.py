"""The witness column: each claimed gradient gets gradcheck's central difference of the right
element, in the file's numbering, layout and error sign, and it agrees with backpropagation."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from gradverify.numeric.conventions import Conventions
from gradverify.numeric.mlp import MLP
from gradverify.render.witness import probe_name, values

SMOOTH = ["sigmoid", "tanh", "softplus", "silu", "identity"]


def test_probe_names() -> None:
    assert probe_name("dW", 2, (1, 3), 1) == "W2[1,3]"
    assert probe_name("db", 3, (), 1) == "b3[1]"
    assert probe_name("delta", 0, (2,), 0) == "delta0[2]"
    assert probe_name("dx", None, (2,), 1) == "x[2]"
    assert probe_name("z", 2, (1,), 1) is None and probe_name("loss", None, (), 1) is None


@settings(max_examples=10, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 4), min_size=2, max_size=4),
    acts=st.lists(st.sampled_from(SMOOTH), min_size=3, max_size=3),
    layout=st.sampled_from(["to_from", "from_to"]),
    sign=st.sampled_from(["gradient", "negative"]),
    first=st.sampled_from([0, 1]),
    seed=st.integers(0, 10_000),
)
def test_every_gradient_claim_gets_a_witness_equal_to_backprop(sizes, acts, layout, sign, first, seed) -> None:
    rng = np.random.default_rng(seed)
    conv = Conventions(weights=layout, error_sign=sign, first_layer=first, first_index=first)
    net = MLP.random(sizes, acts[: len(sizes) - 1], "squared_error", seed=seed, conventions=conv)
    x, y = rng.uniform(-1, 1, sizes[0]), rng.uniform(-1, 1, sizes[-1])
    named = net.named(net.forward(x), net.backward(net.forward(x), y))
    claims, expected = [], {}
    for key, arr in named.items():
        for q in ("dW", "db", "delta", "dL_da", "dx"):
            if key.startswith(q) and (key[len(q):].isdigit() or key == "dx"):
                layer = None if q == "dx" else int(key[len(q):])
                for idx in np.ndindex(np.shape(arr)):
                    claims.append((len(claims), q, layer, tuple(i + first for i in idx)))
                    expected[len(claims) - 1] = float(arr[idx])
    got = values(net, SimpleNamespace(x=x, y=y, first_index=first), claims)
    assert set(got) == set(expected)
    for n, want in expected.items():
        assert abs(got[n] - want) <= 1e-6 * max(1.0, abs(want)), claims[n]


def test_seed001_output_delta_by_finite_differences() -> None:
    """delta3 of seed 001 with L = (y - a)^2 is 2(a - y) a (1 - a) = -0.2338 (the lead's exact value)."""
    net = MLP.from_user([[[0.2, 0.3, 0.4], [-0.2, 0.1, 0.5]], [[-0.3, 0.1]]], [[-0.2, -0.2], [-0.2]],
                        ["sigmoid", "sigmoid"], "squared_error", Conventions())
    info = SimpleNamespace(x=np.array([0.8, 0.7, 0.1]), y=np.array([0.9]), first_index=1)
    got = values(net, info, [(0, "delta", 3, (1,)), (1, "db", 3, ()), (2, "dW", 3, (1, 1))])
    assert round(got[0], 4) == -0.2338 and round(got[1], 4) == -0.2338
    assert round(got[2], 4) == round(-0.23377 * 0.55231, 4)
