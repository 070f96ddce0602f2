"""Every formula in a report is typeset: no text a reader sees holds ASCII mathematics (`**`, `^`,
x_i subscripts) or a Python/SymPy repr, except what the person wrote, shown as written in a code span.

Checked on the HTML of every bundled example and of every catalog entry's report, and on the text
pdftotext reads from the PDF of each bundled example (no `^` there either: "ˆ2" was a symptom).
"""

from __future__ import annotations

import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import browser  # noqa: E402

from gradverify.derivations import catalog  # noqa: E402
from gradverify.judge import worked  # noqa: E402
from gradverify.render import build, render_html, render_latex, write_reports  # noqa: E402
from gradverify.render.gallery import bundled_examples  # noqa: E402

ASCII_MATHS = re.compile(r"\*\*|\^|\b[A-Za-z]_[A-Za-z0-9]\b|\bsum_|\bexp\(|\bsqrt\(|\d[eE][+\-\u2212]?\d")
DERIVATIVE = re.compile(r"\bd(\w+|\([^()]*\))/d\w")  # "dm/dw", "d(x · y)/dy" as a circuit's sentences write them
REPR = re.compile(r"\{'|'\}|\[\[|\]\]|\b(Symbol|Function|Integer|Rational|Float|Heaviside|Piecewise|Mul|Add|Pow)\(|"
                  r"<(function|class)\b|object at 0x")
SKIP = {"math", "code", "style", "script"}  # typeset maths, the person's own text, and no text at all


class _Texts(HTMLParser):
    """The text nodes of a document with the element they sit in (outside math, code, style)."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.texts: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag not in ("br", "meta", "circle", "line", "rect", "polyline", "img", "hr", "mspace"):
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        while self.stack and self.stack.pop() != tag:
            pass

    def handle_data(self, data: str) -> None:
        if data.strip() and not SKIP & set(self.stack):
            self.texts.append((self.stack[-1] if self.stack else "", data.strip()))


def offending(html: str) -> list[tuple[str, str]]:
    """(element, text) of every text node holding ASCII mathematics or a repr."""
    parser = _Texts()
    parser.feed(html)
    return [(tag, text) for tag, text in parser.texts if ASCII_MATHS.search(text) or REPR.search(text)]


def test_the_checker_catches_what_it_is_for() -> None:
    bad = '<p>L = sum_i (y_i - a_i)^2 and -1/w**2, {\'x\': 1}</p><code>1 - tanh^2</code><math><mi>x</mi></math>'
    assert [text for _, text in offending(bad)] == ["L = sum_i (y_i - a_i)^2 and -1/w**2, {'x': 1}"]
    assert [text for _, text in offending("<p>disagreement 0.0e+00</p><td>\u2264 1e\u221215</td>")] == [
        "disagreement 0.0e+00", "\u2264 1e\u221215"]
    assert offending("<p>squared_error, to_from, per_neuron; 7.2 \u00d7 10\u207b\u00b3</p>") == []


@pytest.mark.parametrize("name", bundled_examples())
def test_bundled_example_reports_typeset_every_formula(name: str) -> None:
    html = render_html(build.model_from_result(build.check(None, name)))
    assert offending(html) == []


CIRCUITS = [n for n in bundled_examples() if not isinstance(worked.load_example(n), worked.WorkedExample)]


@pytest.mark.parametrize("name", CIRCUITS)
def test_circuit_diagnoses_typeset_their_derivatives(name: str) -> None:
    """The judge writes "in dm/dw for m = max(z, w)"; the report shows a fraction (the title, the
    person's own text, is shown as written)."""
    html = render_html(build.model_from_result(build.check(None, name)))
    parser = _Texts()
    parser.feed(html)
    assert [t for tag, t in parser.texts if tag not in ("title", "h1") and DERIVATIVE.search(t)] == []


@pytest.mark.parametrize("name", catalog.names())
def test_catalog_reports_typeset_every_formula(name: str) -> None:
    html = render_html(build.model_for_derive(name, {}))
    assert offending(html) == []


@pytest.mark.parametrize("name", bundled_examples() + [f"derive-{n}" for n in catalog.names()])
def test_latex_prints_every_character_of_the_reports_own_words(name: str) -> None:
    """A character pdflatex's fonts cannot print becomes "?" (the escape's last resort): the report's
    own words ("s\u2081 of (x, 0.5, 0.5)", "x4 = 2.88, \u2026") must never need it."""
    model = (build.model_for_derive(name.removeprefix("derive-"), {}) if name.startswith("derive-")
             else build.model_from_result(build.check(None, name)))
    assert re.findall(r".{20}\?.{6}", render_latex(model)) == []


@pytest.mark.parametrize("name", bundled_examples())
def test_pdf_text_has_no_ascii_powers(name: str, tmp_path: Path) -> None:
    """Only the person's own writing (claims shown as written, in typewriter) may hold a ^."""
    browser.require("pdftotext", browser.shutil.which("pdftotext"))
    result = build.check(None, name)
    pdf = tmp_path / f"{name}.pdf"
    write_reports(build.model_from_result(result), pdf=pdf)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True,
                          timeout=60).stdout
    written = [c.claimed for c in result.claims] + [t.claimed for t in result.derivatives]
    powers = [token for token in text.split() if "^" in token]
    assert all(any(token in w for w in written) for token in powers), powers
    assert "\u02c6" not in text and "**" not in text
