"""docs/draft.md's example write-ups, one per notation, are hand work that is right: each drafts
completely (no TODO, nothing unread) in the notation it illustrates and checks with nothing wrong."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from gradverify.draft import draft_text, to_toml
from gradverify.judge import verdicts, worked

DOC = Path(__file__).resolve().parents[2] / "docs" / "draft.md"


def _examples() -> list[tuple[str, str, str]]:
    """(section, language, write-up) of each notation's example."""
    text = DOC.read_text(encoding="utf-8")
    out = []
    for section in re.split(r"^### ", text, flags=re.M)[1:]:
        m = re.search(r"```(markdown|latex)\n(.*?)```", section, re.S)
        if m:
            out.append((section.splitlines()[0], m.group(1), m.group(2)))
    return out


@pytest.mark.parametrize("section, language, writeup", _examples(), ids=lambda v: str(v)[:12])
def test_each_documented_write_up_drafts_completely_and_checks(section: str, language: str, writeup: str) -> None:
    draft = draft_text(writeup, latex=language == "latex")
    expected = {"Nielsen's": "nielsen", "From-to": "from_to", "Seed 004's": "seed004"}
    assert draft.notation.name == next(v for k, v in expected.items() if section.startswith(k))
    assert draft.todo() == [] and draft.unmapped == [] and draft.notes == []
    result = verdicts.judge(worked.loads(to_toml(draft), section))
    assert result.summary()["wrong"] == 0 and len(result.claims) == len(draft.claims) >= 7


def test_there_is_one_example_per_notation() -> None:
    assert [s.split()[0] for s, _, _ in _examples()] == ["Nielsen's", "From-to", "Seed"]
