"""The gradebook never loses a recorded result and never records one twice.

Kills are simulated by cutting files mid-line (what a kill during a write leaves), a full disk by a
file object that raises OSError(ENOSPC) part-way through a write.
"""

from __future__ import annotations

import csv
import errno
import io
import json

import pytest
from hypothesis import given, settings, strategies as st

from gradverify.grade.gradebook import (
    Gradebook, GradebookError, iter_journal, journal_path, load_journal, write_json,
)
from gradverify.grade.outcome import Outcome

CLAIMS = ["step1.z2[1]", "step1.loss"]


def _outcome(i: int, status: str = "graded") -> Outcome:
    return Outcome(file=f"subs/s{i}.toml", sha256=f"{i:064x}", ident=f"s{i}", status=status,
                   score=i % 3, max_score=2, correct=i % 3, wrong=2 - i % 3,
                   verdicts={"step1.z2[1]": "correct", "step1.loss": "wrong"})


def _rows(path) -> list[dict]:
    return list(csv.DictReader(io.StringIO(path.read_text())))


def _open(tmp_path, **kw):
    return Gradebook.open(tmp_path / "book.csv", CLAIMS, "k" * 64, **kw)


def test_rows_have_the_documented_columns_and_survive_reopen(tmp_path):
    book = _open(tmp_path)
    book.append([_outcome(1), _outcome(2)])
    book.close()
    rows = _rows(tmp_path / "book.csv")
    assert [r["id"] for r in rows] == ["s1", "s2"]
    assert rows[0]["step1.loss"] == "wrong" and rows[1]["score"] == "2" and rows[1]["max_score"] == "2"
    again = _open(tmp_path)
    assert again.done == {("subs/s1.toml", f"{1:064x}"), ("subs/s2.toml", f"{2:064x}")}
    again.append([_outcome(2), _outcome(3)])  # s2 already there: not written again
    again.close()
    assert [r["id"] for r in _rows(tmp_path / "book.csv")] == ["s1", "s2", "s3"]
    assert [o.ident for o in load_journal(tmp_path / "book.csv")] == ["s1", "s2", "s3"]


def test_half_written_last_line_is_cut_and_that_submission_is_not_counted_done(tmp_path):
    book = _open(tmp_path)
    book.append([_outcome(1), _outcome(2)])
    book.close()
    out = tmp_path / "book.csv"
    data = out.read_bytes()
    out.write_bytes(data[: len(data) - 9])  # killed in the middle of s2's row
    jp = journal_path(out)
    jp.write_bytes(jp.read_bytes()[:-20])  # and of its journal line
    again = _open(tmp_path)
    assert again.done == {("subs/s1.toml", f"{1:064x}")}
    again.append([_outcome(2)])
    again.close()
    assert [r["id"] for r in _rows(out)] == ["s1", "s2"]
    assert all(len(r) == 11 + len(CLAIMS) for r in _rows(out))


def test_journaled_result_whose_row_was_never_written_is_restored_not_regraded(tmp_path):
    book = _open(tmp_path)
    book.append([_outcome(1), _outcome(2)])
    book.close()
    out = tmp_path / "book.csv"
    lines = out.read_text().splitlines(keepends=True)
    out.write_text("".join(lines[:-1]))  # the kill fell between journal line and CSV row
    again = _open(tmp_path)
    assert ("subs/s2.toml", f"{2:064x}") in again.done
    again.close()
    assert sorted(r["id"] for r in _rows(out)) == ["s1", "s2"]


class FullDisk(io.FileIO):
    """A real file that accepts `room` more bytes, then fails like a full disk (partial write)."""

    room = 10**9

    def write(self, data):
        if len(data) > FullDisk.room:
            super().write(data[: FullDisk.room])
            FullDisk.room = 0
            raise OSError(errno.ENOSPC, "No space left on device")
        FullDisk.room -= len(data)
        return super().write(data)


def test_full_disk_is_reported_clearly_keeps_what_was_written_and_resume_completes(tmp_path):
    FullDisk.room = 10**9
    book = _open(tmp_path, opener=FullDisk)
    book.append([_outcome(1)])
    FullDisk.room = 30  # the next rows find the disk full part-way through
    with pytest.raises(GradebookError) as err:
        book.append([_outcome(2), _outcome(3)])
    book.close()
    msg = str(err.value)
    assert "book.csv" in msg and "disk is full" in msg and "run the same command again" in msg
    out = tmp_path / "book.csv"
    assert [r["id"] for r in _rows(out)] == ["s1"]  # nothing earlier lost, no half row left
    again = _open(tmp_path)  # space freed: resume
    assert ("subs/s1.toml", f"{1:064x}") in again.done
    again.append([_outcome(i) for i in (1, 2, 3)])
    again.close()
    assert [r["id"] for r in _rows(out)] == ["s1", "s2", "s3"]
    assert len(load_journal(out)) == 3


def test_gradebook_of_another_key_is_refused(tmp_path):
    _open(tmp_path).close()
    with pytest.raises(GradebookError, match="different answer key"):
        Gradebook.open(tmp_path / "book.csv", CLAIMS, "j" * 64)
    with pytest.raises(GradebookError, match="other claims"):
        Gradebook.open(tmp_path / "book.csv", ["step1.loss"], "k" * 64)


def test_spreadsheet_formulas_in_student_text_are_defused_and_file_still_resumes(tmp_path):
    o = _outcome(1)
    o.ident, o.file, o.reason = '=HYPERLINK("http://x")', "=evil.toml", "line1\nline2"
    book = _open(tmp_path)
    book.append([o])
    book.close()
    row = _rows(tmp_path / "book.csv")[0]
    assert row["id"].startswith("'=") and row["file"] == "'=evil.toml" and row["reason"] == "line1 line2"
    assert ("=evil.toml", o.sha256) in _open(tmp_path).done


def test_json_document_lists_every_submission_once(tmp_path):
    book = _open(tmp_path)
    book.append([_outcome(1), _outcome(2)])
    book.close()
    jp = journal_path(tmp_path / "book.csv")
    jp.write_bytes(jp.read_bytes() + jp.read_bytes().splitlines(keepends=True)[1] + b'{"half')
    write_json(tmp_path / "v.json", iter_journal(tmp_path / "book.csv"), "key.toml")
    doc = json.loads((tmp_path / "v.json").read_text())
    assert doc["key"] == "key.toml" and [s["ident"] for s in doc["submissions"]] == ["s1", "s2"]
    write_json(tmp_path / "e.json", [], 'k"ey')
    assert json.loads((tmp_path / "e.json").read_text()) == {"key": 'k"ey', "submissions": []}


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 8), st.data())
def test_any_kill_point_then_resume_gives_each_row_exactly_once(tmp_path_factory, n, data):
    tmp = tmp_path_factory.mktemp("kill")
    book = Gradebook.open(tmp / "book.csv", CLAIMS, "k" * 64)
    book.append([_outcome(i) for i in range(n)])
    book.close()
    out, jp = tmp / "book.csv", journal_path(tmp / "book.csv")
    for f in (out, jp):  # cut each file at an arbitrary byte
        raw = f.read_bytes()
        f.write_bytes(raw[: data.draw(st.integers(0, len(raw)), label=f.name)])
    again = Gradebook.open(out, CLAIMS, "k" * 64)
    again.append([_outcome(i) for i in range(n)])
    again.close()
    ids = [r["id"] for r in _rows(out)]
    assert sorted(ids) == sorted(f"s{i}" for i in range(n))


def test_a_second_run_on_the_same_gradebook_is_refused_while_the_first_writes(tmp_path):
    first = _open(tmp_path)
    with pytest.raises(GradebookError, match="another gradverify grade run"):
        _open(tmp_path)
    first.append([_outcome(1)])
    first.close()
    again = _open(tmp_path)  # the first run is over: the lock is free
    assert ("subs/s1.toml", f"{1:064x}") in again.done
    again.close()


def test_resume_recognises_odd_file_names_in_the_journal(tmp_path):
    names = ['subs/quote".toml', "subs/back\\slash.toml", "subs/ünï cödé.toml", "subs/=sum.toml"]
    outs = [Outcome(file=n, sha256=f"{i:064x}", ident=n, status="graded") for i, n in enumerate(names)]
    book = _open(tmp_path)
    book.append(outs)
    book.close()
    out = tmp_path / "book.csv"
    lines = out.read_text().splitlines(keepends=True)
    out.write_text("".join(lines[:3]))  # the CSV lost its last two rows; the journal has all four
    again = _open(tmp_path)
    assert again.done == {(o.file, o.sha256) for o in outs}
    again.close()
    assert sorted(_undefused(r["file"]) for r in _rows(out)) == sorted(names)


def _undefused(cell: str) -> str:
    return cell[1:] if cell.startswith("'=") else cell
