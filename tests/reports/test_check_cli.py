"""`gradverify check` as a user runs it: exit status, table, JSON contract, errors, fast start."""

from __future__ import annotations

import json
import subprocess
import sys

from gradverify.cli import main


def run(capsys, *argv):
    status = main(list(argv))
    out = capsys.readouterr()
    return status, out.out, out.err


def test_example_table_and_exit_1(capsys, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    status, out, err = run(capsys, "check", "--example", "cs7015-q3")
    assert status == 1 and err == ""
    assert "\033[" not in out
    rows = [l for l in out.splitlines() if "WRONG" in l]
    assert len(rows) == 2 and "delta3[1]" in rows[0] and "b2[1]" in rows[1]
    assert "2 wrong" in out and "first mistake" in out


def test_json_is_the_contract(capsys):
    status, out, _ = run(capsys, "check", "--example", "cs7015-q3", "--json")
    doc = json.loads(out)
    assert status == 1 and doc["summary"] == {"correct": 8, "follows": 33, "wrong": 2}
    wrong = [(c["step"], c["quantity"], c["layer"], c["index"]) for c in doc["claims"] if c["verdict"] == "wrong"]
    assert wrong == [(1, "delta", 3, [1]), (2, "b", 2, [1])]


def test_several_files_give_a_list(capsys, tmp_path):
    from gradverify.judge.worked import example_text

    p = tmp_path / "half.toml"
    p.write_text(example_text("cs7015-q3-half"))
    status, out, _ = run(capsys, "check", str(p), "--example", "cs7015-q3", "--json")
    docs = json.loads(out)
    assert isinstance(docs, list) and [d["summary"]["wrong"] for d in docs] == [1, 2] and status == 1


def test_a_correct_file_exits_0(capsys, tmp_path):
    p = tmp_path / "ok.toml"
    p.write_text("""
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
delta2 = ["0.5"]
dW2 = [["1.0"]]
[[step]]
W2 = [["0.4"]]
b2 = ["0.45"]
""")
    status, out, _ = run(capsys, "check", str(p))
    assert status == 0 and "6 correct" in out


def test_unusable_input_exits_2_with_file_line_and_fix(capsys, tmp_path):
    p = tmp_path / "bad.toml"
    p.write_text('[network]\nsizes = [1, 1]\nactivations = ["identity"]\nloss = "squared_error"\nlearning_rate = 0.1\n'
                 '[data]\nx = [2.0]\ny = [1.0]\n[parameters]\nW2 = [[0.5]]\nb2 = [0.5]\n[[step]]\nz2 = [1.50]\n')
    status, out, err = run(capsys, "check", str(p))
    assert status == 2 and out == "" and f"{p}, line 13" in err and "quotes" in err and "Traceback" not in err
    status, _, err = run(capsys, "check", "--example", "nope")
    assert status == 2 and "no such bundled example" in err
    status, _, err = run(capsys, "check")
    assert status == 2 and "--example" in err


def test_list_examples(capsys):
    status, out, _ = run(capsys, "check", "--list-examples")
    assert status == 0 and "cs7015-q3 " in out and "cs7015-q3-half" in out


def test_report_outputs_need_one_source(capsys, tmp_path):
    status, _, err = run(capsys, "check", "--example", "cs7015-q3", "--example", "cs7015-q3-half",
                         "--html", str(tmp_path / "r.html"))
    assert status == 2 and "one" in err


def test_check_never_imports_sympy():
    code = ("import sys; from gradverify.cli import main; s = main(['check', '--example', 'cs7015-q3', '--json']); "
            "assert 'sympy' not in sys.modules, 'sympy imported'; sys.exit(0 if s == 1 else 3)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


def test_bundled_examples_ship_as_package_data():
    from importlib.resources import files

    names = {f.name for f in (files("gradverify") / "examples").iterdir()}
    assert {"cs7015-q3.toml", "cs7015-q3-half.toml"} <= names


def test_seed003_style_example_exits_0(capsys):
    status, out, _ = run(capsys, "check", "--example", "seed003-relu-softmax", "--json")
    doc = json.loads(out)
    assert status == 0 and doc["summary"]["wrong"] == 0 and doc["conventions"]["weights"] == "from_to"
    assert doc["conventions"]["loss"] == "softmax_cross_entropy"
