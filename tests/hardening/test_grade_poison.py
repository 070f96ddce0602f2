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
    assert {r["status"] for r in bad.values()} == {"malformed"}, {n: r["status"] for n, r in bad.items()}
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
    assert code == 1 and "Traceback" not in err, err[-800:]
    assert rows[name]["status"] == "malformed" and rows[name]["reason"]
    assert rows["next.toml"]["status"] == "graded"
