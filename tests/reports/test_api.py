"""The documented Python API: `import gradverify` is light and `help` shows it; check, claim, derive
and grade return typed results whose `.to_json()` is the command's JSON; unusable input raises
InputError with the command's message; results show in Jupyter as a small table; the notebook in
docs/ runs from top to bottom."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

import gradverify
from gradverify.cli import main
from gradverify.judge.worked import example_text

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "docs" / "api.ipynb"


pytestmark = pytest.mark.usefixtures("private_verdict_cache")


def _command_json(capsys, *argv: str) -> object:
    main(list(argv))
    return json.loads(capsys.readouterr().out)


def test_import_is_light_and_help_shows_the_api():
    code = ("import sys, gradverify; heavy = [m for m in ('sympy', 'numpy', 'gradverify.judge.verdicts') "
            "if m in sys.modules]; assert not heavy, heavy; help(gradverify)")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    for shown in ("check(path=None", "claim(expr, of", "derive(name", "grade_submissions(submissions", "InputError",
                  ".to_json()", "docs/api.md"):
        assert shown in run.stdout, shown


def test_check_seed_001_gives_the_hands_verdicts(capsys):
    r = gradverify.check(example="cs7015-q3")
    assert isinstance(r, gradverify.CheckResult)
    assert r.summary() == {"correct": 8, "follows": 33, "wrong": 2}  # the lead's hand-worked count
    assert [(c.name, c.claimed, c.kind) for c in r.wrong()] == [("delta3[1]", "-0.117", "half_convention"),
                                                                ("b2[1]", "-0.29", "typo_dropped_digit")]
    assert r.to_json() == _command_json(capsys, "check", "--example", "cs7015-q3", "--json")


def test_check_from_a_file_and_from_text_agree(tmp_path):
    text = example_text("cs7015-q3-half")
    path = tmp_path / "half.toml"
    path.write_text(text, encoding="utf-8")
    by_path, by_text = gradverify.check(path), gradverify.check(text=text)
    assert by_path.to_json() == by_text.to_json() and by_path.summary()["wrong"] == 1  # only the typo


@pytest.mark.parametrize("call, words", [
    (lambda: gradverify.check("/no/such/file.toml"), "/no/such/file.toml"),
    (lambda: gradverify.check(text='title = "x"\n'), "[network]"),
    (lambda: gradverify.check(example="nope"), "cs7015-q3"),
    (lambda: gradverify.check(), "give one of"),
    (lambda: gradverify.claim("1 - tanh(x)^2", of="tanhh"), "tanh"),
    (lambda: gradverify.claim("1 - tanh(x", of="tanh"), "^"),
    (lambda: gradverify.derive("sigmod"), "did you mean sigmoid"),
    (lambda: gradverify.derive("prelu", wrt="b"), "x or a"),
    (lambda: gradverify.grade_submissions("/no/such/dir", key="/no/key.toml", out="/tmp/x.csv"), "/no/such/dir"),
])
def test_unusable_input_raises_input_error_saying_what_to_write(call, words):
    with pytest.raises(gradverify.InputError) as info:
        call()
    assert words in str(info.value) and "Traceback" not in str(info.value)


def test_claim_returns_a_table_verdict_with_the_reading_stated():
    v = gradverify.claim("s*(1-s)", of="sigmoid")
    assert isinstance(v, gradverify.TableVerdict) and v.verdict == "equivalent" and v.accepted
    assert "reading s as sigmoid(x)" in v.explanation
    lost = gradverify.claim(r"\frac{1}{(e^{-x}+e^{x})^2}", of="tanh")  # seed 001: the 4 of 4ab was lost
    assert lost.verdict == "not equivalent" and any("multiply it by 4" in d for d in lost.diagnoses)
    assert lost.to_json()["verdict"] == "not equivalent" and lost.to_json()["of"] == "tanh"


def test_derive_matches_the_command_json(capsys):
    d = gradverify.derive("leaky_relu", params={"alpha": 0.1})
    assert isinstance(d, gradverify.Derivation) and d.as_expected
    assert d.to_json() == _command_json(capsys, "derive", "leaky_relu", "--param", "alpha=0.1", "--json")
    import sympy as sp

    x = sp.Symbol("x", real=True)
    assert d.derivative.subs(x, 2) == 1 and d.derivative.subs(x, -2) == sp.Rational(1, 10)


def test_grade_a_folder(tmp_path):
    key = tmp_path / "key.toml"
    key.write_text(example_text("cs7015-q3"), encoding="utf-8")
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "ada.toml").write_text('student = "Ada"\n' + example_text("cs7015-q3"), encoding="utf-8")
    (subs / "bob.toml").write_text("this is not TOML [", encoding="utf-8")
    run = gradverify.grade_submissions(subs, key=key, out=tmp_path / "book.csv", jobs=1)
    assert isinstance(run, gradverify.GradeRun) and run.failed == 1
    by_student = {s["student"]: s for s in run.to_json()["submissions"]}
    assert by_student["Ada"]["status"] == "graded" and by_student["bob"]["status"] == "malformed"
    # the key's own numbers (8 correct, 33 follow, 2 wrong) and its two sigmoid' forms, both equivalent
    assert (by_student["Ada"]["correct"], by_student["Ada"]["follows"], by_student["Ada"]["wrong"]) == (8 + 2, 33, 2)
    again = gradverify.grade_submissions(subs, key=key, out=tmp_path / "book.csv", jobs=1)
    assert again.summary.skipped == 2 and len(again.outcomes()) == 2  # resumed: nothing graded twice


def test_notebook_display_of_seed_001_is_small_and_shows_every_verdict():
    r = gradverify.check(example="cs7015-q3")
    html = r._repr_html_()
    assert len(html.encode("utf-8")) < 40_000
    assert not hasattr(r, "_repr_latex_")  # a notebook stores every representation it is given
    # a header and a row per hand-written number, then the hand's two forms of sigmoid' ([[derivative]])
    assert html.count("<tr") == (1 + 43) + (1 + 2)
    assert html.count("\u2717 wrong") == 2 and html.count("\u2192 follows") == 33
    assert "<math" in html and "typo: -0.29 looks like -0.209" in html


def test_every_result_displays_in_a_notebook(tmp_path):
    for shown in (gradverify.claim("1 - tanh(x)^2", of="tanh"), gradverify.derive("tanh")):
        html = shown._repr_html_()
        assert "<math" in html and "**" not in html and len(html) < 40_000


def _run_cells(cells: list[str]) -> list[object]:
    """Run code cells in one namespace, as a kernel does; each cell's last expression is its output."""
    namespace: dict[str, object] = {"__name__": "__main__"}
    shown = []
    for source in cells:
        tree = ast.parse(source)
        last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        exec(compile(tree, "<cell>", "exec"), namespace)
        if last is not None:
            shown.append(eval(compile(ast.Expression(last.value), "<cell>", "eval"), namespace))
    return shown


def test_the_notebook_in_docs_runs_headless(capsys):
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    assert nb["nbformat"] == 4
    cells = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
    assert all(not c.get("outputs") for c in nb["cells"] if c["cell_type"] == "code")  # stored clean
    shown = _run_cells(cells)
    html = [s._repr_html_() for s in shown if hasattr(s, "_repr_html_")]
    assert len(html) == 4 and all(len(h) < 40_000 for h in html)
    printed = capsys.readouterr().out
    assert "{'correct': 8, 'follows': 33, 'wrong': 2}" in printed
    assert "step 1, delta3[1] = -0.117 (line 30): half_convention" in printed
    assert "not equivalent - a constant factor is missing" in printed
