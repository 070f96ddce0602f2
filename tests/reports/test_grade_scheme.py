"""The [grading] table: points, credit for `follows` and for convention slips, and its validation."""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

sys.path.insert(0, str(Path(__file__).parent))  # the planted-mistake generator beside these tests
import planted as mistakes  # noqa: E402
from gradverify.grade.scheme import GradingTableError, Scheme, parse_scheme, score

IDS = ["step1.z2[1]", "step1.z2[2]", "step1.loss", "step1.delta3", "step2.W2[1,1]", "step2.W2[1,2]"]

KEY = """\
title = "t"

[grading]
points = 2
follows = 0.5
convention = 0.25

[grading.claims]
"step1.loss" = 4
"step2.W2" = 1
"""


def _scheme(text: str = KEY) -> Scheme:
    return parse_scheme(tomllib.loads(text).get("grading"), "key.toml", text, IDS)


def test_points_default_override_and_quantity_prefix():
    s = _scheme()
    assert [s.points_of(i) for i in IDS] == [2, 2, 4, 2, 1, 1]


def test_score_counts_credit_and_missing_by_hand():
    judged = {
        "step1.z2[1]": ("correct", ""),                       # 2 of 2
        "step1.z2[2]": ("follows", ""),                       # 1 of 2
        "step1.loss": ("wrong", "typo"),                      # 0 of 4
        "step1.delta3": ("wrong", "half_convention"),         # convention: 0.25 of 2
        "step2.W2[1,1]": ("correct", ""),                     # 1 of 1; W2[1,2] missing: 0 of 1
        "step9.extra": ("wrong", ""),                         # not asked by the key: not scored
    }
    sc = score(_scheme(), IDS, judged)
    assert (sc.score, sc.max_score) == (2 + 1 + 0 + 0.5 + 1, 12)
    assert (sc.correct, sc.follows, sc.wrong, sc.missing) == (2, 1, 2, 1)
    assert sc.verdicts["step2.W2[1,2]"] == "missing" and "step9.extra" not in sc.verdicts


def test_defaults_without_a_grading_table():
    s = parse_scheme(None, "key.toml")
    assert (s.points, s.follows, s.convention) == (1.0, 0.5, 0.0)
    assert score(s, IDS[:2], {"step1.z2[1]": ("correct", ""), "step1.z2[2]": ("follows", "")}).score == 1.5


@pytest.mark.parametrize("snippet, key, line, words", [
    ("[grading]\npoint = 1\n", "point", 2, "did you mean 'points'"),
    ("[grading]\n\nfollows = 1.5\n", "follows", 3, "number from 0 to 1"),
    ("[grading]\nconvention = true\n", "convention", 2, "number from 0 to 1"),
    ("[grading]\npoints = -1\n", "points", 2, ">= 0"),
    ("[grading]\nconvention_kinds = \"sign\"\n", "convention_kinds", 2, "list"),
    ("[grading]\nconvention_kinds = [\"typos\"]\n", "convention_kinds", 2, "did you mean 'typo'"),
    ('[grading.claims]\n"step1.los" = 3\n', "claims.step1.los", 2, "did you mean 'step1.loss'"),
    ('[grading.claims]\n"step1.loss" = "two"\n', "claims.step1.loss", 2, "number of points"),
    ("grading = 3\n", "grading", 1, "must be a table"),
])
def test_bad_tables_name_file_key_line_and_the_fix(snippet, key, line, words):
    with pytest.raises(GradingTableError) as err:
        _scheme(snippet)
    e = err.value
    assert (e.file, e.key, e.line) == ("key.toml", key, line)
    assert words in str(e) and "key.toml" in str(e)


@given(st.dictionaries(st.sampled_from(IDS), st.sampled_from(["correct", "follows", "wrong"])),
       st.floats(0, 1), st.floats(0, 1))
def test_score_is_between_zero_and_max_and_all_correct_earns_max(verdicts, follows, convention):
    s = Scheme(points=1.5, follows=follows, convention=convention)
    sc = score(s, IDS, {k: (v, "sign") for k, v in verdicts.items()})
    assert 0 <= sc.score <= sc.max_score == 1.5 * len(IDS)
    assert sc.correct + sc.follows + sc.wrong + sc.missing == len(IDS)
    full = score(s, IDS, {k: ("correct", "") for k in IDS})
    assert full.score == full.max_score


def test_every_diagnosis_kind_the_judge_gives_is_known_to_the_scheme():
    from gradverify.judge import diagnose
    from gradverify.grade.scheme import KNOWN_KINDS

    given_kinds = set(mistakes.KINDS.values())
    for loss in ("squared_error", "half_squared_error", "mean_squared_error", "cross_entropy"):
        facts = diagnose.NetFacts(loss=loss, lr=0.5, batch=2, n_out=3, square=(0,), acts=("sigmoid", "relu"),
                                  biased=(0, 1), l2=0.01, steps=2)
        for cand in diagnose.variants(facts):
            given_kinds.add(cand.kind)
    assert given_kinds <= set(KNOWN_KINDS)
    import inspect

    from gradverify.judge import explain, verdicts

    source = inspect.getsource(explain) + inspect.getsource(verdicts)
    assert set(re.findall(r'dg\.Diagnosis\([^)]*?"([a-z_]+)"', source)) <= set(KNOWN_KINDS)


def test_the_grading_table_documented_in_docs_grading_md_is_valid():
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "grading.md").read_text()
    block = re.search(r"```toml\n(\[grading\].*?)```", doc, re.S).group(1)
    ids = ["step1.loss", "step1.dW2[1,1]", "step1.z2[1]", "step2.W2[1,1]"]
    s = parse_scheme(tomllib.loads(block)["grading"], "docs/grading.md", block, ids)
    assert [s.points_of(i) for i in ids] == [2, 0.5, 1, 0.25]
