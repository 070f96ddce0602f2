"""`[[identity]]` and `[[graph]]` tables in a claim file (`gradverify claim --file`) and in a worked
example (`gradverify check`): judged in the worker, printed and in the JSON, counted in the exit
status, and an unusable table is refused naming the file, line and key."""

from __future__ import annotations

import json

import pytest

from gradverify.cli import main
from gradverify.judge import claimtables
from gradverify.judge.worked import WorkedExampleError

CLAIMS = r"""
[[identity]]
label = "tanh through the sigmoid"
lhs = '\tanh(x)'
rhs = '2\sigma(2x) - 1'
expect = "equivalent"

[[identity]]
label = "softmax survives a scaling (it does not)"
lhs = '\frac{e^{x_i}}{\sum_{j=1}^{N} e^{x_j}}'
rhs = '\frac{e^{x_i / c}}{\sum_{j=1}^{N} e^{x_j / c}}'
expect = "not equivalent"

[[graph]]
label = "PReLU, decomposed as the hand wrote it"
of = "prelu"
nodes = ['z = x', 'c = a z', 'y = \begin{cases} z & z > 0 \\ c & \text{otherwise} \end{cases}']
decomposition = "y(z(a), c(z(a), a))"
expect = "not equivalent"

[graph.edges]
"dc/dz" = "a"
"""


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("GRADVERIFY_CACHE_DIR", str(tmp_path / "cache"))


def test_claim_file_judges_identities_and_graphs(tmp_path, capsys):
    f = tmp_path / "c.toml"
    f.write_text(CLAIMS)
    code = main(["claim", "--file", str(f), "--json"])
    data = json.loads(capsys.readouterr().out)
    assert [r["verdict"] for r in data["identity"]] == ["equivalent", "not equivalent"]
    assert data["graph"][0]["verdict"] == "not equivalent" and data["graph"][0]["line"] == 14
    assert all(r["as_expected"] for r in data["identity"] + data["graph"])
    assert code in (0, 1)


def test_claim_file_prints_each_kind(tmp_path, capsys):
    f = tmp_path / "c.toml"
    f.write_text(CLAIMS)
    main(["claim", "--file", str(f)])
    out = capsys.readouterr().out
    assert "identity: \\tanh(x) = 2\\sigma(2x) - 1" in out
    assert "z(a): z is made from x, not a" in out


@pytest.mark.parametrize("table, fragment, line", [
    ("[[identity]]\nlhs = 'x'\n", "missing: write rhs", 2),
    ("[[identity]]\nlhs = 'x'\nrhs = 'x'\nwhere = [1]\n", "where", 5),
    ("[[graph]]\nnodes = ['u = -x']\nof = 'sigmoidd'\n", "not in the catalog", 4),
    ("[[graph]]\nnodes = 'u = -x'\n", "nodes", 3),
    ("[[graph]]\nnodes = ['u = -x']\nedge = {}\n", "unknown key (did you mean 'edges'?)", 4),
])
def test_bad_tables_are_refused_with_file_and_line(table, fragment, line, tmp_path, capsys):
    f = tmp_path / "bad.toml"
    f.write_text("# a claim file\n" + table)
    code = main(["claim", "--file", str(f)])
    err = capsys.readouterr().err
    assert code == 2 and fragment in err and f"bad.toml, line {line}:" in err


def test_a_worked_example_validates_the_new_kinds():
    with pytest.raises(WorkedExampleError) as exc:
        claimtables.validate({"identity": [{"lhs": "x"}]}, "w.toml", "[[identity]]\nlhs = 'x'\n")
    assert "w.toml, line 1" in str(exc.value)
    sym, formulas = claimtables.validate({"identity": [{"lhs": "x", "rhs": "x"}],
                                          "graph": [{"nodes": ["u = x"]}]}, "w.toml", "")
    assert [c.kind for c in sym] == ["identity", "graph"] and formulas == []


def test_the_worked_example_format_knows_every_table_kind():
    from gradverify.judge import worked

    assert set(worked.TABLE_KINDS) == set(claimtables.KINDS)


def test_claim_file_judges_an_indexed_formula(tmp_path, capsys):
    f = tmp_path / "i.toml"
    f.write_text('[[indexed]]\nnotation = "003"\n'
                 "claimed = '\\frac{\\partial L}{\\partial b_1^N} = dA_1^{N-1}'\nexpect = \"not equivalent\"\n")
    main(["claim", "--file", str(f), "--json"])
    r = json.loads(capsys.readouterr().out)["indexed"][0]
    assert r["verdict"] == "not equivalent" and r["as_expected"]
    assert "b_1 with superscript N where N-1 belongs" in r["diagnoses"]


def test_an_indexed_table_needs_its_notation(tmp_path, capsys):
    f = tmp_path / "i.toml"
    f.write_text("[[indexed]]\nclaimed = 'x = y'\n")
    assert main(["claim", "--file", str(f)]) == 2
    assert 'write notation = "000"' in capsys.readouterr().err
