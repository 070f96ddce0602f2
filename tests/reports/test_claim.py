"""`gradverify claim` and the sandbox: the seeds' claim files give the outcomes the issue states,
runaway claims are stopped by the time limit (the worker is killed, the parent survives), hostile
text is refused with exit 2 before any process sees it, and the command starts without SymPy."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from gradverify.derivations.sandbox import DiskCache, Sandbox, judge_claim, judge_derivative_claims
from gradverify.cli import main

CLAIMS = Path(__file__).resolve().parents[2] / "reports" / "claims"


pytestmark = pytest.mark.usefixtures("private_verdict_cache")


def run_cli(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def box(tmp_path):
    with Sandbox(timeout=30, disk=DiskCache(str(tmp_path))) as b:
        yield b


@pytest.mark.parametrize("seed", ["000", "001", "002", "003", "004"])
def test_seed_files_give_the_expected_outcomes(seed, capsys):
    code, out, err = run_cli(capsys, "claim", "--seed", seed, "--json")
    data = json.loads(out)
    assert data["derivative"], seed
    for r in data["derivative"]:
        assert r["verdict"] == r["expect"], (r["label"], r.get("explanation"))
        if r["expect_stated"]:
            assert r["stated"]["verdict"] == r["expect_stated"]
    for r in data["formula"]:
        assert r["verdict"] == r["expect"], (r["label"], r.get("explanation"))
    assert code == 0  # every verdict is the one the file expects, recorded mistakes included


def test_the_three_outcomes_the_issue_names(capsys):
    by_label = {}
    for seed in ("001", "002", "004"):
        _code, out, _err = run_cli(capsys, "claim", "--seed", seed, "--json")
        for r in json.loads(out)["derivative"]:
            by_label[r["label"]] = r
    tanh = by_label["001-12: tanh through the graph, the last step (the 4 lost)"]
    assert tanh["verdict"] == "not equivalent" and any("by 4" in d for d in tanh["diagnoses"])
    sign = by_label["002-03: dE/dz = (d - z): then the sign lost"]
    assert any("sign" in d for d in sign["diagnoses"])
    reg = by_label["004-15: J_reg = lambda/2 [sum W2_ij + sum W1_kl] written without the squares"]
    assert reg["verdict"] == "equivalent" and reg["stated"]["verdict"] == "not equivalent"


def test_single_claim_text_and_exit_status(capsys):
    code, out, _ = run_cli(capsys, "claim", r"\frac{1}{(e^{-x}+e^{x})^2}", "--of", "tanh")
    assert code == 1 and "NOT EQUIVALENT" in out and "by 4" in out
    code, out, _ = run_cli(capsys, "claim", "1 - tanh(x)^2", "--of", "tanh")
    assert code == 0 and "witness" in out
    code, out, _ = run_cli(capsys, "claim", "Heaviside(x)", "--of", "relu", "--syntax", "sympy")
    assert code == 0 and "ON A DOMAIN" in out


@pytest.mark.parametrize("argv, fragment", [
    (["claim", "__import__('os').system('touch /tmp/gv-pwned')", "--of", "tanh"], "not allowed"),
    (["claim", "9**9**9", "--of", "tanh"], "exponents"),
    (["claim", r"\frac{d}{dx}\tanh(x)", "--of", "tanh"], "derivative operator"),
    (["claim", "1 - tanh(x)^2", "--of", "tanhh"], "did you mean 'tanh'"),
    (["claim", "1 - tanh(x)^2"], "--of"),
    (["claim", "x", "--of", "leaky_relu", "--param", "alpha"], "NAME=VALUE"),
    (["claim", "--seed", "009"], "bundled"),
])
def test_unusable_input_exits_2_with_a_message(argv, fragment, capsys):
    code, _out, err = run_cli(capsys, *argv)
    assert code == 2
    assert fragment in err and "Traceback" not in err
    assert not Path("/tmp/gv-pwned").exists()


def test_bad_table_in_a_file_names_the_file_and_entry(tmp_path, capsys):
    f = tmp_path / "c.toml"
    f.write_text('[[derivative]]\nof = "tanh"\nclaimed = "1 - tanh(x)^2"\n\n[[derivative]]\nof = "tanh"\n'
                 "claimed = \"x.__class__\"\n")
    code, _out, err = run_cli(capsys, "claim", "--file", str(f))
    assert code == 2 and str(f) in err and "number 2" in err and "attribute" in err


def test_runaway_claim_times_out_and_the_worker_is_killed():
    with Sandbox(timeout=1.0, disk=DiskCache("off")) as b:
        res = judge_claim("sech(x)**2*(cosh(3*x)**2 - sinh(3*x)**2)**200*(cosh(7*x)**2 - sinh(7*x)**2)**100",
                          "tanh", box=b)
        assert res["verdict"] == "undecided" and res["timed_out"]
        assert b.proc is None  # killed and reaped
        # the next claim gets a fresh worker
        assert judge_claim("1 - tanh(x)**2", "tanh", box=b)["verdict"] == "equivalent"


def test_warm_claims_are_cached(box):
    first = judge_claim(r"\sigma(x)(1-\sigma(x))", "sigmoid", box=box)
    box.stop()
    again = judge_claim(r"\sigma(x)(1-\sigma(x))", "sigmoid", box=box)
    assert again["verdict"] == first["verdict"] == "equivalent"
    assert box.proc is None  # answered from the cache: no worker was started for it


def test_disk_cache_answers_a_new_process_without_a_worker(tmp_path):
    with Sandbox(disk=DiskCache(str(tmp_path))) as first:
        a = judge_claim(r"1-\tanh^2(x)", "tanh", box=first)
    with Sandbox(disk=DiskCache(str(tmp_path))) as second:
        b = judge_claim(r"1-\tanh^2(x)", "tanh", box=second)
        assert second.proc is None  # no worker was started
    assert a == b and a["verdict"] == "equivalent"
    with Sandbox(disk=DiskCache("off")) as third:
        judge_claim(r"1-\tanh^2(x)", "tanh", box=third)
        assert third.proc is not None


def test_judge_derivative_claims_api(box):
    res = judge_derivative_claims([
        {"of": "tanh", "claimed": r"1-\tanh^2(x)", "expect": "equivalent"},
        {"of": "prelu", "wrt": "a", "claimed": "x", "expect": "not equivalent"},
        {"of": "tanh"},
    ])
    assert [r["verdict"] for r in res] == ["equivalent", "not equivalent", "unusable"]
    assert res[0]["as_expected"] and res[1]["as_expected"]
    assert "claimed" in res[2]["error"]


def test_claim_command_module_imports_no_sympy():
    code = ("import sys, gradverify.commands.claim, gradverify.derivations.sandbox, gradverify.derivations.parse, gradverify.derivations.latex; "
            "print('sympy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_help_has_worked_examples(capsys):
    with pytest.raises(SystemExit):
        main(["claim", "--help"])
    out = capsys.readouterr().out
    assert "gradverify claim --seed 001" in out and "exit status" in out


def test_bad_formula_table_exits_2(tmp_path, capsys):
    f = tmp_path / "f.toml"
    f.write_text('[[formula]]\nlayout = "004"\nclaimed = "grad_W2 = delta3 q^T"\n')
    code, _out, err = run_cli(capsys, "claim", "--file", str(f))
    assert code == 2 and str(f) in err and "number 1" in err and "unknown name" in err


def test_not_toml_exits_2(tmp_path, capsys):
    f = tmp_path / "bad.toml"
    f.write_text("[[derivative]\n")
    code, _out, err = run_cli(capsys, "claim", "--file", str(f))
    assert code == 2 and "not valid TOML" in err


def test_the_parent_process_never_imports_sympy(tmp_path):
    """Only the worker imports SymPy; the command's own process stays light."""
    code = ("import sys; from gradverify.cli import main; rc = main(['claim', '1 - tanh(x)^2', '--of', 'tanh']); "
            "print('SYMPY' if 'sympy' in sys.modules else 'LIGHT', rc)")
    env = dict(__import__("os").environ, GRADVERIFY_CACHE_DIR=str(tmp_path))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True).stdout
    assert out.strip().splitlines()[-1] == "LIGHT 0"
