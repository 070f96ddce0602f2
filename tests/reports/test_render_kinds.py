"""Claims beyond one formula in the typeset reports: a Jacobian written entry by entry, an
identity, a computation graph and a layer-indexed formula are printed as mathematics (MathML and
LaTeX from one expression tree: a matrix with its dots, lhs = rhs, the graph's node equations,
quantities with indices below and layers above), and the LaTeX document compiles."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import browser  # noqa: E402

from gradverify.judge.result import TableVerdict  # noqa: E402
from gradverify.render import mathml  # noqa: E402
from gradverify.render.kindmaths import maths  # noqa: E402

GRID = [[r"\sigma_1(x)(1 - \sigma_1(x))", r"\cdots", r"-\sigma_N(x)\sigma_1(x)"],
        [r"\vdots", r"\ddots", r"\vdots"],
        [r"-\sigma_1(x)\sigma_N(x)", r"\cdots", r"\sigma_N(x)(1 - \sigma_N(x))"]]
TABLES = [
    TableVerdict("derivative", 1, "[...]", "equivalent", of="softmax", wrt="x", grid=GRID),
    TableVerdict("identity", 1, r"\tanh(x) = 2\sigma(2x) - 1", "equivalent", sides=(r"\tanh(x)", r"2\sigma(2x) - 1")),
    TableVerdict("graph", 1, "u = -x; v = e^{u}", "equivalent", of="sigmoid", nodes=["u = -x", "v = e^{u}", "f = 1/(1 + v)"]),
    TableVerdict("indexed", 1, r"\Delta_i^{\ell} = \sigma_i^{L-\ell} \sum_{j=0}^{n_{L-\ell+2}-1} "
                 r"\omega_{ij}^{L-\ell+1} \Delta_j^{\ell-1}", "equivalent", layout="000"),
    TableVerdict("indexed", 2, r"\frac{\partial L}{\partial b_1^N} = dA_1^{N-1}", "not equivalent", layout="003"),
]


def test_each_kind_has_one_expression_tree():
    import sympy as sp

    grid, identity, graph, recursion, bias = (maths(t) for t in TABLES)
    assert isinstance(grid, sp.MatrixBase) and grid.shape == (3, 3)
    assert isinstance(identity, sp.Equality)
    assert isinstance(graph, sp.Tuple) and len(graph) == 3
    assert isinstance(recursion, sp.Equality) and isinstance(bias, sp.Equality)


def test_mathml_shows_dots_layers_and_partials():
    grid = mathml.expr(maths(TABLES[0]))
    assert "&#8943;" in grid and "&#8942;" in grid and "&#8945;" in grid and "<mtable" in grid
    assert "<mi>x</mi>" in grid.split("&#8943;")[0]  # sigma_1(x): x is the argument of sigma_1
    rec = mathml.expr(maths(TABLES[3]))
    assert "<msubsup><mi>&#916;</mi>" in rec and "&#8467;" in rec and "&#x2211;" in rec
    bias = mathml.expr(maths(TABLES[4]))
    assert "<mfrac><mrow><mo>&#8706;</mo><mi>L</mi></mrow>" in bias
    for text in (grid, rec, bias):
        assert "\\" not in text and "^" not in text and "**" not in text


def test_latex_of_each_kind_compiles(tmp_path):
    import sympy as sp

    pdflatex = browser.require("pdflatex", shutil.which("pdflatex"))
    body = "\n".join(r"\[" + sp.latex(maths(t)) + r"\]" for t in TABLES)
    assert r"\cdots" in body and r"\ell" in body and r"\frac{\partial L}{\partial b_{1}^{N}}" in body
    tex = tmp_path / "kinds.tex"
    tex.write_text("\\documentclass{article}\\usepackage{amsmath,amssymb}\\begin{document}" + body + "\\end{document}")
    run = subprocess.run([pdflatex, "-interaction=nonstopmode", "-halt-on-error", tex.name], cwd=tmp_path,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout[-2000:]
    assert not re.search(r"Missing character", (tmp_path / "kinds.log").read_text())


def test_a_check_report_prints_the_kinds_as_maths(tmp_path):
    from gradverify.judge.verdicts import check_text
    from gradverify.render import render_html

    base = (Path(__file__).resolve().parents[2] / "reports" / "examples" / "cs7015-q3-half.toml").read_text()
    extra = ("\n[[identity]]\nlhs = '\\tanh(x)'\nrhs = '2\\sigma(2x) - 1'\n"
             "\n[[indexed]]\nnotation = \"003\"\nclaimed = '\\frac{\\partial L}{\\partial b_1^N} = dA_1^{N-1}'\n")
    html = render_html(check_text(base + extra))
    rows = re.findall(r'<tr class="table-claim[^"]*"[^>]*>(.*?)</tr>', html, re.S)
    assert len(rows) == 2 and all("<math" in r for r in rows)
    assert "indexed formula" in rows[1]
