"""Circuit files wherever worked examples go: `check` tells the kinds apart by their tables, the pytest
plugin collects them, `grade` grades submissions against a circuit key."""

from __future__ import annotations

import csv
import io
import json
from importlib import resources

import pytest

from gradverify.cli import main

pytest_plugins = ["pytester"]

FANOUT = (resources.files("gradverify") / "examples" / "circuit-fanout.toml").read_text(encoding="utf-8")


def _installed_as_entry_point() -> bool:
    from importlib.metadata import entry_points

    return any(ep.value == "gradverify.pytest_plugin" for ep in entry_points(group="pytest11"))


LOAD_PLUGIN = () if _installed_as_entry_point() else ("-p", "gradverify.pytest_plugin")


def test_check_tells_a_circuit_from_a_network_by_its_tables(tmp_path, capsys):
    (tmp_path / "c.toml").write_text(FANOUT, encoding="utf-8")
    assert main(["check", str(tmp_path / "c.toml"), "--example", "cs7015-q3", "--json"]) == 1
    circuit, network = json.loads(capsys.readouterr().out)
    assert circuit["conventions"]["kind"] == "circuit" and "node" in circuit["claims"][0]
    assert "kind" not in network["conventions"] and "node" not in network["claims"][0]
    both = tmp_path / "both.toml"
    both.write_text(FANOUT + '\n[network]\nsizes = [1, 1]\n', encoding="utf-8")
    assert main(["check", str(both)]) == 2
    header = FANOUT.count("\n") + 2  # the [network] header's line
    assert f"both.toml, line {header}: network: unknown key" in capsys.readouterr().err
    neither = tmp_path / "neither.toml"
    neither.write_text('title = "steps alone"\n[[step]]\nf = "4"\n', encoding="utf-8")
    assert main(["check", str(neither)]) == 2
    assert "add a [network] table, or a [graph] table for a circuit of gates" in capsys.readouterr().err


def test_the_plugin_collects_a_circuit_and_holds_it_to_its_expectations(pytester):
    """The fan-out circuit's df/dx forgets a path: without [expect] the file fails naming that claim;
    --gradverify-update (accepting a wrong claim) records it, and then it passes."""
    pytester.makefile(".worked.toml", fanout=FANOUT)
    r = pytester.runpytest_inprocess(*LOAD_PLUGIN, "-p", "no:cacheprovider")
    r.assert_outcomes(failed=1)
    r.stdout.fnmatch_lines(["*step1.df/dx (line *): expected correct, got wrong",
                            "*diagnosis (forgot_path): the path through q left out*"])
    pytester.runpytest_inprocess(*LOAD_PLUGIN, "-p", "no:cacheprovider", "--gradverify-update",
                                 "--gradverify-accept-wrong")
    text = (pytester.path / "fanout.worked.toml").read_text(encoding="utf-8")
    assert '"step1.df/dx" = "wrong"' in text
    pytester.runpytest_inprocess(*LOAD_PLUGIN, "-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_grade_scores_circuit_submissions_against_a_circuit_key(tmp_path, capsys):
    """The key is the fan-out circuit made right (df/dx = -8); a claims-only submission repeats the
    forgotten path, another gets everything right, a third states another circuit."""
    key = tmp_path / "key.toml"
    key.write_text(FANOUT.replace('"df/dx" = "-2"', '"df/dx" = "-8"') + "\n[grading]\npoints = 1\n", encoding="utf-8")
    subs = tmp_path / "subs"
    subs.mkdir()
    steps = FANOUT[FANOUT.index("[[step]]"):]
    (subs / "ada.toml").write_text('student = "Ada"\n' + steps, encoding="utf-8")
    (subs / "bo.toml").write_text('student = "Bo"\n' + steps.replace('"df/dx" = "-2"', '"df/dx" = "-8"'),
                                  encoding="utf-8")
    (subs / "cy.toml").write_text(FANOUT.replace("x = 3", "x = 4"), encoding="utf-8")
    code = main(["grade", str(subs), "--key", str(key), "--out", str(tmp_path / "book.csv"), "--jobs", "1"])
    assert code == 1, capsys.readouterr().err  # one submission is malformed
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO((tmp_path / "book.csv").read_text()))}
    assert rows["Ada"]["step1.df/dx"] == "wrong" and rows["Ada"]["score"] == "8"
    assert rows["Bo"]["score"] == rows["Bo"]["max_score"] == "9"
    assert rows["cy"]["status"] == "malformed" and "graph.inputs.x differs" in rows["cy"]["reason"]


@pytest.mark.parametrize("name,status", [("circuit-fanout", 1), ("seed002-chain", 0)])  # the seed's as expected
def test_terminal_table_names_the_nodes(name, status, capsys):
    assert main(["check", "--example", name]) == status
    out = capsys.readouterr().out
    assert "df/dx" in out or "dE/dz" in out


def test_the_python_api_and_the_notebook_name_a_circuits_nodes():
    """gradverify.check on the fan-out circuit: its one planted mistake, and in Jupyter each claim by
    its symbol (a local gradient as the partial dq/dx, a gradient as df/dx)."""
    import gradverify

    r = gradverify.check(example="circuit-fanout")
    assert [c.name for c in r.wrong()] == ["df/dx"]
    html = r._repr_html_()
    assert "<mo>\u2202</mo><mi>q</mi>" in html and "<mi>d</mi><mi>f</mi>" in html
