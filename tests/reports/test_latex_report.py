"""The LaTeX report is a standalone article that pdflatex compiles, with every claim readable."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import browser  # noqa: E402
import test_render_fixtures as FIX  # noqa: E402

from gradverify.render.latexdoc import LatexError, compile_pdf, pdflatex_path, render_latex  # noqa: E402


ALLOWED_PACKAGES = {"inputenc", "textcomp", "geometry", "amsmath", "amssymb", "booktabs", "longtable",
                    "array", "xcolor"}


def pdf_text(pdf: Path) -> str:
    out = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True)
    return out.stdout.replace("\u2212", "-")


def pdf_pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def test_only_base_and_recommended_packages() -> None:
    tex = render_latex(FIX.sample_model())
    used = set()
    for group in re.findall(r"\\usepackage(?:\[[^]]*\])?\{([^}]*)\}", tex):
        used |= {p.strip() for p in group.split(",")}
    assert used <= ALLOWED_PACKAGES, used - ALLOWED_PACKAGES
    assert "tikz" not in tex and "\\write18" not in tex.split("\\begin{document}")[0]


def test_fragment_has_no_preamble() -> None:
    frag = render_latex(FIX.sample_model(), standalone=False)
    assert "\\documentclass" not in frag and "\\begin{document}" not in frag
    assert "\\section*{Summary}" in frag


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    browser.require("pdflatex", pdflatex_path())
    browser.require("pdftotext", shutil.which("pdftotext"))
    browser.require("pdfinfo", shutil.which("pdfinfo"))
    out = tmp_path_factory.mktemp("latex") / "report.pdf"
    return compile_pdf(render_latex(FIX.sample_model(diagnosis=FIX.HOSTILE)), out)


def test_pdf_shows_claims_verdicts_and_user_text_literally(compiled: Path) -> None:
    assert pdf_pages(compiled) >= 1
    text = pdf_text(compiled)
    for number in ("0.210", "0.2304", "-0.117", "-0.2339", "7.2 × 10-3"):  # the hand's numbers
        assert number in text, number
    for row in FIX.sample_model().rows:  # the truth columns, as the model holds them
        assert row.symbolic.replace("e-3", " × 10-3") in text
    for word in ("correct", "follows", "wrong", "Diagnosis", "Step 1", "Summary"):
        assert word in text
    flat = " ".join(text.split())
    assert "\\input{/etc/hostname}" in flat and "\\write18{touch pwned}" in flat
    assert "<script>alert(1)</script>" in flat


def test_pdf_has_the_network_picture_and_plot(compiled: Path) -> None:
    text = pdf_text(compiled)
    assert "layer 1" in text and "layer 3" in text  # the network picture's labels
    assert "relu" in text and "kink (convention)" in text  # the plot and its legend
    for weight in ("0.2", "0.3", "-0.3", "0.5"):
        assert weight in text


def test_a_broken_document_raises_with_the_log_line(tmp_path: Path) -> None:
    browser.require("pdflatex", pdflatex_path())
    with pytest.raises(LatexError, match="Undefined control sequence"):
        compile_pdf("\\documentclass{article}\\begin{document}\\nosuchmacro\\end{document}", tmp_path / "x.pdf", runs=1)
    assert not (tmp_path / "x.pdf").exists()


def test_every_catalog_entry_compiles_in_one_pdf(tmp_path: Path) -> None:
    """Every function's section (derivation steps with their notes, forms, kinks, plot) is valid LaTeX:
    all of them in one document, compiled once."""
    browser.require("pdflatex", pdflatex_path())
    browser.require("pdftotext", shutil.which("pdftotext"))
    from gradverify.derivations import catalog
    from gradverify.render.build import model_for_derive

    models = [model_for_derive(name, {}) for name in catalog.names()]
    whole = models[0]
    whole.derivations = [d for m in models for d in m.derivations]
    text = pdf_text(compile_pdf(render_latex(whole), tmp_path / "catalog.pdf"))
    for name in catalog.names():
        assert name.replace("_", " ") in text.replace("_", " "), name
