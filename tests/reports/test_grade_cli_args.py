"""`gradverify grade` arguments: help with worked examples, and exit 2 with the fix for bad ones."""

from __future__ import annotations

import subprocess
import sys

import pytest

from gradverify.cli import main


def test_help_lists_options_examples_and_exit_statuses(capsys):
    with pytest.raises(SystemExit) as done:
        main(["grade", "--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    for words in ("--key KEY.toml", "--out GRADEBOOK.csv", "--timeout S", "--executor {process,dask}",
                  "gradverify grade submissions/ --key key.toml --out gradebook.csv", "exit status:"):
        assert words in out


@pytest.mark.parametrize("extra, words", [
    (["--jobs", "0"], "--jobs 0: write a number of worker processes >= 1"),
    (["--timeout", "0"], "--timeout 0: write a number of seconds > 0"),
    (["--executor", "dask"], "--executor dask needs --scheduler ADDRESS"),
    (["--scheduler", "tcp://127.0.0.1:1"], "--scheduler is for --executor dask"),
    (["--chunk", "0"], "--chunk 0: write a number of submissions >= 1"),
])
def test_bad_options_exit_2_with_the_fix(tmp_path, capsys, extra, words):
    (tmp_path / "key.toml").write_text("")
    code = main(["grade", str(tmp_path), "--key", str(tmp_path / "key.toml"),
                 "--out", str(tmp_path / "b.csv"), *extra])
    err = capsys.readouterr().err
    assert code == 2 and words in err and "Traceback" not in err


def test_missing_submission_or_key_exit_2_naming_it(tmp_path, capsys):
    (tmp_path / "key.toml").write_text("")
    assert main(["grade", str(tmp_path / "nope"), "--key", str(tmp_path / "key.toml"),
                 "--out", str(tmp_path / "b.csv")]) == 2
    assert "nope: no such file or folder" in capsys.readouterr().err
    assert main(["grade", str(tmp_path), "--key", str(tmp_path / "k2.toml"), "--out", "b.csv"]) == 2
    assert "k2.toml: no such answer key" in capsys.readouterr().err


def test_grade_starts_without_importing_sympy_or_numpy():
    code = ("import sys, argparse; from gradverify.commands import grade; "
            "grade.add_parser(argparse.ArgumentParser().add_subparsers()); "
            "print('sympy' in sys.modules, 'numpy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]
