"""docs/json.md describes every key the commands print with --json, every diagnosis kind, every
verdict name and every field of the grading journal: the keys are collected from real runs (the
bundled example, the seeds' claim files, a file with every kind of table, derive and catalog),
so a key added without its description fails here."""

from __future__ import annotations

import contextlib
import dataclasses
import io
import json
import re
from pathlib import Path

import pytest

from gradverify.cli import main
from gradverify.grade.outcome import Outcome
from gradverify.grade.scheme import KNOWN_KINDS
from gradverify.judge.claimtables import DERIVATIVE_VERDICTS
from gradverify.judge.result import VERDICTS
from gradverify.judge.worked import example_text

DOC = (Path(__file__).resolve().parents[2] / "docs" / "json.md").read_text(encoding="utf-8")
_QUOTED = re.findall(r"`([^`]+)`", DOC)
# a key is documented as `key`, or inside a quoted object such as `{point, form, truth}`
DOCUMENTED = set(_QUOTED) | {w for q in _QUOTED if "{" in q for w in re.findall(r"\w+", q)}
# Objects whose keys are data (variable names, parameter names), not part of the format.
DATA_MAPS = {"point", "values", "parameters", "derivatives", "abbreviations", "inputs", "nodes"}

TABLES = '''
[[derivative]]
of = "tanh"
claimed = "1 + t^2"

[[derivative]]
of = "relu"
claimed = "Heaviside(x)"

[[derivative]]
of = "softmax"
layout = "denominator"
claimed = [['\\sigma_1(x)(1 - \\sigma_1(x))', '\\cdots', '\\sigma_N(x)\\sigma_1(x)'],
           ['\\vdots', '\\ddots', '\\vdots'],
           ['-\\sigma_1(x)\\sigma_N(x)', '\\cdots', '\\sigma_N(x)(1 - \\sigma_N(x))']]

[[formula]]
claimed = "grad_W1 = delta2 x^T + 0.5 lambda W1"
layout = "004"
'''


pytestmark = pytest.mark.usefixtures("private_verdict_cache")


def _keys(doc: object, into: set[str]) -> set[str]:
    if isinstance(doc, dict):
        for k, v in doc.items():
            into.add(k)
            if not (k in DATA_MAPS and isinstance(v, dict)):
                _keys(v, into)
    elif isinstance(doc, list):
        for v in doc:
            _keys(v, into)
    return into


def _json(capsys, *argv: str) -> object:
    main([*argv, "--json"])
    return json.loads(capsys.readouterr().out)


@pytest.fixture(scope="module")
def printed(tmp_path_factory) -> list[object]:
    tables = tmp_path_factory.mktemp("json") / "tables.toml"
    tables.write_text(example_text("cs7015-q3") + TABLES, encoding="utf-8")
    runs = [["check", str(tables)], ["check", "--example", "circuit-add-max-mul", "--example", "circuit-power"],
            ["claim", "1 - tanh(x)^2", "--of", "tanh"], ["derive", "huber"],
            ["derive", "softmax"], ["derive", "tanh", "--steps"], ["catalog"],
            *[["claim", "--seed", s] for s in ("000", "001", "002", "003", "004")]]
    out = []
    for argv in runs:
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer):
            main([*argv, "--json"])
        out.append(json.loads(buffer.getvalue()))
    return out


def test_every_printed_key_is_documented(printed):
    keys = set()
    for doc in printed:
        _keys(doc, keys)
    assert {"claims", "derivatives", "formulas", "entries", "stated", "forms", "children"} <= keys  # all kinds seen
    missing = sorted(keys - DOCUMENTED)
    assert not missing, f"keys printed but not described in docs/json.md: {missing}"


def test_every_diagnosis_kind_and_verdict_is_documented():
    assert not [k for k in KNOWN_KINDS if k not in DOCUMENTED]
    assert not [v for v in (*VERDICTS, *DERIVATIVE_VERDICTS, "unusable") if v not in DOCUMENTED]


def test_the_kinds_the_judge_gives_are_the_documented_ones(capsys):
    doc = _json(capsys, "check", "--example", "cs7015-q3")
    kinds = {c["kind"] for c in doc["claims"] if c["verdict"] == "wrong"}
    assert kinds == {"half_convention", "typo_dropped_digit"} and kinds <= set(KNOWN_KINDS)
    assert all(c["line"] for c in doc["claims"])  # every claim names its line


def test_every_journal_field_is_documented():
    fields = [f.name for f in dataclasses.fields(Outcome)]
    assert not [f for f in fields if f not in DOCUMENTED]
