"""Every gate of a circuit, judged right and wrong, for its value and for the gradient through it.

The truth is computed here, never by gradverify: exact rationals by the textbook rule where the gate
is rational (x + y, x y, x / y, x^3, max, relu, ...), otherwise mpmath at 50 digits, its derivative
by mpmath's own high-precision differencing of the definition.
"""

from __future__ import annotations

from fractions import Fraction as F

import sys
from pathlib import Path

import mpmath as mp
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from circuits import circuit, judged, off, printed  # noqa: E402

X, Y = F(-3, 4), F(5, 2)

# (statement, value of f, df/dx and df/dy at x = -3/4, y = 5/2): rational gates by hand
RATIONAL = [
    ("f = x + y", X + Y, F(1), F(1)),
    ("f = x - y", X - Y, F(1), F(-1)),
    ("f = x * y", X * Y, Y, X),
    ("f = x / y", X / Y, 1 / Y, -X / Y**2),
    ("f = 1 / y", 1 / Y, F(0), -1 / Y**2),
    ("f = x**3 * y", X**3 * Y, 3 * X**2 * Y, X**3),
    ("f = y**-2", Y**-2, F(0), -2 * Y**-3),
    ("f = -x", -X, F(-1), F(0)),
    ("f = max(x, y)", Y, F(0), F(1)),
    ("f = min(x, y)", X, F(1), F(0)),
    ("f = abs(x) * y", -X * Y, -Y, -X),
    ("f = relu(x) + relu(y)", Y, F(0), F(1)),
    ("f = leaky_relu(x, 0.1) + y", F(1, 10) * X + Y, F(1, 10), F(1)),
    ("f = prelu(x) * y", F(1, 4) * X * Y, F(1, 4) * Y, F(1, 4) * X),
    ("f = identity(x) * 2", 2 * X, F(2), F(0)),
    ("f = (x*y + 1)**2 / 4", (X * Y + 1) ** 2 / 4, (X * Y + 1) * Y / 2, (X * Y + 1) * X / 2),
]


@pytest.mark.parametrize("statement,value,dx,dy", RATIONAL, ids=[r[0] for r in RATIONAL])
def test_rational_gates_right_and_wrong(statement, value, dx, dy):
    claims = {"f": printed(value), "df/dx": printed(dx), "df/dy": printed(dy)}
    got = judged(circuit({"x": "-0.75", "y": "2.5"}, [statement], [claims]))
    assert {k: v.verdict for k, v in got.items()} == {k: "correct" for k in claims}
    assert got["f"].exact == float(value) and got["df/dx"].exact == float(dx)  # exact rationals, to the bit
    for key, true in (("f", value), ("df/dx", dx), ("df/dy", dy)):
        got = judged(circuit({"x": "-0.75", "y": "2.5"}, [statement], [{key: off(true)}]))
        assert got[key].verdict == "wrong", (statement, key, got[key])


def _mp(name):
    def sig(t):
        return 1 / (1 + mp.exp(-t))
    return {
        "exp": mp.exp, "log": mp.log, "sqrt": mp.sqrt, "tanh": mp.tanh, "sigmoid": sig,
        "softplus": lambda t: mp.log(1 + mp.exp(t)),
        "elu": lambda t: t if t > 0 else mp.exp(t) - 1,
        "gelu": lambda t: t * mp.ncdf(t), "silu": lambda t: t * sig(t),
    }[name]


# Transcendental gates, at a point where each is smooth: f = g(x * y) + y, so the gradient through
# the gate carries the chain factor of its inner x * y.
SMOOTH = [("exp", "0.3", "1.5"), ("log", "0.8", "2.5"), ("sqrt", "0.6", "1.5"), ("tanh", "-0.4", "1.5"),
          ("sigmoid", "-0.4", "1.5"), ("softplus", "0.7", "-1.2"), ("elu", "-0.4", "1.5"), ("gelu", "-0.4", "1.5"),
          ("silu", "0.9", "-0.5")]


@pytest.mark.parametrize("gate,x,y", SMOOTH, ids=[s[0] for s in SMOOTH])
def test_transcendental_gates_right_and_wrong(gate, x, y):
    g = _mp(gate)
    xv, yv = mp.mpf(x), mp.mpf(y)

    def f(a, b):
        return g(a * b) + b

    value = f(xv, yv)
    dx = mp.diff(lambda a: f(a, yv), xv)
    dy = mp.diff(lambda b: f(xv, b), yv)
    local = mp.diff(g, xv * yv)  # d g(u) / du, the gate's own local gradient
    text = circuit({"x": x, "y": y}, ["u = x * y", f"f = {gate}(u) + y"],
                   [{"f": printed(value), "df/dx": printed(dx), "df/dy": printed(dy), "df/du": printed(local)}])
    got = judged(text)
    assert {k: v.verdict for k, v in got.items()} == {k: "correct" for k in got}, got
    assert abs(got["df/dx"].exact - float(dx)) <= 1e-12 * abs(float(dx))
    for key, true in (("f", value), ("df/dx", dx), ("df/du", local)):
        wrong = judged(circuit({"x": x, "y": y}, ["u = x * y", f"f = {gate}(u) + y"], [{key: off(true)}]))
        assert wrong[key].verdict == "wrong", (gate, key, wrong[key])


def test_the_exact_column_holds_fifty_digits_of_a_transcendental_gate():
    """tanh(0.3) against mpmath to 1e-45: the exact chain is decimals where the gate is not rational."""
    from gradverify.judge.circuitexact import EXACT

    assert abs(mp.mpf(str(EXACT.fn("tanh", F(3, 10), None))) - mp.tanh(mp.mpf("0.3"))) < mp.mpf("1e-45")
    assert abs(mp.mpf(str(EXACT.dfn("gelu", F(-7, 5), None))) - mp.diff(lambda t: t * mp.ncdf(t), mp.mpf("-1.4"))) \
        < mp.mpf("1e-40")


def test_local_gradients_on_edges_right_and_wrong():
    """dq/dx for q = x y is y and dq/dy is x; d(1/s)/ds is -1/s^2, claimed on the edge itself."""
    text = circuit({"x": "3", "y": "-2"}, ["q = x * y", "s = q + 7", "g = 1/s"],
                   [{"dq/dx": "-2", "dq/dy": "2", "ds/dq": "1", "\u2202g/\u2202s": "-1"}])
    got = judged(text)
    assert got["dq/dx"].verdict == "correct" and got["ds/dq"].verdict == "correct"
    assert got["dq/dy"].verdict == "wrong" and got["\u2202g/\u2202s"].verdict == "correct"  # s = 1: -1/s^2 = -1


def test_a_gate_read_from_its_own_written_output_follows():
    """sigma'(p) written as z(1 - z) from the hand's rounded z = 0.73 follows; so does e^u from e^u."""
    p = mp.mpf("1")
    z = 1 / (1 + mp.exp(-p))
    text = circuit({"p": "1"}, ["z = sigmoid(p)", "v = exp(z)"],
                   [{"z": "0.73", "dz/dp": "0.1971", "v": "2.08", "dv/dz": "2.08"}])
    got = judged(text)
    assert got["z"].verdict == "correct" and printed(z * (1 - z), 4) != "0.1971"
    assert got["dz/dp"].verdict == "follows" and "from your z" in got["dz/dp"].note
    assert got["dv/dz"].verdict in ("correct", "follows")
