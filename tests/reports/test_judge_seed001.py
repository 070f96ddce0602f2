"""Seed 001, Q3 judged from the hand's own numbers: the outcomes the lead worked out by hand."""

from __future__ import annotations

import pytest

from gradverify.judge import verdicts as judge
from gradverify.judge import worked


@pytest.fixture(scope="module")
def q3():
    return judge.judge(worked.load_example("cs7015-q3"))


@pytest.fixture(scope="module")
def q3_half():
    return judge.judge(worked.load_example("cs7015-q3-half"))


def by_name(result):
    return {(c.step, c.name): c for c in result.claims}


def test_exactly_two_wrong_and_exit_status_1(q3):
    wrong = [(c.step, c.name) for c in q3.claims if c.verdict == "wrong"]
    assert wrong == [(1, "delta3[1]"), (2, "b2[1]")]
    assert q3.exit_status() == 1
    assert q3.summary()["wrong"] == 2
    assert sum(q3.summary().values()) == len(q3.claims) == 43


@pytest.mark.parametrize("name,exact", [
    ("z2[1]", 0.21), ("z2[2]", -0.24), ("a2[1]", 0.55231), ("a2[2]", 0.44029),
    ("z3[1]", -0.32166), ("a3[1]", 0.42027), ("act_prime2[1]", 0.24726), ("act_prime2[2]", 0.24643),
])
def test_forward_pass_of_step_1_correct(q3, name, exact):
    c = by_name(q3)[(1, name)]
    assert c.verdict == "correct"
    assert c.exact == pytest.approx(exact, abs=5e-6)


def test_loss_follows_from_rounded_a3(q3):
    c = by_name(q3)[(1, "loss")]
    assert c.verdict == "follows"
    assert c.exact == pytest.approx(0.23014, abs=5e-6)
    assert c.from_claims == pytest.approx((0.9 - 0.42) ** 2)


def test_delta3_is_the_half_convention(q3):
    c = by_name(q3)[(1, "delta3[1]")]
    assert c.verdict == "wrong"
    assert c.exact == pytest.approx(-0.2338, abs=5e-5)
    assert c.from_claims == pytest.approx(-0.2339, abs=5e-5)
    assert "1/2 (y-a)^2" in c.diagnosis and "half" in c.diagnosis
    assert "-0.11694" in c.diagnosis  # the half gradient, -0.1169 to the hand's 3 decimals


@pytest.mark.parametrize("name,from_claims", [
    ("db3[1]", -0.117), ("dW3[1,1]", -0.117 * 0.552), ("dW3[1,2]", -0.117 * 0.440),
    ("dL_da2[1]", -0.3 * -0.117), ("dL_da2[2]", 0.1 * -0.117),
    ("delta2[1]", 0.035 * 0.247), ("delta2[2]", -0.012 * 0.246), ("db2[1]", 0.009), ("db2[2]", -0.003),
    ("dW2[1,1]", 0.009 * 0.8), ("dW2[1,2]", 0.009 * 0.7), ("dW2[1,3]", 0.009 * 0.1),
    ("dW2[2,1]", -0.003 * 0.8), ("dW2[2,2]", -0.003 * 0.7), ("dW2[2,3]", -0.003 * 0.1),
])
def test_backward_claims_follow_from_the_hands_numbers(q3, name, from_claims):
    c = by_name(q3)[(1, name)]
    assert c.verdict == "follows"
    assert c.from_claims == pytest.approx(from_claims, rel=1e-9)


@pytest.mark.parametrize("name,value", [
    ("W2[1,1]", 0.1928), ("W2[1,2]", 0.2937), ("W2[1,3]", 0.3991), ("W2[2,1]", -0.1976), ("W2[2,2]", 0.1021),
    ("W2[2,3]", 0.5003), ("b2[2]", -0.197), ("W3[1,1]", -0.235), ("W3[1,2]", 0.151), ("b3[1]", -0.083),
])
def test_updated_parameters_follow(q3, name, value):
    c = by_name(q3)[(2, name)]
    assert c.verdict == "follows"
    assert c.from_claims == pytest.approx(value, abs=1e-12)


def test_b2_1_is_a_typo_for_minus_0_209(q3):
    c = by_name(q3)[(2, "b2[1]")]
    assert c.verdict == "wrong"
    assert c.from_claims == pytest.approx(-0.209)
    assert c.diagnosis.startswith("typo") and "-0.209" in c.diagnosis and "dropped" in c.diagnosis
    assert "next forward pass uses -0.209" in c.diagnosis
    assert c.line is not None and "b2 = " in worked.example_text("cs7015-q3").splitlines()[c.line - 1]


@pytest.mark.parametrize("name", ["z2[1]", "z2[2]", "a2[1]", "a2[2]", "z3[1]", "a3[1]", "loss"])
def test_second_forward_pass_follows(q3, name):
    assert by_name(q3)[(2, name)].verdict == "follows"


def test_z2_of_step_2_follows_from_the_corrected_bias(q3):
    c = by_name(q3)[(2, "z2[1]")]
    assert c.from_claims == pytest.approx(0.1928 * 0.8 + 0.2937 * 0.7 + 0.3991 * 0.1 - 0.209)
    assert "corrected b2[1]" in c.note


def test_exact_losses_match_the_engine_cross_check(q3, q3_half):
    assert by_name(q3)[(2, "loss")].exact == pytest.approx(0.15388, abs=5e-6)
    # the half example states 1/2 (y-a)^2; (y-a)^2 of its exact chain goes 0.23014 -> 0.19029
    assert 2 * by_name(q3_half)[(1, "loss")].exact == pytest.approx(0.23014, abs=1e-5)
    assert 2 * by_name(q3_half)[(2, "loss")].exact == pytest.approx(0.19029, abs=1e-5)


def test_half_example_has_only_the_typo(q3_half):
    assert [(c.step, c.name) for c in q3_half.claims if c.verdict == "wrong"] == [(2, "b2[1]")]
    assert by_name(q3_half)[(1, "delta3[1]")].verdict == "correct"


def test_summary_in_plain_words(q3):
    text = q3.summary_text()
    assert "2 wrong" in text and "delta3[1] = -0.117" in text and "b2[1] = -0.29" in text
    assert "first mistake" in text and "follow from yours" in text


def test_json_contract(q3):
    doc = q3.to_json()
    # the contract's keys, plus "derivatives" because the example holds the hand's sigmoid derivatives
    assert set(doc) == {"title", "conventions", "claims", "summary", "derivatives"}
    assert [d["verdict"] for d in doc["derivatives"]] == ["equivalent", "equivalent"]
    assert doc["conventions"]["loss"] == "squared_error" and doc["conventions"]["learning_rate"] == 1.0
    first = doc["claims"][0]
    # the contract's keys, plus the diagnosis kind and the claim's line (docs/json.md)
    assert set(first) == {"step", "quantity", "layer", "index", "claimed", "exact", "from_claims", "verdict", "diagnosis",
                          "kind", "line"}
    assert first["line"] == 25 and first["kind"] == ""  # z2 = ["0.210", "-0.240"] on line 25 of the example
    assert first["step"] == 1 and first["quantity"] == "z" and first["layer"] == 2 and first["index"] == [1]
    assert first["claimed"] == "0.210"
    loss = next(c for c in doc["claims"] if c["quantity"] == "loss")
    assert loss["layer"] is None and loss["index"] == []
    assert doc["summary"] == {"correct": 8, "follows": 33, "wrong": 2}
