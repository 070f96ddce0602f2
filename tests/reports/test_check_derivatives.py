"""[[derivative]] and [[formula]] tables in a worked-example file, judged by `gradverify check`.

Truth is independent of the code: seed 001's own results (sigma'(x) = sigma(x)(1 - sigma(x)) =
e^{-x}/(1+e^{-x})^2 is right; its graph result for tanh, 1/(e^{-x}+e^{x})^2, lost the 4 of
(a+b)^2 - (a-b)^2 = 4ab) and seed 004's delta2 = tau'(z2) o (W2^T delta3) with the transpose.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from gradverify.judge import claimtables
from gradverify.cli import main
from gradverify.judge.worked import WorkedExampleError, loads

BASE = """\
title = "derivatives next to the numbers"

[network]
sizes = [1, 1]
activations = ["identity"]
loss = "half_squared_error"
learning_rate = 0.1

[data]
x = [2.0]
y = [1.0]

[parameters]
W2 = [[0.5]]
b2 = [0.5]

[[step]]
z2 = ["1.5"]
loss = "0.125"
"""

RIGHT = """
[[derivative]]
label = "sigmoid simplified"
of = "sigmoid"
claimed = '\\sigma(x)(1-\\sigma(x))'
"""

WRONG = """
[[derivative]]
label = "tanh through the graph"
of = "tanh"
claimed = '\\frac{1}{(e^{-x}+e^{x})^2}'
"""


def run(capsys, *argv):
    status = main(list(argv))
    out = capsys.readouterr()
    return status, out.out, out.err


def write(tmp_path, text, name="hw.toml"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def err(text: str) -> str:
    with pytest.raises(WorkedExampleError) as info:
        loads(text, "hw.toml")
    return str(info.value)


# --- judging ---------------------------------------------------------------------------------------
def test_a_right_and_a_wrong_derivative_json_and_exit_1(capsys, tmp_path):
    p = write(tmp_path, BASE + RIGHT + WRONG)
    status, out, err_ = run(capsys, "check", str(p), "--json")
    doc = json.loads(out)
    assert status == 1 and err_ == ""
    assert doc["summary"] == {"correct": 2, "follows": 0, "wrong": 0}  # the numbers are all right
    sig, tanh = doc["derivatives"]
    assert (sig["of"], sig["wrt"], sig["verdict"]) == ("sigmoid", "x", "equivalent")
    assert (tanh["of"], tanh["verdict"]) == ("tanh", "not equivalent")
    assert tanh["claimed"] == "\\frac{1}{(e^{-x}+e^{x})^2}" and tanh["line"] == 26
    assert any("4" in d for d in tanh["diagnoses"])  # the lost factor 4 is named
    x = float(tanh["counterexample"]["point"]["x"])
    import math

    claim, truth = 1 / (math.exp(-x) + math.exp(x)) ** 2, 1 - math.tanh(x) ** 2
    assert float(tanh["counterexample"]["form"]) == pytest.approx(claim, rel=1e-9)
    assert float(tanh["counterexample"]["truth"]) == pytest.approx(truth, rel=1e-9)
    assert set(sig) >= {"of", "wrt", "claimed", "verdict", "explanation", "diagnoses", "counterexample"}
    assert "formulas" not in doc


def test_only_right_derivatives_exit_0_and_say_so(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    p = write(tmp_path, BASE + RIGHT + RIGHT.replace("\\sigma(x)(1-\\sigma(x))", "\\frac{e^{-x}}{(1+e^{-x})^2}"))
    status, out, _ = run(capsys, "check", str(p))
    assert status == 0
    assert "d sigmoid/dx" in out and "equivalent" in out and "NOT EQUIVALENT" not in out
    assert "derivative claims are all equivalent" in " ".join(out.split())


def test_terminal_second_table_and_summary_name_the_wrong_claim(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    p = write(tmp_path, BASE + RIGHT + WRONG)
    status, out, _ = run(capsys, "check", str(p))
    assert status == 1
    head = out.index("claim  ")  # the second table comes after the numbers
    assert out.index("z2[1]") < out.index("d tanh/dx", head)
    row = next(l for l in out.splitlines() if l.startswith("d tanh/dx"))
    assert "NOT EQUIVALENT" in row
    summary = " ".join(out.split("\n\n")[-1].split())
    assert "2 correct" in summary and "1 is not" in summary and "d tanh/dx" in summary


def test_a_derivative_operator_is_judged_unusable_not_done(capsys, tmp_path):
    p = write(tmp_path, BASE + "[[derivative]]\nof = \"tanh\"\nclaimed = '\\frac{d}{dx}\\tanh(x)'\n")
    status, out, _ = run(capsys, "check", str(p), "--json")
    d = json.loads(out)["derivatives"][0]
    assert status == 1 and d["verdict"] == "unusable" and "derivative operator" in d["explanation"]


def test_relu_written_with_1_at_0_is_equivalent_on_a_domain_and_exits_0(capsys, tmp_path):
    table = "[[derivative]]\nof = \"relu\"\nclaimed = '\\begin{cases} 1 & x \\ge 0 \\\\ 0 & \\text{otherwise} \\end{cases}'\n"
    status, out, _ = run(capsys, "check", str(write(tmp_path, BASE + table)), "--json")
    d = json.loads(out)["derivatives"][0]
    assert d["verdict"] == "equivalent on a domain" and "x = 0" in d["explanation"] and status == 0


def test_formula_tables_get_their_own_key(capsys, tmp_path):
    tables = ('[[formula]]\nlayout = "004"\nclaimed = "delta2 = tau\'(z2) o (W2^T delta3)"\n\n'
              '[[formula]]\nlayout = "004"\nclaimed = "delta2 = tau\'(z2) o (W2 delta3)"\n')
    status, out, _ = run(capsys, "check", str(write(tmp_path, BASE + tables)), "--json")
    doc = json.loads(out)
    assert "derivatives" not in doc and [f["verdict"] for f in doc["formulas"]] == ["equivalent", "not equivalent"]
    assert any("transpose W2" in d for d in doc["formulas"][1]["diagnoses"]) and status == 1


def test_the_bundled_example_keeps_its_two_wrong_numbers_and_proves_the_hands_sigmoid(capsys):
    status, out, _ = run(capsys, "check", "--example", "cs7015-q3", "--json")
    doc = json.loads(out)
    assert status == 1 and doc["summary"] == {"correct": 8, "follows": 33, "wrong": 2}
    assert [(d["of"], d["verdict"]) for d in doc["derivatives"]] == [("sigmoid", "equivalent")] * 2
    assert doc["derivatives"][1]["claimed"] == "\\sigma(x)(1-\\sigma(x))"


def test_check_without_tables_never_imports_the_claim_machinery(tmp_path):
    p = write(tmp_path, BASE)
    code = ("import sys; from gradverify.cli import main; s = main(['check', sys.argv[1], '--json']); "
            "bad = [m for m in ('sympy', 'gradverify.derivations.sandbox', 'gradverify.derivations.parse', 'gradverify.judge.claimtables') "
            "if m in sys.modules]; assert not bad, bad; sys.exit(0 if s == 0 else 3)")
    r = subprocess.run([sys.executable, "-c", code, str(p)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


def test_with_tables_sympy_stays_in_the_worker(tmp_path):
    p = write(tmp_path, BASE + RIGHT + WRONG)
    code = ("import sys; from gradverify.cli import main; s = main(['check', sys.argv[1], '--json']); "
            "assert 'sympy' not in sys.modules, 'sympy imported'; sys.exit(0 if s == 1 else 3)")
    r = subprocess.run([sys.executable, "-c", code, str(p)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


# --- validation: file, line, key, the fix -----------------------------------------------------------
def test_unknown_key_names_the_table_its_line_and_the_closest_key():
    msg = err(BASE + RIGHT + WRONG.replace("claimed =", "claimd ="))
    assert msg.startswith("hw.toml, line 29: [[derivative]] number 2, claimd") and "'claimed'" in msg


def test_of_must_be_a_catalog_name_with_a_suggestion():
    msg = err(BASE + RIGHT.replace('of = "sigmoid"', 'of = "sigmiod"'))
    assert "line 23" in msg and "'sigmoid'" in msg and "catalog" in msg
    assert loads(BASE + RIGHT.replace('of = "sigmoid"', 'of = "sigma"'), "hw.toml").derivatives[0].table["of"] == "sigmoid"


def test_missing_claimed_wrt_params_and_expect_are_checked():
    assert "missing: write claimed" in err(BASE + '[[derivative]]\nof = "tanh"\n')
    msg = err(BASE + RIGHT + 'wrt = "a"\n')
    assert "line 25" in msg and "with respect to x" in msg
    msg = err(BASE + '[[derivative]]\nof = "leaky_relu"\nclaimed = "1"\nparams = { beta = 0.1 }\n')
    assert "no parameter 'beta'" in msg and "alpha" in msg
    msg = err(BASE + '[[derivative]]\nof = "leaky_relu"\nclaimed = "1"\nparams = { alpha = "x" }\n')
    assert "not a finite number" in msg
    msg = err(BASE + RIGHT + 'expect = "right"\n')
    assert "line 25" in msg and "not equivalent" in msg
    assert "unquoted" not in err(BASE + '[[derivative]]\nof = "tanh"\nclaimed = 1\n') and \
        "in quotes" in err(BASE + '[[derivative]]\nof = "tanh"\nclaimed = 1\n')


def test_prelu_wrt_a_and_params_are_accepted():
    ex = loads(BASE + '[[derivative]]\nof = "prelu"\nwrt = "a"\nclaimed = "Min(0, x)"\nparams = { a = 0.25 }\n', "hw.toml")
    assert ex.derivatives[0].table == {"of": "prelu", "claimed": "Min(0, x)", "wrt": "a", "params": {"a": "0.25"}}


def test_formula_tables_are_validated():
    msg = err(BASE + '[[formula]]\nlayout = "005"\nclaimed = "grad_W2 = delta3 a2^T"\n')
    assert "line 21" in msg and "'004'" in msg
    msg = err(BASE + '[[formula]]\nclaimed = "grad_W2 = delta3 a2^T"\nsizes = [3, 4]\n')
    assert "three layer sizes" in msg
    msg = err(BASE + '[[formula]]\nclaim = "grad_W2 = delta3 a2^T"\n')
    assert "'claimed'" in msg and "line 21" in msg


def test_a_single_bracket_table_says_use_double_brackets():
    msg = err(BASE + '[derivative]\nof = "tanh"\nclaimed = "1 - tanh(x)^2"\n')
    assert "line 20" in msg and "[[derivative]]" in msg and "double brackets" in msg


def test_the_top_level_unknown_key_now_suggests_derivative():
    msg = err(BASE + '[[derivatives]]\nof = "tanh"\nclaimed = "1"\n')
    assert "'derivative'" in msg


# --- the import-light vocabulary is the catalog's ---------------------------------------------------
def test_the_vocabulary_matches_the_catalog_and_the_formula_layouts():
    from gradverify.derivations import catalog
    from gradverify.derivations import matrix

    entries = {e.name: (tuple(e.variables), tuple(p.name for p in e.params)) for e in catalog.entries()}
    assert claimtables.CATALOG == entries
    aliases = {a: e.name for e in catalog.entries() for a in e.aliases}
    assert claimtables.ALIASES == aliases
    assert set(claimtables.FORMULA_LAYOUTS) == set(matrix.LAYOUTS)


# --- reports ---------------------------------------------------------------------------------------
HOSTILE = """
[[derivative]]
label = "<script>alert(1)</script> \\\\input{/etc/passwd}"
of = "tanh"
claimed = '1-\\tanh^2(x)'
note = "</td><b>x</b> \\\\write18{rm -rf}"
"""


@pytest.fixture(scope="module")
def judged():
    from gradverify.judge import verdicts as judge

    return judge.judge(loads(BASE + RIGHT + WRONG + HOSTILE, "hw.toml"))


def test_html_report_section_with_maths_verdicts_and_escaped_words(judged):
    from gradverify.render import render_html

    html = render_html(judged)
    sec = html[html.index(">Derivative claims</h2>"):]
    sec = sec[:sec.index("</table>")]
    rows = re.findall(r'<tr class="table-claim tc-(\w+)"', sec)
    assert rows == ["correct", "wrong", "correct"]
    assert "<mi>&#963;</mi>" in sec or "<mi>\u03c3</mi>" in sec  # sigma(x) printed as the letter
    assert "<mfrac>" in sec and "not equivalent" in sec and "equivalent" in sec
    assert "<script>" not in html and "&lt;script&gt;" in sec and "<b>x</b>" not in html


def test_latex_report_section_compiles_text_escaped(judged):
    from gradverify.render import render_latex

    tex = render_latex(judged)
    sec = tex[tex.index("\\section*{Derivative claims}"):]
    sec = sec[:sec.index("\\end{longtable}")]
    assert "\\sigma\\left(x\\right)" in sec and "\\frac{1}{" in sec
    assert "\\input{" not in sec and "\\write18" not in sec and "$\\backslash$input" in sec
    assert sec.count("equivalent") >= 3


def test_claim_shown_as_maths_keeps_the_hands_form():
    from gradverify.render.claimed import claim_expr
    from gradverify.render.notation import LATEX

    assert LATEX.expr(claim_expr("\\frac{e^{-x}}{(1+e^{-x})^2}")) == "\\frac{e^{- x}}{\\left(1 + e^{- x}\\right)^{2}}"
    assert LATEX.expr(claim_expr("-(a - y)")) == "- a + y"
    assert claim_expr("\\frac{d}{dx} x") is None  # refused by the parser: shown as text


def test_control_characters_of_a_claim_never_reach_the_terminal(capsys, tmp_path):
    raw = "\x1b[2J\x1b]0;pwned\x07\x9b31m\rFAKE all equivalent"
    escaped = json.dumps(raw)[1:-1]  # TOML's \uXXXX escapes
    table = f'[[derivative]]\nlabel = "{escaped}"\nof = "tanh"\nclaimed = "1 - tanh(x){escaped}"\n'
    status, out, err_ = run(capsys, "check", str(write(tmp_path, BASE + table)))
    bad = [c for c in out + err_ if (ord(c) < 32 and c not in "\n\t") or 0x7F <= ord(c) <= 0x9F]
    assert status == 1 and not bad and "\\x1b" in out
    msg = err(BASE + f'[[derivative]]\nof = "tanh"\nclaimed = "1"\n"k{escaped}" = 1\n')
    assert "\x1b" not in msg and "\\x1b" in msg
