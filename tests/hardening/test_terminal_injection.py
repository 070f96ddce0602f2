"""User text that reaches a terminal: a title, an unknown key or a claim holding escape sequences
(clear screen, set the window title, carriage return over a verdict line) must not reach the
terminal as control characters, or a student's file could rewrite what the instructor sees."""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from worked_fuzz import BASE_TEXTS  # noqa: E402

from gradverify.cli import main  # noqa: E402

BASE = BASE_TEXTS["cs7015-q3"]
TITLE_LINE = next(line for line in BASE.splitlines() if line.startswith("title = "))
# ESC [2J (clear), OSC 0 (window title), BEL, CSI as one C1 byte, CR (overwrite the line), backspace
ESCAPES = "\\u001b[2J\\u001b]0;pwned\\u0007\\u009b31m\\rFAKE: 43 claims, all correct\\b\\u0000"
RAW = "\x1b[2J\x1b]0;pwned\x07\x9b31m\rFAKE: 43 claims, all correct\b\x00"


def _controls(text: str) -> list[str]:
    """Control characters other than newline and tab (C0, DEL and C1)."""
    return sorted({repr(c) for c in text if (ord(c) < 32 and c not in "\n\t") or 0x7F <= ord(c) <= 0x9F})


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def test_json_keeps_the_title_exactly(tmp_path):
    """JSON is for programs: the title survives intact (escaped by JSON itself)."""
    path = tmp_path / "hw.toml"
    path.write_text(BASE.replace(TITLE_LINE, f'title = "T {ESCAPES}"', 1), encoding="utf-8")
    code, out, _ = _run("check", str(path), "--json")
    assert code == 1
    assert json.loads(out)["title"] == "T " + RAW
    assert not [c for c in _controls(out) if c != repr("\x9b")]  # JSON escapes C0 itself; C1 is legal JSON


def test_terminal_table_has_no_control_characters_from_the_title(tmp_path):
    path = tmp_path / "hw.toml"
    path.write_text(BASE.replace(TITLE_LINE, f'title = "T {ESCAPES}"', 1), encoding="utf-8")
    code, out, err = _run("check", str(path))
    assert code == 1
    assert not _controls(out + err), _controls(out + err)


def test_error_message_has_no_control_characters_from_a_key(tmp_path):
    path = tmp_path / "hw.toml"
    path.write_text(BASE.replace("learning_rate = 1", f'learning_rate = 1\n"x{ESCAPES}" = 2', 1), encoding="utf-8")
    code, _, err = _run("check", str(path))
    assert code == 2 and str(path) in err
    assert not _controls(err), _controls(err)


def test_error_messages_quote_bad_values_safely(tmp_path):
    """Values (not keys) are shown with repr, so their escapes stay visible as text."""
    for old, new in (('activations = ["sigmoid", "sigmoid"]', f'activations = ["sig{ESCAPES}", "sigmoid"]'),
                     ('loss = "0.2304"', f'loss = "0.2{ESCAPES}"')):
        path = tmp_path / "hw.toml"
        path.write_text(BASE.replace(old, new, 1), encoding="utf-8")
        code, _, err = _run("check", str(path))
        assert code == 2 and not _controls(err), (new, _controls(err))


@pytest.mark.parametrize("syntax", ["sympy", "latex"])
def test_refused_claim_echo_has_no_control_characters(syntax):
    code, out, err = _run("claim", "--of", "tanh", "--syntax", syntax, "--", "1 - tanh(x)^2" + RAW.replace("\x00", ""))
    assert code == 2
    assert not _controls(out + err), _controls(out + err)
