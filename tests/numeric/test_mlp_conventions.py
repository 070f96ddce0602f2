"""Backprop equals central finite differences on random networks, under every convention of the seeds."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from gradverify.numeric import tiny
from gradverify.numeric.conventions import Conventions
from gradverify.numeric.mlp import MLP

sys.path.insert(0, str(Path(__file__).parent))
from loopfd import loop_fd  # noqa: E402

SMOOTH = ["sigmoid", "tanh", "softplus", "gelu", "silu", "identity"]
KINKED = ["relu", "leaky_relu", "prelu", "elu"]
OUTPUTS = [  # (output activation, loss, target kind)
    ("identity", "squared_error", "real"), ("identity", "half_squared_error", "real"),
    ("tanh", "mean_squared_error", "real"), ("sigmoid", "binary_cross_entropy", "prob"),
    ("softmax", "cross_entropy", "onehot"), ("identity", "softmax_cross_entropy", "onehot"),
    ("identity", "huber", "real"), ("identity", "cosine_similarity", "real"),
    ("identity", "cosine_similarity_general", "real"), ("sigmoid", "cross_entropy", "prob"),
]


def _target(kind: str, rng: np.random.Generator, B: int, n: int) -> np.ndarray:
    if kind == "onehot":
        return np.eye(n)[rng.integers(0, n, B)]
    if kind == "prob":
        return rng.uniform(0, 1, (B, n))
    return rng.normal(0, 1, (B, n))


@st.composite
def networks(draw):
    depth = draw(st.integers(1, 3))
    sizes = draw(st.lists(st.integers(1, 4), min_size=depth + 1, max_size=depth + 1))
    out_act, loss, target = draw(st.sampled_from(OUTPUTS))
    if out_act == "softmax" or loss in ("cosine_similarity_general",):
        sizes[-1] = max(2, sizes[-1])
    hidden = draw(st.lists(st.sampled_from(SMOOTH + KINKED), min_size=depth - 1, max_size=depth - 1))
    conv = Conventions(
        weights=draw(st.sampled_from(["to_from", "from_to"])), first_layer=draw(st.sampled_from([0, 1])),
        first_index=draw(st.sampled_from([0, 1])), reduction=draw(st.sampled_from(["mean", "sum"])),
        bias=draw(st.sampled_from(["per_neuron", "shared", "frozen", "none"])),
        error_sign=draw(st.sampled_from(["gradient", "negative"])), l2=draw(st.sampled_from([0.0, 0.05])),
    )
    seed = draw(st.integers(0, 2**16))
    B = draw(st.integers(1, 3))
    return sizes, hidden + [out_act], loss, target, conv, seed, B


def test_the_tiny_step_survives_replaced_parameters() -> None:
    net = _net(Conventions())
    net.step(np.array([X]), np.array([Y]), 1.0)  # W and b become views of one flat buffer
    net.W[0] = np.zeros((2, 3))  # a user replaces an array: the next step must see it
    ref = net.copy()
    want = ref.updated(ref.gradients(X, Y), 1.0)
    net.step(np.array([X]), np.array([Y]), 1.0)
    np.testing.assert_allclose(net.W[0], want.W[0], rtol=1e-15)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(networks())
def test_backprop_equals_central_differences(case) -> None:
    sizes, acts, loss, target, conv, seed, B = case
    rng = np.random.default_rng(seed)
    net = MLP.random(sizes, acts, loss, seed=seed, conventions=conv)
    x = rng.normal(0, 1, (B, sizes[0]))
    y = _target(target, rng, B, sizes[-1])
    fwd = net.forward(x)
    # keep kinked units clear of their kink by more than the difference step can move them
    for k, a in enumerate(acts):
        if a in KINKED:
            assume(np.min(np.abs(fwd.z[k])) > 1e-3)
    g = net.backward(fwd, y)
    fd = loop_fd(net, x, y)
    for k in range(len(net.W)):
        np.testing.assert_allclose(g.dW[k], fd["W"][k], rtol=1e-5, atol=1e-7)
        if net.b[k] is not None:
            np.testing.assert_allclose(g.db[k], fd["b"][k], rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(g.dx, fd["x"][0], rtol=1e-5, atol=1e-7)
    # both in-place steps (numpy buffers; plain floats for tiny networks) land where backward + update does
    new = net.updated(g, 0.1)
    kernels = ["numpy"] + (["python"] if tiny.eligible(net, B) else [])
    for kernel in kernels:
        fast = net.copy()
        loss = fast.step(x, y, 0.1, kernel=kernel)
        assert loss == pytest.approx(g.loss, rel=1e-12, abs=1e-14)
        for k in range(len(net.W)):
            np.testing.assert_allclose(fast.W[k], new.W[k], rtol=1e-12, atol=1e-14)
            if net.b[k] is not None:
                np.testing.assert_allclose(fast.b[k], new.b[k], rtol=1e-12, atol=1e-14)


def _net(conv: Conventions, loss: str = "half_squared_error") -> MLP:
    W = [[[0.2, 0.3, 0.4], [-0.2, 0.1, 0.5]], [[-0.3, 0.1]]]
    if conv.weights == "from_to":
        W = [np.array(w).T.tolist() for w in W]
    b = [[-0.2, -0.2], [-0.2]] if conv.bias != "shared" else [[-0.2], [-0.2]]
    return MLP.from_user(W, b, ["sigmoid", "sigmoid"], loss, conv)


X, Y = [0.8, 0.7, 0.1], [0.9]


def test_from_to_is_the_transpose_of_to_from() -> None:
    a, b = _net(Conventions()), _net(Conventions(weights="from_to"))
    qa = a.named(a.forward(X), a.gradients(X, Y))
    qb = b.named(b.forward(X), b.gradients(X, Y))
    np.testing.assert_array_equal(qa["dW2"], qb["dW2"].T)
    np.testing.assert_array_equal(qa["z3"], qb["z3"])


def test_numbering_and_names_follow_the_file() -> None:
    conv = Conventions(first_layer=0, first_index=0, weights="from_to", weights_named_by="from", biases_named_by="from")
    net = _net(conv)
    q = net.named(net.forward(X), net.gradients(X, Y))
    assert {"W0", "W1", "b0", "b1", "z1", "z2", "delta2", "dW0"} <= set(q)
    assert conv.element_name("W", 0, (1, 2)) == "W0[2,1]"  # core W[1,2] = from 2 to 1
    nielsen = Conventions()
    assert nielsen.element_name("W", 0, (0, 2)) == "W2[1,3]" and nielsen.element_name("b", 1, (0,)) == "b3[1]"


def test_negative_error_sign_flips_what_is_reported_not_the_update() -> None:
    g_net, n_net = _net(Conventions()), _net(Conventions(error_sign="negative"))
    qg = g_net.named(g_net.forward(X), g_net.gradients(X, Y))
    qn = n_net.named(n_net.forward(X), n_net.gradients(X, Y))
    for key in ("delta3", "delta2", "dW2", "db3", "dx", "dL_da2"):
        np.testing.assert_array_equal(qn[key], -qg[key])
    np.testing.assert_array_equal(qn["act_prime2"], qg["act_prime2"])
    upd_g = g_net.updated(g_net.gradients(X, Y), 1.0)
    upd_n = n_net.updated(n_net.gradients(X, Y), 1.0)
    np.testing.assert_array_equal(upd_g.W[0], upd_n.W[0])


def test_hidden_deltas_use_the_pre_update_weights() -> None:
    net = _net(Conventions())
    fwd = net.forward(X)
    g = net.backward(fwd, Y)
    a2 = fwd.a[0][0]
    by_hand = np.array([[-0.3, 0.1]]).T @ g.delta[1][0] * a2 * (1 - a2)  # (W3)^T delta3 * s'(z2), W3 as given
    np.testing.assert_allclose(g.delta[0][0], by_hand, rtol=1e-15)
    for kernel in ("numpy", "python"):
        fast = net.copy()
        fast.step(np.array([X]), np.array([Y]), 1.0, kernel=kernel)
        np.testing.assert_allclose(fast.W[0], net.W[0] - np.outer(by_hand, X), rtol=1e-14)


def test_bias_modes() -> None:
    per, shared = _net(Conventions()), _net(Conventions(bias="shared"))
    gs = shared.gradients(X, Y)
    assert gs.db[0].shape == (1,)
    np.testing.assert_allclose(gs.db[0], gs.delta[0].sum(), rtol=1e-15)  # one bias feeds every neuron
    frozen = _net(Conventions(bias="frozen"))
    after = frozen.updated(frozen.gradients(X, Y), 1.0)
    np.testing.assert_array_equal(after.b[0], frozen.b[0])
    np.testing.assert_array_equal(after.W[0], per.updated(per.gradients(X, Y), 1.0).W[0])
    for kernel in ("numpy", "python"):
        fast = frozen.copy()
        fast.step(np.array([X]), np.array([Y]), 1.0, kernel=kernel)
        np.testing.assert_array_equal(fast.b[0], frozen.b[0])
    none = MLP.from_user([[[0.2, 0.3, 0.4]]], None, ["sigmoid"], "half_squared_error", Conventions(bias="none"))
    z = 0.2 * 0.8 + 0.3 * 0.7 + 0.4 * 0.1
    assert none.forward(X).z[0][0, 0] == pytest.approx(z, rel=1e-15)
    assert none.gradients(X, Y).db == [None]


def test_batch_mean_is_the_sum_over_B_and_l2_adds_lambda_W() -> None:
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(4, 3)), rng.uniform(size=(4, 1))
    mean, total = _net(Conventions(reduction="mean")), _net(Conventions(reduction="sum"))
    gm, gs = mean.gradients(x, y), total.gradients(x, y)
    np.testing.assert_allclose(gs.dW[0], 4 * gm.dW[0], rtol=1e-14)
    assert gs.loss == pytest.approx(4 * gm.loss, rel=1e-14)
    reg = _net(Conventions(reduction="mean", l2=0.3))
    gr = reg.gradients(x, y)
    np.testing.assert_allclose(gr.dW[1], gm.dW[1] + 0.3 * reg.W[1], rtol=1e-14)
    np.testing.assert_array_equal(gr.db[1], gm.db[1])
    assert gr.loss == pytest.approx(gm.loss + 0.15 * sum(float((w**2).sum()) for w in reg.W), rel=1e-14)


@pytest.mark.parametrize("B", [1, 5])
def test_float32_step_agrees_with_float64_to_float32_precision(B: int) -> None:
    net64 = MLP.random([6, 5, 3], ["tanh", "softmax"], "cross_entropy", seed=2)
    net32 = net64.astype(np.float32)
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(B, 6)), np.eye(3)[rng.integers(0, 3, B)]
    l64 = net64.step(x, y, 0.5)
    l32 = net32.step(x.astype(np.float32), y.astype(np.float32), 0.5)
    assert l32 == pytest.approx(l64, rel=1e-6)
    for a, b in zip(net32.W, net64.W):
        assert a.dtype == np.float32
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    g32 = net32.gradients(x.astype(np.float32), y.astype(np.float32))
    g64 = net64.gradients(x, y)
    np.testing.assert_allclose(g32.dW[0], g64.dW[0], rtol=1e-4, atol=1e-6)


def test_bad_conventions_and_shapes_say_what_to_write() -> None:
    with pytest.raises(ValueError, match="weights must be one of 'to_from', 'from_to', not 'rows'"):
        Conventions(weights="rows")
    with pytest.raises(ValueError, match="reduction must be one of 'mean', 'sum'"):
        Conventions(reduction="avg")
    with pytest.raises(ValueError, match="l2 must be a number >= 0"):
        Conventions(l2=-1.0)
    with pytest.raises(ValueError, match="weight layer 1 takes 3 inputs but layer 0 gives 2"):
        MLP.from_user([[[1.0, 2.0], [3.0, 4.0]], [[1.0, 2.0, 3.0]]], None, ["tanh", "identity"], "half_squared_error")
    with pytest.raises(ValueError, match="layer 0 has 2 neurons but 3 biases"):
        MLP.from_user([[[1.0, 2.0], [3.0, 4.0]]], [[0.1, 0.2, 0.3]], ["tanh"], "half_squared_error")
    with pytest.raises(ValueError, match="2 weight matrices need 2 activations, got 1"):
        MLP.from_user([[[1.0]], [[1.0]]], None, ["tanh"], "half_squared_error")
    with pytest.raises(KeyError, match="did you mean 'tanh'"):
        MLP.from_user([[[1.0]]], None, ["tahn"], "half_squared_error")
