"""One bad submission never stops a class: every submission gets its own row on the first run,
graded or with the reason it could not be."""

from __future__ import annotations

import contextlib
import csv
import io
import sys
from pathlib import Path

import pytest

from gradverify.cli import main

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "reports"))
from submissions import claims_only  # noqa: E402

KEY_TEXT = (Path(__file__).resolve().parents[2] / "reports" / "examples" / "cs7015-q3.toml").read_text(encoding="utf-8")
NUMBERS_KEY = KEY_TEXT.split("\n[[derivative]]", 1)[0] + "\n"  # the numbers of seed 001's step, no tables
GOOD = claims_only(NUMBERS_KEY, "student")


def poison() -> dict[str, str]:
    """Submissions that each once ended the run, or took the whole file down for one claim."""
    return {
        "huge-int-claim.toml": GOOD + "\n[[step]]\nloss = " + "1" * 4400 + "\n",
        "huge-int-name.toml": 'student = "x"\nscore = ' + "9" * 5000 + "\n" + GOOD,
        "huge-exponent.toml": GOOD.replace('loss = "0.2304"', 'loss = "0.2304e' + "7" * 5000 + '"', 1),
        "deep.toml": "[[step]]\nloss = " + "[" * 5000 + '"0.2"' + "]" * 5000 + "\n",
        "latin1.toml": "student = \"Zo\xeb\"\n",
        "empty.toml": "",
    }


def grade(tmp_path: Path, subs: dict[str, str | bytes], *extra: str) -> tuple[int, dict[str, dict], str]:
    key = tmp_path / "key.toml"
    key.write_text(NUMBERS_KEY, encoding="utf-8")
    folder = tmp_path / "subs"
    folder.mkdir(exist_ok=True)
    for name, body in subs.items():
        data = body if isinstance(body, bytes) else body.encode("latin-1" if name == "latin1.toml" else "utf-8")
        (folder / name).write_bytes(data)
    book = tmp_path / "book.csv"
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        code = main(["grade", str(folder), "--key", str(key), "--out", str(book), "--jobs", "2", *extra])
    with book.open(newline="", encoding="utf-8") as fh:
        rows = {Path(r["file"]).name: r for r in csv.DictReader(fh)}
    return code, rows, err.getvalue()


def test_a_poisoned_class_gets_one_row_per_submission_on_the_first_run(tmp_path):
    subs: dict[str, str | bytes] = {f"good{k:02d}.toml": GOOD.replace('"student"', f'"student {k}"') for k in range(40)}
    subs.update(poison())
    code, rows, err = grade(tmp_path, subs)
    assert code == 1 and "Traceback" not in err, err[-800:]
    assert sorted(rows) == sorted(subs), "every submission has its row"
    assert all(rows[f"good{k:02d}.toml"]["status"] == "graded" for k in range(40))
    bad = {name: rows[name] for name in poison()}
    status = {name: r["status"] for name, r in bad.items()}
    assert status == {**dict.fromkeys(poison(), "malformed"), "huge-exponent.toml": "graded"}, status
    assert bad["huge-exponent.toml"]["step1.loss"] == "unusable"  # one claim: the rest is graded
    for name in ("huge-int-claim.toml", "huge-int-name.toml"):
        line = next(n for n, raw in enumerate(subs[name].splitlines(), start=1) if len(raw) > 4000)
        assert f"{name}, line {line}: an integer with thousands of digits" in bad[name]["reason"]
    assert "exponent of 5,000 digits" in bad["huge-exponent.toml"]["reason"]
    assert "nest too deeply" in bad["deep.toml"]["reason"]
    assert "not UTF-8" in bad["latin1.toml"]["reason"]
    assert all(r["reason"].startswith(str(tmp_path / "subs")) or "not UTF-8" in r["reason"] for r in bad.values())


@pytest.mark.parametrize("name", list(poison()))
def test_each_poison_alone_is_recorded_and_the_next_submission_graded(tmp_path, name):
    code, rows, err = grade(tmp_path, {name: poison()[name], "next.toml": GOOD})
    graded = name == "huge-exponent.toml"  # one unreadable claim: the rest of the submission is graded
    assert code == (0 if graded else 1) and "Traceback" not in err, err[-800:]
    assert rows[name]["status"] == ("graded" if graded else "malformed") and rows[name]["reason"]
    assert rows["next.toml"]["status"] == "graded"


def test_an_unreadable_claim_is_unusable_and_the_rest_of_the_submission_graded(tmp_path):
    typo = GOOD.replace('a3 = ["0.420"]', 'a3 = ["0.42x0"]', 1)
    misnamed = GOOD.replace('z3 = ["-0.322"]', 'zz3 = ["-0.322"]', 1)
    shape = GOOD.replace('db3 = ["-0.117"]', 'db3 = ["-0.117", "1"]', 1)
    assert typo != GOOD and misnamed != GOOD and shape != GOOD
    code, rows, err = grade(tmp_path, {"typo.toml": typo, "misnamed.toml": misnamed, "shape.toml": shape,
                                       "good.toml": GOOD})
    assert code == 0, err[-800:]
    assert {r["status"] for r in rows.values()} == {"graded"}
    good, row = rows["good.toml"], rows["typo.toml"]
    assert row["step1.a3[1]"] == "unusable" and good["step1.a3[1]"] == "correct"
    line = next(n for n, raw in enumerate(typo.splitlines(), start=1) if "0.42x0" in raw)
    assert f"typo.toml, line {line}: step 1, a3: '0.42x0' is not a number" in row["reason"]
    others = [c for c in good if c.startswith("step") and c != "step1.a3[1]"]
    assert all(row[c] in ("correct", "follows", "wrong") for c in others), "every other claim is judged"
    before = [c for c in others if c.startswith(("step1.z2", "step1.a2", "step1.z3"))]
    assert len(before) == 5 and all(row[c] == good[c] for c in before)  # what a3 cannot have changed
    assert float(row["score"]) < float(good["score"])
    assert rows["misnamed.toml"]["step1.z3[1]"] == "missing" and "zz3" in rows["misnamed.toml"]["reason"]
    assert rows["shape.toml"]["step1.db3[1]"] == "unusable" and "has shape [2]" in rows["shape.toml"]["reason"]


FANOUT = (Path(__file__).resolve().parents[2] / "reports" / "examples" / "circuit-fanout.toml").read_text(
    encoding="utf-8").replace('"df/dx" = "-2"', '"df/dx" = "-8"')


def circuit_poison() -> dict[str, str]:
    """Circuit submissions: their own [graph] holding what once hung or crashed `check` (a submission
    must state the key's problem, so these are refused as differing), and claims-only ones whose
    claims cannot be read (that claim unusable, the rest graded)."""
    steps = FANOUT[FANOUT.index("[[step]]"):]
    return {
        "input-1e999999999.toml": FANOUT.replace("x = 3", 'x = "1e999999999"'),
        "input-500-digits.toml": FANOUT.replace("x = 3", f'x = "{"1" * 500}"'),
        "statement-1e999.toml": FANOUT.replace('"p = x * y"', '"p = 1e999 * x * y"'),
        "statement-import.toml": FANOUT.replace('"p = x * y"', '"p = __import__(\'os\').getpid()"'),
        "claim-exponent.toml": 'student = "e"\n' + steps.replace('"df/dy" = "-3"', '"df/dy" = "1e999999999"'),
        "claim-hex.toml": 'student = "h"\n' + steps.replace('"df/dy" = "-3"', '"df/dy" = "0x10"'),
    }


def test_a_poisoned_circuit_class_gets_one_row_per_submission_on_the_first_run(tmp_path):
    key = tmp_path / "key.toml"
    key.write_text(FANOUT, encoding="utf-8")
    folder = tmp_path / "subs"
    folder.mkdir()
    steps = FANOUT[FANOUT.index("[[step]]"):]
    subs = {f"good{k:02d}.toml": f'student = "student {k}"\n' + steps for k in range(10)} | circuit_poison()
    for name, body in subs.items():
        (folder / name).write_text(body, encoding="utf-8")
    book = tmp_path / "book.csv"
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        code = main(["grade", str(folder), "--key", str(key), "--out", str(book), "--jobs", "2"])
    with book.open(newline="", encoding="utf-8") as fh:
        rows = {Path(r["file"]).name: r for r in csv.DictReader(fh)}
    assert code == 1 and "Traceback" not in err.getvalue(), err.getvalue()[-800:]
    assert sorted(rows) == sorted(subs), "every submission has its row"
    assert all(rows[f"good{k:02d}.toml"]["status"] == "graded" for k in range(10))
    stated = [name for name in circuit_poison() if not name.startswith("claim-")]
    assert all(rows[n]["status"] == "malformed" and rows[n]["reason"].startswith(str(folder)) for n in stated)
    for name in ("claim-exponent.toml", "claim-hex.toml"):
        assert rows[name]["status"] == "graded" and rows[name]["step1.df/dy"] == "unusable", rows[name]
        assert rows[name]["step1.df/dx"] == "correct"
