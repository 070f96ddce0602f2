"""The judge's shared per-problem work (gradverify.judge.problems: exact chain, variants, replay memory)
changes nothing: every verdict, diagnosis, note and the JSON equal those of a judge that computes
every replay afresh, for planted mistakes of every kind and for a class of claims-only submissions
graded against the bundled key."""

from __future__ import annotations

import sys
from pathlib import Path

import hashlib
import json
import random
import tomllib
from importlib import resources

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # the planted-mistake generator beside these tests
import planted as mistakes  # noqa: E402
from gradverify.judge import verdicts as judge
from gradverify.grade import judging
from gradverify.grade.grader import make_grader
from gradverify.grade.outcome import Task
from gradverify.judge.problems import ProblemCache


def _uncached(ex):
    return judge.judge(ex, problems=ProblemCache(size=1, remember=False)).to_json()


def _planted() -> list:
    out = []
    for kind in [None, *sorted(mistakes.KINDS)]:
        for style in mistakes.STYLES:
            if kind in ("half_convention",) and style != "seed001":
                continue
            for seed in (1, 2):
                try:
                    p = mistakes.plant(seed, kind, style)
                except ValueError:  # a kind that this style's network cannot show
                    continue
                if p is not None:
                    out.append(p)
    return out


def test_planted_mistakes_judged_with_one_shared_cache_equal_the_uncached_judge():
    planted = _planted()
    assert len(planted) > 40
    shared = ProblemCache(size=4)  # smaller than the number of problems: evictions happen too
    for p in planted + planted[::-1]:  # the second round finds every formula remembered
        fresh = _uncached(p.example)
        cached = judge.judge(p.example, problems=shared).to_json()
        assert cached == fresh, p.kind
    wrong = sum(c["verdict"] == "wrong" for p in planted for c in _uncached(p.example)["claims"])
    assert wrong >= len([p for p in planted if p.kind]) - 3  # diagnosed mistakes were compared, not only correct claims


def _tweak(text: str, rng: random.Random) -> str:
    digits = [i for i, ch in enumerate(text) if ch.isdigit()]
    i = rng.choice(digits)
    return text[:i] + str((int(text[i]) + rng.randint(1, 9)) % 10) + text[i + 1:]


def _class(key_text: str, n: int) -> list[str]:
    """Claims-only submissions: the key's claims with up to three digits changed."""
    rng = random.Random(11)
    out = []
    for i in range(n):
        steps = [dict(s) for s in tomllib.loads(key_text)["step"]]
        for _ in range(rng.randint(0, 3)):
            s = rng.choice(steps)
            k = rng.choice(list(s))
            v = s[k]
            if isinstance(v, str):
                s[k] = _tweak(v, rng)
            elif all(isinstance(e, str) for e in v):
                j = rng.randrange(len(v))
                s[k] = [*v[:j], _tweak(v[j], rng), *v[j + 1:]]
        lines = [f'student = "s{i}"']
        for s in steps:
            lines.append("[[step]]")
            lines += [f"{k} = {json.dumps(v)}" for k, v in s.items()]
        out.append("\n".join(lines) + "\n")
    return out


def test_a_class_graded_with_the_workers_cache_equals_judging_each_file_afresh():
    key_path = str(resources.files("gradverify") / "examples" / "cs7015-q3.toml")
    key_text = open(key_path, encoding="utf-8").read()

    def afresh(doc, source, text):
        from gradverify.judge import worked

        return judge.judge(worked.from_dict(doc, source=source, text=text),
                           problems=ProblemCache(size=1, remember=False))

    cached, plain = make_grader(key_path, key_text), make_grader(key_path, key_text, judge_doc=afresh)
    subs = _class(key_text, 40)
    kinds = set()
    for i, text in enumerate(subs + subs[:5]):
        data = text.encode()
        task = Task(f"s{i}.toml", data, hashlib.sha256(data).hexdigest())
        a, b = cached(task), plain(task)
        assert (a.status, a.score, a.verdicts, a.result) == (b.status, b.score, b.verdicts, b.result)
        kinds |= {c["diagnosis"].split(":")[0] for c in a.result["claims"] if c["verdict"] == "wrong"}
    assert "typo" in kinds and any("1/2" in k for k in kinds)  # diagnosed mistakes were compared


def test_problem_judge_shares_one_problem_between_files(monkeypatch):
    from gradverify.judge import problems

    made = []
    real = problems.Problem

    def counting(*args, **kw):
        made.append(1)
        return real(*args, **kw)

    monkeypatch.setattr(problems, "Problem", counting)
    judge_one = judging.problem_judge()
    text = resources.files("gradverify").joinpath("examples", "cs7015-q3.toml").read_text(encoding="utf-8")
    doc = {k: v for k, v in tomllib.loads(text).items() if k not in ("derivative", "formula")}
    first = judge_one(doc, "a.toml", text).to_json()
    second = judge_one(doc, "a.toml", text).to_json()
    assert first == second and len(made) == 1


@pytest.mark.parametrize("size", [1, 2])
def test_the_cache_forgets_the_least_recently_used_problem(size):
    a, b = mistakes.plant(1, None, "seed001").example, mistakes.plant(2, None, "seed003").example
    cache = ProblemCache(size=size)
    pa = cache.problem(a)
    cache.problem(b)
    assert (cache.problem(a) is pa) == (size == 2)
