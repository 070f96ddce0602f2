"""Diagnoses read like a person's mistakes: typos by digit strings, factors, transposed elements,
and convention variants replayed from the person's numbers (hand-made examples)."""

from __future__ import annotations

import pytest

from gradverify.judge import diagnose as dg
from gradverify.judge.verdicts import check_text
from gradverify.judge.numbers import parse


@pytest.mark.parametrize("claim,value,length,words,meant", [
    # length: how the claim's digits compare with the file's other numbers (-1 fewer, 1 more)
    ("-0.29", -0.20868, -1, "digit dropped", -0.209),
    ("-0.29", -0.20868, 0, "one digit wrong", -0.21),  # as long as the others: 9 for 1 is the likelier slip
    ("0.12456", 0.1234561, -1, "digit dropped", 0.123456),
    ("0.12334", 0.1234, 1, "digit doubled", 0.1234),
    ("0.2143", 0.2413, 0, "two digits swapped", 0.2413),
    ("0.5175", 0.5475, 0, "one digit wrong", 0.5475),
    ("0.5375", 0.5475, 0, "one digit wrong", 0.5475),
    ("0.553", 0.55231, 0, "0.55231 rounds to 0.552", 0.552),
    ("7.3e-3", 7.22e-3, 0, "rounds to 7.2e-3", 7.2e-3),
])
def test_typos(claim, value, length, words, meant):
    s, intended = dg.typo_intended(parse(claim), value, length)
    assert words in s
    assert intended == pytest.approx(meant)


@pytest.mark.parametrize("claim,value", [("0.29", -0.209), ("0.9", 0.2), ("-0.117", -0.2338)])
def test_not_typos(claim, value):
    assert dg.typo(parse(claim), value) == ""


def test_factors():
    assert "half" in dg.factors(parse("-0.117"), -0.2339, 1, 1)
    assert "wrong sign" in dg.factors(parse("0.234"), -0.2339, 1, 1)
    assert "sum over the batch" in dg.factors(parse("0.6"), 0.2, 3, 1)
    assert dg.factors(parse("0.5"), 0.2, 1, 1) == ""


NET = """
[network]
sizes = [2, 2, 2]
activations = ["sigmoid", "identity"]
loss = "half_squared_error"
learning_rate = 0.5
[data]
x = [1.0, -1.0]
y = [0.0, 1.0]
[parameters]
W2 = [[0.5, -0.25], [0.25, 0.75]]
b2 = [0.0, 0.0]
W3 = [[1.0, 2.0], [-1.0, 0.5]]
b3 = [0.0, 0.0]
"""


def hand(net, d3_decimals=4):
    """The hand computation, independent of the engine: plain Python floats."""
    import math
    s = lambda v: 1 / (1 + math.exp(-v))
    z2 = [0.5 * 1 - 0.25 * -1, 0.25 * 1 + 0.75 * -1]
    a2 = [s(v) for v in z2]
    z3 = [1.0 * a2[0] + 2.0 * a2[1], -1.0 * a2[0] + 0.5 * a2[1]]
    d3 = [round(z3[0] - 0.0, d3_decimals), round(z3[1] - 1.0, d3_decimals)]  # as printed
    g2 = [1.0 * d3[0] - 1.0 * d3[1], 2.0 * d3[0] + 0.5 * d3[1]]  # W3^T d3
    return dict(z2=z2, a2=a2, z3=z3, d3=d3, g2=g2, wrong_g2=[1.0 * d3[0] + 2.0 * d3[1], -1.0 * d3[0] + 0.5 * d3[1]])


def f(v):
    return f"{v:.4f}"


def test_transposed_weights_in_backprop_named_once():
    h = hand(NET)
    steps = f'[[step]]\ndelta3 = ["{f(h["d3"][0])}", "{f(h["d3"][1])}"]\n' \
            f'dL_da2 = ["{f(h["wrong_g2"][0])}", "{f(h["wrong_g2"][1])}"]\n'
    r = check_text(NET + steps)
    wrong = [c for c in r.claims if c.verdict == "wrong"]
    assert [c.name for c in wrong] == ["dL_da2[1]"] and wrong[0].kind == "transposed"
    assert "W^T" in wrong[0].diagnosis
    follows = [c for c in r.claims if c.name == "dL_da2[2]"][0]
    assert follows.verdict == "follows" and "W instead of W^T" in follows.note


def test_act_prime_from_the_claimed_output_is_accepted():
    h = hand(NET)
    a = [round(v, 2) for v in h["a2"]]
    steps = f'[[step]]\na2 = ["{a[0]:.2f}", "{a[1]:.2f}"]\nact_prime2 = ["{a[0] * (1 - a[0]):.4f}", "{a[1] * (1 - a[1]):.4f}"]\n'
    r = check_text(NET + steps)
    assert all(c.verdict in ("correct", "follows") for c in r.claims)


def test_learning_rate_off_is_named_once():
    h = hand(NET)
    d3, a2 = h["d3"], h["a2"]
    # the update of W3 with lr 0.05 instead of 0.5, every element
    W3 = [[1.0, 2.0], [-1.0, 0.5]]
    a2 = [round(v, 6) for v in a2]
    new = [[W3[j][k] - 0.05 * d3[j] * a2[k] for k in range(2)] for j in range(2)]
    steps = f'[[step]]\ndelta3 = ["{d3[0]:.4f}", "{d3[1]:.4f}"]\na2 = ["{a2[0]:.6f}", "{a2[1]:.6f}"]\n[[step]]\nW3 = [' + ", ".join("[" + ", ".join(f'"{v:.5f}"' for v in row) + "]" for row in new) + "]\n"
    r = check_text(NET + steps)
    wrong = [c for c in r.claims if c.verdict == "wrong"]
    assert [c.name for c in wrong] == ["W3[1,1]"] and wrong[0].kind == "learning_rate"
    assert "learning rate 0.05" in wrong[0].diagnosis
    assert all(c.verdict == "follows" for c in r.claims if c.step == 2 and c.name != "W3[1,1]")


def test_an_unexplained_wrong_number_still_says_what_was_expected():
    r = check_text(NET + '[[step]]\nz2 = ["0.9", "-0.5"]\n')
    wrong = [c for c in r.claims if c.verdict == "wrong"]
    assert [c.name for c in wrong] == ["z2[1]"] and "expected 0.75" in wrong[0].diagnosis
