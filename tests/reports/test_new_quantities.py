"""Every quantity and convention a hand writes down can be claimed, and is judged right and wrong.

Each expected number is computed here by hand in 50-digit arithmetic (mpmath), from the network's
definition, never by the engine or the judge.
"""

from __future__ import annotations

from fractions import Fraction

import mpmath as mp
import pytest

from gradverify.judge.verdicts import check_text
from gradverify.judge.worked import WorkedExampleError, loads

mp.mp.dps = 50
NET = """
[network]
sizes = [3, 2, 1]
activations = ["sigmoid", "sigmoid"]
loss = "squared_error"
{extra}
[data]
x = [0.8, 0.7, 0.1]
y = [0.9]
[parameters]
W2 = [[0.2, 0.3, 0.4], [-0.2, 0.1, 0.5]]
b2 = [-0.2, -0.2]
W3 = [[-0.3, 0.1]]
b3 = [-0.2]
"""


def sig(z):
    return 1 / (1 + mp.exp(-z))


def seed001(W2=None, b2=None, W3=None, b3=None):
    """Seed 001's 3-2-1 step by hand: every quantity of the forward and backward pass."""
    x, y = [mp.mpf("0.8"), mp.mpf("0.7"), mp.mpf("0.1")], mp.mpf("0.9")
    W2 = W2 or [[mp.mpf("0.2"), mp.mpf("0.3"), mp.mpf("0.4")], [mp.mpf("-0.2"), mp.mpf("0.1"), mp.mpf("0.5")]]
    b2 = b2 or [mp.mpf("-0.2"), mp.mpf("-0.2")]
    W3 = W3 or [[mp.mpf("-0.3"), mp.mpf("0.1")]]
    b3 = b3 or [mp.mpf("-0.2")]
    z2 = [sum(W2[j][k] * x[k] for k in range(3)) + b2[j] for j in range(2)]
    a2 = [sig(v) for v in z2]
    z3 = W3[0][0] * a2[0] + W3[0][1] * a2[1] + b3[0]
    a3 = sig(z3)
    d3 = 2 * (a3 - y) * a3 * (1 - a3)
    d2 = [W3[0][j] * d3 * a2[j] * (1 - a2[j]) for j in range(2)]
    dW2 = [[d2[j] * x[k] for k in range(3)] for j in range(2)]
    dW3 = [[d3 * a2[j] for j in range(2)]]
    return dict(x=x, z2=z2, a2=a2, z3=z3, a3=a3, loss=(y - a3) ** 2, d3=d3, d2=d2, dW2=dW2, dW3=dW3, db2=d2,
                db3=[d3], W2=W2, b2=b2, W3=W3, b3=b3)


def p(v, digits=4) -> str:
    return mp.nstr(v, digits, strip_zeros=False)


def verdicts(text: str) -> dict[str, str]:
    r = check_text(text)
    return {c.name: c.verdict for c in r.claims}


def judged(text: str):
    return {c.name: c for c in check_text(text).claims}


def test_inputs_copied_into_the_working():
    v = verdicts(NET.format(extra="learning_rate = 1") + '[[step]]\nx = ["0.8", "0.7", "0.1"]\n"x#2" = ["0.8", "0.9", "0.1"]\n')
    assert v["x[1]"] == v["x[2]"] == v["x[3]"] == "correct"
    assert v["x[2]#2"] == "wrong"


def test_loss_terms_each_output():
    h = seed001()
    right = p((mp.mpf("0.9") - h["a3"]) ** 2)
    v = verdicts(NET.format(extra="") + f'[[step]]\nloss_term = ["{right}"]\n"loss_term#2" = ["0.2403"]\n')
    assert v["loss_term[1]"] == "correct" and v["loss_term[1]#2"] == "wrong"


def test_update_terms_and_the_learning_rate():
    h = seed001()
    lr = mp.mpf("0.5")
    right = p(lr * h["dW2"][0][0], 3)
    off = p(2 * lr * h["dW2"][0][0], 3)  # the full gradient, not lr times it
    v = verdicts(NET.format(extra="learning_rate = 0.5") + f'[[step]]\n"lr_dW2[1,1]" = "{right}"\n"lr_dW2[1,2]" = "{off}"\n')
    assert v["lr_dW2[1,1]"] == "correct" and v["lr_dW2[1,2]"] == "wrong"


def test_a_result_with_its_working():
    h = seed001()
    new = h["W2"][0][0] - h["dW2"][0][0]  # eta = 1
    text = NET.format(extra="learning_rate = 1") + (
        f'[[step]]\n"dW2[1,1]" = "{p(h["dW2"][0][0], 3)}"\n[[step]]\n'
        f'"W2[1,1]" = "0.2 - 1 x {p(h["dW2"][0][0], 3)} = {p(new, 4)}"\n'
        f'"W2[1,2]" = "0.3 - 1 x {p(h["dW2"][0][1], 3)} = 0.2"\n')
    got = judged(text)
    assert got["W2[1,1]"].verdict in ("correct", "follows")
    assert got["W2[1,2]"].verdict == "wrong" and "working" in got["W2[1,2]"].diagnosis


def test_a_power_of_ten_slipped_in_the_working_is_named():
    got = judged(NET.format(extra="learning_rate = 1") + '[[step]]\n"dW2[2,1]" = "-2.4e-3"\n[[step]]\n'
                 '"W2[2,1]" = "-0.2 + 1 x 2.4 x 10^-2 = -0.1976"\n')
    assert got["W2[2,1]"].verdict == "wrong" and got["W2[2,1]"].kind == "working_power_of_ten"
    assert "10^-2" in got["W2[2,1]"].diagnosis and "10^-3" in got["W2[2,1]"].diagnosis


def test_the_updates_sign_turned_round_in_a_working_is_named():
    """db2 = (0.009, -0.003) (as seed 001 writes it): b2[1] - 1 x 0.009 = -0.209. Written -0.2 + 0.009 =
    -0.191, the arithmetic is right and the update's sign is not (b2[2], updated the right way, rules out
    a sign taken for every update); written -0.2 + 0.009 = -0.29 (the seed's line), the digit dropped is
    named and the sign turned round as well."""
    base = (NET.format(extra="learning_rate = 1") + '[[step]]\ndb2 = ["0.009", "-0.003"]\n[[step]]\n'
            '"b2[2]" = "-0.2 + 0.003 = -0.197"\n')
    assert Fraction("-0.2") - Fraction("0.009") == Fraction("-0.209")
    got = judged(base + '"b2[1]" = "-0.2 + 0.009 = -0.191"\n')["b2[1]"]
    assert got.verdict == "wrong" and got.kind == "update_sign"
    assert "-0.2 - 0.009 gives -0.209" in got.diagnosis
    got = judged(base + '"b2[1]" = "-0.2 + 0.009 = -0.29"\n')["b2[1]"]
    assert got.verdict == "wrong" and got.kind == "typo_dropped_digit"
    assert "-0.2 - 0.009 gives -0.209" in got.diagnosis


SOFTMAX = """
[network]
sizes = [2, 3]
activations = ["softmax"]
loss = "cross_entropy"
numbering = {{ first_layer = 0, first_index = 1 }}
[data]
x = [1.0, -0.5]
y = {y}
{labels}
[parameters]
W1 = [[0.5, 0.2], [-0.3, 0.8], [0.1, 0.1]]
b1 = [0.1, 0.0, -0.2]
"""


def softmax_hand():
    x = [mp.mpf(1), mp.mpf("-0.5")]
    W = [[mp.mpf("0.5"), mp.mpf("0.2")], [mp.mpf("-0.3"), mp.mpf("0.8")], [mp.mpf("0.1"), mp.mpf("0.1")]]
    b = [mp.mpf("0.1"), mp.mpf(0), mp.mpf("-0.2")]
    z = [sum(W[j][k] * x[k] for k in range(2)) + b[j] for j in range(3)]
    e = [mp.exp(v) for v in z]
    a = [v / sum(e) for v in e]
    return z, e, a


def test_softmax_exponentials_and_their_sum_plain_or_shifted():
    z, e, a = softmax_hand()
    shifted = [mp.exp(v - max(z)) for v in z]
    text = SOFTMAX.format(y="[0, 1, 0]", labels="") + (
        f'[[step]]\nexp_z1 = ["{p(e[0])}", "{p(e[1])}", "{p(e[2])}"]\nsum_exp_z1 = "{p(sum(e))}"\n'
        f'"exp_z1#2" = ["{p(shifted[0])}", "{p(shifted[1])}", "{p(shifted[2])}"]\n'
        f'"a1[1]" = "{p(e[0] / sum(e))}"\n"a1[2]" = "{p(a[2])}"\n')
    v = verdicts(text)
    assert v["exp_z1[1]"] == v["sum_exp_z1"] == "correct"
    assert {v[f"exp_z1[{i}]#2"] for i in (1, 2, 3)} == {"follows"} | ({"correct"} if max(z) == 0 else set())
    assert v["a1[1]"] == "correct" and v["a1[2]"] == "wrong"


def test_labels_as_class_numbers_equal_one_hot_rows():
    z, e, a = softmax_hand()
    claim = f'[[step]]\nloss = "{p(-mp.log(a[1]))}"\n"loss#2" = "{p(-mp.log(a[0]))}"\n'
    one_hot = verdicts(SOFTMAX.format(y="[0, 1, 0]", labels="") + claim)
    index = verdicts(SOFTMAX.format(y="2", labels='labels = "index"') + claim)
    assert one_hot == index == {"loss": "correct", "loss#2": "wrong"}
    with pytest.raises(WorkedExampleError, match="class 4 is out of range"):
        loads(SOFTMAX.format(y="4", labels='labels = "index"') + claim)


def test_the_parts_of_a_hidden_dl_da():
    h = seed001()
    parts = [h["W3"][0][j] * h["d3"] for j in range(2)]  # one next neuron: one part each
    v = verdicts(NET.format(extra="") + f'[[step]]\ndL_da_part2 = [["{p(parts[0], 3)}"], ["{p(parts[1], 3)}"]]\n'
                 f'"dL_da_part2#2" = [["{p(-parts[0], 3)}"], ["{p(parts[1], 3)}"]]\n')
    assert v["dL_da_part2[1,1]"] == v["dL_da_part2[2,1]"] == "correct"
    assert v["dL_da_part2[1,1]#2"] == "wrong"


def test_shared_frozen_biases_stay():
    text = NET.format(extra='learning_rate = 1\nbias = "shared_frozen"').replace(
        "b2 = [-0.2, -0.2]", "b2 = -0.2").replace("b3 = [-0.2]", "b3 = -0.2")
    v = verdicts(text + '[[step]]\nloss = "0.2"\n[[step]]\nb2 = "-0.2"\nb3 = "-0.19"\n')
    assert v["b2"] == "correct" and v["b3"] == "wrong"


def test_no_learning_rate_when_nothing_is_updated():
    h = seed001()
    assert verdicts(NET.format(extra="") + f'[[step]]\nloss = "{p(h["loss"])}"\n') == {"loss": "correct"}
    with pytest.raises(WorkedExampleError, match="learning_rate"):
        loads(NET.format(extra="") + '[[step]]\nloss = "0.23"\n[[step]]\nloss = "0.19"\n')


def test_a_loss_printed_after_many_unprinted_steps():
    W2 = [[mp.mpf("0.2"), mp.mpf("0.3"), mp.mpf("0.4")], [mp.mpf("-0.2"), mp.mpf("0.1"), mp.mpf("0.5")]]
    b2, W3, b3 = [mp.mpf("-0.2")] * 2, [[mp.mpf("-0.3"), mp.mpf("0.1")]], [mp.mpf("-0.2")]
    for _ in range(199):  # 199 updates by hand, then step 200's loss
        h = seed001(W2, b2, W3, b3)
        W2 = [[W2[j][k] - h["dW2"][j][k] for k in range(3)] for j in range(2)]
        b2 = [b2[j] - h["db2"][j] for j in range(2)]
        W3 = [[W3[0][j] - h["dW3"][0][j] for j in range(2)]]
        b3 = [b3[0] - h["db3"][0]]
    loss = seed001(W2, b2, W3, b3)["loss"]
    v = verdicts(NET.format(extra="learning_rate = 1") + f'[[step]]\nstep = 200\nloss = "{p(loss, 5)}"\n'
                 f'"loss#2" = "{p(loss * 1.1, 5)}"\n')
    assert v == {"loss": "correct", "loss#2": "wrong"}


def test_loss_none_differentiates_the_output_itself():
    h = seed001()
    d3 = h["a3"] * (1 - h["a3"])  # dL/da = 1
    v = verdicts(NET.format(extra="").replace('loss = "squared_error"', 'loss = "none"').replace("y = [0.9]", "")
                 + f'[[step]]\ndelta3 = ["{p(d3, 3)}"]\n"delta3#2" = ["{p(2 * d3, 3)}"]\nloss = "{p(h["a3"], 3)}"\n')
    assert v == {"delta3[1]": "correct", "delta3[1]#2": "wrong", "loss": "correct"}


def test_multiclass_svm_with_its_margin_and_label():
    s = [mp.mpf("0.9"), mp.mpf("0.4"), mp.mpf("1.6")]  # identity outputs of x = [1] through W = s
    label = 1  # class 2 in the file's numbering
    margins = [s[j] - s[label] + 1 for j in range(3)]
    loss = sum(max(mp.mpf(0), m) for j, m in enumerate(margins) if j != label)
    grad = [1 if j != label and margins[j] > 0 else 0 for j in range(3)]
    grad[label] = -sum(grad)
    text = ('[network]\nsizes = [1, 3]\nactivations = ["identity"]\nloss = "multiclass_svm"\nnumbering = { first_layer = 0 }\n[data]\nx = [1.0]\n'
            'y = 2\nlabels = "index"\n[parameters]\nW1 = [[0.9], [0.4], [1.6]]\nb1 = [0.0, 0.0, 0.0]\n[[step]]\n'
            f'loss = "{p(loss, 3)}"\ndelta1 = {[str(g) for g in grad]}\n'.replace("'", '"')
            + f'"delta1#2" = ["1", "-1", "0"]\n')
    v = verdicts(text)
    assert v["loss"] == "correct" and all(v[f"delta1[{i}]"] == "correct" for i in (1, 2, 3))
    assert v["delta1[2]#2"] == "wrong"


def test_seed000_batch_mean_taken_at_the_output_gradient():
    """dE/dO divided by the batch size: each sample's delta carries 1/B, and dW is their sum."""
    x = [[mp.mpf("0.5")], [mp.mpf("-1")]]
    w, y = mp.mpf("0.8"), [mp.mpf("0.3"), mp.mpf("0.1")]
    deltas = [2 * (w * xs[0] - ys) / 2 for xs, ys in zip(x, y)]  # identity output, (y - O)^2, B = 2
    dW = sum(d * xs[0] for d, xs in zip(deltas, x))
    text = ('[network]\nsizes = [1, 1]\nactivations = ["identity"]\nloss = "squared_error"\nbias = "none"\n'
            'batch = "mean"\nbatch_mean_at = "output_gradient"\nnumbering = { first_layer = 0 }\n[data]\nx = [[0.5], [-1.0]]\ny = [[0.3], [0.1]]\n'
            f'[parameters]\nW1 = [[0.8]]\n[[step]]\ndelta1 = [["{p(deltas[0], 3)}"], ["{p(deltas[1], 3)}"]]\n'
            f'dW1 = [["{p(dW, 3)}"]]\n"delta1#2" = [["{p(2 * deltas[0], 3)}"], ["{p(2 * deltas[1], 3)}"]]\n')
    v = verdicts(text)
    assert v["delta1[1,1]"] == v["delta1[2,1]"] == v["dW1[1,1]"] == "correct"
    assert v["delta1[1,1]#2"] == "wrong"
