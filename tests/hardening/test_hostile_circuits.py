"""Hostile circuit files through `gradverify check`: every hostile claim text of hostile_cases.py
(code execution, resource bombs, LaTeX payloads, what the grammar does not list) written as a
node's expression, as a claimed value and as an input's value, and statements the circuit grammar
(docs/circuits.md) does not list. Nothing runs (a canary file and a builtins flag prove it); each
file is refused with one message naming the file, or judged, with no traceback, no Python warning
and no control character reaching the terminal."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from hostile_cases import untouched  # noqa: E402
from worked_fuzz import hostile_statements, run_check  # noqa: E402

from gradverify.judge.circuitexpr import MAX_LENGTH  # noqa: E402

CANARY = Path(os.environ.get("TMPDIR", "/tmp")) / f"gv-circuit-canary-{os.getpid()}"
STATEMENTS = hostile_statements(str(CANARY))
TEXTS = [(cid, text.removeprefix("p = ")) for cid, text in STATEMENTS if text.startswith("p = ")]


def circuit_file(tmp_path: Path, statement: str = "p = x * y", claim: str = "-12", x: str = "3") -> Path:
    """A circuit file of one statement, a claim of p and dp/dx (text that was bytes not UTF-8 is
    written back as those bytes: such a file is refused as not UTF-8)."""
    text = (f"title = \"hostile\"\n[graph]\ninputs = {{ x = {json.dumps(x)}, y = -4 }}\n"
            f"nodes = [{json.dumps(statement, ensure_ascii=False)}]\n\n[[step]]\np = {json.dumps(claim)}\n"
            "\"dp/dx\" = \"-4\"\n")
    path = tmp_path / "hostile.toml"
    path.write_bytes(text.encode("utf-8", errors="surrogateescape"))
    return path


@pytest.fixture(autouse=True)
def nothing_executed():
    """Before and after every case: no canary file, no GV_PWNED flag."""
    yield from untouched(CANARY)


def test_the_hostile_statements_are_many_and_reach_the_statement_reader(tmp_path):
    assert len(STATEMENTS) >= 400
    assert run_check(circuit_file(tmp_path)).kind == "judged"  # the file around them is good


@pytest.mark.parametrize("cid, statement", STATEMENTS, ids=[c for c, _ in STATEMENTS])
def test_a_hostile_statement_is_refused_or_judged_never_run(tmp_path, cid, statement):
    path = circuit_file(tmp_path, statement)
    out = run_check(path)
    assert out.kind in ("judged", "refused"), out.traceback or out.problems
    if out.kind == "refused":
        assert len(out.stderr) < 3 * MAX_LENGTH, "a message quotes a long statement whole"


@pytest.mark.parametrize("cid, text", TEXTS, ids=[c for c, _ in TEXTS])
def test_a_hostile_claim_or_input_value_is_refused_or_judged(tmp_path, cid, text):
    for path in (circuit_file(tmp_path, claim=text), circuit_file(tmp_path, x=text)):
        out = run_check(path)
        assert out.kind in ("judged", "refused"), out.traceback or out.problems


@pytest.mark.parametrize("statement, words", [
    ("p = 0x10 * x", "not written in decimal digits"),
    ("p = 1_000 * x", "not written in decimal digits"),
    ("\uff50 = x * y", "U+FF50"),
    ("p = x * y # \u001b]0;PWNED\u0007", "U+001B"),
    ("p = x * y" + " + 0" * 200, "at most 500"),
])
def test_what_the_grammar_does_not_list_is_refused_naming_it(tmp_path, capsys, statement, words):
    out = run_check(circuit_file(tmp_path, statement))
    assert out.kind == "refused" and words in out.stderr, out.stderr
    assert "graph.nodes" in out.stderr and "\x1b" not in out.stderr


def test_a_long_title_of_a_circuit_is_refused_before_any_report_is_typeset(tmp_path):
    path = circuit_file(tmp_path)
    path.write_text(path.read_text(encoding="utf-8").replace('title = "', 'title = "' + "W" * 210_000, 1),
                    encoding="utf-8")
    out = run_check(path)
    assert out.kind == "refused" and "210,007 characters long" in out.stderr, out.stderr[:300]


def test_a_denormal_input_is_judged_without_a_warning(tmp_path):
    """Rounding 5e-324 to a claim's digits once overflowed its scale (NaN, and a RuntimeWarning)."""
    out = run_check(circuit_file(tmp_path, "p = x * x", claim="0", x="5e-324"))
    assert out.kind == "judged", out.problems
    value = next(c for c in json.loads(out.stdout)["claims"] if c["quantity"] == "value")
    assert value["verdict"] == "correct"  # 2.5e-647 is 0 at the claim's precision


@pytest.mark.parametrize("x, shown", [("1e308", "1e308"), ("5e-324", "4.9407e-324")])
def test_a_wrong_claim_far_from_its_value_is_explained_in_a_few_digits(tmp_path, x, shown):
    """At the claim's precision ("2") 1e308 printed 309 digits and 5e-324 printed 0.00."""
    path = tmp_path / "far.toml"
    path.write_text(f'[graph]\ninputs = {{ x = "{x}", y = 1 }}\nnodes = ["p = x * y"]\n\n[[step]]\np = "2"\n',
                    encoding="utf-8")
    out = run_check(path)
    assert out.kind == "judged", out.problems
    why = json.loads(out.stdout)["claims"][0]["diagnosis"]
    assert f"expected {shown} from your values" in why and len(why) < 120, why


@pytest.mark.parametrize("x", ["1e999999999", "-1e999999999", "1e-400", "1" * 500, "1e9999/1"])
def test_an_input_beyond_float64_is_refused_before_it_is_written_out(tmp_path, x):
    """"1e999999999" once became the integer 10^999999999 (a hang); 500 digits a traceback. The
    console script, with a timeout that only catches a hang."""
    path = circuit_file(tmp_path, x=x)
    env = {**os.environ, "GRADVERIFY_CACHE_DIR": "off"}
    env.pop("GRADVERIFY_DEBUG", None)
    proc = subprocess.run([sys.executable, "-m", "gradverify.cli", "check", str(path)], capture_output=True,
                          text=True, timeout=60, env=env)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    assert "graph.x" in proc.stderr and ("beyond float64" in proc.stderr or "not a number" in proc.stderr)
