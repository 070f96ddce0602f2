"""Numerical stability the seeds ask for: softmax overflow (seed 003), log 0 (seed 002 (d)), large |z|."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gradverify.numeric.activations import ACTIVATIONS, get_activation, log_softmax, sigmoid, softmax
from gradverify.numeric.losses import LOSSES, LossDomainWarning, get_loss


def test_softmax_of_logits_1e4_is_finite_and_right() -> None:
    z = np.array([1e4, -1e4, 0.0, 1e4 - 1.0])
    s = softmax(z)
    assert np.all(np.isfinite(s))
    # exact by hand: e^0 / (e^0 + e^-1), the other two underflow to 0
    assert s[0] == pytest.approx(1 / (1 + math.exp(-1)), rel=1e-15)
    assert s[3] == pytest.approx(math.exp(-1) / (1 + math.exp(-1)), rel=1e-15)
    assert s[1] == 0.0 and s[2] == 0.0
    ls = log_softmax(z)
    assert ls[1] == pytest.approx(-2e4 - math.log1p(math.exp(-1)), rel=1e-15)


def test_fused_cross_entropy_is_finite_where_the_probability_underflows() -> None:
    z = np.array([[1e4, -1e4, 0.0]])
    y = np.array([[0.0, 1.0, 0.0]])
    sce = get_loss("softmax_cross_entropy")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value = sce.value(z, y)
        grad = sce.grad(z, y)
    assert value[0] == pytest.approx(2e4, rel=1e-15)  # -log softmax_2 = 1e4 - (-1e4)
    np.testing.assert_allclose(grad, [[1.0, -1.0, 0.0]], atol=1e-300)


def test_cross_entropy_on_a_probability_of_exactly_zero_is_inf_with_a_clear_warning() -> None:
    ce = get_loss("cross_entropy")
    with pytest.warns(LossDomainWarning, match="probability exactly 0"):
        v = ce.value(np.array([[0.0, 1.0]]), np.array([[1.0, 0.0]]))
    assert v[0] == np.inf
    with pytest.warns(LossDomainWarning):
        g = ce.grad(np.array([[0.0, 1.0]]), np.array([[1.0, 0.0]]))
    assert g[0, 0] == -np.inf and g[0, 1] == 0.0
    # a zero probability on a class with target 0 costs nothing and warns nothing: 0 log 0 = 0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert ce.value(np.array([[1.0, 0.0]]), np.array([[1.0, 0.0]]))[0] == 0.0
        assert get_loss("binary_cross_entropy").value(np.array([[1.0, 0.0]]), np.array([[1.0, 0.0]]))[0] == 0.0


def test_sigmoid_is_stable_and_accurate_for_large_z() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = sigmoid(np.array([-800.0, -40.0, 40.0, 800.0]))
    assert s[0] == 0.0 and s[3] == 1.0
    assert s[1] == pytest.approx(math.exp(-40) / (1 + math.exp(-40)), rel=1e-14)  # no cancellation
    assert get_activation("softplus").f(np.array([800.0]))[0] == 800.0


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_float32_agrees_with_float64_to_float32_precision(name: str) -> None:
    act = get_activation(name)
    z64 = np.random.default_rng(3).uniform(-8, 8, (4, 6))
    z32 = z64.astype(np.float32)
    for fn in (act.f, act.df):
        got = fn(z32)
        assert got.dtype == np.float32
        np.testing.assert_allclose(got, fn(z32.astype(np.float64)), rtol=2e-6, atol=2e-7)


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_every_loss_has_one_signature_and_batch_shapes(name: str) -> None:
    loss = get_loss(name)
    rng = np.random.default_rng(5)
    a = rng.uniform(0.1, 0.9, (4, 3))
    y = np.eye(3)[[0, 1, 2, 0]] * (2 if name == "hinge" else 1) - (1 if name == "hinge" else 0)
    v, g = loss.value(a, y), loss.grad(a, y)
    assert v.shape == (4,) and g.shape == (4, 3)
    assert loss.value(a.astype(np.float32), y).dtype == np.float32


def test_unknown_names_suggest_the_closest() -> None:
    with pytest.raises(KeyError, match="did you mean 'sigmoid'"):
        get_activation("sigmod")
    with pytest.raises(KeyError, match="half_squared_error"):
        get_loss("half_squared_eror")
    assert get_loss("mse") is get_loss("mean_squared_error")
    with pytest.raises(TypeError, match="alpha"):
        get_activation("elu").f(np.zeros(2), slope=1.0)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-1e4, 1e4), min_size=2, max_size=8))
def test_softmax_sums_to_one_and_log_softmax_is_finite(z: list[float]) -> None:
    arr = np.array(z)
    assert np.isclose(softmax(arr).sum(), 1.0, rtol=1e-12)
    assert np.all(np.isfinite(log_softmax(arr)))
    assert np.allclose(np.exp(log_softmax(arr)), softmax(arr), atol=1e-15)


@pytest.mark.parametrize("z", [-800.0, -40.0, -20.0, 0.0, 20.0, 40.0, 800.0])
def test_saturated_derivatives_do_not_cancel_to_zero(z: float) -> None:
    import mpmath

    mpmath.mp.dps = 40
    m = mpmath.mpf(z)
    s = 1 / (1 + mpmath.exp(-m))
    want = {"sigmoid": s * (1 - s), "tanh": mpmath.sech(m) ** 2, "silu": s * (1 + m * (1 - s))}
    for name, w in want.items():
        got = float(get_activation(name).df(np.array([z]))[0])
        assert got == pytest.approx(float(w), rel=1e-13, abs=1e-300), (name, z, got, float(w))


def test_sigmoid_output_with_binary_cross_entropy_is_fused_and_finite_when_saturated() -> None:
    from gradverify.numeric.mlp import MLP

    net = MLP.from_user([[[-800.0]]], [[0.0]], ["sigmoid"], "binary_cross_entropy")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        g = net.gradients([1.0], [1.0])
        fast = net.copy()
        loss = fast.step(np.array([[1.0]]), np.array([[1.0]]), 0.1, kernel="numpy")
    assert g.loss == pytest.approx(800.0, rel=1e-15) and loss == pytest.approx(800.0, rel=1e-15)  # -log sigmoid(-800)
    assert g.delta[0][0, 0] == -1.0  # sigmoid(-800) - 1
    assert g.dW[0][0, 0] == -1.0
    np.testing.assert_allclose(fast.W[0], [[-800.0 + 0.1]], rtol=1e-15)


@pytest.mark.parametrize("act, loss", [("softmax", "cross_entropy"), ("softmax", "softmax_cross_entropy"),
                                       ("sigmoid", "binary_cross_entropy")])
def test_output_forms_equal_the_chain_and_stay_finite_when_saturated(act: str, loss: str) -> None:
    """The logits' loss and a - y (what the judge's replay falls back on when a probability is exactly 0
    or 1) equal loss(f(z)) and its chain-rule dL/dz where those are finite, and are finite where not."""
    from gradverify.numeric.losses import output_forms

    f = get_activation(act)
    value, delta = output_forms(act, loss)
    rng = np.random.default_rng(3)
    z = rng.normal(size=(5, 3))
    y = np.eye(3)[[0, 2, 1, 1, 0]] if act == "softmax" else rng.uniform(0, 1, size=(5, 3))
    a = f.f(z)
    chain_loss = get_loss("cross_entropy" if act == "softmax" else loss).value(a, y)
    chain_delta = f.vjp(z, get_loss("cross_entropy" if act == "softmax" else loss).grad(a, y))
    np.testing.assert_allclose(value(z, y), chain_loss, rtol=1e-12)
    np.testing.assert_allclose(delta(a, y), chain_delta, rtol=1e-10, atol=1e-14)
    big = np.array([[900.0, -900.0, 0.0]])
    y1 = np.array([[0.0, 1.0, 0.0]])
    assert np.all(np.isfinite(value(big, y1))) and np.all(np.isfinite(delta(f.f(big), y1)))
    assert output_forms("relu", "squared_error") is None and output_forms("sigmoid", "cross_entropy") is None
