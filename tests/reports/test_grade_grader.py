"""Completing, judging and scoring one submission against a key, with a scripted judge.

The scripted judge knows the truth of a tiny problem (below) and judges a claim correct when its
text is the true text, wrong with a "factor of 2" diagnosis when it is twice the truth, wrong
otherwise; it rejects unknown quantities like the real validator. The real judge is exercised in
test_grade_cli.py; here the subject is the grader's own logic.
"""

from __future__ import annotations

import hashlib

import pytest

from gradverify.grade import judging
from gradverify.grade.grader import KeyError_, complete, load_key, make_grader
from gradverify.grade.outcome import Task
from gradverify.judge.result import CheckResult, ClaimVerdict, TableVerdict

TRUTH = {"z2": ["0.21", "-0.24"], "loss": "0.2301", "delta3": "-0.234"}

PROBLEM = """\
[network]
sizes = [3, 2, 1]
learning_rate = 1.0

[data]
x = [0.8, 0.7, 0.1]
"""

KEY = 'title = "key"\n\n' + PROBLEM + """
[[step]]
z2 = ["0.21", "-0.24"]
loss = "0.2301"
delta3 = "-0.117"

[grading]
follows = 0.5
convention = 0.5

[grading.claims]
"step1.loss" = 2
"""


def scripted_judge(doc, source, text):
    claims = []
    for s, step in enumerate(doc.get("step", []), start=1):
        for key, value in step.items():
            if key not in TRUTH:
                raise judging.WorkedExampleError(f"{source}: step {s}: {key}: unknown quantity")
            q = key.rstrip("0123456789")
            layer = int(key[len(q):]) if key != q else None
            truth = TRUTH[key] if isinstance(TRUTH[key], list) else [TRUTH[key]]
            values = value if isinstance(value, list) else [value]
            for i, (v, t) in enumerate(zip(values, truth), start=1):
                double = abs(float(v) - 2 * float(t)) < 1e-9 or abs(float(t) - 2 * float(v)) < 1e-9
                verdict = "correct" if v == t else "wrong"
                claims.append(ClaimVerdict(
                    step=s, quantity=q, layer=layer, index=[i] if isinstance(value, list) else [],
                    claimed=v, exact=float(t), from_claims=float(t), verdict=verdict, line=3,
                    diagnosis="factor of 2: half the true value" if verdict == "wrong" and double else "",
                    kind="half_convention" if verdict == "wrong" and double else ""))
    right = {"s(1-s)", "1-t^2"}
    tables = [TableVerdict(kind="derivative", number=n, claimed=t["claimed"],
                           verdict="equivalent" if t["claimed"] in right else "not equivalent")
              for n, t in enumerate(doc.get("derivative", []), start=1)]
    return CheckResult(source=source, title=source, conventions={}, example=None, claims=claims, derivatives=tables)


def _key(tmp_path, text=KEY):
    (tmp_path / "key.toml").write_text(text)
    return load_key(tmp_path / "key.toml", judge_doc=scripted_judge)


def _grade(tmp_path, body: str | bytes, name="sub.toml", key_text=KEY):
    grade_one = make_grader(str(tmp_path / "key.toml"), key_text, judge_doc=scripted_judge)
    data = body if isinstance(body, bytes) else body.encode()
    return grade_one(Task(name, data, hashlib.sha256(data).hexdigest()))


def test_key_claims_points_and_a_warning_for_its_own_wrong_claim(tmp_path):
    key = _key(tmp_path)
    assert key.claim_ids == ["step1.z2[1]", "step1.z2[2]", "step1.loss", "step1.delta3"]
    assert key.info.max_score == 1 + 1 + 2 + 1
    [w] = key.warnings
    assert "step1.delta3 = -0.117 is judged wrong" in w and "factor of 2" in w


def test_claims_only_submission_is_completed_by_the_key_and_scored(tmp_path):
    _key(tmp_path)
    o = _grade(tmp_path, 'student = "Ada"\n[[step]]\nz2 = ["0.21", "-0.25"]\nloss = "0.2301"\n'
                         'delta3 = "-0.117"\n')
    assert (o.status, o.ident) == ("graded", "Ada")
    # z2[1] 1 + z2[2] 0 + loss 2 + delta3 (factor of 2, convention credit 0.5 of 1) 0.5
    assert (o.score, o.max_score) == (3.5, 5.0)
    assert (o.correct, o.follows, o.wrong, o.missing) == (2, 0, 2, 0)
    assert o.verdicts == {"step1.z2[1]": "correct", "step1.z2[2]": "wrong", "step1.loss": "correct",
                          "step1.delta3": "wrong"}
    assert o.result["title"] == "sub.toml" and len(o.result["claims"]) == 4
    assert o.result["summary"] == {"correct": 2, "follows": 0, "wrong": 2}


def test_unanswered_key_claims_are_missing_and_score_nothing(tmp_path):
    _key(tmp_path)
    o = _grade(tmp_path, '[[step]]\nloss = "0.2301"\n', name="subs/bob.toml")
    assert o.ident == "bob" and o.score == 2 and o.missing == 3
    assert o.verdicts["step1.z2[1]"] == "missing"


def test_full_submission_must_state_the_keys_problem(tmp_path):
    _key(tmp_path)
    same = PROBLEM.replace("1.0", "1") + '\n[[step]]\nloss = "0.2301"\n'  # 1 == 1.0: same problem
    assert _grade(tmp_path, same).status == "graded"
    other = _grade(tmp_path, PROBLEM.replace("[3, 2, 1]", "[3, 3, 1]") + '\n[[step]]\nloss = "1"\n')
    assert other.status == "malformed"
    assert other.reason.startswith("sub.toml, line 2: network.sizes[1] differs from the answer key's")


@pytest.mark.parametrize("body, words", [
    (b"\xff\xfe[[step]]", "sub.toml: not UTF-8 text (byte 0)"),
    ('[[step]]\nz2 = ["0.21"\n', "sub.toml: not valid TOML"),
    ('student = "x"\nscore = 100\n[[step]]\nloss = "1"\n', "sub.toml, line 2: score: a claims-only submission"),
    ('student = "x"\n', "sub.toml: no claims"),
    ('[[step]]\nzz = "1"\n', "sub.toml: step 1: zz: unknown quantity"),
])
def test_malformed_submissions_are_recorded_with_where_and_what(tmp_path, body, words):
    _key(tmp_path)
    o = _grade(tmp_path, body)
    assert o.status == "malformed" and o.reason.startswith(words) and o.max_score == 5


def test_a_submissions_own_grading_table_is_ignored(tmp_path):
    key = _key(tmp_path)
    doc = complete(key, {"step": [{"loss": "9"}], "grading": {"points": 100}}, "s.toml", "")
    assert "grading" not in doc and doc["network"]["sizes"] == [3, 2, 1]


@pytest.mark.parametrize("text, words", [
    (KEY.replace("follows = 0.5", "folows = 0.5"), "key.toml, line 16: [grading] folows: unknown key"),
    (KEY.replace('"step1.loss" = 2', '"step1.los" = 2'), "did you mean 'step1.loss'"),
    ('title = "t"\n' + PROBLEM, "the key makes no claims"),
    ("title = \n", "not valid TOML"),
])
def test_unusable_keys_are_refused_with_the_fix(tmp_path, text, words):
    with pytest.raises(KeyError_) as err:
        _key(tmp_path, text)
    assert words in str(err.value)


def test_identical_claims_are_judged_once_per_worker_but_recorded_per_student(tmp_path):
    _key(tmp_path)
    calls = []

    def counting(doc, source, text):
        calls.append(source)
        return scripted_judge(doc, source, text)

    grade_one = make_grader(str(tmp_path / "key.toml"), KEY, judge_doc=counting)
    calls.clear()  # the key itself was judged once
    body = '[[step]]\nloss = "0.2301"\n'
    a = grade_one(Task("a.toml", f'student = "A"\n{body}'.encode(), "1"))
    b = grade_one(Task("b.toml", f'student = "B"\n\n{body}'.encode(), "2"))
    c = grade_one(Task("c.toml", b'[[step]]\nloss = "0.2302"\n', "3"))
    assert calls == ["a.toml", "c.toml"]
    calls.clear()
    make_grader(str(tmp_path / "key.toml"), KEY, ["step1.loss"], judge_doc=counting)
    assert calls == []  # claim ids from the coordinator: the worker does not judge the key again
    assert (a.ident, b.ident, a.score, b.score, c.score) == ("A", "B", 2, 2, 0)
    b.verdicts["step1.loss"] = "changed"
    assert a.verdicts["step1.loss"] == "correct"  # each outcome owns its verdicts


KEY_TABLES = KEY.replace("[grading]", """[[derivative]]
of = "sigmoid"
claimed = "s(1-s)"

[[derivative]]
of = "tanh"
claimed = "1-t^2"

[grading]""")


def test_derivative_tables_are_graded_in_the_keys_order_and_must_answer_its_question(tmp_path):
    key = _key(tmp_path, KEY_TABLES)
    assert key.claim_ids[-2:] == ["derivative1", "derivative2"] and key.info.max_score == 7
    body = ('[[step]]\nloss = "0.2301"\n\n[[derivative]]\nof = "Sigmoid"\nclaimed = "s(1-s)"\n\n'
            '[[derivative]]\nof = "relu"\nclaimed = "1-t^2"\n')
    o = _grade(tmp_path, body, key_text=KEY_TABLES)
    assert o.verdicts["derivative1"] == "correct"  # same function (case aside), accepted
    assert o.verdicts["derivative2"] == "wrong"  # an equivalent claim, but about another function
    slip = body.replace('claimed = "s(1-s)"', 'claimed = "s(1+s)"')
    o2 = _grade(tmp_path, slip.split("\n\n[[derivative]]\nof = \"relu\"")[0], key_text=KEY_TABLES)
    assert o2.verdicts["derivative1"] == "not equivalent" and o2.verdicts["derivative2"] == "missing"
    assert o2.score == 2 and o2.missing == 4  # loss only; z2 x2, delta3 and derivative2 missing
