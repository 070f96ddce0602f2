"""Fuzzed claim files and command lines for `gradverify claim` (and its neighbours): hypothesis
strategies, and a runner that classifies what the command did.

Shared by tests/hardening/test_fuzz_claims.py (a few hundred cases in CI) and bench/fuzz_claims.py
(thousands). A run is acceptable when the command raises nothing (argparse's own exit 2 with a
usage message counts as a message), exits 0, 1 or 2, says why on stderr when it exits 2, prints no
control character that could rewrite a terminal, and leaves no proof worker running.
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
import math
import time
import tomllib
import traceback
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from hostile_cases import cases as hostile_cases
from worked_fuzz import CONTROL, HOSTILE_VALUES, TYPOS, Outcome, mutated_bytes, toml_dumps

ROOT = Path(__file__).resolve().parents[2]
CLAIM_FILES = {p.stem: p.read_text(encoding="utf-8") for p in sorted((ROOT / "reports" / "claims").glob("*.toml"))}
HOSTILE_TEXTS = [t for _cid, _syntax, t in hostile_cases("/nonexistent/gv-canary")]
# what a UTF-8 file can hold (undecodable bytes reach files through the byte-level mutations instead)
FILE_TEXTS = [t for t in HOSTILE_TEXTS if not any("\ud800" <= c <= "\udfff" for c in t)]

CATALOG_NAMES = ["tanh", "sigmoid", "sigma", "relu", "leaky_relu", "prelu", "elu", "softmax", "gelu", "silu",
                 "softplus", "identity", "squared_error", "cross_entropy", "softmax_cross_entropy", "huber",
                 "l2_regularization", "mse", "bce", "hinge", "cosine_similarity", "tanhh", "Tanh", ""]
TABLE_KEYS = ["of", "claimed", "wrt", "params", "syntax", "stated", "expect", "expect_stated", "label", "note",
              "layout", "sizes"] + TYPOS[:8]
# What a careless or hostile author writes as a table value.
TABLE_VALUES: list[Any] = [
    *CATALOG_NAMES, "x", "a", "W", "vjp", "y", "latex", "sympy", "auto", "python", "LaTeX",
    "equivalent", "not equivalent", "equivalent on a domain", "undecided", "unusable", "maybe",
    "000", "003", "004", "4", 4, 3, "1 - tanh(x)^2", "1 - \\tanh^2(x)", "s*(1-s)", "x", "0", "1/0",
    {"alpha": 0.1}, {"alpha": "0.1"}, {"alpha": "x"}, {"alpha": float("nan")}, {"a": 0.25}, {"delta": -1},
    {"lambda": 1e308}, {"__class__": 1}, {}, "ab", [1, 2, 3], [3, 4, 2], [0, 4, 2], [100, 4, 2], [1, 2],
    [3.5, 4, 2], "grad_W2 = delta3 a2^T", "delta2 = tau'(z2) o (W2^T delta3)", "grad_W2 = q",
    "ok \u001b[2J\u001b[Hfake", "x\n  verdict: EQUIVALENT", "\u202eevil", "\u009b31m", "é" * 300,
    *HOSTILE_VALUES,
]
values = st.one_of(st.sampled_from(TABLE_VALUES), st.sampled_from(FILE_TEXTS),
                   st.text(st.characters(blacklist_categories=("Cs",)), max_size=16))


@st.composite
def mutated_tables(draw: Any, doc: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """1-4 mutations of a claim file's [[derivative]]/[[formula]] tables: a key set to a hostile or
    merely wrong value, deleted or added, a table dropped or duplicated, a kind made not a list."""
    done: list[str] = []
    for _ in range(draw(st.integers(1, 4))):
        kinds = [k for k in ("derivative", "formula") if isinstance(doc.get(k), list) and doc[k]]
        op = draw(st.sampled_from(["set", "set", "set", "delete", "drop", "duplicate", "retype"]))
        if op == "retype" or not kinds:
            kind = draw(st.sampled_from(["derivative", "formula"]))
            doc[kind] = copy.deepcopy(draw(values))  # never the shared list or table itself
            done.append(f"{kind} = value")
            continue
        kind = draw(st.sampled_from(kinds))
        tables = doc[kind]
        i = draw(st.integers(0, len(tables) - 1))
        if not isinstance(tables[i], dict):
            continue
        if op == "set":
            key = draw(st.sampled_from(TABLE_KEYS))
            tables[i][key] = copy.deepcopy(draw(values))
            done.append(f"{kind}[{i}].{key} = value")
        elif op == "delete" and tables[i]:
            key = draw(st.sampled_from(sorted(tables[i])))
            del tables[i][key]
            done.append(f"del {kind}[{i}].{key}")
        elif op == "drop":
            del tables[i]
            done.append(f"drop {kind}[{i}]")
        elif op == "duplicate":
            tables.append(dict(tables[i]))
            done.append(f"duplicate {kind}[{i}]")
    return doc, done


@st.composite
def claim_file(draw: Any) -> tuple[bytes, str]:
    """One fuzzed claim file: a bundled seed claim file, its tables mutated, then maybe its bytes."""
    name = draw(st.sampled_from(sorted(CLAIM_FILES)))
    doc, done = draw(mutated_tables(tomllib.loads(CLAIM_FILES[name])))
    try:
        text = toml_dumps(doc)
    except TypeError:  # a value TOML cannot hold
        text = CLAIM_FILES[name]
    data, op = draw(mutated_bytes(text)) if draw(st.booleans()) else (text.encode("utf-8"), "none")
    return data, "; ".join([name, *done] + ([op] if op != "none" else []))


# -- command lines ------------------------------------------------------------------------------------
NUMBERS = ["20", "0.5", "3", "0", "-1", "nan", "inf", "-inf", "1e300", "1e-300", "86401", "abc", "", "0x10", "2"]
OPTION_VALUES: dict[str, list[str]] = {
    "--of": CATALOG_NAMES + ["../../etc/passwd", "__import__('os')", "tan\udcff", "\u001b[2J"],
    "--wrt": ["x", "a", "vjp", "W", "q", "__class__", "x\u001b]0;t\u0007", ""],
    "--param": ["alpha=0.1", "alpha=x", "alpha=", "=1", "alpha", "a=0.25", "delta=nan", "alpha=9**9**9",
                "__import__('os')=1", "alpha=\udcff", "lambda=1e999"],
    "--timeout": NUMBERS, "--budget": NUMBERS,
    "--seed": ["001", "000", "4", "002", "999", "../../../../etc/passwd", "-1", "abc", "\udcff"],
    "--file": ["/nonexistent.toml", "/", "/etc/passwd", "/dev/null", "\udcff.toml"],
    "--example": ["cs7015-q3", "circuit-add-max-mul", "seed002-chain", "nope", "../cs7015-q3", ""],
    "--n": ["2", "3", "1", "0", "-5", "33", "100000", "x"],
    "--syntax": ["auto", "latex", "sympy", "python", ""],
}
FLAGS = {"claim": ["--of", "--wrt", "--param", "--timeout", "--budget", "--seed", "--file", "--json", "--syntax",
                   "--latex", "--bogus"],
         "check": ["--example", "--timeout", "--budget", "--json", "--list-examples", "--bogus"],
         "derive": ["--wrt", "--param", "--n", "--steps", "--json", "--bogus"],
         "catalog": ["--json", "--bogus"]}
EXPRESSIONS = ["1 - tanh(x)^2", "s*(1-s)", "sigma(x)*(1-sigma(x))", "-y/a", "x", "0", "1/0",
               "1 - tanh(x)**2 # \u001b]0;PWNED\u0007", "\udcff", "\\frac{1}{0}", ""] + HOSTILE_TEXTS[::9]


@st.composite
def command_line(draw: Any) -> list[str]:
    """argv for one of claim/check/derive/catalog: flags in any order, hostile or merely wrong values."""
    command = draw(st.sampled_from(sorted(FLAGS)))
    argv = [command]
    if command == "claim" and draw(st.booleans()):
        argv += ["--", draw(st.sampled_from(EXPRESSIONS))] if draw(st.booleans()) else [draw(st.sampled_from(EXPRESSIONS))]
    if command in ("derive", "catalog") and draw(st.booleans()):
        argv.append(draw(st.sampled_from(CATALOG_NAMES + ["\udcff", "--"])))
    for _ in range(draw(st.integers(0, 4))):
        flag = draw(st.sampled_from(FLAGS[command]))
        argv.append(flag)
        if flag in OPTION_VALUES:
            argv.append(draw(st.one_of(st.sampled_from(OPTION_VALUES[flag]), st.text(max_size=6))))
    if command == "check" and not any(a in argv for a in ("--example", "--list-examples")):
        argv += ["--example", "cs7015-q3"]
    if command == "claim" and "--timeout" not in argv:
        argv += ["--timeout", "3"]  # a runaway claim from the pool ends soon
    return argv


# -- running a command -----------------------------------------------------------------------------

def run_command(argv: list[str]) -> Outcome:
    """Run `gradverify ARGV` in this process and judge its behaviour (see module doc)."""
    from gradverify.cli import main
    from gradverify.derivations import sandbox

    sandbox.stop_all()  # a worker another test left running is not this command's
    out, err = io.StringIO(), io.StringIO()
    start = time.monotonic()
    tb, code = "", None
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(argv)
    except SystemExit as exc:  # argparse: --help (0) or a usage error (2, with its message)
        code = exc.code if isinstance(exc.code, int) else None
    except BaseException:  # noqa: BLE001 - any escape is the finding
        tb = traceback.format_exc()
    run = Outcome(code, out.getvalue(), err.getvalue(), time.monotonic() - start, tb)
    if tb:
        return run
    if code not in (0, 1, 2):
        run.problems.append(f"exit status {code!r}")
    if code == 2 and not run.stderr.strip():
        run.problems.append("exit 2 without a message")
    if "Traceback" in run.stderr or "internal error" in run.stderr:
        run.problems.append("a traceback or internal error on stderr")
    shown = {c for c in run.stdout + run.stderr if c in CONTROL}
    if shown:
        run.problems.append(f"control characters reach the terminal: {sorted(map(hex, map(ord, shown)))}")
    if sandbox.running():
        run.problems.append(f"{sandbox.running()} proof worker(s) still running after the command")
        sandbox.stop_all()
    return run


def json_problems(stdout: str) -> list[str]:
    """A claim file's JSON judgement must parse and hold a known verdict per claim."""
    try:
        data = json.loads(stdout)
    except ValueError:
        return ["exit 0/1 with --json but stdout is not JSON"]
    known = ("equivalent", "equivalent on a domain", "not equivalent", "undecided")
    return [f"verdict {r.get('verdict')!r}" for r in data.get("derivative", []) + data.get("formula", [])
            if r.get("verdict") not in known] + [
        "a non-finite number in the JSON" for r in data.get("formula", [])
        if isinstance(r.get("counterexample"), dict) and any(
            isinstance(v, float) and not math.isfinite(v) for v in r["counterexample"].values())]


def run_claim_file(path: Path, as_json: bool) -> Outcome:
    """`gradverify claim --file PATH` (short limits: the fuzz is about inputs, not proofs)."""
    run = run_command(["claim", "--file", str(path), "--timeout", "3", "--budget", "8"] + (["--json"] if as_json else []))
    if run.kind == "refused" and str(path) not in run.stderr:
        run.problems.append("the message does not name the file")
    if run.kind == "judged" and as_json:
        run.problems += json_problems(run.stdout)
    return run
