"""The worked-example file: every key validated, errors name file, key, line and the fix."""

from __future__ import annotations

import re

import pytest

from gradverify.judge import worked
from gradverify.judge.worked import WorkedExampleError, loads

BASE = """\
title = "t"

[network]
sizes = [2, 2, 1]
activations = ["sigmoid", "sigmoid"]
loss = "squared_error"
learning_rate = 0.5

[data]
x = [1.0, 2.0]
y = [1.0]

[parameters]
W2 = [[0.1, 0.2], [0.3, 0.4]]
b2 = [0.0, 0.0]
W3 = [[0.5, 0.6]]
b3 = [0.1]

[[step]]
z2 = ["0.5", "1.1"]
"""


def err(text: str) -> str:
    with pytest.raises(WorkedExampleError) as info:
        loads(text, "hw.toml")
    return str(info.value)


def test_base_loads_and_expands_claims():
    ex = loads(BASE, "hw.toml")
    assert [c.name for c in ex.claims] == ["z2[1]", "z2[2]"]
    assert ex.claims[0].line == 20 and ex.claims[0].printed.tolerance == pytest.approx(0.05)


def test_unknown_key_suggests_the_closest():
    msg = err(BASE.replace("learning_rate = 0.5", "learning_rate = 0.5\nlearnig_rate = 1"))
    assert msg.startswith("hw.toml, line 8: network.learnig_rate") and "'learning_rate'" in msg


def test_unknown_claim_suggests_the_closest():
    msg = err(BASE + 'detla3 = "0.1"\n')
    assert "line 21" in msg and "delta" in msg


def test_unquoted_claim_says_quote_it():
    msg = err(BASE + "loss = 0.210\n")
    assert "line 21" in msg and "quotes" in msg and "trailing zero" in msg


def test_wrong_shape_says_expected_shape_and_why():
    msg = err(BASE.replace('z2 = ["0.5", "1.1"]', 'z2 = ["0.5"]'))
    assert "line 20" in msg and "expected [2]" in msg and "2 neurons in layer 2" in msg
    msg = err(BASE.replace("W3 = [[0.5, 0.6]]", "W3 = [[0.5], [0.6]]"))
    assert "parameters.W3" in msg and "expected [1, 2]" in msg and "to_from" in msg


def test_from_to_layout_expects_the_transpose():
    text = BASE.replace("[network]", '[network]\nweights = "from_to"').replace("W3 = [[0.5, 0.6]]", "W3 = [[0.5], [0.6]]")
    ex = loads(text, "hw.toml")
    assert ex.weights[1] == [[0.5], [0.6]]


@pytest.mark.parametrize("bad,words", [
    ('z2 = ["0.5", "abc"]', "not a number"),
    ('z2 = ["0.5", ""]', "empty"),
    ('z2 = ["0.5", "nan"]', "not a number"),
])
def test_bad_claim_numbers(bad, words):
    msg = err(BASE.replace('z2 = ["0.5", "1.1"]', bad))
    assert "line 20" in msg and words in msg


def test_nan_parameter_and_bad_learning_rate():
    assert "not finite" in err(BASE.replace("b3 = [0.1]", "b3 = [nan]"))
    msg = err(BASE.replace("learning_rate = 0.5", "learning_rate = 0"))
    assert "line 7" in msg and "> 0" in msg


def test_layer_out_of_range():
    msg = err(BASE + 'z4 = ["0.1"]\n')
    assert "out of range" in msg and "2..3" in msg
    msg = err(BASE + 'a1 = ["0.1", "0.2"]\n')
    assert "input layer" in msg


def test_element_claim_index_checked_in_file_numbering():
    ex = loads(BASE + '"W2[2,1]" = "0.3"\n', "hw.toml")
    c = ex.claims[-1]
    assert c.index == (2, 1) and c.core_index == (1, 0) and c.line == 21
    msg = err(BASE + '"W2[3,1]" = "0.3"\n')
    assert "out of range" in msg and "1..2" in msg


def test_numbering_from_zero():
    text = BASE.replace("[network]", "[network]\nnumbering = { first_layer = 0, first_index = 0 }")
    text = text.replace("W2", "W1").replace("b2", "b1").replace("W3", "W2").replace("b3", "b2").replace("z2", "z1")
    ex = loads(text + '"W2[0,1]" = "0.6"\n', "hw.toml")
    assert ex.claims[0].name == "z1[0]" and ex.claims[-1].core_layer == 1 and ex.claims[-1].core_index == (0, 1)


def test_unknown_activation_and_parameters():
    assert "'sigmoid'" in err(BASE.replace('["sigmoid", "sigmoid"]', '["sigmod", "sigmoid"]'))
    ex = loads(BASE.replace('["sigmoid", "sigmoid"]', '["leaky_relu(alpha=0.1)", {name = "elu", alpha = 2}]'), "hw.toml")
    assert ex.activations == [("leaky_relu", {"alpha": 0.1}), ("elu", {"alpha": 2.0})]
    assert "no parameter 'beta'" in err(BASE.replace('["sigmoid", "sigmoid"]', '["leaky_relu(beta=0.1)", "sigmoid"]'))


def test_bias_none_forbids_biases_and_shared_takes_one_number():
    msg = err(BASE.replace("[network]", '[network]\nbias = "none"'))
    assert "parameters.b2" in msg and "none" in msg
    text = BASE.replace("[network]", '[network]\nbias = "shared"').replace("b2 = [0.0, 0.0]", "b2 = 0.0").replace("b3 = [0.1]", "b3 = 0.1")
    assert loads(text, "hw.toml").biases == [0.0, 0.1]


def test_batch_of_samples():
    text = BASE.replace("x = [1.0, 2.0]", "x = [[1.0, 2.0], [0.5, 0.5], [0, 1]]").replace("y = [1.0]", "y = [[1.0], [0.0], [1.0]]")
    text = text.replace('z2 = ["0.5", "1.1"]', 'z2 = [["0.5", "1.1"], ["0.25", "0.35"], ["0.2", "0.4"]]')
    ex = loads(text, "hw.toml")
    assert ex.batch_size == 3 and ex.claims[2].index == (2, 1) and ex.claims[2].core_index == (1, 0)
    assert "3 samples" in err(text.replace("y = [[1.0], [0.0], [1.0]]", "y = [[1.0], [0.0]]"))


def test_toml_syntax_error_keeps_the_line():
    msg = err(BASE.replace("y = [1.0]", "y = [1.0"))
    assert msg.startswith("hw.toml: not valid TOML") and re.search(r"line \d+", msg)


def test_expect_table_is_validated_not_ignored():
    ex = loads(BASE + '\n[expect]\n"step1.z2" = "correct"\n', "hw.toml")
    assert ex.expect == {"step1.z2": "correct"}
    assert "not a verdict" in err(BASE + '\n[expect]\n"step1.z2" = "right"\n')


def test_missing_pieces_say_what_to_write():
    assert "sizes = [3, 2, 1]" in err(BASE.replace("sizes = [2, 2, 1]\n", ""))
    assert "[[step]]" in err(BASE.split("[[step]]")[0])
    assert "missing" in err(BASE.replace("b3 = [0.1]\n", "")) and "b3" in err(BASE.replace("b3 = [0.1]\n", ""))


def test_file_errors(tmp_path):
    with pytest.raises(WorkedExampleError, match="no such file"):
        worked.load(tmp_path / "none.toml")
    with pytest.raises(WorkedExampleError, match="no such bundled example"):
        worked.load_example("cs7015")


def test_vocabulary_matches_the_numeric_registry():
    from gradverify.judge import netspec
    from gradverify.numeric.activations import ACTIVATIONS
    from gradverify.numeric.losses import LOSSES

    for name, params in netspec.ACTIVATION_PARAMS.items():
        assert set(params) == set(ACTIVATIONS[name].params)
    for name, params in netspec.LOSS_PARAMS.items():
        assert set(params) == set(LOSSES[name].params)
