"""`gradverify report`: options checked before any work, clear messages, exit status 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from gradverify.cli import main


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    status = main(["report", *argv])
    return status, capsys.readouterr().err


def test_needs_an_output(capsys: pytest.CaptureFixture[str]) -> None:
    status, err = _run(["--example", "cs7015-q3"], capsys)
    assert status == 2 and "--html" in err and "--pdf" in err


def test_needs_exactly_one_source(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    status, err = _run(["x.toml", "--example", "cs7015-q3", "--html", str(tmp_path / "a.html")], capsys)
    assert status == 2 and "exactly one of FILE, --example NAME or --derive NAME" in err
    status, err = _run(["--html", str(tmp_path / "a.html")], capsys)
    assert status == 2 and "exactly one" in err


def test_param_only_with_derive_and_well_formed(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    status, err = _run(["--example", "cs7015-q3", "--param", "alpha=0.1", "--html", str(tmp_path / "a.html")], capsys)
    assert status == 2 and "--param only applies with --derive" in err
    status, err = _run(["--derive", "leaky_relu", "--param", "alpha", "--html", str(tmp_path / "a.html")], capsys)
    assert status == 2 and "NAME=VALUE" in err


def test_missing_output_directory_is_named(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out = tmp_path / "no" / "such" / "dir" / "r.html"
    status, err = _run(["--example", "cs7015-q3", "--html", str(out)], capsys)
    assert status == 2 and str(out.parent) in err and "does not exist" in err


def test_help_has_worked_examples_and_starts_without_sympy() -> None:
    code = ("import sys; from gradverify.cli import build_parser; p = build_parser(); "
            "h = p._subparsers._group_actions[0].choices['report'].format_help(); "
            "assert 'gradverify report --example cs7015-q3' in h and '--derive' in h, h; "
            "assert 'sympy' not in sys.modules and 'numpy' not in sys.modules, "
            "[m for m in ('sympy', 'numpy') if m in sys.modules]")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_derive_report_shows_the_catalog_entry(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """relu: SymPy's derivative shown with the kink convention (0 at x = 0), forms with proof verdicts."""
    out = tmp_path / "relu.html"
    assert main(["report", "--derive", "relu", "--html", str(out)]) == 0
    html = out.read_text(encoding="utf-8")
    assert "&#x398;" not in html  # never SymPy's theta: the convention is spelled out as cases
    assert html.count("<mtr>") >= 3  # {1 if x > 0; 0 if x = 0; 0 otherwise}
    for word in ("proved", "refuted", "equal except at kink", "PyTorch"):
        assert word in html
    assert html.count("<svg") == 1  # the plot


def test_derive_unknown_name_suggests_close_ones(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    status, err = _run(["--derive", "relux", "--html", str(tmp_path / "r.html")], capsys)
    assert status == 2 and "relu" in err and "Traceback" not in err
    assert not (tmp_path / "r.html").exists()


def test_derive_with_parameter_changes_the_kink_value(tmp_path: Path) -> None:
    out = tmp_path / "leaky.html"
    assert main(["report", "--derive", "leaky_relu", "--param", "alpha=0.2", "--html", str(out)]) == 0
    html = out.read_text(encoding="utf-8")
    assert "<mn>0.2</mn>" in html or "<mfrac><mn>1</mn><mn>5</mn></mfrac>" in html


def test_gallery_writes_every_bundled_example_and_an_index(tmp_path: Path) -> None:
    from gradverify.render.gallery import build_gallery, bundled_examples

    written = build_gallery(tmp_path, pdf=False, entries=("relu",))
    names = {p.name for p in written}
    for example in bundled_examples():
        assert f"{example}.html" in names
    assert "derive-relu.html" in names and written[-1].name == "index.html"
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert all(f'href="{n}"' in index for n in names if n != "index.html")


def test_pdf_without_pdflatex_says_what_to_do(tmp_path: Path) -> None:
    """No pdflatex on PATH: exit 2, no traceback, the message names the package and --latex."""
    import os

    env = dict(os.environ, PATH=str(Path(sys.executable).parent))  # the venv only: no TeX
    proc = subprocess.run([sys.executable, "-m", "gradverify", "report", "--derive", "relu", "--pdf",
                           str(tmp_path / "r.pdf")], capture_output=True, text=True, env=env)
    assert proc.returncode == 2, proc.stderr
    assert "pdflatex" in proc.stderr and "--latex" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "r.pdf").exists()


@pytest.mark.parametrize("value", ["abc", "nan", "inf", "1/0"])
def test_param_value_must_be_a_number(value: str, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    status, err = _run(["--derive", "leaky_relu", "--param", f"alpha={value}", "--html", str(tmp_path / "r.html")], capsys)
    assert status == 2 and "finite number" in err and "Traceback" not in err


def test_unknown_param_names_the_known_ones(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    status, err = _run(["--derive", "leaky_relu", "--param", "beta=1", "--html", str(tmp_path / "r.html")], capsys)
    assert status == 2 and "alpha" in err
