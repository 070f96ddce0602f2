"""Malformed worked-example files through `gradverify check`: hypothesis mutations of the bundled
examples (a few hundred here; bench/fuzz_worked.py runs >= 10,000) and one test per named kind of
damage, each asserting 0 tracebacks and a message naming the file, the line and key where known,
and what to write instead."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

sys.path.insert(0, os.path.dirname(__file__))
from worked_fuzz import BASE_TEXTS, malformed_file, run_check  # noqa: E402

CI_EXAMPLES = 300
BASE = BASE_TEXTS["cs7015-q3"]


@settings(max_examples=CI_EXAMPLES, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture])
@given(case=malformed_file())
def test_fuzzed_files_never_crash(case, tmp_path):
    data, what = case
    path = tmp_path / "fuzzed.toml"
    path.write_bytes(data)
    out = run_check(path)
    assert out.kind in ("judged", "refused"), (what, out.traceback or out.problems)


def _check_text(tmp_path: Path, text: str, name: str = "hw.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path, run_check(path)


def _replace(old: str, new: str) -> str:
    assert old in BASE, old
    return BASE.replace(old, new, 1)


# (id, damaged text, fragments the message must hold: where, which key, what to write)
REFUSALS = [
    ("unknown-activation", _replace('activations = ["sigmoid", "sigmoid"]', 'activations = ["sigmod", "sigmoid"]'),
     ["line 8", "network.activations", "'sigmoid'"]),
    ("unknown-loss", _replace('loss = "squared_error"', 'loss = "squared_eror"'),
     ["line 9", "network.loss", "'squared_error'"]),
    ("unknown-key", _replace("learning_rate = 1", "learnig_rate = 1"), ["network", "learning_rate"]),
    ("unknown-weights", _replace('weights = "to_from"', 'weights = "tofrom"'), ["network.weights", "to_from"]),
    ("lr-zero", _replace("learning_rate = 1", "learning_rate = 0"), ["line 10", "learning_rate", "> 0"]),
    ("lr-negative", _replace("learning_rate = 1", "learning_rate = -0.5"), ["line 10", "> 0"]),
    ("lr-nan", _replace("learning_rate = 1", "learning_rate = nan"), ["line 10", "finite"]),
    ("lr-inf", _replace("learning_rate = 1", "learning_rate = inf"), ["line 10", "finite"]),
    ("lr-string", _replace("learning_rate = 1", 'learning_rate = "fast"'), ["line 10", "learning_rate"]),
    ("x-nan", _replace("x = [0.8, 0.7, 0.1]", "x = [nan, 0.7, 0.1]"), ["line 15", "data.x", "finite"]),
    ("x-inf", _replace("x = [0.8, 0.7, 0.1]", "x = [0.8, -inf, 0.1]"), ["line 15", "finite"]),
    ("x-empty", _replace("x = [0.8, 0.7, 0.1]", "x = []"), ["line 15", "data.x", "[3]"]),
    ("y-empty", _replace("y = [0.9]", "y = []"), ["line 16", "data.y"]),
    ("w-nan", _replace("b3 = [-0.2]", "b3 = [nan]"), ["parameters.b3", "finite"]),
    ("w-shape", _replace("W3 = [[-0.3, 0.1]]", "W3 = [[-0.3, 0.1, 0.2]]"), ["line 21", "parameters.W3", "[1, 2]"]),
    ("w-ragged", _replace("W2 = [[0.2, 0.3, 0.4], [-0.2, 0.1, 0.5]]", "W2 = [[0.2, 0.3, 0.4], [-0.2, 0.1]]"),
     ["parameters.W2", "different lengths"]),
    ("w-missing", _replace("b3 = [-0.2]\n", ""), ["parameters.b3", "missing"]),
    ("sizes-zero", _replace("sizes = [3, 2, 1]", "sizes = [3, 0, 1]"), ["network.sizes", "sizes = [3, 2, 1]"]),
    ("sizes-huge", _replace("sizes = [3, 2, 1]", "sizes = [3, 1000000, 1]"), ["parameters.W2", "[1000000, 3]"]),
    ("sizes-enormous", _replace("sizes = [3, 2, 1]", "sizes = [3, 1000000000000000000000, 1]"), ["parameters.W2"]),
    ("sizes-float", _replace("sizes = [3, 2, 1]", "sizes = [3, 2.5, 1]"), ["network.sizes"]),
    ("claim-nan", _replace('loss = "0.2304"', 'loss = "nan"'), ["line 29", "step 1, loss", "not a number"]),
    ("claim-inf", _replace('loss = "0.2304"', 'loss = "inf"'), ["line 29", "step 1, loss"]),
    ("claim-overflow", _replace('loss = "0.2304"', 'loss = "1e999"'), ["line 29", "step 1, loss"]),
    ("claim-words", _replace('loss = "0.2304"', 'loss = "about a quarter"'), ["line 29", "not a number", '"0.210"']),
    ("claim-unquoted", _replace('loss = "0.2304"', "loss = 0.2304"), ["line 29", "unquoted", '"0.2304"']),
    ("claim-empty", _replace('loss = "0.2304"', 'loss = ""'), ["line 29", "empty"]),
    ("claim-table", _replace('loss = "0.2304"', 'loss = { v = "0.2304" }'), ["line 29", "step 1, loss"]),
    ("claim-shape", _replace('z2 = ["0.210", "-0.240"]', 'z2 = ["0.210"]'), ["line 25", "step 1, z2", "[2]"]),
    ("claim-unknown", _replace('loss = "0.2304"', 'lose = "0.2304"'), ["line 29", "lose"]),
    ("claim-layer", _replace('loss = "0.2304"', 'z7 = ["0.1"]'), ["line 29", "z7"]),
    ("claim-index", _replace('loss = "0.1903"', '"W2[9,9]" = "0.1"'), ["step 2", "W2[9,9]", "out of range", "1..2"]),
    ("duplicate-key", _replace('loss = "0.2304"', 'loss = "0.2304"\nloss = "0.2305"'), ["line 30", "not valid TOML"]),
    ("duplicate-table", _replace("[data]", "[data]\nx = [1, 2, 3]\n[data]"), ["not valid TOML", "line"]),
    ("truncated", BASE[:600], ["not valid TOML"]),
    ("no-steps", BASE[: BASE.index("[[step]]")], ["[[step]]"]),
    ("empty-step", BASE[: BASE.index("[[step]]")] + "[[step]]\n", ["step 1 is empty"]),
    ("empty-file", "", ["[network]"]),
    ("title-number", _replace('title = "CS 7015', 'title = 7015 #'), ["title", "quoted"]),
    ("softmax-hidden", _replace('activations = ["sigmoid", "sigmoid"]', 'activations = ["softmax", "sigmoid"]'),
     ["softmax", "output layer"]),
    ("fused-without-softmax", _replace('loss = "squared_error"', 'loss = "softmax_cross_entropy"'),
     ["network.loss", "softmax"]),
    ("param-unknown", _replace('activations = ["sigmoid", "sigmoid"]', 'activations = ["leaky_relu(beta=2)", "sigmoid"]'),
     ["leaky_relu", "alpha"]),
    ("param-nan", _replace('activations = ["sigmoid", "sigmoid"]', 'activations = ["leaky_relu(alpha=nan)", "sigmoid"]'),
     ["network.activations", "not a number"]),
    ("numbering", _replace("first_layer = 1, first_index = 1", "first_layer = 2, first_index = 1"),
     ["first_layer", "0 or 1"]),
]


@pytest.mark.parametrize("cid,text,fragments", REFUSALS, ids=[r[0] for r in REFUSALS])
def test_damaged_file_is_refused_with_a_useful_message(cid, text, fragments, tmp_path):
    path, out = _check_text(tmp_path, text)
    assert out.kind == "refused", (out.code, out.traceback, out.problems, out.stdout[:300])
    msg = out.stderr
    assert msg.count("\n") == 1, msg  # one message, one line
    assert str(path) in msg
    for f in fragments:
        assert f in msg, (f, msg)


@pytest.mark.parametrize("encoding", ["latin-1", "utf-16", "utf-32", "cp1252"])
def test_wrong_encoding_is_refused_naming_utf8(encoding, tmp_path):
    path = tmp_path / "hw.toml"
    path.write_bytes(BASE.replace("CS 7015", "CS 7015 Übung für Anfänger").encode(encoding))
    out = run_check(path)
    assert out.kind == "refused" and str(path) in out.stderr and "UTF-8" in out.stderr, out.stderr


@pytest.mark.parametrize("blob", [b"\x00" * 64, bytes(range(256)), b"\x89PNG\r\n\x1a\n" + b"\x00" * 40,
                                  b"PK\x03\x04" + b"\xff" * 30, b"\xff\xfe\x00\x00"])
def test_binary_file_is_refused(blob, tmp_path):
    path = tmp_path / "hw.toml"
    path.write_bytes(blob)
    out = run_check(path)
    assert out.kind == "refused" and str(path) in out.stderr, out.stderr


def test_directory_and_missing_file_are_refused(tmp_path):
    for path in (tmp_path, tmp_path / "nope.toml"):
        out = run_check(path)
        assert out.kind == "refused" and str(path) in out.stderr, out.stderr


def test_crlf_line_endings_are_judged_like_the_original(tmp_path):
    path = tmp_path / "hw.toml"
    path.write_bytes(BASE.replace("\n", "\r\n").encode("utf-8"))
    out = run_check(path)
    assert out.kind == "judged" and out.code == 1  # the example's two planted mistakes


def test_utf8_bom_is_judged_like_the_original(tmp_path):
    path = tmp_path / "hw.toml"
    path.write_bytes(b"\xef\xbb\xbf" + BASE.encode("utf-8"))
    out = run_check(path)
    assert out.kind == "judged" and out.code == 1, out.stderr


def _big_file(neurons: int) -> str:
    head = BASE[: BASE.index("[network]")]
    return head + (
        f"[network]\nsizes = [1, {neurons}, 1]\nactivations = [\"sigmoid\", \"sigmoid\"]\n"
        "loss = \"squared_error\"\nlearning_rate = 0.1\n[data]\nx = [0.5]\ny = [0.5]\n[parameters]\n"
        "W2 = [" + ", ".join(["[0.1]"] * neurons) + "]\n"
        "b2 = [" + ", ".join(["0.1"] * neurons) + "]\n"
        "W3 = [[" + ", ".join(["0.1"] * neurons) + "]]\nb3 = [0.1]\n[[step]]\nloss = \"0.25\"\n")


def test_enormous_layer_written_out_is_refused_quickly(tmp_path):
    path = tmp_path / "big.toml"
    path.write_text(_big_file(200_000), encoding="utf-8")
    out = run_check(path)
    assert out.kind == "refused" and str(path) in out.stderr and "bytes" in out.stderr  # refused by size, unparsed


DEEP = {
    "nested-arrays": ("x = [0.8, 0.7, 0.1]", "x = " + "[" * 5000 + "]" * 5000),
    "nested-inline-tables": ("x = [0.8, 0.7, 0.1]", "x = " + "{a=" * 3000 + "1" + "}" * 3000),
    "nested-claim": ('loss = "0.2304"', "loss = " + "[" * 3000 + '"0.2304"' + "]" * 3000),
}


@pytest.mark.parametrize("cid", sorted(DEEP))
def test_deeply_nested_toml_is_refused_not_a_traceback(cid, tmp_path):
    old, new = DEEP[cid]
    path, out = _check_text(tmp_path, _replace(old, new))
    assert out.kind == "refused", out.traceback[-300:]
    assert str(path) in out.stderr


@pytest.mark.parametrize("claim", ["2.3e-400", "2.3 x 10^-400", "2.3 × 10^{-330}"])
def test_claim_below_the_float_range_is_no_traceback(claim, tmp_path):
    path, out = _check_text(tmp_path, _replace('loss = "0.2304"', f'loss = "{claim}"'))
    assert out.kind in ("judged", "refused"), out.traceback[-300:]


def test_many_steps_are_bounded(tmp_path):
    import subprocess

    path = tmp_path / "steps.toml"
    path.write_text(BASE + '\n[[step]]\nloss = "0.1903"\n' * 300, encoding="utf-8")
    try:
        proc = subprocess.run([sys.executable, "-m", "gradverify.cli", "check", str(path), "--json"],
                              capture_output=True, text=True, timeout=8)
    except subprocess.TimeoutExpired:
        pytest.fail("300 steps: no answer within 8 s")
    assert proc.returncode in (0, 1, 2) and "Traceback" not in proc.stderr
    assert proc.returncode == 2 and "at most 50 steps" in proc.stderr and f"{path}, line " in proc.stderr


def test_a_hundred_wrong_claims_after_a_typo_keep_its_carry_forward(tmp_path):
    """Corrections are tried for the first 64 wrong claims in computation order (a fuzz finding: one
    replay per wrong claim made a file of many wrong numbers quadratic): the seed's b2 typo comes
    first, so its next forward pass still follows from -0.209 behind 100 later wrong claims."""
    import json
    import random

    rnd = random.Random(7)
    later = "".join(f'\n[[step]]\nz2 = ["{rnd.uniform(2, 3):.3f}", "{rnd.uniform(2, 3):.3f}"]\n'
                    f'a3 = ["{rnd.uniform(-3, -2):.3f}"]\nloss = "{rnd.uniform(5, 6):.3f}"\n' for _ in range(25))
    _, out = _check_text(tmp_path, BASE.replace("\n[[derivative]]", later + "\n[[derivative]]", 1))
    assert out.kind == "judged", out.stderr
    claims = json.loads(out.stdout)["claims"]
    assert sum(c["verdict"] == "wrong" and c["step"] > 2 for c in claims) == 100
    forward = [c["verdict"] for c in claims if c["step"] == 2 and c["quantity"] in ("z", "a", "loss")]
    assert forward == ["follows"] * 7, forward
    b2 = next(c for c in claims if c["step"] == 2 and c["quantity"] == "b" and c["index"] == [1])
    assert b2["verdict"] == "wrong" and "next forward pass uses -0.209" in b2["diagnosis"], b2
