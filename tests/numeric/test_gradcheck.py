"""The vectorized per-element check equals a plain FD loop, finds planted errors by name, and knows kinks."""

from __future__ import annotations

import math
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from gradverify.numeric.conventions import Conventions
from gradverify.numeric.gradcheck import BANDS, check_grads, fd_witness
from gradverify.numeric.mlp import MLP

sys.path.insert(0, str(Path(__file__).parent))
from loopfd import loop_fd  # noqa: E402

CASES = [
    ([4, 5, 3], ["tanh", "softmax"], "cross_entropy", Conventions(l2=0.01)),
    ([3, 4, 4, 2], ["relu", "leaky_relu", "identity"], "half_squared_error", Conventions(weights="from_to", first_index=0)),
    ([3, 4, 2], ["elu", "identity"], "hinge", Conventions(reduction="sum")),
    ([3, 4, 2], ["gelu", "sigmoid"], "binary_cross_entropy", Conventions(bias="shared")),
    ([3, 3, 2], ["silu", "identity"], "softmax_cross_entropy", Conventions(bias="frozen")),
    ([3, 3, 2], ["softplus", "softmax"], "cross_entropy", Conventions(bias="none")),
]


@pytest.mark.parametrize("sizes, acts, loss, conv", CASES)
@pytest.mark.parametrize("B", [1, 3])
def test_vectorized_differences_equal_the_plain_loop(sizes, acts, loss, conv, B) -> None:
    rng = np.random.default_rng(len(sizes) + B)
    net = MLP.random(sizes, acts, loss, seed=B, conventions=conv)
    x = rng.normal(size=(B, sizes[0]))
    y = np.eye(sizes[-1])[rng.integers(0, sizes[-1], B)]
    if loss == "hinge":
        y = 2 * y - 1
    report = check_grads(net, x, y, h=1e-6)
    fd = loop_fd(net, x, y, h=1e-6)
    blocks = {(b.kind, b.layer): b for b in report.blocks}
    for k in range(len(net.W)):
        np.testing.assert_allclose(blocks["W", k].numeric, fd["W"][k], rtol=1e-6, atol=1e-9)
        if net.b[k] is not None:
            np.testing.assert_allclose(blocks["b", k].numeric.reshape(-1), fd["b"][k].reshape(-1), rtol=1e-6, atol=1e-9)
    xb = blocks["x", None].numeric
    np.testing.assert_allclose(xb.reshape(fd["x"][0].shape), fd["x"][0], rtol=1e-6, atol=1e-9)
    assert report.ok, report.summary()


def test_a_planted_error_is_found_and_named() -> None:
    net = MLP.random([150, 100, 5], ["tanh", "softmax"], "cross_entropy", seed=0)
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=150), np.eye(5)[1]
    g = net.gradients(x, y)
    g.dW[0] = g.dW[0].copy()
    g.dW[0][2, 6] *= 2.0  # one wrong element out of 15,605
    g.db[1] = -g.db[1]  # a sign slip on the output bias
    report = check_grads(net, x, y, grads=g)
    assert not report.ok
    wrong = {e.name for e in report.worst(10) if e.band == "wrong"}
    assert wrong == {"W2[3,7]", "b3[1]", "b3[2]", "b3[3]", "b3[4]", "b3[5]"}
    assert report.counts()["wrong"] == 6
    assert "W2[3,7]" in report.summary(10) and "FAILED" in report.summary()
    e = report.element("W2[3,7]")
    assert e.analytic == pytest.approx(2 * e.numeric, rel=1e-6)


def test_a_difference_across_a_kink_is_reported_as_kink_not_failure() -> None:
    # relu at z = 0.5*1 - 0.5*1 = 0 exactly: relu'(0) = 0 by convention; the difference sees 1/2
    net = MLP.from_user([[[1.0, -1.0]], [[2.0]]], [[0.0], [0.0]], ["relu", "identity"], "half_squared_error")
    report = check_grads(net, [0.5, 0.5], [1.0])
    bands = {e.name: e.band for e in report.kinks(10)}
    assert set(bands) == {"W2[1,1]", "W2[1,2]", "b2[1]", "x[1]", "x[2]"}
    assert report.ok
    # relu'(0) = 0 gives 0; the difference averages the two one-sided slopes 0 and -2 of L = (1 - 2 relu(b))^2 / 2
    assert report.element("b2[1]").analytic == 0.0
    assert report.element("b2[1]").numeric == pytest.approx(-1.0, abs=1e-4)
    # away from the kink the same network is plainly good
    far = check_grads(net, [0.9, 0.1], [1.0])
    assert far.counts()["kink"] == 0 and far.ok


def test_hinge_margin_is_a_kink_of_the_loss() -> None:
    net = MLP.from_user([[[1.0]]], [[0.0]], ["identity"], "hinge")
    report = check_grads(net, [1.0], [1.0])  # y * a = 1 exactly: the margin
    assert report.counts()["kink"] == 3  # W, b, x all straddle it
    assert report.ok


def test_bands_follow_the_relative_error() -> None:
    net = MLP.random([3, 4, 2], ["tanh", "identity"], "half_squared_error", seed=5)
    x, y = np.array([0.3, -0.2, 0.5]), np.array([0.1, -0.4])
    g = net.gradients(x, y)
    g.dW[1] = g.dW[1] * np.array([[1 + 1e-3, 1 + 1e-9, 1, 1], [1, 1, 1, 1.5]])
    report = check_grads(net, x, y, grads=g)
    assert report.element("W3[1,1]").band == "uncomfortable"
    assert report.element("W3[1,2]").band == "good"
    assert report.element("W3[2,4]").band == "wrong"
    assert set(BANDS) == {"good", "acceptable", "uncomfortable", "wrong", "kink"}


def test_witnesses_show_both_losses_and_follow_the_error_sign() -> None:
    net = MLP.from_user([[[0.2, 0.3, 0.4], [-0.2, 0.1, 0.5]], [[-0.3, 0.1]]], [[-0.2, -0.2], [-0.2]],
                        ["sigmoid", "sigmoid"], "half_squared_error")
    x, y = [0.8, 0.7, 0.1], [0.9]
    names = ["W2[1,1]", "b3[1]", "x[2]", "delta2[1]", "dL_da2[2]", "delta3[1]", "dL_da3[1]"]
    w = fd_witness(net, x, y, names)
    for name in names:
        assert w[name].rel < 1e-8, (name, w[name])
        assert w[name].numeric == pytest.approx((w[name].loss_plus - w[name].loss_minus) / (2 * w[name].h))
    s = lambda t: 1 / (1 + math.exp(-t))  # noqa: E731
    a3 = s(-0.3 * s(0.21) + 0.1 * s(-0.24) - 0.2)
    assert w["dL_da3[1]"].analytic == pytest.approx(a3 - 0.9, rel=1e-14)  # a - y
    neg = replace(net.conventions, error_sign="negative")
    net_neg = MLP(net.W, net.b, net.activations, net.loss, conventions=neg)
    wn = fd_witness(net_neg, x, y, ["delta3[1]"])
    assert wn["delta3[1]"].analytic == -w["delta3[1]"].analytic
    with pytest.raises(KeyError, match="W2\\[1,3\\]"):
        fd_witness(net, x, y, ["weights"])


def test_check_function_for_any_scalar_function() -> None:
    from gradverify.numeric.activations import sigmoid
    from gradverify.numeric.gradcheck import check_function

    x = np.array([[0.3, -1.2], [2.0, 0.0]])
    good = check_function(lambda v: sigmoid(v).sum(), lambda v: sigmoid(v) * (1 - sigmoid(v)), x)
    assert good.ok and good.counts()["good"] == 4
    # the classic slip: s instead of s(1 - s)
    bad = check_function(lambda v: sigmoid(v).sum(), lambda v: sigmoid(v), x)
    assert not bad.ok and bad.counts()["wrong"] == 4
    assert bad.worst(1)[0].name == "x[1,0]"  # sigmoid(2) vs sigmoid'(2): the largest relative error


def test_a_small_error_is_acceptable_only_near_a_kink() -> None:
    # z = 0.5 * 0.001 = 5e-4: fifty steps of h = 1e-5 from relu's kink, but not across it
    near = MLP.from_user([[[0.5]], [[2.0]]], [[0.0], [0.0]], ["relu", "identity"], "half_squared_error")
    far = MLP.from_user([[[0.5]], [[2.0]]], [[1.0], [0.0]], ["relu", "identity"], "half_squared_error")
    for net, band in ((near, "acceptable"), (far, "uncomfortable")):
        g = net.gradients([0.001], [1.0])
        g.db[0] = g.db[0] * (1 + 1e-5)
        report = check_grads(net, [0.001], [1.0], grads=g)
        assert report.element("b2[1]").band == band
        assert report.counts()["kink"] == 0


@pytest.mark.parametrize("B", [1, 3])
def test_small_change_form_of_the_fused_output_equals_the_plain_losses(B: int) -> None:
    from gradverify.numeric import gradcheck as gc

    net = MLP.random([4, 6, 3], ["tanh", "softmax"], "cross_entropy", seed=B)
    rng = np.random.default_rng(B)
    x, y = rng.normal(size=(B, 4)), np.eye(3)[rng.integers(0, 3, B)]
    fwd = net.forward(x)
    da = rng.normal(size=(2, 6, 5, B)) * 1e-4
    small, plain = gc._fused_output_tail(net, 0, da, fwd, y), gc._fused_output_tail_plain(net, 0, da, fwd, y)
    half = small.size // 2
    np.testing.assert_allclose(small[:half] - small[half:], plain[:half] - plain[half:], rtol=1e-7, atol=1e-14)
    # a large step takes the plain form
    big = gc._fused_output_tail(net, 0, da * 1e5, fwd, y)
    np.testing.assert_array_equal(big, gc._fused_output_tail_plain(net, 0, da * 1e5, fwd, y))


@pytest.mark.parametrize("B, n_next", [(1, 3), (3, 12), (2, 40)])
def test_moment_series_of_the_fused_output_equals_the_plain_losses(B: int, n_next: int) -> None:
    """The loss change of a hidden unit's step, summed as a series in the moments of the next weights,
    equals the plain loss of the moved logits: the loss is still evaluated, at any output width."""
    from gradverify.numeric import gradcheck as gc

    net = MLP.random([4, 6, n_next], ["tanh", "softmax"], "cross_entropy", seed=B)
    rng = np.random.default_rng(B)
    x, y = rng.normal(size=(B, 4)), np.eye(n_next)[rng.integers(0, n_next, B)]
    fwd = net.forward(x)
    da = rng.normal(size=(2, 6, 5, B)) * 1e-4
    order = gc._series_order(float(np.abs(da).max() * np.abs(net.W[1]).max()))
    assert 1 <= order <= gc.MAX_ORDER
    series = gc._fused_output_moments(net, 0, da, fwd, y, order)
    plain = gc._fused_output_tail_plain(net, 0, da, fwd, y)
    half = series.size // 2
    np.testing.assert_allclose(series[:half] - series[half:], plain[:half] - plain[half:], rtol=1e-7, atol=1e-14)


def test_series_order_leaves_a_tail_below_its_bound() -> None:
    """Checked with exact rationals: e^u - 1 minus the kept terms, at the largest |u| allowed."""
    from fractions import Fraction

    from gradverify.numeric import gradcheck as gc

    for tau in (1e-7, 1e-5, 1e-3, 1e-2):
        order = gc._series_order(tau)
        assert order >= 1
        u = Fraction(tau)
        kept = sum(u**r / math.factorial(r) for r in range(1, order + 1))
        tail = sum(u**r / math.factorial(r) for r in range(order + 1, order + 30))  # the rest, to far below 2^-60
        assert abs(float(tail)) <= gc.SERIES_TAIL * tau
        assert abs(float(kept + tail) - math.expm1(tau)) <= 1e-15 * math.expm1(tau)
    assert gc._series_order(5.0) == 0  # too large a step: the plain losses are used


def test_the_output_layer_of_a_wide_softmax_is_differenced_one_logit_at_a_time() -> None:
    net = MLP.random([3, 4, 30], ["relu", "softmax"], "cross_entropy", seed=3)
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=(2, 3)), np.eye(30)[[4, 17]]
    report = check_grads(net, x, y, h=1e-6)
    fd = loop_fd(net, x, y, h=1e-6)
    blocks = {(b.kind, b.layer): b for b in report.blocks}
    np.testing.assert_allclose(blocks["W", 1].numeric, fd["W"][1], rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(blocks["b", 1].numeric.reshape(-1), fd["b"][1].reshape(-1), rtol=1e-6, atol=1e-9)
