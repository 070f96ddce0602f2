"""Numerical edge cases, through the engine and through `gradverify check` files: logits +-1e4,
probabilities exactly 0 and 1 in cross-entropy, saturated sigmoids (z = +-800), denormals, float32.
Truth is independent: mpmath at 60 digits from the textbook definitions, or hand arithmetic.
Every result must be finite and right, or come with a clear warning; no verdict from NaN."""

from __future__ import annotations

import json
import math
import os
import sys
import warnings
from pathlib import Path

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

sys.path.insert(0, os.path.dirname(__file__))
from worked_fuzz import judgement_problems, run_check  # noqa: E402

from gradverify.numeric import MLP, get_activation, get_loss  # noqa: E402

mpmath.mp.dps = 60
ROOT = Path(__file__).resolve().parents[2]


# -- the engine against mpmath ---------------------------------------------------------------------
def _sig(z):
    return 1 / (1 + mpmath.exp(-z))


# name -> (f, f') from the textbook definitions (default parameters of the shared vocabulary)
TRUTH = {
    "identity": (lambda z: z, lambda z: mpmath.mpf(1)),
    "sigmoid": (_sig, lambda z: _sig(z) * (1 - _sig(z))),
    "tanh": (mpmath.tanh, lambda z: mpmath.sech(z) ** 2),
    "relu": (lambda z: max(z, 0), lambda z: mpmath.mpf(1 if z > 0 else 0)),
    "leaky_relu": (lambda z: z if z > 0 else 0.01 * z, lambda z: mpmath.mpf(1 if z > 0 else 0.01)),
    "prelu": (lambda z: z if z > 0 else 0.25 * z, lambda z: mpmath.mpf(1 if z > 0 else 0.25)),
    "elu": (lambda z: z if z > 0 else mpmath.expm1(z), lambda z: mpmath.mpf(1) if z > 0 else mpmath.exp(z)),
    "softplus": (lambda z: mpmath.log1p(mpmath.exp(z)), _sig),
    "gelu": (lambda z: z / 2 * (1 + mpmath.erf(z / mpmath.sqrt(2))),
             lambda z: mpmath.ncdf(z) + z * mpmath.npdf(z)),
    "silu": (lambda z: z * _sig(z), lambda z: _sig(z) * (1 + z * (1 - _sig(z)))),
}
EXTREME = [-1e4, -800.0, -745.0, -40.0, -1e-300, -2.2e-308, -5e-324, 0.0, 5e-324, 2.2e-308, 1e-300,
           40.0, 745.0, 800.0, 1e4]


def _close(got: float, want, tiny: float, rel: float) -> bool:
    """Right to `rel`, or both below the dtype's normal range (`tiny`), where only absolute sense remains."""
    want = float(want)
    if abs(want) < tiny:
        return abs(got - want) <= tiny
    return abs(got - want) <= rel * abs(want)


@pytest.mark.parametrize("name", sorted(TRUTH))
def test_activation_and_derivative_at_extremes_float64(name):
    act = get_activation(name)
    z = np.array(EXTREME)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow/invalid warnings either
        f, d = act.f(z), act.df(z)
    assert f.dtype == np.float64 and d.dtype == np.float64
    assert np.all(np.isfinite(f)) and np.all(np.isfinite(d))
    tf, td = TRUTH[name]
    for k, zk in enumerate(EXTREME):
        m = mpmath.mpf(zk)
        assert _close(float(f[k]), tf(m), 2.3e-308, 4e-15), (name, zk, f[k], tf(m))
        assert _close(float(d[k]), td(m), 2.3e-308, 4e-15), (name, zk, d[k], td(m))


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(sorted(TRUTH)),
       st.floats(min_value=-1e4, max_value=1e4, allow_nan=False, width=32))
def test_float32_in_float32_out_finite_and_right(name, z32):
    act = get_activation(name)
    z = np.array([z32], dtype=np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        f, d = act.f(z), act.df(z)
    assert f.dtype == np.float32 and d.dtype == np.float32
    assert np.isfinite(f[0]) and np.isfinite(d[0])
    tf, td = TRUTH[name]
    m = mpmath.mpf(float(z32))
    want_f, want_d = tf(m), td(m)
    assert _close(float(f[0]), want_f, 1.2e-38, 2e-6), (name, z32, f[0], want_f)
    assert _close(float(d[0]), want_d, 1.2e-38, 2e-6), (name, z32, d[0], want_d)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(min_value=-1e4, max_value=1e4, allow_nan=False), min_size=2, max_size=6),
       st.data())
def test_fused_softmax_cross_entropy_for_logits_up_to_1e4(logits, data):
    """Loss -log softmax_t(z) and gradient softmax(z) - y stay finite and right for any logits in
    [-1e4, 1e4], where softmax itself underflows to exact 0 and 1."""
    t = data.draw(st.integers(0, len(logits) - 1))
    z = np.array([logits])
    y = np.zeros_like(z)
    y[0, t] = 1.0
    sce = get_loss("softmax_cross_entropy")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        v, g = sce.value(z, y)[0], sce.grad(z, y)[0]
    zs = [mpmath.mpf(x) for x in logits]
    lse = mpmath.log(mpmath.fsum(mpmath.exp(x) for x in zs))
    assert math.isfinite(v) and abs(v - float(lse - zs[t])) <= 1e-12 * max(1.0, abs(float(lse - zs[t])))
    for k, x in enumerate(zs):
        want = float(mpmath.exp(x - lse)) - (1.0 if k == t else 0.0)
        assert math.isfinite(g[k]) and abs(g[k] - want) <= 1e-15 + 1e-12 * abs(want)


@pytest.mark.parametrize("a,y,value", [
    ([[1.0, 0.0]], [[1.0, 0.0]], 0.0),      # p = 1 on the target, p = 0 elsewhere: 0 log 0 = 0
    ([[0.5, 0.5]], [[0.0, 1.0]], math.log(2)),
])
def test_cross_entropy_at_probabilities_0_and_1_is_finite_without_warning(a, y, value):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for name in ("cross_entropy", "binary_cross_entropy"):
            v = get_loss(name).value(np.array(a), np.array(y))[0]
            assert math.isfinite(v)
    assert get_loss("cross_entropy").value(np.array(a), np.array(y))[0] == pytest.approx(value, abs=1e-15)


def test_cross_entropy_on_a_zero_probability_warns_clearly():
    from gradverify.numeric.losses import LossDomainWarning

    with pytest.warns(LossDomainWarning, match="probability exactly 0"):
        v = get_loss("cross_entropy").value(np.array([[0.0, 1.0]]), np.array([[1.0, 0.0]]))[0]
    assert v == math.inf


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_mlp_float32_matches_float64_and_stays_finite_when_saturated(dtype):
    """A 3-4-2 sigmoid/softmax net whose first layer saturates (z ~ +-800): forward and backward in
    float32 and float64 are finite, keep their dtype, and agree to float32 precision."""
    net = MLP.random([3, 4, 2], ["sigmoid", "softmax"], "cross_entropy", seed=7)
    net.W[0] = net.W[0] * 2000.0
    x = np.array([[0.9, -0.4, 0.3], [-1.0, 0.2, 0.5]])
    y = np.array([[1.0, 0.0], [0.0, 1.0]])
    ref = net.gradients(x, y)
    low = net.astype(dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        g = low.gradients(x.astype(dtype), y.astype(dtype))
    assert np.max(np.abs(net.forward(x).z[0])) > 500  # really saturated
    for name in ("dW", "delta"):
        for got, want in zip(getattr(g, name), getattr(ref, name)):
            assert got.dtype == dtype and np.all(np.isfinite(got))
            np.testing.assert_allclose(got, want, rtol=2e-5 if dtype == np.float32 else 1e-12, atol=1e-6)
    assert math.isfinite(g.loss) and g.loss == pytest.approx(ref.loss, rel=2e-5)


# -- through `gradverify check` files ----------------------------------------------------------------
def _file(tmp_path: Path, body: str, name: str = "edge.toml") -> Path:
    p = tmp_path / name
    p.write_text(body, encoding="utf-8")
    return p


def _net(sizes, acts, loss, x, y, params, step, lr="0.1") -> str:
    lines = ['title = "numerical edge"', "[network]", f"sizes = {sizes}", f"activations = {json.dumps(acts)}",
             f'loss = "{loss}"', f"learning_rate = {lr}", "numbering = { first_layer = 0, first_index = 1 }",
             "[data]", f"x = {x}", f"y = {y}", "[parameters]", *params, "[[step]]", *step]
    return "\n".join(lines) + "\n"


def _claims(out, step: int | None = None) -> dict[str, dict]:
    return {f"{c['quantity']}{c['layer'] or ''}{c['index']}": c for c in json.loads(out.stdout)["claims"]
            if step is None or c["step"] == step}


def _no_verdict_from_nan(out) -> None:
    assert out.kind == "judged", (out.code, out.stderr, out.traceback)
    assert not judgement_problems(out.stdout)
    for c in json.loads(out.stdout)["claims"]:
        assert c["exact"] is not None and c["from_claims"] is not None, (
            f"{c['quantity']}{c['layer']}{c['index']}: verdict {c['verdict']!r} given with exact={c['exact']}, "
            f"from_claims={c['from_claims']} (NaN/inf in the JSON): {c['diagnosis']}")


SCE_1E4 = _net([2, 3], ["softmax"], "softmax_cross_entropy", "[1, 0]", "[0, 1, 0]",
               ["W1 = [[10000, 0], [-10000, 0], [0, 0]]", "b1 = [0, 0, 0]"],
               ['z1 = ["10000", "-10000", "0"]', 'a1 = ["1", "0", "0"]', 'loss = "20000"',
                'delta1 = ["1", "-1", "0"]', 'dW1 = [["1", "0"], ["-1", "0"], ["0", "0"]]'])


def test_check_logits_1e4_forward_and_gradients_correct(tmp_path):
    """softmax(1e4, -1e4, 0) = (1, 0, 0) to 4000 digits; delta = s - y = (1, -1, 0); dW = delta x^T."""
    out = run_check(_file(tmp_path, SCE_1E4))
    got = _claims(out)
    for key in ("z1[1]", "z1[2]", "a1[1]", "a1[2]", "delta1[1]", "delta1[2]", "delta1[3]", "dW1[1, 1]", "dW1[2, 1]"):
        assert got[key]["verdict"] == "correct" and math.isfinite(got[key]["exact"]), got[key]


def test_check_logits_1e4_loss_is_exact_and_correct(tmp_path):
    out = run_check(_file(tmp_path, SCE_1E4))
    assert _claims(out)["loss[]"]["verdict"] == "correct"
    _no_verdict_from_nan(out)


def test_check_bce_on_saturated_sigmoid(tmp_path):
    body = _net([1, 1], ["sigmoid"], "binary_cross_entropy", "[1]", "[1]", ["W1 = [[-800]]", "b1 = [0]"],
                ['z1 = ["-800"]', 'a1 = ["0"]', 'loss = "800"', 'delta1 = ["-1"]'])
    out = run_check(_file(tmp_path, body))
    _no_verdict_from_nan(out)
    assert all(c["verdict"] == "correct" for c in _claims(out).values())


def test_check_cross_entropy_on_probabilities_0_and_1(tmp_path):
    body = _net([2, 2], ["softmax"], "cross_entropy", "[1, 0]", "[0, 1]", ["W1 = [[900, 0], [-900, 0]]", "b1 = [0, 0]"],
                ['a1 = ["1", "0"]', 'loss = "1800"', 'delta1 = ["1", "-1"]'])
    out = run_check(_file(tmp_path, body))
    _no_verdict_from_nan(out)
    assert all(c["verdict"] == "correct" for c in _claims(out).values())


def test_check_saturated_sigmoid_squared_error(tmp_path):
    """sigma(800) = 1 - 3.7e-348: a = 1, loss (0 - 1)^2 = 1, delta 2(a-y)sigma' ~ 7e-348 (claimed 0)."""
    body = _net([1, 1], ["sigmoid"], "squared_error", "[1]", "[0]", ["W1 = [[800]]", "b1 = [0]"],
                ['z1 = ["800"]', 'a1 = ["1"]', 'loss = "1"', 'delta1 = ["0.0"]', 'db1 = ["0.0"]'])
    out = run_check(_file(tmp_path, body))
    _no_verdict_from_nan(out)
    assert all(c["verdict"] == "correct" for c in _claims(out).values()), _claims(out)


def test_check_denormal_input(tmp_path):
    """x = 5e-324 (the smallest denormal) through identity and half squared error: z = x, delta = x."""
    body = _net([1, 1], ["identity"], "half_squared_error", "[5e-324]", "[0]", ["W1 = [[1]]", "b1 = [0]"],
                ['z1 = ["4.9e-324"]', 'delta1 = ["4.9e-324"]', 'db1 = ["5e-324"]'], lr="1")
    out = run_check(_file(tmp_path, body))
    _no_verdict_from_nan(out)
    assert all(c["verdict"] == "correct" for c in _claims(out).values()), _claims(out)


def test_check_claims_below_the_float_range_are_not_waved_through(tmp_path):
    body = _net([1, 1], ["sigmoid"], "squared_error", "[1]", "[0]", ["W1 = [[800]]", "b1 = [0]"],
                ['act_prime1 = ["1.1e-347"]'])
    out = run_check(_file(tmp_path, body))
    assert out.code == 2 or _claims(out)["act_prime1[1]"]["verdict"] == "wrong"
    body = _net([1, 1], ["identity"], "half_squared_error", "[5e-324]", "[0]", ["W1 = [[1]]", "b1 = [0]"],
                ['loss = "9.9e-647"'], lr="1")
    out = run_check(_file(tmp_path, body, "denorm.toml"))
    assert out.code == 2 or _claims(out)["loss[]"]["verdict"] == "wrong"


def test_check_float32_rounded_inputs(tmp_path):
    """Inputs written as float32 values (0.1f = 0.100000001490116...) are read as given: z = 2x."""
    x32 = float(np.float32(0.1))
    body = _net([1, 1], ["identity"], "half_squared_error", f"[{x32!r}]", "[0]", ["W1 = [[2]]", "b1 = [0]"],
                ['z1 = ["0.2000000030"]', 'loss = "0.02000000060"'], lr="1")
    out = run_check(_file(tmp_path, body))
    _no_verdict_from_nan(out)
    assert all(c["verdict"] == "correct" for c in _claims(out).values()), _claims(out)


def test_check_act_prime_of_saturated_tanh_and_sigmoid(tmp_path):
    """tanh'(-40) = sech^2(40) = 7.2e-35 and sigmoid'(40) = 4.2e-18 (delta = 2 sigma'(40) = 8.5e-18) are
    right (a hardening finding, fixed in numeric/activations.py: 1 - tanh^2 and s(1 - s) cancelled to 0)."""
    body = _net([1, 1], ["tanh"], "squared_error", "[1]", "[0]", ["W1 = [[-40]]", "b1 = [0]"],
                ['act_prime1 = ["7.2e-35"]'])
    out = run_check(_file(tmp_path, body))
    assert _claims(out)["act_prime1[1]"]["verdict"] == "correct", _claims(out)
    body = _net([1, 1], ["sigmoid"], "squared_error", "[1]", "[0]", ["W1 = [[40]]", "b1 = [0]"],
                ['act_prime1 = ["4.2e-18"]', 'delta1 = ["8.5e-18"]'])
    out = run_check(_file(tmp_path, body, "s40.toml"))
    assert all(c["verdict"] == "correct" for c in _claims(out).values()), _claims(out)


def test_check_a_weight_near_the_float_limit_is_judged_without_nan(tmp_path):
    """W2[1,1] = 1.34e154 (its square overflows): with no L2 term the loss is finite and is judged
    (the fuzz found the 0 * inf of an absent L2 term making it NaN)."""
    text = (ROOT / "reports" / "examples" / "cs7015-q3.toml").read_text(encoding="utf-8")
    out = run_check(_file(tmp_path, text.replace("W2 = [[0.2, 0.3, 0.4]", "W2 = [[1.3407807929942597e+154, 0.3, 0.4]", 1)))
    assert out.kind == "judged", (out.code, out.stderr, out.problems)
    step1 = _claims(out, step=1)
    assert step1["z2[1]"]["verdict"] == "wrong" and step1["loss[]"]["verdict"] == "follows"


def test_check_a_claim_whose_exact_value_overflows_is_refused_naming_it(tmp_path):
    body = _net([1, 1], ["identity"], "squared_error", "[1e200]", "[0]", ["W1 = [[1e200]]", "b1 = [0]"],
                ['z1 = ["1e300"]'])
    path = _file(tmp_path, body)
    out = run_check(path)
    assert out.kind == "refused" and f"{path}, line 15: step 1, z1[1]" in out.stderr, out.stderr
    assert "inf in float64" in out.stderr and "1e+200" in out.stderr


def test_check_own_numbers_that_overflow_give_wrong_not_a_warning_flood(tmp_path, capfd):
    """A claimed a3 = 1e200 makes the loss from the person's values inf: the loss is judged against
    the exact value (wrong), from_claims is null in the JSON, and no RuntimeWarning reaches stderr."""
    text = (ROOT / "reports" / "examples" / "cs7015-q3.toml").read_text(encoding="utf-8")
    out = run_check(_file(tmp_path, text.replace('a3 = ["0.420"]', 'a3 = ["1e200"]', 1)))
    assert out.kind == "judged", (out.code, out.problems)
    loss = _claims(out, step=1)["loss[]"]
    assert loss["verdict"] == "wrong" and loss["from_claims"] is None and loss["exact"] > 0
    assert "Warning" not in out.stderr + capfd.readouterr().err
