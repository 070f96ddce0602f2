"""A worked example that records its expected verdicts (`[expect]`) exits 0 when every verdict is the
one it expects, a seed's recorded mistakes included, and 1 when one differs; a file without
`[expect]` keeps the rule: 1 when a number is wrong."""

from __future__ import annotations

from pathlib import Path

from gradverify.cli import main

EXAMPLES = Path(__file__).resolve().parents[2] / "reports" / "examples"


SEED_EXAMPLES = ("cs7015-q3-half", "cs7015-q3-working", "seed000-batch-mean", "seed001-sigmoid-graph",
                 "seed001-tanh-graph", "seed002-chain", "seed003-relu-softmax")


def test_the_seed_examples_with_their_expectations_exit_0(capsys):
    for name in SEED_EXAMPLES:
        assert main(["check", "--example", name]) == 0, name
    out = capsys.readouterr().out
    assert out.count("Every verdict is the one the file's [expect] table records (exit status 0).") == \
        sum("\n[expect]" in (EXAMPLES / f"{name}.toml").read_text() for name in SEED_EXAMPLES)


def test_the_seed_examples_record_the_seeds_own_slips_as_wrong():
    """Each example's [expect] marks wrong exactly the seed's slips its comments name: the typo
    b2[1] = -0.29, the -1 of du/dx dropped, a path of the tanh graph left out, dE/dz's lost sign."""
    import tomllib

    wrong = {name: sorted(k for k, v in tomllib.loads((EXAMPLES / f"{name}.toml").read_text())["expect"].items()
                          if v == "wrong")
             for name in ("cs7015-q3-half", "seed001-sigmoid-graph", "seed001-tanh-graph", "seed002-chain")}
    assert wrong == {"cs7015-q3-half": ["step2.b2[1]"], "seed001-sigmoid-graph": ["step1.df/dx"],
                     "seed001-tanh-graph": ["step1.dy/dx"], "seed002-chain": ["step1.dE/dz"]}


def test_a_verdict_that_differs_from_the_expected_one_exits_1(tmp_path, capsys):
    text = (EXAMPLES / "cs7015-q3-working.toml").read_text()
    f = tmp_path / "w.toml"
    f.write_text(text.replace('"step2.b2[1]" = "wrong"', '"step2.b2[1]" = "follows"'))
    assert main(["check", str(f)]) == 1
    assert "1 verdict differs from the file's [expect] table: step2.b2[1] expected follows, got wrong" \
        in " ".join(capsys.readouterr().out.split())


def test_without_expect_a_wrong_number_still_exits_1(capsys):
    assert main(["check", "--example", "cs7015-q3"]) == 1
    capsys.readouterr()


def test_report_exits_as_check_does(tmp_path, capsys):
    """The seed's slip recorded in [expect] exits 0 from both commands; a planted mistake not
    recorded exits 1 from both."""
    for name, status in (("seed002-chain", 0), ("circuit-fanout", 1)):
        assert main(["check", "--example", name]) == status, name
        assert main(["report", "--example", name, "--html", str(tmp_path / f"{name}.html")]) == status, name
    capsys.readouterr()
