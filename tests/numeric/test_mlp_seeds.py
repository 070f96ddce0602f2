"""The engine replays the seeds' hand calculations: seed 001's 3-2-1 step and seed 004's 150-100-5 network."""

from __future__ import annotations

import sys
from fractions import Fraction
from pathlib import Path

import mpmath
import numpy as np
import pytest

from gradverify.numeric.conventions import Conventions
from gradverify.numeric.gradcheck import check_grads
from gradverify.numeric.mlp import MLP

sys.path.insert(0, str(Path(__file__).parent))
from loopfd import loop_fd  # noqa: E402

W2 = [[0.2, 0.3, 0.4], [-0.2, 0.1, 0.5]]
B2 = [-0.2, -0.2]
W3 = [[-0.3, 0.1]]
B3 = [-0.2]
X = [0.8, 0.7, 0.1]
Y = [0.9]


def seed001(loss: str) -> MLP:
    return MLP.from_user([W2, W3], [B2, B3], ["sigmoid", "sigmoid"], loss, Conventions())


def test_seed001_pre_activations_are_the_exact_rationals() -> None:
    net = seed001("squared_error")
    z2 = net.forward(X).z[0][0]
    F = Fraction
    exact = [sum(F(str(w)) * F(str(x)) for w, x in zip(row, X)) + F(str(b)) for row, b in zip(W2, B2)]
    assert exact == [F(21, 100), F(-24, 100)]
    assert [float(e) for e in exact] == pytest.approx(list(z2), abs=1e-16)


def _mp_step(loss: str, lr: str = "1") -> tuple[mpmath.mpf, mpmath.mpf, list[list[mpmath.mpf]]]:
    """The whole step at 50 digits, scalar by scalar, as the seed writes it (independent of the engine)."""
    mpmath.mp.dps = 50
    m = mpmath.mpf
    sig = lambda t: 1 / (1 + mpmath.exp(-t))  # noqa: E731
    w2 = [[m(str(v)) for v in r] for r in W2]
    w3 = [[m(str(v)) for v in r] for r in W3]
    b2, b3, x, y = [m(str(v)) for v in B2], [m(str(v)) for v in B3], [m(str(v)) for v in X], m(str(Y[0]))

    def fwd(w2, b2, w3, b3):
        a2 = [sig(sum(w * xi for w, xi in zip(w2[j], x)) + b2[j]) for j in range(2)]
        a3 = sig(w3[0][0] * a2[0] + w3[0][1] * a2[1] + b3[0])
        return a2, a3

    a2, a3 = fwd(w2, b2, w3, b3)
    dL_da3 = (a3 - y) * (2 if loss == "squared_error" else 1)
    d3 = dL_da3 * a3 * (1 - a3)
    d2 = [w3[0][j] * d3 * a2[j] * (1 - a2[j]) for j in range(2)]  # pre-update W3
    n2 = [[w2[j][k] - m(lr) * d2[j] * x[k] for k in range(3)] for j in range(2)]
    n3 = [[w3[0][j] - m(lr) * d3 * a2[j] for j in range(2)]]
    nb2 = [b2[j] - m(lr) * d2[j] for j in range(2)]
    nb3 = [b3[0] - m(lr) * d3]
    _, a3n = fwd(n2, nb2, n3, nb3)
    return (y - a3) ** 2, (y - a3n) ** 2, n2


@pytest.mark.parametrize("loss, before, after", [("half_squared_error", 0.23014, 0.19029), ("squared_error", 0.23014, 0.15388)])
def test_seed001_step_replays_the_hand_losses(loss: str, before: float, after: float) -> None:
    net = seed001(loss)
    g = net.gradients(X, Y)
    new = net.updated(g, 1.0)
    l0 = (Y[0] - net.forward(X).a[-1][0, 0]) ** 2  # the hand prints (y - a)^2 both times
    l1 = (Y[0] - new.forward(X).a[-1][0, 0]) ** 2
    assert round(l0, 5) == before and round(l1, 5) == after
    mp0, mp1, mpW2 = _mp_step(loss)
    assert l0 == pytest.approx(float(mp0), rel=1e-14)
    assert l1 == pytest.approx(float(mp1), rel=1e-13)
    np.testing.assert_allclose(new.W[0], [[float(v) for v in r] for r in mpW2], rtol=1e-14)
    # the in-place fast step lands on the same parameters
    fast = seed001(loss)
    fast.step(np.array([X]), np.array([Y]), 1.0)
    np.testing.assert_allclose(fast.W[0], new.W[0], rtol=1e-15)


def test_seed001_hand_numbers_round_to_the_engine() -> None:
    net = seed001("half_squared_error")
    fwd = net.forward(X)
    q = net.named(fwd, net.backward(fwd, Y))
    assert np.round(q["z2"], 3).tolist() == [0.21, -0.24]
    assert np.round(q["a2"], 3).tolist() == [0.552, 0.44]
    assert np.round(q["act_prime2"], 3).tolist() == [0.247, 0.246]
    assert np.round(q["dL_da2"], 3).tolist() == [0.035, -0.012]
    assert np.round(q["delta3"], 3).tolist() == [-0.117]
    new = net.updated(net.backward(fwd, Y), 1.0)
    assert np.round(new.W[0], 4).tolist() == [[0.1931, 0.2939, 0.3991], [-0.1977, 0.102, 0.5003]]


def seed004(l2: float = 1e-3, seed: int = 4) -> tuple[MLP, np.ndarray, np.ndarray]:
    conv = Conventions(weights="to_from", first_layer=1, weights_named_by="from", biases_named_by="to", l2=l2)
    net = MLP.random([150, 100, 5], ["tanh", "softmax"], "cross_entropy", seed=seed, conventions=conv)
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(150)
    y = np.eye(5)[3]
    return net, x, y


def test_seed004_gradients_for_W1_b2_W2_b3_and_x_match_finite_differences() -> None:
    net, x, y = seed004()
    report = check_grads(net, x, y)
    assert report.ok, report.summary()
    assert report.size == 100 * 150 + 100 + 5 * 100 + 5 + 150
    g = net.gradients(x, y)
    named = net.named(net.forward(x), g)
    assert set(named) >= {"dW1", "db2", "dW2", "db3", "dx"}
    # an independent witness: the plain loop over the whole last layer and x, and 60 random W1 elements
    fd = loop_fd(net.copy(), x, y, layers={1})
    np.testing.assert_allclose(fd["W"][1], g.dW[1], rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(fd["b"][1], g.db[1], rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(fd["x"][0], g.dx[0], rtol=1e-6, atol=1e-9)
    probe = net.copy()
    rng = np.random.default_rng(0)
    for j, m in zip(rng.integers(0, 100, 60), rng.integers(0, 150, 60)):
        old = probe.W[0][j, m]
        probe.W[0][j, m] = old + 1e-6
        lp = probe.evaluate(x, y)
        probe.W[0][j, m] = old - 1e-6
        lm = probe.evaluate(x, y)
        probe.W[0][j, m] = old
        assert (lp - lm) / 2e-6 == pytest.approx(g.dW[0][j, m], rel=1e-5, abs=1e-9)
        assert report.element(f"W1[{j + 1},{m + 1}]").analytic == g.dW[0][j, m]
    yhat = net.forward(x).a[-1][0]
    np.testing.assert_allclose(g.delta[1][0], yhat - y, atol=1e-15)
    # L2 touches the weights only: dW = delta a^T + lambda W, db = delta
    np.testing.assert_allclose(g.dW[1], np.outer(g.delta[1][0], net.forward(x).a[0][0]) + 1e-3 * net.W[1], atol=1e-15)
    np.testing.assert_allclose(g.db[1], g.delta[1][0], atol=0)
