"""Plots keep their legend inside the plot area, "from your values" is shown at the claim's precision
plus two digits, the PDF keeps each picture with its heading and every line within the page, and a
catalog report is titled and footed as a catalog report."""

from __future__ import annotations

import math
import re
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import browser  # noqa: E402

from gradverify.render import build, render_html, render_latex  # noqa: E402
from gradverify.render.drawing import Rect, Text  # noqa: E402
from gradverify.render.gallery import bundled_examples  # noqa: E402
from gradverify.render.latexdoc import pdflatex_path  # noqa: E402
from gradverify.render.plotpicture import Plot, Series, layout  # noqa: E402


def test_the_legend_sits_inside_the_plot_area_where_it_hides_fewest_samples() -> None:
    xs = [i / 10 for i in range(-40, 41)]
    rising = Plot("sigmoid", [Series("f", xs, [1 / (1 + math.exp(-x)) for x in xs]),
                              Series("f\u2032", xs, [math.exp(-x) / (1 + math.exp(-x)) ** 2 for x in xs], dashed=True)])
    d = layout(rising)
    frame, legend = d.of(Rect)[0], d.of(Rect)[-1]
    assert frame.x <= legend.x and legend.x + legend.w <= frame.x + frame.w
    assert frame.y <= legend.y and legend.y + legend.h <= frame.y + frame.h
    # the sigmoid rises to the top right and its derivative lies low: the top left is free
    assert legend.x < frame.x + frame.w / 2 and legend.y < frame.y + frame.h / 2
    labels = [t for t in d.of(Text) if t.text in ("f", "f\u2032")]
    assert all(legend.x < t.x < legend.x + legend.w and legend.y < t.y < legend.y + legend.h for t in labels)


def test_from_your_values_has_two_digits_more_than_the_claim() -> None:
    model = build.model_from_result(build.check(None, "cs7015-q3"))
    shown = {(r.step, r.quantity, r.layer, r.index): str(r.from_claims) for r in model.rows}
    assert shown[(1, "delta", 2, (1,))] == "0.00864"  # claimed "0.009": three decimals, shown with five
    assert shown[(1, "db", 2, (1,))] == "0.00900"  # not 0.00900000
    assert shown[(1, "dW", 2, (1, 1))] == "7.200e-3"  # claimed "7.2 x 10^-3": two digits more, same power


def test_pictures_stay_with_their_headings_in_the_pdf() -> None:
    tex = render_latex(build.model_from_result(build.check(None, "cs7015-q3")))
    for block in re.findall(r"\\begin\{minipage\}\{\\linewidth\}(.*?)\\end\{minipage\}", tex, re.S):
        assert "\\section*" in block or "\\subsection*" in block
    assert len(re.findall(r"\\begin\{minipage\}", tex)) == 4  # two steps' networks, two functions' plots


def test_a_catalog_report_is_a_catalog_report() -> None:
    html = render_html(build.model_for_derive("sigmoid", {}))
    assert "Derivations of the functions used" not in html and "claim" not in html.split("<footer>")[1]
    assert "<h1>sigmoid: definition, derivative and textbook forms</h1>" in html
    worked = render_html(build.model_from_result(build.check(None, "cs7015-q3")))
    assert "Derivations of the functions used" in worked and "follows" in worked.split("<footer>")[1]


def test_a_vector_form_is_shown_once_at_its_smallest_size() -> None:
    """The softmax Jacobian's three hand forms are proved at N = 3 and N = 10; a 10 x 10 matrix of
    fractions ran off the PDF page, so each form is one row at N = 3 naming the other size."""
    from gradverify.render.figures import derivation

    forms = derivation("softmax", "activation").forms
    assert len(forms) == 3
    assert [f.status.split(" (")[0].split(";")[0] for f in forms] == ["proved", "proved", "refuted"]
    assert all(f.status.endswith(("proved at N = 10", "refuted at N = 10")) for f in forms)
    assert all("x_{3}" in f.maths.latex and "x_{4}" not in f.maths.latex for f in forms)


@pytest.mark.parametrize("name", bundled_examples() + ["derive-softmax"])
def test_nothing_in_the_pdf_runs_past_the_margin(name: str, tmp_path: Path) -> None:
    """pdflatex's log measures every line and table row: none may be wider than the text plus its
    margin (1.6 cm, 45 pt), or it leaves the page (a 10 x 10 matrix once ran 470 pt past it)."""
    browser.require("pdflatex", pdflatex_path())
    model = (build.model_for_derive("softmax", {}) if name == "derive-softmax"
             else build.model_from_result(build.check(None, name)))
    (tmp_path / "report.tex").write_text(render_latex(model), encoding="utf-8")
    subprocess.run([pdflatex_path(), "-interaction=nonstopmode", "-no-shell-escape", "report.tex"], cwd=tmp_path,
                   capture_output=True, timeout=120)
    log = (tmp_path / "report.log").read_text(errors="replace")
    assert "Output written" in log
    over = [float(w) for w in re.findall(r"Overfull \\hbox \(([0-9.]+)pt too wide\)", log)]
    assert max(over, default=0.0) < 45.0, over
