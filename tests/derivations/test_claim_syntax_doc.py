"""docs/claim-syntax.md and the SymPy-syntax parser agree: every claim the page lists as accepted
parses, every claim it lists as refused is refused with a message (and never reaches SymPy)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from gradverify.derivations.parse import ClaimSyntaxError, parse

PAGE = (Path(__file__).resolve().parents[2] / "docs" / "claim-syntax.md").read_text(encoding="utf-8")


def block(kind: str) -> list[str]:
    m = re.search(rf"```{kind}\n(.*?)```", PAGE, re.S)
    assert m, f"docs/claim-syntax.md has no ```{kind} block"
    return [line for line in m.group(1).split("\n") if line.strip()]


@pytest.mark.parametrize("text", block("accepted"))
def test_documented_claims_parse(text):
    assert parse(text, "sympy")


@pytest.mark.parametrize("text", block("refused"))
def test_claims_the_page_refuses_are_refused_with_a_reason(text):
    with pytest.raises(ClaimSyntaxError) as info:
        parse(text, "sympy")
    assert len(info.value.message) > 15


@pytest.mark.parametrize("text, reason, syntaxes", [
    ("1 - tanh(x)**2 # \x1b]0;PWNED\x07", "comment", ("sympy", "auto")),
    ("x + \\\n 1", "backslash", ("sympy",)),  # auto reads a backslash as LaTeX, which refuses it too
    ("(x\n+ 1)", "one line", ("sympy",)),  # auto: LaTeX, where a line break is a space
    ("0x10", "decimal digits", ("sympy", "auto")),
    ("1_000*x", "decimal digits", ("sympy", "auto")),
    ("s[_]", "index", ("sympy", "auto")),
    ("ｔａｎｈ(x)", "U+FF54", ("sympy", "auto")),
    ("x\x1b[2J", "control character", ("sympy", "auto")),
    ("\udcff", "not valid UTF-8", ("sympy", "auto", "latex")),
    ("factorial(20)**1000", "too large", ("sympy", "auto")),
])
def test_python_leniencies_are_refused_naming_the_cause(text, reason, syntaxes):
    for syntax in syntaxes:
        with pytest.raises(ClaimSyntaxError) as info:
            parse(text, syntax)
        assert reason in str(info.value), (syntax, str(info.value))


def test_refused_text_is_shown_without_its_control_characters():
    with pytest.raises(ClaimSyntaxError) as info:
        parse("x # \x1b[2J\x07", "sympy")
    assert "\x1b" not in info.value.render() and "\x07" not in info.value.render()
