"""A diagnosis is given only when it reproduces the number from the person's own numbers and
contradicts none of them; a number that rounding alone explains is not a typo; "rounded too early"
never rounds a number the person printed with more digits. Hand-made files of seed 001's network."""

from __future__ import annotations

from gradverify.judge.verdicts import check_text
from gradverify.judge.worked import example_text

SEED001 = example_text("cs7015-q3")


def _wrong(text: str) -> dict[str, tuple[str, str]]:
    return {c.name: (c.kind, c.diagnosis) for c in check_text(text).claims if c.verdict == "wrong"}


NET = """
[network]
sizes = [2, 2]
activations = ["identity"]
loss = "squared_error"
numbering = { first_layer = 0 }
[data]
x = [1.0, 0.5]
y = [0.2, 0.9]
[parameters]
W1 = [[0.4, 0.2], [0.6, -0.4]]
b1 = [0.1, 0.3]
"""
# z = a = [0.6, 0.7]; dL/da = 2(a - y) = [0.8, -0.4]; the 1/2 convention would give [0.4, -0.2]


def test_a_convention_that_another_written_number_contradicts_is_not_named():
    """delta1[1] = 0.4 is what the 1/2 convention gives, but delta1[2] = -0.4 is written by the stated
    (y - a)^2: the 1/2 convention is not the explanation, and the message only says what was expected."""
    wrong = _wrong(NET + '[[step]]\ndelta1 = ["0.4", "-0.4"]\n')
    assert set(wrong) == {"delta1[1]"}
    kind, why = wrong["delta1[1]"]
    assert kind != "half_convention" and "1/2" not in why
    both = _wrong(NET + '[[step]]\ndelta1 = ["0.4", "-0.2"]\n')  # both halved: the convention is named once
    assert list(both.values())[0][0] == "half_convention" and set(both) == {"delta1[1]"}


ONE = """
[network]
sizes = [1, 1]
activations = ["identity"]
loss = "squared_error"
numbering = { first_layer = 0 }
[data]
x = [1.0]
y = [0.0]
[parameters]
W1 = [[0.12345]]
b1 = [0.0]
"""


def test_a_number_rounded_twice_is_not_a_typo():
    """z = 0.12345 exactly: 0.123 rounds it once; 0.124 rounds it first to 0.1235, then again (a tie
    rounded up): what a hand that rounded an intermediate gets. It follows; 0.125 does not."""
    verdicts = {c.name + c.claimed: c.verdict for c in check_text(ONE + '[[step]]\nz1 = ["0.124"]\n"z1#2" = ["0.125"]\n'
                                                                   '"z1#3" = ["0.123"]\n').claims}
    assert verdicts == {"z1[1]0.124": "follows", "z1[1]#20.125": "wrong", "z1[1]#30.123": "correct"}


def test_rounded_too_early_never_rounds_a_printed_number():
    """z3 = -0.321 is what a2[1] rounded to 0.55 would give (-0.3 x 0.55 + 0.1 x 0.440 - 0.2); but a2[1]
    is printed 0.552 in the file, so rounding too early is not the explanation (it gives -0.3216)."""
    wrong = _wrong(SEED001.replace('z3 = ["-0.322"]', 'z3 = ["-0.321"]', 1))
    assert "z3[1]" in wrong and wrong["z3[1]"][0] != "rounded_early"
