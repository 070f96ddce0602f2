"""The exact symbolic network against seed 001's hand numbers, against finite differences of an
independent mpmath forward pass written here, and against exact Fraction arithmetic."""

from __future__ import annotations

from fractions import Fraction

import mpmath
import pytest
import sympy as sp

from hypothesis import given, settings
from hypothesis import strategies as st

from gradverify.derivations import network

mpmath.mp.dps = 40

SEED001 = dict(
    sizes=[3, 2, 1], activations=["sigmoid", "sigmoid"], loss="squared_error",
    W=[[["0.2", "0.3", "0.4"], ["-0.2", "0.1", "0.5"]], [["-0.3", "0.1"]]],
    b=[["-0.2", "-0.2"], ["-0.2"]], x=["0.8", "0.7", "0.1"], y=["0.9"],
)


def _mp_forward(W, b, x, y, act, loss="se"):
    """Independent forward pass in mpmath (no SymPy): returns the loss."""
    a = [mpmath.mpf(v) for v in x]
    for Wl, bl, f in zip(W, b, act):
        z = [sum(mpmath.mpf(w) * ai for w, ai in zip(row, a)) + mpmath.mpf(bj) for row, bj in zip(Wl, bl)]
        if f == "sigmoid":
            a = [1 / (1 + mpmath.exp(-v)) for v in z]
        elif f == "tanh":
            a = [mpmath.tanh(v) for v in z]
        elif f == "softmax":
            e = [mpmath.exp(v) for v in z]
            a = [v / sum(e) for v in e]
        else:
            a = z
    if loss == "se":
        return sum((mpmath.mpf(t) - v) ** 2 for t, v in zip(y, a))
    return -sum(mpmath.mpf(t) * mpmath.log(v) for t, v in zip(y, a))


def _fd_grads(W, b, x, y, act, loss="se"):
    h = mpmath.mpf("1e-15")
    W = [[[mpmath.mpf(v) for v in row] for row in Wl] for Wl in W]
    b = [[mpmath.mpf(v) for v in bl] for bl in b]
    x = [mpmath.mpf(v) for v in x]
    dW = []
    for l, Wl in enumerate(W):
        g = [[0] * len(Wl[0]) for _ in Wl]
        for j, row in enumerate(Wl):
            for k in range(len(row)):
                keep = row[k]
                row[k] = keep + h
                up = _mp_forward(W, b, x, y, act, loss)
                row[k] = keep - h
                down = _mp_forward(W, b, x, y, act, loss)
                row[k] = keep
                g[j][k] = (up - down) / (2 * h)
        dW.append(g)
    db = []
    for bl in b:
        g = []
        for j in range(len(bl)):
            keep = bl[j]
            bl[j] = keep + h
            up = _mp_forward(W, b, x, y, act, loss)
            bl[j] = keep - h
            down = _mp_forward(W, b, x, y, act, loss)
            bl[j] = keep
            g.append((up - down) / (2 * h))
        db.append(g)
    dx = []
    for k in range(len(x)):
        keep = x[k]
        x[k] = keep + h
        up = _mp_forward(W, b, x, y, act, loss)
        x[k] = keep - h
        down = _mp_forward(W, b, x, y, act, loss)
        x[k] = keep
        dx.append((up - down) / (2 * h))
    return dW, db, dx


@pytest.fixture(scope="module")
def seed001():
    return network.build(**SEED001)


def test_seed001_forward_matches_the_hand_numbers(seed001):
    n = seed001
    assert n.z[0] == sp.Matrix([sp.Rational(21, 100), sp.Rational(-6, 25)])  # 0.210, -0.240 exactly
    assert [round(float(v), 3) for v in n.a[1]] == [0.552, 0.440]
    assert round(float(n.z[1][0]), 3) == -0.322
    assert round(float(n.a[2][0]), 3) == 0.420
    assert float(n.a[2][0]) == pytest.approx(0.42027, abs=5e-6)
    assert float(n.loss) == pytest.approx(0.2301, abs=5e-5)  # (y - a)^2 with the exact a, not 0.42
    assert str(sp.N(n.loss, 4)) == "0.2301"


def test_seed001_gradients_equal_independent_finite_differences(seed001):
    dW, db, dx = _fd_grads(SEED001["W"], SEED001["b"], SEED001["x"], SEED001["y"], SEED001["activations"])
    for l in range(2):
        for (j, k), v in zip([(j, k) for j in range(seed001.dW[l].rows) for k in range(seed001.dW[l].cols)],
                             seed001.dW[l]):
            assert float(sp.N(v, 30)) == pytest.approx(float(dW[l][j][k]), rel=1e-12, abs=1e-20)
        for j, v in enumerate(seed001.db[l]):
            assert float(sp.N(v, 30)) == pytest.approx(float(db[l][j]), rel=1e-12)
    for k, v in enumerate(seed001.dx):
        assert float(sp.N(v, 30)) == pytest.approx(float(dx[k]), rel=1e-12)


def test_seed001_output_delta_is_twice_the_hand_value_for_the_stated_loss(seed001):
    # seed 001 states L = (y - a)^2 but writes delta3 = (a - y) s'(z) = -0.117: the true dL/dz is double
    assert float(seed001.dz[1][0]) == pytest.approx(2 * -0.1169, abs=5e-4)
    assert seed001.dz[1] == seed001.db[1]  # dL/db = delta, differentiated independently


def test_exact_rationals_for_a_linear_network_match_fraction_differences():
    spec = dict(sizes=[2, 2, 1], activations=["identity", "identity"], loss="half_squared_error",
                W=[[["0.5", "-1.5"], ["2", "0.25"]], [["1", "-3"]]], b=[["0.1", "0.2"], ["-0.3"]],
                x=["1.5", "-0.5"], y=["0.75"])
    net = network.build(**spec)

    def loss(W, b):
        x = [Fraction(v) for v in spec["x"]]
        h = [sum(W[0][j][k] * x[k] for k in range(2)) + b[0][j] for j in range(2)]
        o = sum(W[1][0][k] * h[k] for k in range(2)) + b[1][0]
        return (Fraction(spec["y"][0]) - o) ** 2 / 2

    W = [[[Fraction(v) for v in row] for row in Wl] for Wl in spec["W"]]
    b = [[Fraction(v) for v in bl] for bl in spec["b"]]
    step = Fraction(1, 7)
    for l, Wl in enumerate(W):
        for j, row in enumerate(Wl):
            for k in range(len(row)):
                keep = row[k]
                row[k] = keep + step
                up = loss(W, b)
                row[k] = keep - step
                down = loss(W, b)
                row[k] = keep
                exact_fd = (up - down) / (2 * step)  # exact: the loss is quadratic in each weight
                got = net.dW[l][j, k]
                assert got.is_Rational and Fraction(int(got.p), int(got.q)) == exact_fd


def test_relu_kink_uses_the_convention_not_heaviside_half():
    # z of the hidden neuron is exactly 0: relu'(0) = 0, so no gradient reaches its weights
    net = network.build([2, 1, 1], ["relu", "identity"], "half_squared_error",
                        [[["1", "-1"]], [["2"]]], [["0"], ["0"]], ["0.5", "0.5"], ["1"])
    assert net.z[0][0] == 0
    assert list(net.dW[0]) == [0, 0] and net.db[0][0] == 0
    assert not any(v.has(sp.Heaviside) for v in net.dW[0])


def test_batch_mean_is_the_sum_divided_by_the_batch_size():
    base = dict(sizes=[2, 1], activations=["sigmoid"], loss="squared_error", W=[[["0.3", "-0.4"]]],
                b=[["0.1"]], x=[["1", "2"], ["-1", "0.5"], ["0", "1"]], y=[["1"], ["0"], ["1"]])
    mean = network.build(**base, batch="mean")
    total = network.build(**base, batch="sum")
    assert sp.simplify(mean.loss - total.loss / 3) == 0
    for m, s in zip(mean.dW[0], total.dW[0]):
        assert sp.N(m - s / 3, 30) == 0


def test_softmax_with_cross_entropy_matches_finite_differences_and_the_fused_loss():
    spec = dict(sizes=[2, 2, 3], activations=["tanh", "softmax"], loss="cross_entropy",
                W=[[["0.1", "0.4"], ["-0.3", "0.2"]], [["0.5", "-0.2"], ["0.3", "0.1"], ["-0.4", "0.6"]]],
                b=[["0", "0.1"], ["0.2", "0", "-0.1"]], x=["1", "-2"], y=["0", "1", "0"])
    net = network.build(**spec)
    fused = network.build(**{**spec, "activations": ["tanh", "identity"], "loss": "softmax_cross_entropy"})
    assert float(sp.N(net.loss - fused.loss, 30)) == pytest.approx(0, abs=1e-25)
    dW, _db, _dx = _fd_grads(spec["W"], spec["b"], spec["x"], spec["y"], spec["activations"], loss="ce")
    for l in range(2):
        for j in range(net.dW[l].rows):
            for k in range(net.dW[l].cols):
                assert float(sp.N(net.dW[l][j, k], 30)) == pytest.approx(float(dW[l][j][k]), rel=1e-10, abs=1e-20)
                assert float(sp.N(fused.dW[l][j, k], 30)) == pytest.approx(float(dW[l][j][k]), rel=1e-10, abs=1e-20)
    # the fused gradient at the logits is y_hat - y (the targets sum to 1)
    yhat = net.a[2]
    for i in range(3):
        assert float(sp.N(fused.dz[1][i] - (yhat[i] - sp.Rational(spec["y"][i])), 30)) == pytest.approx(0, abs=1e-25)


def test_l2_adds_lambda_w_to_weights_only():
    base = dict(sizes=[2, 1], activations=["sigmoid"], loss="squared_error", W=[[["0.3", "-0.4"]]],
                b=[["0.1"]], x=["1", "2"], y=["1"])
    plain = network.build(**base)
    reg = network.build(**base, l2="0.01")
    for p, r, w in zip(plain.dW[0], reg.dW[0], [sp.Rational(3, 10), sp.Rational(-2, 5)]):
        assert sp.simplify(r - p - sp.Rational(1, 100) * w) == 0
    assert sp.simplify(reg.db[0][0] - plain.db[0][0]) == 0


def test_shared_and_absent_biases():
    base = dict(sizes=[2, 2], activations=["sigmoid"], loss="squared_error",
                W=[[["0.3", "-0.4"], ["0.2", "0.1"]]], x=["1", "2"], y=["1", "0"])
    per = network.build(**base, b=[["0.1", "0.1"]])
    shared = network.build(**base, b=[["0.1"]], bias="shared")
    none = network.build(**base, b=None, bias="none")
    assert sp.simplify(shared.db[0][0] - (per.db[0][0] + per.db[0][1])) == 0
    assert list(none.db[0]) == [0, 0]
    assert none.z[0] == sp.Matrix([sp.Rational(3, 10) - sp.Rational(8, 10), sp.Rational(2, 10) + sp.Rational(2, 10)])


def test_sgd_step_is_exact(seed001):
    W, b = network.sgd_step(seed001, "1")
    assert W[0] == seed001.W[0] - seed001.dW[0]
    _, frozen = network.sgd_step(seed001, "0.5", update_bias=False)
    assert frozen[0] == seed001.b[0]


def test_numbers_are_parsed_exactly():
    assert network.exact("0.2") == sp.Rational(1, 5)
    assert network.exact("7.2e-3") == sp.Rational(9, 1250)
    assert network.exact(0.1) == sp.Rational(1, 10)


def test_shape_errors_say_what_to_write():
    with pytest.raises(ValueError, match=r"W\[0\] must be 2x3 \(to_from\)"):
        network.build([3, 2], ["sigmoid"], "squared_error", [[["1", "2"], ["3", "4"], ["5", "6"]]],
                      [["0", "0"]], ["1", "1", "1"], ["0", "0"])


def test_large_networks_are_refused_with_a_reason():
    sizes = [10, 10, 2]
    W = [[["0.1"] * 10 for _ in range(10)], [["0.1"] * 10 for _ in range(2)]]
    b = [["0"] * 10, ["0"] * 2]
    with pytest.raises(ValueError, match="small worked examples: 132 parameters"):
        network.build(sizes, ["sigmoid", "sigmoid"], "squared_error", W, b, ["1"] * 10, ["0", "1"])


@settings(max_examples=4, deadline=None)
@given(seed=st.integers(0, 10**6), acts=st.sampled_from([("sigmoid", "sigmoid"), ("tanh", "identity"),
                                                       ("softplus", "sigmoid"), ("silu", "identity")]))
def test_random_small_networks_match_finite_differences(seed, acts):
    import random

    rng = random.Random(seed)
    sizes = [2, 2, 1]
    num = lambda: str(round(rng.uniform(-1, 1), 2))  # noqa: E731
    W = [[[num() for _ in range(sizes[l])] for _ in range(sizes[l + 1])] for l in range(2)]
    b = [[num() for _ in range(sizes[l + 1])] for l in range(2)]
    x, y = [num(), num()], [num()]
    net = network.build(sizes, list(acts), "squared_error", W, b, x, y)
    mp_acts = list(acts)

    def forward(Wm, bm, xm):
        a = [mpmath.mpf(v) for v in xm]
        for Wl, bl, f in zip(Wm, bm, mp_acts):
            z = [sum(mpmath.mpf(w) * ai for w, ai in zip(row, a)) + mpmath.mpf(bj) for row, bj in zip(Wl, bl)]
            a = [{"sigmoid": lambda v: 1 / (1 + mpmath.exp(-v)), "tanh": mpmath.tanh, "identity": lambda v: v,
                  "softplus": lambda v: mpmath.log(1 + mpmath.exp(v)),
                  "silu": lambda v: v / (1 + mpmath.exp(-v))}[f](v) for v in z]
        return (mpmath.mpf(y[0]) - a[0]) ** 2

    h = mpmath.mpf("1e-15")
    for l in range(2):
        for j in range(sizes[l + 1]):
            for k in range(sizes[l]):
                up = [[list(r) for r in Wl] for Wl in W]
                dn = [[list(r) for r in Wl] for Wl in W]
                up[l][j][k] = mpmath.mpf(W[l][j][k]) + h
                dn[l][j][k] = mpmath.mpf(W[l][j][k]) - h
                fd = (forward(up, b, x) - forward(dn, b, x)) / (2 * h)
                assert float(net.float(net.dW[l][j, k])) == pytest.approx(float(fd), rel=1e-10, abs=1e-20)


def test_shared_bias_survives_an_update_and_a_second_pass():
    base = dict(sizes=[2, 2], activations=["sigmoid"], loss="squared_error",
                W=[[["0.3", "-0.4"], ["0.2", "0.1"]]], x=["1", "2"], y=["1", "0"])
    net = network.build(**base, b=[["0.1"]], bias="shared")
    W, b = network.sgd_step(net, "0.5")
    assert b[0][0] == b[0][1] == sp.Rational(1, 10) - net.db[0][0] / 2
    again = network.build(**{**base, "W": [W[0].tolist()]}, b=[list(b[0])], bias="shared")
    assert again.b[0] == b[0]


def test_second_step_from_exact_updated_parameters_matches_finite_differences(seed001):
    W, b = network.sgd_step(seed001, "1")
    net2 = network.build(SEED001["sizes"], SEED001["activations"], "squared_error",
                         [w.tolist() for w in W], [list(v) for v in b], SEED001["x"], SEED001["y"])
    Wf = [[[mpmath.mpf(str(sp.N(v, 40))) for v in row] for row in w.tolist()] for w in W]
    bf = [[mpmath.mpf(str(sp.N(v, 40))) for v in bl] for bl in b]
    dW, db, _dx = _fd_grads(Wf, bf, SEED001["x"], SEED001["y"], SEED001["activations"])
    assert float(net2.float(net2.loss)) == pytest.approx(float(_mp_forward(Wf, bf, SEED001["x"], SEED001["y"],
                                                                           SEED001["activations"])), rel=1e-25)
    for l in range(2):
        for j in range(net2.dW[l].rows):
            for k in range(net2.dW[l].cols):
                assert float(net2.float(net2.dW[l][j, k])) == pytest.approx(float(dW[l][j][k]), rel=1e-10)
        for j in range(len(net2.db[l])):
            assert float(net2.float(net2.db[l][j])) == pytest.approx(float(db[l][j]), rel=1e-10)


# -- the network built once per file ----------------------------------------------------------------
def _close(a, b, digits=30):
    return abs(float(sp.N(sp.sympify(str(a)) - b, digits))) <= 10.0 ** -digits * max(1.0, abs(float(sp.N(b, 20))))


def test_compiled_network_gives_the_exact_network_values(seed001):
    net = network.CompiledNetwork(SEED001["sizes"], SEED001["activations"], SEED001["loss"], SEED001["x"], SEED001["y"])
    v = net.evaluate(SEED001["W"], SEED001["b"])
    assert not net.exact  # sigmoid: evaluated to 40 digits
    assert _close(v["loss"], seed001.loss)
    for l in range(2):
        assert all(_close(g, e) for row, erow in zip(v["dW"][l], seed001.dW[l].tolist()) for g, e in zip(row, erow))
        assert all(_close(g, e) for g, e in zip(v["db"][l], seed001.db[l]))
        assert all(_close(g, e) for g, e in zip(v["dz"][0][l], seed001.dz[l]))
    assert all(_close(g, e) for g, e in zip(v["dx"], seed001.dx))


def test_compiled_network_is_exact_in_fractions_where_the_network_is_rational():
    spec = dict(sizes=[2, 2, 1], activations=["relu", "identity"], loss="half_squared_error",
                W=[[["0.5", "-1.5"], ["2", "0.25"]], [["1", "-3"]]], b=[["0.1", "0.2"], ["-0.3"]],
                x=["1.5", "-0.5"], y=["0.75"])
    exact = network.build(**spec)
    net = network.CompiledNetwork(spec["sizes"], spec["activations"], spec["loss"], spec["x"], spec["y"])
    v = net.evaluate(spec["W"], spec["b"])
    assert net.exact and v["loss"] == Fraction(int(exact.loss.p), int(exact.loss.q))
    for l in range(2):
        assert [[Fraction(int(e.p), int(e.q)) for e in row] for row in exact.dW[l].tolist()] == v["dW"][l]
