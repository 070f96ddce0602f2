"""Circuits judged like networks: the sum over paths, error carried forward, each diagnosis, code-like
reassignments, a gradient-descent update, published worked examples and the bundled circuits.

Expected numbers are exact rationals computed here by hand, or figures published with the examples
(micrograd's README, CS231n's notes on backpropagation), never the judge's own output.
"""

from __future__ import annotations

import json
import sys
from fractions import Fraction as F
from pathlib import Path

import mpmath as mp
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from circuits import circuit, judged, printed  # noqa: E402

from gradverify.cli import main  # noqa: E402
from gradverify.judge.worked import WorkedExampleError, load_example, loads  # noqa: E402
from gradverify.judge.verdicts import judge  # noqa: E402

FANOUT = ["p = x * y", "q = x + y", "f = p * q"]  # x and y each feed both p and q


def fanout_truth(x: F, y: F) -> dict[str, F]:
    p, q = x * y, x + y
    df_dp, df_dq = q, p
    return {"p": p, "q": q, "f": p * q, "df/dp": df_dp, "df/dq": df_dq,
            "df/dx": df_dp * y + df_dq * 1, "df/dy": df_dp * x + df_dq * 1,
            "path p": df_dp * y, "path q": df_dq * 1}


def test_a_node_feeding_two_others_sums_both_paths():
    t = fanout_truth(F(3), F(-2))
    got = judged(circuit({"x": 3, "y": -2}, FANOUT, [{k: printed(t[k]) for k in ("p", "q", "f", "df/dx", "df/dy")}]))
    assert all(c.verdict == "correct" for c in got.values()), got
    assert got["df/dx"].exact == float(t["path p"] + t["path q"])


@pytest.mark.parametrize("kept,left_out", [("path p", "q"), ("path q", "p")])
def test_a_forgotten_path_is_wrong_and_named(kept, left_out):
    t = fanout_truth(F(3), F(-2))
    got = judged(circuit({"x": 3, "y": -2}, FANOUT, [{"df/dx": printed(t[kept])}]))["df/dx"]
    assert got.verdict == "wrong" and got.kind == "forgot_path"
    assert f"the path through {left_out} left out" in got.diagnosis


def test_gradients_of_the_paths_multiplied_or_a_local_gradient_added():
    t = fanout_truth(F(3), F(-2))
    got = judged(circuit({"x": 3, "y": -2}, FANOUT, [{"df/dx": printed(t["path p"] * t["path q"])}]))["df/dx"]
    assert got.verdict == "wrong" and got.kind == "paths_multiplied"
    # g = 5 s with s = a + 1: dg/da = 5 * 1; added instead: 5 + 1
    got = judged(circuit({"a": 2}, ["s = a*a + 1", "g = 5 * s"], [{"dg/da": printed(F(5) + 2 * 2)}]))["dg/da"]
    assert got.verdict == "wrong" and got.kind == "chain_added"


def test_error_carried_forward_and_corrected():
    """A wrong df/dq makes df/dx follow from it (from your values); the typo'd q = 10 that nothing
    uses does not condemn what follows."""
    t = fanout_truth(F(3), F(-2))
    wrong_dq = F(-5)
    claims = {"df/dp": printed(t["df/dp"]), "df/dq": printed(wrong_dq), "df/dx": printed(t["df/dp"] * -2 + wrong_dq)}
    got = judged(circuit({"x": 3, "y": -2}, FANOUT, [claims]))
    assert got["df/dq"].verdict == "wrong" and got["df/dx"].verdict == "follows"


SLIPS = [
    # (inputs, nodes, claim, what the hand wrote, kind of diagnosis)
    ({"d": 1, "z": "0.25"}, ["E = 0.5 * (d - z)**2"], "dE/dz", F(3, 4), "chain_factor"),  # (d - z), not -(d - z)
    ({"r": "0.5"}, ["L = r**3"], "dL/dr", F(1, 4), "power_factor"),  # r^2, not 3 r^2
    ({"d": 1, "z": "0.25"}, ["E = 0.5 * (d - z)**2"], "dE/dz", F(-3, 2), "constant_factor"),  # 2(z - d)
    ({"d": 1, "z": "0.25"}, ["E = (d - z)**2 / 2"], "dE/dz", F(-3, 2), "constant_factor"),  # the same, as / 2
    ({"x": 3, "y": -4}, ["p = x * y", "f = 2 * p"], "df/dx", F(6), "swapped_factors"),  # 2 x, not 2 y
    ({"z": 2, "w": -1}, ["m = max(z, w)", "f = 3 * m"], "df/dw", F(3), "wrong_branch"),  # w is the smaller
    ({"u": "-0.5"}, ["r = relu(u)", "f = 4 * r"], "df/du", F(4), "wrong_branch"),  # u < 0 passes nothing
    # df/dx = df/du du/dx = 2u y = 100 at x = 2, y = 5; written as df/du = 20 alone
    ({"x": 2, "y": 5}, ["u = x * y", "f = u * u"], "df/dx", F(2 * 10), "local_dropped"),
]


@pytest.mark.parametrize("inputs,nodes,key,claim,kind", SLIPS, ids=[s[4] + "-" + s[1][0] for s in SLIPS])
def test_slips_in_a_local_gradient_are_named(inputs, nodes, key, claim, kind):
    got = judged(circuit(inputs, nodes, [{key: printed(claim)}]))[key]
    assert got.verdict == "wrong" and got.kind == kind, got


def test_rounding_too_early_is_named():
    """f = u^2 with u = x^2 at x = 1.26: a hand that rounds the unwritten u = 1.5876 to 1.6 first
    writes f = 2.56 (the exact f is 1.26^4 = 2.5205)."""
    got = judged(circuit({"x": "1.26"}, ["u = x * x", "f = u * u"], [{"f": "2.56"}]))["f"]
    assert printed(F("1.26") ** 4, 3) == "2.52"
    assert got.verdict == "wrong" and got.kind == "rounded_early" and "u, which you did not write" in got.diagnosis


def test_reassigned_names_are_versions_of_a_node():
    """c = a + b; c += c + 1: c@1 = 3, c@2 = c@1 + (c@1 + 1) = 7, and dg/dc@1 = 2 (two edges)."""
    text = circuit({"a": 1, "b": 2}, ["c = a + b", "c += c + 1", "g = 3 * c"],
                   [{"c@1": "3", "c@2": "7", "g": "21", "dg/dc@2": "3", "dg/dc@1": "6", "dg/da": "6"}])
    got = judged(text)
    assert {k: c.verdict for k, c in got.items()} == dict.fromkeys(got, "correct")
    with pytest.raises(WorkedExampleError, match=r"line \d+: step 1, c: c is assigned 2 times: write c@1, c@2"):
        loads(circuit({"a": 1, "b": 2}, ["c = a + b", "c += c + 1", "g = 3 * c"], [{"c": "3"}]), "f.toml")


def test_micrograd_readme_figures():
    """micrograd's README builds g from a = -4, b = 2 with reassigned names, powers, division and
    relu, and prints g = 24.7041, dg/da = 138.8338, dg/db = 645.5773."""
    nodes = ["c = a + b", "d = a * b + b**3", "c += c + 1", "c += 1 + c + (-a)", "d += d * 2 + relu(b + a)",
             "d += 3 * d + relu(b - a)", "e = c - d", "f = e**2", "g = f / 2.0", "g += 10.0 / f"]
    got = judged(circuit({"a": "-4.0", "b": "2.0"}, nodes, [{"g@2": "24.7041", "dg/da": "138.8338",
                                                             "dg/db": "645.5773"}]))
    assert {k: c.verdict for k, c in got.items()} == dict.fromkeys(got, "correct")


def test_cs231n_sigmoid_neuron_gate_by_gate():
    """CS231n's two-input neuron: w = [2, -3, -3], x = [-1, -2]: output 0.73, dw = [-0.2, -0.39, 0.2],
    dx = [0.39, -0.59], each gate a node (mul, add, negate, exp, +1, reciprocal)."""
    nodes = ["a = w0 * x0", "b = w1 * x1", "c = a + b", "d = c + w2", "n = -d", "e1 = exp(n)", "s = 1 + e1",
             "f = 1 / s"]
    claims = {"f": "0.73", "df/dw0": "-0.20", "df/dw1": "-0.39", "df/dw2": "0.20", "df/dx0": "0.39",
              "df/dx1": "-0.59", "de1/dn": "0.37", "df/ds": "-0.53"}
    got = judged(circuit({"w0": 2, "x0": -1, "w1": -3, "x1": -2, "w2": -3}, nodes, [claims]))
    assert {k: c.verdict for k, c in got.items()} == dict.fromkeys(got, "correct"), got


def test_an_update_then_the_next_forward_pass():
    """L = (w x - t)^2 at w = 1/2, x = 2, t = 3: dL/dw = 2 (w x - t) x = -8; with learning rate
    1/10, w becomes 1.3 and L becomes (2.6 - 3)^2 = 0.16."""
    extra = 'learning_rate = 0.1\nupdate = ["w"]'
    text = circuit({"w": "0.5", "x": 2, "t": 3}, ["r = w * x - t", "L = r**2"],
                   [{"L": "4", "dL/dw": "-8"}, {"w": "1.3", "L": "0.16", "dL/dw": "-1.6"}], extra)
    got = {f"{c.step}:{c.name}": c for c in judge(loads(text, "u.toml")).claims}
    assert {k: c.verdict for k, c in got.items()} == dict.fromkeys(got, "correct"), got
    wrong = circuit({"w": "0.5", "x": 2, "t": 3}, ["r = w * x - t", "L = r**2"],
                    [{"dL/dw": "-8"}, {"w": "-0.3"}], extra)  # w + lr dL/dw: the update's sign
    assert judge(loads(wrong, "u.toml")).claims[1].verdict == "wrong"


def test_claims_carry_node_names_in_json(tmp_path, capsys):
    path = tmp_path / "c.toml"
    path.write_text(circuit({"x": -2, "y": 5, "z": -4}, ["q = x + y", "f = q * z"],
                            [{"q": "3", "df/dq": "-4", "dq/dx": "1", "\u2202f/\u2202q": "-4"}]), encoding="utf-8")
    assert main(["check", str(path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    rows = [{k: c[k] for k in ("quantity", "node", "of", "wrt") if k in c} for c in out["claims"]]
    assert rows == [{"quantity": "value", "node": "q"}, {"quantity": "grad", "node": "q", "of": "f"},
                    {"quantity": "local", "node": "q", "wrt": "x"},
                    {"quantity": "local", "node": "f", "of": "f", "wrt": "q"}]
    assert out["conventions"]["kind"] == "circuit" and out["conventions"]["nodes"] == {"q": "q = x + y",
                                                                                       "f": "f = q * z"}


BAD = [
    (["q = x + y", "f = q * zz"], {"f": "1"}, ["line 3", "'f = q * zz'", "zz is not defined"]),
    (["q = x +", "f = q"], {"f": "1"}, ["line 3", "'q = x +'", "not a statement"]),
    (["q = x + y", "f = foo(q)"], {"f": "1"}, ["line 3", "unknown function 'foo'"]),
    (["q = x + y", 'f = __import__("os")'], {"f": "1"}, ["line 3", "unknown function '__import__'"]),  # escaped
    (["q = x - x", "f = 1 / q"], {"f": "1"}, ["line 3", "'f = 1 / q'", "division by 0"]),
    (["q = x + y", "f = log(q - 10)"], {"f": "1"}, ["line 3", "log needs a positive number"]),
    (["q = x + y", "r = q * 2", "f = r + x"], {"dr/dx": "1"}, ["dr/dx", "x is not an input of r's gate", "df/dx"]),
    (["q = x + y", "f = q * 2"], {"r": "1"}, ["step 1, r", "r is not a node"]),
    (["q = x + y", "f = q * 2"], {"q": 3}, ["step 1, q", "unquoted"]),
]


@pytest.mark.parametrize("nodes,claims,fragments", BAD, ids=[b[2][-1] for b in BAD])
def test_unusable_circuits_are_refused_saying_where_and_what(tmp_path, capsys, nodes, claims, fragments):
    path = tmp_path / "bad.toml"
    text = circuit({"x": 1, "y": 2}, nodes, [{}]).replace("[[step]]\n", "")
    text += "[[step]]\n" + "".join(f"{json.dumps(k)} = {json.dumps(v)}\n" for k, v in claims.items())
    path.write_text(text, encoding="utf-8")
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"gradverify check: {path}") and "Traceback" not in err
    for f in fragments:
        assert f in err, (f, err)


def test_a_second_step_needs_an_update(tmp_path):
    with pytest.raises(WorkedExampleError, match="a second step needs inputs to update"):
        loads(circuit({"x": 1}, ["f = 2 * x"], [{"f": "2"}, {"f": "2"}]), "two.toml")


# The bundled circuits: each planted mistake, judged wrong with its diagnosis (and nothing else wrong).
PLANTED = {
    "circuit-add-max-mul": {"df/dw": "wrong_branch", "df/dz": "wrong_branch", "df/dy": "swapped_factors",
                            "df/dx": "swapped_factors"},
    "circuit-exp": {"dy/dw": "chain_factor"},
    "circuit-reciprocal": {"dg/ds": "factor"},
    "circuit-power": {"dL/dr": "power_factor"},
    "circuit-fanout": {"df/dx": "forgot_path"},
    "seed001-sigmoid-graph": {"df/dx": "local_dropped"},
    "seed001-tanh-graph": {"dy/dx": "forgot_path"},
    "seed002-chain": {"dE/dz": "chain_factor"},
}


@pytest.mark.parametrize("name", sorted(PLANTED))
def test_bundled_circuits_flag_their_planted_mistakes(name):
    result = judge(load_example(name))
    wrong = {c.name: c.kind for c in result.claims if c.verdict == "wrong"}
    assert wrong == PLANTED[name], (name, wrong)


def test_the_seed002_step_is_the_sign_the_seed_lost():
    """Seed 002 writes dE/dz = -1/2 * 1 * (d - z) = (d - z); the truth is -(d - z) = z - d."""
    ex = load_example("seed002-chain")
    x, w1, w2, d = mp.mpf("1.5"), mp.mpf("0.8"), mp.mpf("-1.2"), mp.mpf(1)
    z = 1 / (1 + mp.exp(-(w2 / (1 + mp.exp(-w1 * x)))))
    got = {c.name: c for c in judge(ex).claims}
    assert abs(got["dE/dz"].exact - float(z - d)) < 1e-15
    assert got["dE/dz"].claimed == printed(d - z, 4)


def test_a_typo_is_named_and_what_follows_uses_the_intended_number():
    """u = e^0.5 written 1.6; v = u^2 is 1.6^2 = 2.56 from it, written 2.65 (two digits swapped);
    w = 10 v written 25.6 uses the 2.56 the hand meant: it follows from the corrected v, although
    the exact 10 e = 27.18 and the written v give 26.5."""
    got = judged(circuit({"x": "0.5"}, ["u = exp(x)", "v = u * u", "w = 10 * v"],
                         [{"u": "1.6", "v": "2.65", "w": "25.6"}]))
    assert got["u"].verdict == "correct"
    assert got["v"].verdict == "wrong" and got["v"].kind == "typo_swapped_digits"
    assert got["w"].verdict == "follows" and "corrected v" in got["w"].note


def test_check_on_a_circuit_loads_no_sympy():
    import subprocess

    code = ("import sys, io, contextlib\nfrom gradverify.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n    status = main(['check', '--example', 'seed002-chain'])\n"
            "assert status == 0, status\nprint('sympy' in sys.modules)\n")  # its [expect] holds
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.split() == ["False"], done.stderr
