"""The terminal table: words and symbols carry the verdict; colour only on a tty without NO_COLOR."""

from __future__ import annotations

import io
import re

from gradverify.judge import verdicts as judge
from gradverify.render import terminal
from gradverify.judge import worked


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def result():
    return judge.judge(worked.load_example("cs7015-q3"))


def test_colour_only_on_a_tty_without_no_color(monkeypatch):
    r = result()
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert "\033[" in terminal.render(r, Tty())
    assert "\033[" not in terminal.render(r, io.StringIO())
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\033[" not in terminal.render(r, Tty())


def test_ascii_marks_when_the_stream_cannot_encode_symbols():
    class Latin1(io.StringIO):
        encoding = "ascii"

    text = terminal.render(result(), Latin1())
    assert "XX WRONG" in text and "-> follows" in text and "ok correct" in text
    text.encode("ascii")


def test_every_claim_has_a_row_with_claimed_exact_and_from_yours():
    r = result()
    text = terminal.render(r, io.StringIO(), width=200)
    head = next(l for l in text.splitlines() if l.startswith("step"))
    assert all(w in head for w in ("claim", "claimed", "exact", "from yours", "verdict", "why"))
    rows = [l for l in text.splitlines() if re.match(r"^\s*\d+  \S", l)]
    assert len(rows) == len(r.claims)
    delta = next(l for l in rows if "delta3[1]" in l)
    assert "-0.117" in delta and "-0.23377" in delta and "-0.23388" in delta and "1/2 (y-a)^2" in delta
