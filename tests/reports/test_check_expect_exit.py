"""A worked example that records its expected verdicts (`[expect]`) exits 0 when every verdict is the
one it expects, a seed's recorded mistakes included, and 1 when one differs; a file without
`[expect]` keeps the rule: 1 when a number is wrong."""

from __future__ import annotations

from pathlib import Path

from gradverify.cli import main

EXAMPLES = Path(__file__).resolve().parents[2] / "reports" / "examples"


def test_the_seed_examples_with_their_expectations_exit_0(capsys):
    for name in ("cs7015-q3-working", "seed000-batch-mean", "seed003-relu-softmax"):
        assert main(["check", "--example", name]) == 0, name
    capsys.readouterr()


def test_a_verdict_that_differs_from_the_expected_one_exits_1(tmp_path, capsys):
    text = (EXAMPLES / "cs7015-q3-working.toml").read_text()
    f = tmp_path / "w.toml"
    f.write_text(text.replace('"step2.b2[1]" = "wrong"', '"step2.b2[1]" = "follows"'))
    assert main(["check", str(f)]) == 1
    capsys.readouterr()


def test_without_expect_a_wrong_number_still_exits_1(capsys):
    assert main(["check", "--example", "cs7015-q3"]) == 1
    capsys.readouterr()
