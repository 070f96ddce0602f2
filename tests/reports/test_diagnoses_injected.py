"""Each common mistake, planted on honest hand work and carried forward as a student would
(tests/reports/injection.py, independent of the engine), is flagged where it first shows, named by
its kind, and nothing it carries forward is condemned again. `python bench/bench_diagnoses.py` runs
80 files per mistake; here 8 per mistake keep CI short."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import injection  # noqa: E402

from gradverify.judge.verdicts import check_text  # noqa: E402

PER_KIND = 8


def _judged(kind: str) -> list[tuple[injection.Planted, list]]:
    out, seed = [], 0
    while len(out) < PER_KIND and seed < 400:
        planted = injection.plant(seed, kind)
        seed += 1
        if planted is not None:
            out.append((planted, check_text(planted.text, f"{kind}:{seed - 1}").claims))
    return out


@pytest.mark.parametrize("kind", sorted(injection.KINDS))
def test_a_planted_mistake_is_flagged_where_it_shows_and_named(kind):
    judged = _judged(kind)
    assert len(judged) == PER_KIND
    named, others, others_ok = 0, 0, 0
    for planted, claims in judged:
        wrong = [c for c in claims if c.verdict == "wrong"]
        assert wrong, f"{kind}: nothing flagged in {planted.place}"
        first = wrong[0]
        assert (first.step, first.name) in planted.changed, (kind, planted.place, first.name)
        named += first.kind == injection.KINDS[kind]
        rest = [c for c in claims if c is not first]
        others += len(rest)
        others_ok += sum(c.verdict != "wrong" for c in rest)
    assert named >= PER_KIND - 1, f"{kind}: named in {named} of {PER_KIND}"
    assert others_ok >= 0.98 * others, f"{kind}: {others - others_ok} of {others} carried-forward numbers wrong"
