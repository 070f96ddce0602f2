"""The command line behaves as users expect: a claim may start with a minus sign, the value names
of an activation read as the function at x (and say so), a claim file whose verdicts are all as
expected exits 0, one meaning per option name, folders, one spelling of each verdict, readable
numbers, -V."""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from gradverify.cli import build_parser, main
from gradverify.derivations import catalog
from gradverify.derivations.valuenames import VALUE_NAMES
from gradverify.judge.worked import example_text

ROOT = Path(__file__).resolve().parents[2]
REPR = re.compile(r"\{'|\['")  # a dict or list repr
DECIMAL = re.compile(r"\d+\.\d+")


def _long_numbers(text: str) -> list[str]:
    """Decimals printed with more than 8 significant digits (-7.50789609000000, 0.0838196415765538)."""
    return [m for m in DECIMAL.findall(text) if len(m.replace(".", "").lstrip("0")) > 8]


pytestmark = pytest.mark.usefixtures("private_verdict_cache")


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.parametrize("argv", [
    ["claim", "-y/a", "--of", "cross_entropy"],
    ["claim", "--of", "cross_entropy", "-y/a"],
    ["claim", "--of", "cross_entropy", "--", "-y/a"],
])
def test_a_claim_starting_with_a_minus_sign_is_the_claim(argv, capsys):
    code, out, err = run(capsys, *argv)
    assert code == 0 and "EQUIVALENT" in out and err == ""  # dL/da_i of -sum y log a is -y/a


def test_an_unknown_option_is_still_refused(capsys):
    with pytest.raises(SystemExit) as info:
        main(["check", "--jsn"])
    assert info.value.code == 2 and "--jsn" in capsys.readouterr().err


# The hand forms of seed 001 (s(1-s) for sigmoid, 1 - tanh^2 for tanh), written with the value's name.
@pytest.mark.parametrize("claim, of, name", [
    ("s*(1-s)", "sigmoid", "s"), ("a*(1-a)", "sigmoid", "a"), ("f*(1 - f)", "sigmoid", "f"),
    (r"\sigma \cdot (1-\sigma)", "sigmoid", "sigma"), ("sigma*(1-sigma)", "sigmoid", "sigma"),
    ("1-t^2", "tanh", "t"), ("1-a^2", "tanh", "a"), ("1 - tanh^2", "tanh", "tanh"),
])
def test_value_names_read_as_the_function_at_x_and_say_so(claim, of, name, capsys):
    code, out, _ = run(capsys, "claim", claim, "--of", of)
    assert code == 0 and "verdict: EQUIVALENT" in out
    assert f"reading {name} as {of}(x)" in out


def test_a_value_name_keeps_its_meaning_as_a_point_inside_a_function(capsys):
    code, out, _ = run(capsys, "claim", "sigma(a)*(1 - sigma(a))", "--of", "sigmoid")
    assert code == 0 and "reading a as x" in out  # the derivative written at the point a


def test_a_parameter_is_never_reinterpreted(capsys):
    """prelu's a is its slope: the x <= 0 branch of prelu' is a, not prelu(x)."""
    code, out, _ = run(capsys, "claim", "Piecewise((1, x > 0), (a, True))", "--of", "prelu")
    assert code == 0 and "reading" not in out
    code, out, _ = run(capsys, "claim", "Piecewise((1, x > 0), (f, True))", "--of", "prelu")
    assert code == 1 and "reading f as prelu(x)" in out


def test_the_value_name_table_is_unambiguous():
    for name, names in VALUE_NAMES.items():
        entry = catalog.get(name)
        assert entry.kind == "activation" and not entry.is_vector, name
        clash = set(names) & (set(entry.symbols) | {p.name for p in entry.params})
        assert not clash, f"{name}: {clash} is a variable or parameter of the function"


def test_a_wrong_value_claim_is_still_wrong(capsys):
    code, out, _ = run(capsys, "claim", "s*(1+s)", "--of", "sigmoid")
    assert code == 1 and "NOT EQUIVALENT" in out and "reading s as sigmoid(x)" in out


@pytest.mark.parametrize("seed", ["001", "002", "004"])
def test_seed_claim_files_exit_0_when_every_verdict_is_expected(seed, capsys):
    """Each seed file records the seed's own mistakes as expect = "not equivalent"."""
    code, out, err = run(capsys, "claim", "--seed", seed)
    assert "NOT EQUIVALENT  (as the file expects)" in out
    assert code == 0 and "every verdict is the one the file expects" in err


def test_a_claim_file_with_an_unexpected_verdict_exits_1(tmp_path, capsys):
    path = tmp_path / "c.toml"
    path.write_text('[[derivative]]\nof = "tanh"\nclaimed = "1 - tanh(x)^2"\nexpect = "not_equivalent"\n'
                    '[[derivative]]\nof = "sigmoid"\nclaimed = "s*(1+s)"\n', encoding="utf-8")
    code, out, err = run(capsys, "claim", "--file", str(path))
    assert code == 1 and "2 did not get the verdict" in err  # old spelling read as "not equivalent"


def _options(parser: argparse.ArgumentParser) -> dict[str, dict[str, argparse.Action]]:
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return {name: {o: a for a in p._actions for o in a.option_strings if a.help != argparse.SUPPRESS}
            for name, p in sub.choices.items()}


def test_one_meaning_per_option_name_across_subcommands():
    """An option that takes a value in one subcommand takes one in all (check --latex OUT.tex and
    claim --latex were a file and a switch)."""
    takes_value: dict[str, set[bool]] = {}
    for options in _options(build_parser()).values():
        for name, action in options.items():
            takes_value.setdefault(name, set()).add(action.nargs != 0)
    mixed = sorted(name for name, kinds in takes_value.items() if len(kinds) > 1)
    assert not mixed, mixed


@pytest.mark.parametrize("old, new", [("--latex", "--syntax latex"), ("--sympy", "--syntax sympy")])
def test_claim_names_the_option_that_replaced_an_old_one(old, new, capsys):
    with pytest.raises(SystemExit) as info:
        main(["claim", "1 - tanh(x)^2", "--of", "tanh", old])
    assert info.value.code == 2 and new in capsys.readouterr().err


def test_claim_syntax_option_reads_latex(capsys):
    code, out, _ = run(capsys, "claim", r"1-\tanh^2(x)", "--of", "tanh", "--syntax", "latex")
    assert code == 0 and "EQUIVALENT" in out


def test_check_a_folder_checks_its_worked_examples(tmp_path, capsys):
    (tmp_path / "sub").mkdir()
    (tmp_path / "q3.toml").write_text(example_text("cs7015-q3"), encoding="utf-8")
    (tmp_path / "sub" / "half.toml").write_text(example_text("cs7015-q3-half"), encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not a worked example", encoding="utf-8")
    code, out, err = run(capsys, "check", str(tmp_path), "--json")
    docs = json.loads(out)
    assert code == 1 and err == "" and len(docs) == 2
    assert sorted(sum(d["summary"].values()) for d in docs) == [43, 43]  # seed 001's 43 hand numbers each


def test_check_an_empty_folder_says_so(tmp_path, capsys):
    code, _, err = run(capsys, "check", str(tmp_path))
    assert code == 2 and str(tmp_path) in err and "no *.toml" in err and "Error" not in err


def test_one_spelling_of_not_equivalent_in_json_gradebook_and_terminal(tmp_path, capsys):
    worked = tmp_path / "w.toml"
    worked.write_text(example_text("cs7015-q3") + '\n[[derivative]]\nof = "tanh"\nclaimed = "1 + tanh(x)^2"\n',
                      encoding="utf-8")
    _code, out, _ = run(capsys, "check", str(worked), "--json")
    assert json.loads(out)["derivatives"][-1]["verdict"] == "not equivalent"
    _code, out, _ = run(capsys, "check", str(worked))
    assert "NOT EQUIVALENT" in out and "NOT_EQUIVALENT" not in out
    # the gradebook's cell for it: tests/reports/test_grade_grader.py (derivative1 == "not equivalent")


@pytest.mark.parametrize("argv", [
    ["claim", "s*(1+s)", "--of", "sigmoid"], ["claim", "x", "--of", "prelu", "--wrt", "a"],
    ["claim", "1/(e^(-x)+e^x)^2", "--of", "tanh"], ["claim", "1 - tanh(x)^2", "--of", "tanh"],
    ["derive", "tanh"], ["catalog", "--kind", "activation"], ["claim", "x", "--of", "prelu", "--wrt", "b"],
])
def test_numbers_and_names_are_printed_for_people_not_as_python_reprs(argv, capsys):
    _code, out, err = run(capsys, *argv)
    assert not REPR.search(out + err), REPR.search(out + err).group(0)
    assert not _long_numbers(out + err), _long_numbers(out + err)


def test_witness_numbers_at_six_significant_digits(capsys):
    _code, out, _ = run(capsys, "claim", "s*(1+s)", "--of", "sigmoid")
    # sigmoid(-2.2853) = 0.092...; s(1+s) there is 0.1008758..., sigmoid' is 0.0838196...
    assert "differs at x = -2.2853: claim 0.100876, derivative 0.0838196" in out


def test_dash_capital_v_prints_the_version():
    run_ = subprocess.run([sys.executable, "-m", "gradverify", "-V"], capture_output=True, text=True, timeout=30)
    assert run_.returncode == 0 and re.fullmatch(r"gradverify \S+\n", run_.stdout)


def test_user_docs_never_send_readers_to_the_design_card():
    """Users have README, docs/ and --help; the design card is not shipped to them."""
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        assert "DESIGN.md" not in path.read_text(encoding="utf-8"), path
