"""Student-controlled text in the gradebook: names and file names that are spreadsheet formulas,
hold newlines or commas, or markup must stay one inert cell of one row each."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, os.path.dirname(__file__))
from worked_fuzz import EXAMPLES  # noqa: E402

from gradverify.cli import main  # noqa: E402

NAMES = [
    '=HYPERLINK("http://evil.example","click")',
    "=cmd|' /C calc'!A0",
    "+1+cmd|x",
    "-2+3",
    "@SUM(A1:A9)",
    "\tTAB",
    "Eve\nBob,1,2,3",
    "Mallory\r\n=1+1",
    "<script>alert(1)</script>",
    "\\input{/etc/passwd}",
    "Zoë \u202eevil",
]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def test_gradebook_cells_are_inert(tmp_path):
    key = tmp_path / "key.toml"
    key.write_text((EXAMPLES / "cs7015-q3.toml").read_text(encoding="utf-8"), encoding="utf-8")
    subs = tmp_path / "subs"
    subs.mkdir()
    for k, name in enumerate(NAMES):
        (subs / f"s{k:02d}.toml").write_text(f"student = {json.dumps(name)}\n[[step]]\nz2 = [\"0.210\", \"-0.240\"]\n",
                                             encoding="utf-8")
    (subs / "=1+1.toml").write_text('[[step]]\nz2 = ["0.210", "-0.240"]\n', encoding="utf-8")
    out = tmp_path / "gradebook.csv"
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        code = main(["grade", str(subs), "--key", str(key), "--out", str(out), "--jobs", "1"])
    assert code in (0, 1), err.getvalue()
    with out.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == len(NAMES) + 1, [r.get("id") for r in rows]  # one row per submission, none split
    for row in rows:
        for col in ("id", "file"):
            cell = row[col]
            assert not cell.startswith(FORMULA_START), (col, cell)
            assert "\n" not in cell and "\r" not in cell, (col, cell)
    assert {r["status"] for r in rows} == {"graded"}


def test_deeply_nested_submission_is_recorded_malformed(tmp_path):
    key = tmp_path / "key.toml"
    key.write_text((EXAMPLES / "cs7015-q3.toml").read_text(encoding="utf-8"), encoding="utf-8")
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "ok.toml").write_text('[[step]]\nz2 = ["0.210", "-0.240"]\n', encoding="utf-8")
    (subs / "deep.toml").write_text("[[step]]\nloss = " + "[" * 5000 + '"0.2"' + "]" * 5000 + "\n", encoding="utf-8")
    out = tmp_path / "gradebook.csv"
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        code = main(["grade", str(subs), "--key", str(key), "--out", str(out), "--jobs", "1"])
    assert code in (0, 1) and "Traceback" not in err.getvalue(), err.getvalue()[-500:]
    with out.open(newline="", encoding="utf-8") as fh:
        status = {Path(r["file"]).name: r["status"] for r in csv.DictReader(fh)}
    assert status == {"ok.toml": "graded", "deep.toml": "malformed"}
