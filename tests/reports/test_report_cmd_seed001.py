"""The bundled seed-001 example end to end: `gradverify report` writes HTML that renders in
headless Chromium offline and a PDF that pdflatex compiles, both with every claim, its three truth
columns, verdict and diagnosis, the network pictures and the plots (issue 6's "done when")."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import browser  # noqa: E402

from gradverify.cli import main  # noqa: E402
from gradverify.render.latexdoc import pdflatex_path  # noqa: E402

# the hand's numbers of seed 001 (CS 7015 Q3) and the lead's verdicts for them
HAND = ["0.210", "0.552", "0.2304", "0.117", "0.065", "0.1928", "0.2937", "0.3991", "0.1976", "0.5003",
        "0.235", "0.151", "0.29", "0.197", "0.1907", "0.5475", "0.2336", "0.4638", "0.1903"]


@pytest.fixture(scope="module")
def html_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("seed001") / "q3.html"
    assert main(["report", "--example", "cs7015-q3", "--html", str(out)]) == 1  # two claims are wrong
    return out


def test_html_has_every_claim_with_its_truth_columns(html_report: Path) -> None:
    from gradverify.judge import verdicts as judge
    from gradverify.judge import worked

    result = judge.judge(worked.load_example("cs7015-q3"))
    html = html_report.read_text(encoding="utf-8")
    rows = re.findall(r'<tr class="(correct|follows|wrong)"[^>]*>(.*?)</tr>', html, flags=re.S)
    assert [v for v, _ in rows] == [c.verdict for c in result.claims]
    assert sum(v == "wrong" for v, _ in rows) == 2
    for (verdict, cells), claim in zip(rows, result.claims):
        tds = re.findall(r"<td[^>]*>(.*?)</td>", cells, flags=re.S)
        claimed, symbolic, analytic, numeric = tds[1], tds[2], tds[3], tds[4]
        digits = re.match(r"\s*-?([0-9.]+)", claim.claimed).group(1)  # the mantissa as written
        assert f"<mn>{digits}</mn>" in claimed, claim.claimed  # printed digits kept
        if claim.exact is not None:
            assert "<math" in symbolic and "<math" in analytic and "<math" in numeric, claim.name
    for number in HAND:
        assert f"<mn>{number}</mn>" in html, number
    assert "the gradient of <math" in html and "typo" in html  # the 1/2 (y-a)^2 of the diagnosis typeset
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" class="network"') == 2
    assert html.count('class="plot"') == 2  # sigmoid and the squared error


def test_html_renders_offline_in_chromium(html_report: Path) -> None:
    page = browser.load(html_report, {
        "fracs": """Array.from(document.querySelectorAll('table.claims mfrac')).map(f => {
            const n = f.children[0].getBoundingClientRect(), d = f.children[1].getBoundingClientRect();
            return n.bottom <= d.top + 0.5 && n.width > 0; })""",
        "rows": "document.querySelectorAll('table.claims tbody tr:not(.why)').length",
        "svgs": "Array.from(document.querySelectorAll('svg')).map(s => s.getBoundingClientRect().height)",
    }, fonts_for=("table.claims math mn",))
    assert page.values["fracs"] and all(page.values["fracs"])
    assert page.values["rows"] >= 40
    assert len(page.values["svgs"]) == 4 and min(page.values["svgs"]) > 100
    assert all(u.startswith("file:") for u in page.requests), page.requests
    assert all("Math" in f for f in page.fonts["table.claims math mn"])
    assert browser.ink_fraction(page.png) > 0.01


def test_pdf_compiles_with_the_key_numbers_and_verdicts(tmp_path: Path) -> None:
    browser.require("pdflatex", pdflatex_path())
    browser.require("pdftotext", shutil.which("pdftotext"))
    pdf, tex = tmp_path / "q3.pdf", tmp_path / "q3.tex"
    assert main(["report", "--example", "cs7015-q3", "--pdf", str(pdf), "--latex", str(tex)]) == 1
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert int(re.search(r"Pages:\s+(\d+)", info).group(1)) > 0
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout.replace("\u2212", "-")
    for number in ("0.2304", "-0.117", "0.1903", "0.1928", "-0.29", "7.2 × 10-3"):
        assert number in text, number
    for word in ("correct", "follows", "wrong", "Diagnosis", "typo", "Step 1", "Step 2", "layer 3", "sigmoid"):
        assert word in text, word
    assert "\\documentclass[11pt]{article}" in tex.read_text(encoding="utf-8")
