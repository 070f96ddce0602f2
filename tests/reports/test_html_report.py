"""The HTML report is one self-contained file whose mathematics really renders in Chromium."""

from __future__ import annotations

import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import browser  # noqa: E402
import test_render_fixtures as FIX  # noqa: E402

from gradverify.render.html import render_html  # noqa: E402


@pytest.fixture(scope="module")
def html_text() -> str:
    return render_html(FIX.sample_model(diagnosis=FIX.HOSTILE))


def test_self_contained_no_script_no_network(html_text: str) -> None:
    lowered = html_text.lower()
    assert "<script" not in lowered and "<link" not in lowered and "@import" not in lowered
    assert "url(" not in lowered and "<iframe" not in lowered and "<img" not in lowered
    urls = set(re.findall(r"https?://[^\s\"'<>)]+", html_text))
    assert urls <= {"http://www.w3.org/1998/Math/MathML", "http://www.w3.org/2000/svg"}, urls


def test_user_text_is_escaped(html_text: str) -> None:
    assert "<script>alert(1)</script>" not in html_text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html_text
    assert "&lt;b&gt;bold&lt;/b&gt;" in html_text


def test_math_font_rule_and_verdicts_without_colour(html_text: str) -> None:
    rule = re.search(r"math\s*\{[^}]*font-family:([^;]+);", html_text)
    assert rule is not None
    for font in ("Latin Modern Math", "STIX Two Math", "TeX Gyre Termes Math"):
        assert font in rule.group(1)
    for symbol, word in (("\u2713", "correct"), ("\u2192", "follows"), ("\u2717", "wrong")):
        assert re.search(f"{symbol} {word}", html_text)


def test_every_math_and_svg_element_is_well_formed_xml(html_text: str) -> None:
    maths = re.findall(r"<math\b.*?</math>", html_text, flags=re.S)
    svgs = re.findall(r"<svg\b.*?</svg>", html_text, flags=re.S)
    assert len(maths) > 20 and len(svgs) == 2
    for block in maths + svgs:
        ET.fromstring(block)
    assert not re.search(r"<m[on]>-", html_text)  # minus is U+2212 everywhere


def test_numbers_and_minus_in_the_claims_table(html_text: str) -> None:
    assert "<mo>\u2212</mo><mn>0.117</mn>" in html_text
    assert "<mn>0.2304</mn>" in html_text and "<mn>0.210</mn>" in html_text
    assert "<mn>7.2</mn><mo>\u00d7</mo><msup><mn>10</mn><mrow><mo>\u2212</mo><mn>3</mn></mrow></msup>" in html_text


MEASURE = {
    "maths": "document.querySelectorAll('math').length",
    "frac": """(() => { const out = [];
        for (const f of document.querySelectorAll('mfrac')) {
          const n = f.children[0].getBoundingClientRect(), d = f.children[1].getBoundingClientRect();
          out.push([n.bottom, d.top, n.width, d.width]); }
        return out; })()""",
    "box": "(() => { const r = document.querySelector('table.claims math').getBoundingClientRect(); return [r.width, r.height]; })()",
    "sup": """(() => { const s = document.querySelector('msup'); const b = s.children[0].getBoundingClientRect(),
        e = s.children[1].getBoundingClientRect();
        return [b.top, e.top, parseFloat(getComputedStyle(s.children[0]).fontSize),
                parseFloat(getComputedStyle(s.children[1]).fontSize)]; })()""",
    "svg": "Array.from(document.querySelectorAll('svg')).map(s => { const r = s.getBoundingClientRect(); return [r.width, r.height]; })",
    "font": "getComputedStyle(document.querySelector('math')).fontFamily",
}


def test_chromium_renders_the_mathematics(tmp_path: Path, html_text: str) -> None:
    path = tmp_path / "report.html"
    path.write_text(html_text, encoding="utf-8")
    page = browser.load(path, MEASURE, fonts_for=("table.claims math mn", "table.claims math mi"))
    v = page.values
    assert v["maths"] > 20
    # MathML layout, not inline text: every fraction's numerator sits above its denominator
    assert v["frac"] and all(nb <= dt + 0.5 and nw > 0 and dw > 0 for nb, dt, nw, dw in v["frac"])
    # a superscript is raised and set in a smaller size than its base (MathML script level)
    base_top, exp_top, base_size, exp_size = v["sup"]
    assert exp_top < base_top and exp_size < base_size
    assert v["box"][0] > 5 and v["box"][1] > 5
    assert len(v["svg"]) == 2 and all(w > 100 and h > 100 for w, h in v["svg"])
    assert "Latin Modern Math" in v["font"]
    # the glyphs were really drawn with an OpenType math font (installed: fonts-texgyre-math / lm)
    for selector, used in page.fonts.items():
        assert used and all("Math" in name for name in used), (selector, used)
    # the page asked for nothing but itself
    assert page.requests and all(u.startswith("file:") for u in page.requests), page.requests
    # the screenshot is not blank: text, tables and pictures put ink on it
    assert browser.ink_fraction(page.png) > 0.01


def test_notebook_fragment_is_scoped_and_has_the_same_mathematics(html_text: str) -> None:
    from gradverify.render import html_fragment, latex_fragment

    model = FIX.sample_model(diagnosis=FIX.HOSTILE)
    frag = html_fragment(model)
    assert frag.startswith('<div class="gradverify-report">') and "<!DOCTYPE" not in frag and "<body" not in frag
    css = re.search(r"<style>(.*?)</style>", frag, re.S).group(1)
    for rule in re.findall(r"([^{}]+)\{", css):
        if not rule.strip().startswith("@media"):
            assert all(sel.strip().startswith(".gradverify-report") for sel in rule.split(",")), rule
    same = lambda text: re.findall(r"<math\b.*?</math>", text, flags=re.S)  # noqa: E731
    assert same(frag) == same(html_text)
    tex = latex_fragment(model)
    assert "\\documentclass" not in tex and "\\section*{Summary}" in tex
