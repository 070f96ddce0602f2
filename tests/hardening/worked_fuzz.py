"""Malformed worked-example files for `gradverify check`: hypothesis strategies that mutate the
bundled examples, networks and circuits (structure, a circuit's statements, raw bytes) and a runner
that classifies what the CLI did.

Shared by tests/hardening/test_fuzz_worked.py (a few hundred cases in CI) and
bench/fuzz_worked.py (>= 10,000). A run is acceptable when `main(["check", FILE, "--json"])`
raises nothing and either exits 2 with one message that names the file, or exits 0/1 with a JSON
judgement in which no claim's exact or from_claims value is NaN or infinite; in both cases stderr
holds no Python warning and no control character that could rewrite a terminal.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import math
import time
import tomllib
import traceback
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from hostile_cases import cases as hostile_cases

EXAMPLES = Path(__file__).resolve().parents[2] / "reports" / "examples"
BASE_TEXTS = {p.stem: p.read_text(encoding="utf-8") for p in sorted(EXAMPLES.glob("*.toml"))}

# Names a student might mistype; the message should suggest the closest catalog name.
TYPOS = ["sigmod", "sigmoid ", "Sigmoid", "tanhh", "relu6", "leakyrelu", "leaky-relu", "softmaxx", "gelu_tanh",
         "squared_eror", "squared-error", "mse", "cross_entropy_loss", "hinge_loss", "huberr", "l2",
         "learnig_rate", "learning-rate", "lr", "activation", "size", "weight", "numbring", "bais",
         "to-from", "fromto", "meann", "summ", "gradient_", "negative_", "first_layers"]

HOSTILE_VALUES: list[Any] = [
    float("nan"), float("inf"), float("-inf"), 0, 0.0, -0.0, -1, -1.5, 1e308, -1e308, 5e-324, 2.2e-308,
    10**6, 10**9, 2**63 - 1, -(2**63), 1, 2, True, False, 800.0, -800.0, 1e4, -1e4, 1e150, -1e200,
    "", " ", "nan", "NaN", "inf", "-inf", "+inf", "1e999", "-1e999", "1e-999", "0.2.3", "abc", "0x10",
    "1_000", "١٢", "1,5", "½", "7.2 x 10^-3", "7.2 × 10^{-3}", "7.2e-3", "-0", "0.210", "1e308",
    "2.3e-400", "2.3 x 10^-400", "4.9e-324",
    "\u0000", "\u202e0.5", "x" * 5000, "<script>alert(1)</script>", "\\input{/etc/passwd}",
    [], [[]], [[[]]], [1], [[1, 2], [3]], ["0.5"], [float("nan")], [float("inf")], ["nan"],
    {}, {"name": "sigmoid"}, {"name": "leaky_relu", "alpha": float("nan")}, {"alpha": 1},
    dt.datetime(2024, 1, 1, 12, 0), dt.date(2024, 1, 1), dt.time(12, 0),
    "sigmoid", "softmax", "relu", "leaky_relu(alpha=0.1)", "leaky_relu(alpha=nan)", "leaky_relu(alpha=)",
    "leaky_relu(0.1)", "elu(alpha=-1)", "prelu(a=inf)", "huber(delta=0)", "huber(delta=-1)",
    "softmax_cross_entropy", "cross_entropy", "binary_cross_entropy", "hinge", "cosine_similarity_general",
    "from_to", "to_from", "sum", "mean", "shared", "frozen", "none", "negative", "from",
    *TYPOS,
]

# A circuit's statements as a careless or hostile author writes them: every hostile claim text as a
# node's expression, and what the statement grammar (docs/circuits.md) does not list.
ODD_STATEMENTS = [
    "p = p + 1", "x = x + 1", "q += 1", "p = q = x", "p = x, y", "p = x if x else y", "p = x < y", "p = x[0]",
    "p = x.real", "p = (q := x)", "p = max(x)", "p = max(*x)", "p = max(x, y, key=abs)", "p = 0x10 * x",
    "p = 1_000 * x", "p = 1j * x", "p = 1e999 * x", "p = x ** 9 ** 9 ** 9", "p = 10 ** 400", "p = x ** 1e300",
    "p = exp(exp(exp(exp(exp(x)))))", "p = (-8) ** (1/3)", "p = log(0 * x)", "p = 1 / (x - x)",
    "p = (x - x) ** -1", "p = sqrt(-1 - x * x)", "p = leaky_relu(x, x)", "p = leaky_relu(x, nan)",
    "p = " + "(" * 60 + "x" + ")" * 60, "p = " + " + ".join(["x"] * 400), "p = x + " + "9" * 4400,
    "\uff50 = x", "p = x # \u001b]0;PWNED\u0007\u001b[2J", "p = x\nq = 1", "p = x; import os", "_p = x",
    "__class__ = x", "exp = x", "p = e * pi", "e = 2", "p = sigma(x) + ln(x * x + 1) + Max(x, 1)", "",
]


def hostile_statements(canary: str) -> list[tuple[str, str]]:
    """(id, statement): each hostile claim text as the expression of a node p (a payload that ran
    would create `canary`), then the odd statements above."""
    return [(cid, f"p = {text}") for cid, _syntax, text in hostile_cases(canary)] + [
        (f"odd-{k:02d}", text) for k, text in enumerate(ODD_STATEMENTS)]


HOSTILE_STATEMENTS = [text for _cid, text in hostile_statements("/nonexistent/gv-canary")  # what UTF-8 can hold
                      if not any("\ud800" <= c <= "\udfff" for c in text)]
# Python's default filters never show these to a user; every other warning would reach stderr.
HIDDEN_WARNINGS = (DeprecationWarning, PendingDeprecationWarning, ImportWarning, ResourceWarning)
CIRCUIT_OPS = ["replace", "insert", "append", "output", "claim"]
CONTROL = {chr(c) for c in range(32) if chr(c) != "\n"} | {chr(127)} | {chr(c) for c in range(0x80, 0xA0)} | {
    "\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"}

# -- TOML writer (tomllib reads only) ------------------------------------------------------------
def _key(k: str) -> str:
    return json.dumps(k, ensure_ascii=False)


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        r = repr(v)
        return r if any(c in r for c in ".e") else r + ".0"
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, (dt.datetime, dt.date, dt.time)):
        return v.isoformat()
    if isinstance(v, list):
        return "[" + ", ".join(_value(e) for e in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{_key(k)} = {_value(e)}" for k, e in v.items()) + " }"
    raise TypeError(type(v))


def toml_dumps(doc: dict[str, Any]) -> str:
    """TOML text for a parsed worked-example document (tables, arrays of tables, inline values)."""
    lines: list[str] = []
    tables = []
    for k, v in doc.items():
        if isinstance(v, dict):
            tables.append((k, v, False))
        elif isinstance(v, list) and v and all(isinstance(e, dict) for e in v):
            tables.append((k, v, True))
        else:
            lines.append(f"{_key(k)} = {_value(v)}")
    for k, v, array in tables:
        for t in (v if array else [v]):
            lines.append("")
            lines.append(f"[[{_key(k)}]]" if array else f"[{_key(k)}]")
            lines.extend(f"{_key(kk)} = {_value(vv)}" for kk, vv in t.items())
    return "\n".join(lines) + "\n"


# -- structural mutations --------------------------------------------------------------------------
def _paths(doc: Any, prefix: tuple = ()) -> list[tuple]:
    """Every path (keys and list indices) into a document, containers included."""
    out = [prefix] if prefix else []
    if isinstance(doc, dict):
        for k, v in doc.items():
            out += _paths(v, prefix + (k,))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            out += _paths(v, prefix + (i,))
    return out


def _parent(doc: Any, path: tuple) -> Any:
    for p in path[:-1]:
        doc = doc[p]
    return doc


def _copy(v: Any) -> Any:
    if isinstance(v, dict):
        return {k: _copy(e) for k, e in v.items()}
    if isinstance(v, list):
        return [_copy(e) for e in v]
    return v


values = st.one_of(
    st.sampled_from(HOSTILE_VALUES),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=12),
    st.lists(st.sampled_from(["0.1", "-0.2", 0.3, "x", float("nan")]), max_size=4),
)


@st.composite
def mutated_doc(draw: Any, base: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """A copy of `base` with 1-4 structural mutations; returns (doc, what was done)."""
    doc = _copy(base)
    done: list[str] = []
    for _ in range(draw(st.integers(1, 4))):
        paths = _paths(doc)
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = _parent(doc, path)
        last = path[-1]
        op = draw(st.sampled_from(["replace", "replace", "replace", "delete", "add", "rename", "wrap",
                                   "unwrap", "grow", "shrink"]))
        if op == "replace":  # a copy: a hostile list put in twice must not come to hold itself
            parent[last] = _copy(draw(values))
        elif op == "delete":
            del parent[last]
        elif op == "add" and isinstance(parent, dict):
            key = draw(st.sampled_from(TYPOS + ["extra", "x", "z9", "W7", "dW2[9,9]", "a2[0]", "step"]))
            parent[key] = _copy(draw(values))
        elif op == "rename" and isinstance(parent, dict):
            new = draw(st.sampled_from(TYPOS + [str(last).upper(), str(last) + "s", str(last)[:-1] or "q"]))
            if new not in parent:
                parent[new] = parent.pop(last)
        elif op == "wrap":
            parent[last] = [parent[last]]
        elif op == "unwrap" and isinstance(parent[last], list) and parent[last]:
            parent[last] = parent[last][0]
        elif op == "grow" and isinstance(parent[last], list) and parent[last]:
            parent[last] = parent[last] + [_copy(parent[last][-1])]
        elif op == "shrink" and isinstance(parent[last], list) and parent[last]:
            parent[last] = parent[last][:-1]
        else:
            continue
        done.append(f"{op} {'.'.join(map(str, path))}")
    return doc, done


@st.composite
def mutated_circuit(draw: Any, doc: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """A circuit file's statements mutated: one replaced by, or joined by, a hostile statement; the
    output or a claim naming a node that is not there. A network file comes back unchanged."""
    graph = doc.get("graph")
    if not isinstance(graph, dict) or not isinstance(graph.get("nodes"), list) or not graph["nodes"]:
        return doc, []
    nodes, done = graph["nodes"], []
    for _ in range(draw(st.integers(1, 3))):
        op = draw(st.sampled_from(CIRCUIT_OPS))
        statement = draw(st.sampled_from(HOSTILE_STATEMENTS))
        if op == "replace" and nodes:
            nodes[draw(st.integers(0, len(nodes) - 1))] = statement
        elif op in ("insert", "append"):
            nodes.insert(draw(st.integers(0, len(nodes))) if op == "insert" else len(nodes), statement)
        elif op == "output":
            graph["output"] = draw(st.sampled_from(["p", "p@2", "x", "zz", "", "f@0", statement]))
        elif isinstance(doc.get("step"), list) and doc["step"] and isinstance(doc["step"][0], dict):
            key = draw(st.sampled_from(["p", "dp/dx", "df/dp", "dp/dp", "d/d", "df/dx@9", "p@2", "dx/df"]))
            doc["step"][0][key] = draw(st.sampled_from(["1", "-0.5", "1e999", "nan", "0x10", statement]))
        done.append(f"circuit {op}")
    return doc, done


# -- byte-level mutations --------------------------------------------------------------------------
BYTE_OPS = ["none", "none", "truncate", "dup_line", "drop_line", "swap_lines", "latin1", "utf16", "bom",
            "binary", "empty", "insert_bytes", "crlf", "nul", "deep"]


@st.composite
def mutated_bytes(draw: Any, text: str) -> tuple[bytes, str]:
    """Raw file bytes from TOML text under one byte-level mutation (encodings, truncation, ...)."""
    op = draw(st.sampled_from(BYTE_OPS))
    data = text.encode("utf-8")
    lines = text.splitlines(keepends=True)
    if op == "truncate":
        data = data[: draw(st.integers(0, max(0, len(data) - 1)))]
    elif op == "dup_line" and lines:  # a duplicate key (or a repeated table header)
        i = draw(st.integers(0, len(lines) - 1))
        data = "".join(lines[: i + 1] + [lines[i]] + lines[i + 1:]).encode("utf-8")
    elif op == "drop_line" and lines:
        i = draw(st.integers(0, len(lines) - 1))
        data = "".join(lines[:i] + lines[i + 1:]).encode("utf-8")
    elif op == "swap_lines" and len(lines) > 1:
        i = draw(st.integers(0, len(lines) - 2))
        lines[i], lines[i + 1] = lines[i + 1], lines[i]
        data = "".join(lines).encode("utf-8")
    elif op == "latin1":
        data = text.replace("title = \"", "title = \"Übung é ", 1).encode("latin-1", errors="replace")
    elif op == "utf16":
        data = text.encode("utf-16")
    elif op == "bom":
        data = b"\xef\xbb\xbf" + data
    elif op == "binary":
        data = draw(st.binary(min_size=1, max_size=300))
    elif op == "empty":
        data = b""
    elif op == "insert_bytes":
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(min_size=1, max_size=8)) + data[at:]
    elif op == "crlf":
        data = text.replace("\n", "\r\n").encode("utf-8")
    elif op == "deep":  # thousands of nested [ (tomllib recurses once per level)
        at = data.find(b"= [")
        depth = draw(st.integers(100, 5000))
        data = data + b"\nx = " + b"[" * depth + b"]" * depth + b"\n" if at < 0 else (
            data[: at + 2] + b"[" * depth + data[at + 2:].replace(b"\n", b"]" * depth + b"\n", 1))
    elif op == "nul":
        at = draw(st.integers(0, len(data)))
        data = data[:at] + b"\x00" + data[at:]
    else:
        op = "none"
    return data, op


@st.composite
def malformed_file(draw: Any) -> tuple[bytes, str]:
    """One fuzzed worked-example file: a bundled example, mutated in structure, then in bytes.
    Sometimes the original text (comments kept) is used for the byte mutation alone."""
    name = draw(st.sampled_from(sorted(BASE_TEXTS)))
    text = BASE_TEXTS[name]
    what = [name]
    if draw(st.integers(0, 9)) > 1:
        doc = tomllib.loads(text)
        if "graph" in doc and draw(st.booleans()):
            doc, done = draw(mutated_circuit(doc))
        else:
            doc, done = draw(mutated_doc(doc))
        text = toml_dumps(doc)
        what += done
    data, op = draw(mutated_bytes(text))
    if op != "none":
        what.append(op)
    return data, "; ".join(what)


# -- running the CLI on a file ---------------------------------------------------------------------
@dataclass
class Outcome:
    """What `gradverify check FILE --json` did with one file."""

    code: int | None
    stdout: str
    stderr: str
    seconds: float
    traceback: str = ""
    problems: list[str] = field(default_factory=list)

    @property
    def kind(self) -> str:
        if self.traceback:
            return "traceback"
        if self.problems:
            return "bad"
        return {0: "judged", 1: "judged", 2: "refused"}.get(self.code, "bad")


def run_check(path: Path) -> Outcome:
    """Run the check command in this process on `path` and judge its behaviour (see module doc)."""
    from gradverify.cli import main

    out, err = io.StringIO(), io.StringIO()
    start = time.monotonic()
    tb = ""
    code: int | None = None
    warned: list[warnings.WarningMessage] = []
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), \
                warnings.catch_warnings(record=True) as warned:
            warnings.simplefilter("always")
            code = main(["check", str(path), "--json"])
    except SystemExit as exc:  # argparse would exit 2 on bad arguments; never for a file's content
        code = exc.code if isinstance(exc.code, int) else None
        tb = f"SystemExit({exc.code!r})"
    except BaseException:  # noqa: BLE001 - any escape is the finding
        tb = traceback.format_exc()
    outcome = Outcome(code, out.getvalue(), err.getvalue(), time.monotonic() - start, tb)
    if tb:
        return outcome
    shown_warnings = [w for w in warned if not issubclass(w.category, HIDDEN_WARNINGS)]
    if shown_warnings:
        w = shown_warnings[0]
        outcome.problems.append(f"a Python warning reaches the user: {w.category.__name__}: {w.message}")
    shown = {c for c in outcome.stderr if c in CONTROL}
    if shown:
        outcome.problems.append(f"control characters reach the terminal: {sorted(map(hex, map(ord, shown)))}")
    if code == 2:
        if not outcome.stderr.startswith("gradverify check: "):
            outcome.problems.append("exit 2 without a 'gradverify check:' message")
        if str(path) not in outcome.stderr:
            outcome.problems.append("the message does not name the file")
        if "Traceback" in outcome.stderr:
            outcome.problems.append("a traceback on stderr")
    elif code in (0, 1):
        outcome.problems += judgement_problems(outcome.stdout)
    else:
        outcome.problems.append(f"exit status {code!r}")
    return outcome


def judgement_problems(stdout: str) -> list[str]:
    """What is wrong with a JSON judgement: unreadable, or a verdict computed from NaN/inf."""
    try:
        data = json.loads(stdout)
    except ValueError:
        return ["exit 0/1 but stdout is not JSON"]
    problems = []
    for c in data.get("claims", []):
        if c.get("verdict") not in ("correct", "follows", "wrong"):
            problems.append(f"claim {c.get('quantity')}: verdict {c.get('verdict')!r}")
        # The JSON writer turns NaN/inf into null. The exact value must always be finite (an exact value
        # beyond float64 refuses the file); from_claims may be null only where the person's own numbers
        # overflow (a claimed 1e200, squared), and then the verdict cannot be 'follows'.
        for k in ("exact", "from_claims"):
            v = c.get(k)
            if (v is None or (isinstance(v, float) and not math.isfinite(v))) and (
                    k == "exact" or c.get("verdict") == "follows"):
                problems.append(f"verdict from NaN/inf: claim {c.get('quantity')}{c.get('layer')}"
                                f"{c.get('index')}: {k} is {v}")
    return problems
