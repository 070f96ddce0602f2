"""The plugin's core: expectations matched most-specific-first, readable mismatches, safe rewrite."""

from __future__ import annotations

import tomllib
import dataclasses

import pytest
from hypothesis import given, settings, strategies as st

from gradverify.judge.result import ClaimVerdict
from gradverify.grade.expect import (
    ExpectTableError, claim_id, compare, expect_table, expected_verdict, parse_expect, rewrite,
)


def cv(step, quantity, layer, index, verdict, claimed="0.1", exact=0.1, from_claims=0.1,
       diagnosis="", line=None, kind=""):
    return ClaimVerdict(step=step, quantity=quantity, layer=layer, index=index, verdict=verdict,
                        claimed=claimed, exact=exact, from_claims=from_claims, diagnosis=diagnosis, line=line,
                        kind=kind)


# Seed 001's step as the lead worked it out: delta3 and b_1^2 wrong, the rest correct or follows.
SEED = [
    cv(1, "z", 2, [1], "correct"), cv(1, "z", 2, [2], "correct"), cv(1, "loss", None, [], "follows"),
    cv(1, "delta", 3, [1], "wrong", "-0.117", -0.2338, -0.2339,
       "factor of 2: the gradient of 1/2 (y-a)^2, half that of the stated loss", 14),
    cv(1, "dW", 3, [1, 1], "follows"), cv(1, "dW", 3, [1, 2], "follows"),
    cv(2, "b", 2, [1], "wrong", "-0.29", -0.209, -0.209, "typo: -0.29 looks like -0.209", 30),
    cv(2, "b", 2, [2], "follows"),
]


def test_claim_ids_use_the_files_numbering():
    assert [claim_id(c) for c in SEED[:5]] == [
        "step1.z2[1]", "step1.z2[2]", "step1.loss", "step1.delta3[1]", "step1.dW3[1,1]"]


def test_most_specific_key_wins_and_no_table_means_all_correct():
    e = {"all": "follows", "step1": "correct", "step1.dW3": "wrong", "step1.dW3[1,2]": "follows"}
    got = [expected_verdict(e, i) for i in ("step2.b2[1]", "step1.z2[1]", "step1.dW3[1,1]", "step1.dW3[1,2]")]
    assert got == ["follows", "correct", "wrong", "follows"]
    assert parse_expect(None, "f.toml", "", ["step1.loss"]) == {"all": "correct"}


def test_recorded_table_round_trips_to_no_mismatch_and_is_compact():
    table = expect_table(SEED)
    assert table.splitlines()[1] == 'all = "follows"'
    assert '"step1.z2" = "correct"' in table and '"step1.delta3" = "wrong"' in table
    expect = tomllib.loads(table)["expect"]
    assert compare(parse_expect(expect, "f", table, [claim_id(c) for c in SEED]), SEED) == []


def test_mismatch_explains_claimed_exact_from_values_and_diagnosis():
    [m] = compare({"all": "correct", "step1.loss": "follows", "step1.dW3": "follows",
                   "step2.b2": "follows", "step2.b2[1]": "wrong"}, SEED)
    text = m.explain()
    assert text.startswith("step1.delta3[1] (line 14): expected correct, got wrong")
    assert "claimed -0.117" in text and "exact -0.2338" in text and "from your values -0.2339" in text
    assert "diagnosis: factor of 2" in text


@pytest.mark.parametrize("table, words", [
    ({"all": "right"}, 'write one of "correct", "follows", "wrong"'),
    ({"step1.los": "correct"}, "did you mean 'step1.loss'"),
    ({"step3": "wrong"}, "no such claim"),
])
def test_bad_expectations_name_the_file_key_and_fix(table, words):
    text = "[expect]\n" + "".join(f'"{k}" = "{v}"\n' for k, v in table.items())
    with pytest.raises(ExpectTableError) as err:
        parse_expect(table, "ex.worked.toml", text, [claim_id(c) for c in SEED])
    assert "ex.worked.toml, line 2" in str(err.value) and words in str(err.value)


DOC = '''# a worked example
title = "t"  # [expect] in a comment is not a table

[network]
sizes = [1, 1]

[expect]   # recorded by hand
all = "wrong"
"step1.z2" = "correct"

[[step]]
z2 = ["0.1"]   # keep me
'''


def test_rewrite_changes_only_the_expect_table():
    new = rewrite(DOC, '[expect]\nall = "correct"\n')
    assert new.replace('[expect]\nall = "correct"\n', "") == DOC.replace(
        '[expect]   # recorded by hand\nall = "wrong"\n"step1.z2" = "correct"\n', "")
    appended = rewrite(DOC.replace('[expect]   # recorded by hand\nall = "wrong"\n"step1.z2" = "correct"\n\n', ""),
                       '[expect]\nall = "follows"\n')
    assert appended.endswith('z2 = ["0.1"]   # keep me\n\n[expect]\nall = "follows"\n')
    assert tomllib.loads(appended)["step"] == [{"z2": ["0.1"]}]


def test_rewrite_refuses_when_it_would_touch_anything_else():
    tricky = 'x = """\n[expect]\nall = 1\n"""\n'  # "[expect]" inside a multi-line string
    with pytest.raises(ValueError, match="edit it by hand"):
        rewrite(tricky, '[expect]\nall = "correct"\n')


@settings(max_examples=30, deadline=None)
@given(st.lists(st.sampled_from(["correct", "follows", "wrong"]), min_size=len(SEED), max_size=len(SEED)))
def test_any_verdicts_recorded_then_compared_agree(verdicts):
    claims = [dataclasses.replace(c, verdict=v) for c, v in zip(SEED, verdicts)]
    text = rewrite(DOC, expect_table(claims))
    expect = parse_expect(tomllib.loads(text)["expect"], "f", text, [claim_id(c) for c in claims])
    assert compare(expect, claims) == []
