"""The judge under each convention, with numbers worked by hand in the test (not by the engine)."""

from __future__ import annotations

from gradverify.judge.verdicts import check_text

ONE = """
[network]
sizes = [1, 1]
activations = ["identity"]
loss = "half_squared_error"
learning_rate = 0.1
{extra}
[data]
x = {x}
y = {y}
[parameters]
W2 = [[0.5]]
b2 = {b}
"""


def verdicts(text):
    r = check_text(text)
    return {(c.step, c.name): (c.verdict, c.kind) for c in r.claims}, r


def test_negative_error_sign_claims_are_read_in_that_sign():
    # z = 0.5*2 + 0.5 = 1.5; Err = -(a - y) = -0.5; Err_W = -1.0; W += 0.1 * -1.0 -> 0.4; b -> 0.45
    text = ONE.format(extra='error_sign = "negative"', x="[2.0]", y="[1.0]", b="[0.5]") + \
        '[[step]]\nz2 = ["1.5"]\nloss = "0.125"\ndelta2 = ["-0.5"]\ndW2 = [["-1.0"]]\ndb2 = ["-0.5"]\n' \
        '[[step]]\nW2 = [["0.4"]]\nb2 = ["0.45"]\n'
    v, r = verdicts(text)
    assert all(verdict == "correct" for verdict, _ in v.values()), v
    assert r.exit_status() == 0


def test_gradient_sign_written_in_a_negative_file_is_named_once():
    text = ONE.format(extra='error_sign = "negative"', x="[2.0]", y="[1.0]", b="[0.5]") + \
        '[[step]]\ndelta2 = ["0.5"]\ndW2 = [["1.0"]]\ndb2 = ["0.5"]\n'
    v, _ = verdicts(text)
    assert v[(1, "delta2[1]")] == ("wrong", "sign")
    assert v[(1, "dW2[1,1]")][0] == "follows" and v[(1, "db2[1]")][0] == "follows"


def test_batch_mean_and_sum_by_hand():
    # samples x = 1, 3; y = 0, 0; W = 0.5, b = 0: a = 0.5, 1.5; delta = 0.5, 1.5
    # dW mean = (0.5*1 + 1.5*3)/2 = 2.5; sum = 5.0; db mean = 1.0, sum = 2.0; loss mean = (0.125+1.125)/2
    base = ONE.format(extra='batch = "{m}"', x="[[1.0], [3.0]]", y="[[0.0], [0.0]]", b="[0.0]")
    claims = '[[step]]\nz2 = [["0.5"], ["1.5"]]\nloss = "{loss}"\ndelta2 = [["0.5"], ["1.5"]]\ndW2 = [["{dw}"]]\ndb2 = ["{db}"]\n'
    v, _ = verdicts(base.replace("{m}", "mean") + claims.format(loss="0.625", dw="2.5", db="1.0"))
    assert all(verdict == "correct" for verdict, _ in v.values()), v
    v, _ = verdicts(base.replace("{m}", "sum") + claims.format(loss="1.25", dw="5.0", db="2.0"))
    assert all(verdict == "correct" for verdict, _ in v.values()), v
    # the sum written where the mean is stated: named once, at the loss, the rest follows
    v, _ = verdicts(base.replace("{m}", "mean") + claims.format(loss="1.25", dw="5.0", db="2.0"))
    assert v[(1, "loss")] == ("wrong", "mean_vs_sum_batch")
    assert v[(1, "dW2[1,1]")][0] == "follows" and v[(1, "db2[1]")][0] == "follows"


def test_shared_and_frozen_bias_by_hand():
    # shared: one b for the layer; two neurons: W = [[0.5], [1.0]], x = 2, y = [1, 1], b = 0.5
    text = """
[network]
sizes = [1, 2]
activations = ["identity"]
loss = "half_squared_error"
learning_rate = 0.1
bias = "shared"
[data]
x = [2.0]
y = [1.0, 1.0]
[parameters]
W2 = [[0.5], [1.0]]
b2 = 0.5
[[step]]
z2 = ["1.5", "2.5"]
delta2 = ["0.5", "1.5"]
db2 = "2.0"
[[step]]
b2 = "0.3"
"""
    v, _ = verdicts(text)
    assert all(verdict == "correct" for verdict, _ in v.values()), v
    frozen = text.replace('bias = "shared"', 'bias = "frozen"').replace("b2 = 0.5", "b2 = [0.5, 0.5]") \
        .replace('db2 = "2.0"', 'db2 = ["0.5", "1.5"]').replace('b2 = "0.3"', 'b2 = ["0.5", "0.5"]')
    v, _ = verdicts(frozen)
    assert all(verdict == "correct" for verdict, _ in v.values()), v


def test_l2_adds_lambda_w_to_dw_and_half_lambda_w2_to_the_loss():
    # z = 1.5, loss = 0.125 + 0.1/2 * 0.25 = 0.1375; dW = 1.0 + 0.1*0.5 = 1.05
    text = ONE.format(extra="l2 = 0.1", x="[2.0]", y="[1.0]", b="[0.5]") + \
        '[[step]]\nloss = "0.1375"\ndW2 = [["1.05"]]\ndb2 = ["0.5"]\n'
    v, _ = verdicts(text)
    assert all(verdict == "correct" for verdict, _ in v.values()), v


def test_tiny_gradients_are_judged_by_their_printed_digits():
    # x = 1e-4: dW = delta * x = 0.5e-4; "5.0e-5" right, "5.3e-5" wrong although both round to 0.0001
    base = ONE.format(extra="", x="[1e-4]", y="[0.00005]", b="[0.5]")
    v, _ = verdicts(base + '[[step]]\ndW2 = [["5.0e-5"]]\n')
    assert v[(1, "dW2[1,1]")][0] == "correct"
    v, _ = verdicts(base + '[[step]]\ndW2 = [["5.3e-5"]]\n')
    assert v[(1, "dW2[1,1]")][0] == "wrong"
