"""Inputs that once ended in a traceback or an internal message: each command now exits 0, 1 or 2
with a message in the user's terms (a file, a line, what to write instead)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest

from gradverify.cli import main
from gradverify.derivations import sandbox

ROOT = Path(__file__).resolve().parents[2]
BASE = (ROOT / "reports" / "examples" / "cs7015-q3.toml").read_text(encoding="utf-8")
NUMBERS_ONLY = BASE.split("\n[[derivative]]", 1)[0] + "\n"  # the seed-001 step without its derivative tables


@pytest.fixture(autouse=True)
def fresh_worker(monkeypatch):
    """Judged by a worker of this test, not answered from a verdict cache."""
    monkeypatch.setenv("GRADVERIFY_CACHE_DIR", "off")
    monkeypatch.setattr(sandbox, "_SHARED", None)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def console(*argv: str | bytes, env: dict | None = None) -> subprocess.CompletedProcess:
    """The real console script (the user's view: a traceback would show in stderr)."""
    env = {**os.environ, "GRADVERIFY_CACHE_DIR": "off", **(env or {})}
    env.pop("GRADVERIFY_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "gradverify.cli", *argv], capture_output=True, timeout=60, env=env)


# -- invalid UTF-8 on the command line ---------------------------------------------------------------
def test_a_claim_of_bytes_that_are_not_utf8_is_refused_with_a_message():
    proc = console(b"claim", b"\xff", b"--of", b"tanh", env={"PYTHONIOENCODING": "utf-8"})
    err = proc.stderr.decode("utf-8", "replace")
    assert proc.returncode == 2 and "Traceback" not in err
    assert "not valid UTF-8" in err


def test_a_file_name_that_is_not_utf8_is_printed_not_a_crash(tmp_path):
    """A strict UTF-8 stdout (PYTHONIOENCODING=utf-8) could not print the surrogate of byte 0xe9."""
    name = os.fsencode(tmp_path) + b"/caf\xe9.toml"
    with open(name, "w", encoding="utf-8") as fh:
        fh.write(BASE)
    proc = console(b"check", name, env={"PYTHONIOENCODING": "utf-8"})
    err = proc.stderr.decode("utf-8", "replace")
    assert proc.returncode == 1 and "Traceback" not in err
    assert b"caf\\udce9.toml" in proc.stdout


# -- time options -------------------------------------------------------------------------------------
@pytest.mark.parametrize("value", ["inf", "1e300", "nan", "-1", "0", "86401"])
@pytest.mark.parametrize("command", [["claim", "1 - tanh(x)^2", "--of", "tanh"], ["check", "--example", "cs7015-q3"]])
@pytest.mark.parametrize("flag", ["--timeout", "--budget"])
def test_time_options_must_be_a_number_of_seconds(capsys, command, flag, value):
    code, out, err = run(capsys, *command, flag, value)
    assert code == 2 and out == ""
    assert f"{flag} " in err and "write a number of seconds > 0" in err


# -- claim --file tables that `check` refuses ----------------------------------------------------------
BAD_TABLES = {
    "syntax-python": '[[derivative]]\nof = "tanh"\nclaimed = "1 - tanh(x)^2"\nsyntax = "python"\n',
    "params-string": '[[derivative]]\nof = "leaky_relu"\nclaimed = "1"\nparams = "ab"\n',
    "params-word": '[[derivative]]\nof = "leaky_relu"\nclaimed = "1"\nparams = { alpha = "x" }\n',
    "params-of-tanh": '[[derivative]]\nof = "tanh"\nclaimed = "1 - tanh(x)^2"\nparams = { alpha = 0.1 }\n',
    "sizes-nan": '[[formula]]\nclaimed = "grad_W2 = delta3 a2^T"\nlayout = "004"\nsizes = nan\n',
    "sizes-two": '[[formula]]\nclaimed = "grad_W2 = delta3 a2^T"\nsizes = [1, 2]\n',
    "layout-bool": '[[formula]]\nclaimed = "grad_W2 = delta3 a2^T"\nlayout = true\n',
    "derivative-numbers": "derivative = [1]\n",
    "formula-text": 'formula = "grad_W2 = delta3 a2^T"\n',
    "of-number": '[[derivative]]\nof = 1\nclaimed = "1 - tanh(x)^2"\n',
    "claimed-list": '[[derivative]]\nof = "tanh"\nclaimed = [1]\n',
    "wrt-number": '[[derivative]]\nof = "tanh"\nclaimed = "1 - tanh(x)^2"\nwrt = 2\n',
    "label-table": '[[derivative]]\nof = "tanh"\nclaimed = "1 - tanh(x)^2"\nlabel = { a = 1 }\n',
    "expect-word": '[[derivative]]\nof = "tanh"\nclaimed = "1 - tanh(x)^2"\nexpect = "maybe"\n',
    "unknown-key": '[[derivative]]\nof = "tanh"\nclaimed = "1 - tanh(x)^2"\nsyntx = "latex"\n',
    "label-210000": '[[derivative]]\nof = "tanh"\nclaimed = "1 - tanh(x)^2"\nlabel = "' + "ab " * 70000 + '"\n',
}


@pytest.mark.parametrize("cid", list(BAD_TABLES))
def test_claim_file_refuses_what_check_refuses(tmp_path, capsys, cid):
    claims = tmp_path / "claims.toml"
    claims.write_text(BAD_TABLES[cid], encoding="utf-8")
    code, out, err = run(capsys, "claim", "--file", str(claims))
    assert code == 2 and out == "", err
    assert err.startswith(f"gradverify claim: {claims}") and "Traceback" not in err
    worked = tmp_path / "worked.toml"
    table = BAD_TABLES[cid]  # a top-level key goes before the file's tables, a table after them
    worked.write_text(NUMBERS_ONLY + table if table.startswith("[") else table + NUMBERS_ONLY, encoding="utf-8")
    code, out, check_err = run(capsys, "check", str(worked))
    assert code == 2, check_err
    # the same refusal, word for word after the file name
    assert err.split(": ", 2)[-1].split(": ", 1)[-1] == check_err.split(": ", 2)[-1].split(": ", 1)[-1]


def test_a_long_label_is_refused_for_what_it_is_not_for_pdflatex(tmp_path, capsys):
    worked = tmp_path / "worked.toml"
    worked.write_text(BASE + "\n" + BAD_TABLES["label-210000"], encoding="utf-8")
    code, _, err = run(capsys, "check", str(worked), "--pdf", str(tmp_path / "out.pdf"))
    assert code == 2 and "label: is 210,000 characters long" in err and "Font" not in err
    assert not (tmp_path / "out.pdf").exists()


def test_a_long_title_is_refused_before_any_report_is_typeset(tmp_path, capsys):
    worked = tmp_path / "worked.toml"
    worked.write_text(BASE.replace('title = "', 'title = "' + "ab " * 70000, 1), encoding="utf-8")
    code, _, err = run(capsys, "check", str(worked), "--pdf", str(tmp_path / "out.pdf"))
    assert code == 2 and f"{worked}, line 4: title: is 210,0" in err


# -- numbers beyond what Python converts -----------------------------------------------------------------
@pytest.mark.parametrize("where, old, new", [
    ("learning rate", "learning_rate = 1\n", "learning_rate = " + "1" * 4400 + "\n"),
    ("size", "sizes = [3, 2, 1]", "sizes = [3, " + "2" * 4301 + ", 1]"),
    ("unknown key", "[data]\n", "[data]\nq = " + "9" * 5000 + "\n"),
])
def test_a_toml_integer_of_thousands_of_digits_is_refused_naming_its_line(tmp_path, capsys, where, old, new):
    f = tmp_path / "big.toml"
    text = BASE.replace(old, new, 1)
    assert text != BASE
    f.write_text(text, encoding="utf-8")
    line = next(n for n, raw in enumerate(text.splitlines(), start=1) if len(raw) > 4000)
    code, _, err = run(capsys, "check", str(f))
    assert code == 2 and f"{f}, line {line}: an integer with thousands of digits" in err


def test_a_claim_with_a_5000_digit_exponent_is_refused(tmp_path, capsys):
    f = tmp_path / "exp.toml"
    f.write_text(BASE.replace('loss = "0.2304"', 'loss = "0.2304e' + "1" * 5000 + '"', 1), encoding="utf-8")
    code, _, err = run(capsys, "check", str(f))
    assert code == 2 and "step 1, loss" in err and "exponent of 5,000 digits" in err


def test_claim_file_with_a_huge_integer_is_refused(tmp_path, capsys):
    f = tmp_path / "c.toml"
    f.write_text('[[derivative]]\nof = "tanh"\nclaimed = "1 - tanh(x)^2"\nn = ' + "7" * 4400 + "\n")
    code, _, err = run(capsys, "claim", "--file", str(f))
    assert code == 2 and f"{f}, line 4: an integer with thousands of digits" in err


# -- a documented activation with its parameter ------------------------------------------------------------
def test_prelu_with_its_parameter_is_judged_by_hand_values(tmp_path, capsys):
    """A 1-1-1 network, prelu(a=0.1) then identity, half squared error, worked by hand in fractions."""
    a, x, y, w2, w3 = Fraction(1, 10), Fraction(1), Fraction(0), Fraction(-1, 2), Fraction(2)
    z2 = w2 * x
    a2 = z2 if z2 > 0 else a * z2
    act_prime2 = 1 if z2 > 0 else a
    z3 = w3 * a2
    loss = (y - z3) ** 2 / 2
    delta3 = z3 - y
    delta2 = w3 * delta3 * act_prime2
    f = tmp_path / "prelu.toml"
    f.write_text(f"""
[network]
sizes = [1, 1, 1]
activations = ["prelu(a=0.1)", "identity"]
loss = "half_squared_error"
learning_rate = 0.5

[data]
x = [1.0]
y = [0.0]

[parameters]
W2 = [[-0.5]]
b2 = [0.0]
W3 = [[2.0]]
b3 = [0.0]

[[step]]
z2 = ["{float(z2)}"]
a2 = ["{float(a2)}"]
act_prime2 = ["{float(act_prime2)}"]
z3 = ["{float(z3)}"]
loss = "{float(loss)}"
delta3 = ["{float(delta3)}"]
dW3 = [["{float(delta3 * a2)}"]]
delta2 = ["{float(delta2)}"]
dW2 = [["{float(delta2 * x)}"]]
""", encoding="utf-8")
    code, out, err = run(capsys, "check", str(f), "--json")
    assert code == 0, err
    verdicts = {(c["quantity"], c["layer"]): c["verdict"] for c in json.loads(out)["claims"]}
    assert set(verdicts.values()) == {"correct"} and len(verdicts) == 9
    f.write_text(f.read_text().replace(f'act_prime2 = ["{float(act_prime2)}"]', 'act_prime2 = ["0.25"]'))
    code, out, _ = run(capsys, "check", str(f), "--json")  # prelu's default a would give 0.25
    assert code == 1
    assert [c["verdict"] for c in json.loads(out)["claims"] if c["quantity"] == "act_prime"] == ["wrong"]


# -- terminal injection in `claim` ----------------------------------------------------------------------
def test_a_comment_with_escape_codes_is_refused_and_never_echoed_raw(capsys):
    code, out, err = run(capsys, "claim", "1 - tanh(x)**2 # \x1b]0;PWNED\x07\x1b[2J", "--of", "tanh")
    assert code == 2 and out == ""
    assert "comment" in err and "\x1b" not in err and "\x07" not in err


def test_claim_file_labels_and_notes_cannot_write_to_the_terminal(tmp_path, capsys):
    f = tmp_path / "c.toml"
    f.write_text('[[derivative]]\nof = "tanh"\nclaimed = "1 - tanh(x)^2"\n'
                 'label = "ok \\u001b[2J\\u001b[Hfake \\u202e"\n'
                 'note = "x\\n  verdict: EQUIVALENT\\r\\u009b31m"\n', encoding="utf-8")
    code, out, err = run(capsys, "claim", "--file", str(f))
    assert code == 0, err
    assert not any(c in out for c in "\x1b\r\x9b\u202e")
    assert [line for line in out.splitlines() if line.startswith("  verdict:")] == ["  verdict: EQUIVALENT"]
    assert "note: x\\x0a  verdict: EQUIVALENT\\x0d\\x9b31m" in out and "ok \\x1b[2J\\x1b[Hfake \\u202e" in out


# -- messages in the user's terms ------------------------------------------------------------------------
def test_a_power_of_a_factorial_is_refused_by_the_parser(capsys):
    code, _, err = run(capsys, "claim", "factorial(20)**1000", "--of", "tanh")
    assert code == 2 and "too large" in err and "sys.set_int_max_str_digits" not in err


def test_max_with_a_division_by_zero_says_so(capsys):
    code, _, err = run(capsys, "claim", "Max(x, 1/0)", "--of", "relu")
    assert code == 2 and "1/0" in err and "not a real number" in err and "zoo" not in err


def test_the_claim_zero_is_diagnosed_without_complex_infinity(capsys):
    code, out, _ = run(capsys, "claim", "0", "--of", "tanh")
    assert code == 1 and "zoo" not in out
    assert "the claim is 0 everywhere, but the derivative is not" in out


def test_a_division_by_zero_shows_no_value_not_zoo(capsys):
    code, out, _ = run(capsys, "claim", "1/0", "--of", "tanh")
    assert code == 1 and "zoo" not in out and "no value (division by zero)" in out


def test_an_undecided_claim_names_its_variable(capsys):
    code, out, _ = run(capsys, "claim", "e^{e^{e^{e^{e^{e^{e^{x}}}}}}}", "--of", "tanh", "--timeout", "0.5")
    assert code == 1 and "UNDECIDED" in out
    assert "d tanh/dx: " in out


def test_a_bug_reaches_the_user_as_one_line_not_a_traceback(capsys, monkeypatch):
    """The last resort of the console script; GRADVERIFY_DEBUG (set for these tests) re-raises."""
    from gradverify.commands import catalog

    def broken(args):
        raise ZeroDivisionError("planted")

    monkeypatch.delenv("GRADVERIFY_DEBUG")
    monkeypatch.setattr(catalog, "run", broken)
    code, out, err = run(capsys, "catalog")
    assert code == 2 and out == ""
    assert err.startswith("gradverify catalog: internal error (ZeroDivisionError: planted)")
    assert "Traceback" not in err and err.count("\n") == 1
