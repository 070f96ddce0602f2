"""Planted mistakes: the judge flags exactly the planted claim, with its diagnosis, and nothing else.

The examples are built by the engine the way a person works (each number from the numbers already
written, printed at 6 significant digits); one mistake of each kind is planted (planted).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

sys.path.insert(0, str(Path(__file__).parent))  # the planted-mistake generator beside these tests
import planted as mistakes  # noqa: E402
from gradverify.judge import verdicts as judge
from gradverify.judge.numbers import parse

APPLICABLE = {
    "half_convention": ("seed001",),
    "wrong_point": ("seed001", "seed004"),
}


def styles_for(kind):
    return APPLICABLE.get(kind, mistakes.STYLES)


def check(planted):
    result = judge.judge(planted.example)
    wrong = [c for c in result.claims if c.verdict == "wrong"]
    return result, wrong


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 10**6), st.sampled_from(mistakes.STYLES))
def test_correct_examples_have_nothing_wrong(seed, style):
    result, wrong = check(mistakes.plant(seed, None, style))
    assert wrong == []
    assert result.summary()["correct"] > 0 and result.exit_status() == 0


@pytest.mark.parametrize("kind", sorted(mistakes.KINDS))
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10**6), pick=st.integers(0, 2))
def test_each_planted_mistake_is_flagged_alone_with_its_diagnosis(kind, seed, pick):
    styles = styles_for(kind)
    planted = mistakes.plant(seed, kind, styles[pick % len(styles)])
    if planted is None:  # the mistake does not show at 6 digits for this network
        return
    result, wrong = check(planted)
    assert [(c.step, c.name) for c in wrong] == [planted.claim], planted.text
    assert wrong[0].kind == mistakes.KINDS[kind], wrong[0].diagnosis
    assert wrong[0].diagnosis
    assert result.exit_status() == 1


def test_planted_examples_are_valid_worked_example_files():
    p = mistakes.plant(7, "learning_rate", "seed003")
    assert 'weights = "from_to"' in p.text and "[[step]]" in p.text
    # every claim keeps its printed text and 6 significant digits (or fewer for exact zeros)
    assert all(parse(c.text).sig_digits <= 6 for c in p.example.claims)


def test_typo_diagnosis_names_the_intended_number():
    for seed in range(20):
        p = mistakes.plant(seed, "typo_dropped", "seed004")
        if p is not None:
            break
    _, wrong = check(p)
    claimed = wrong[0].claimed
    assert "dropped" in wrong[0].diagnosis and claimed in wrong[0].diagnosis


def test_convention_mistake_is_named_once_and_what_follows_says_so():
    p = mistakes.plant(3, "learning_rate", "seed004")
    result, wrong = check(p)
    assert len(wrong) == 1 and "learning rate 0.01" in wrong[0].diagnosis
    notes = [c.note for c in result.claims if c.verdict == "follows" and "learning rate" in c.note]
    assert notes and all(wrong[0].name in n for n in notes)
