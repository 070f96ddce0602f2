"""The one step visitor prints every node type of `gradverify.derivations.steps` to both MathML and LaTeX,
for the derivation of every catalog entry, and both printings say the same thing."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import sympy as sp

sys.path.insert(0, str(Path(__file__).parent))
import browser  # noqa: E402

from gradverify.derivations import catalog  # noqa: E402
from gradverify.derivations.prose import Prose  # noqa: E402
from gradverify.derivations.steps import Step, derivation  # noqa: E402
from gradverify.render import latex  # noqa: E402
from gradverify.render.latexdoc import compile_pdf, pdflatex_path  # noqa: E402
from gradverify.render.notation import LATEX, MATHML  # noqa: E402
from gradverify.render.steps import StepVisitor, both, node_types  # noqa: E402

x, u = sp.symbols("x u")
KINDS = ("derivation", "rule", "graph", "node", "paths", "path", "simplify", "form")  # gradverify.derivations.steps


def _balanced(tex: str) -> bool:
    depth = 0
    for ch in re.sub(r"\\[{}]", "", tex):
        depth += ch == "{"
        depth -= ch == "}"
        if depth < 0:
            return False
    return depth == 0


@pytest.fixture(scope="module")
def trees() -> dict[str, Step]:
    return {e.name: derivation(e.name) for e in catalog.entries()}


def test_every_node_type_of_the_step_trees_has_its_own_method(trees: dict[str, Step]) -> None:
    seen = {step.kind for tree in trees.values() for step, _ in tree.walk()}
    assert seen <= set(KINDS), seen - set(KINDS)
    assert set(KINDS) <= set(node_types())
    for kind in KINDS:
        assert callable(getattr(StepVisitor, f"visit_{kind}"))


def _words_in_order(words: list[str], printed: str) -> bool:
    at = 0
    for w in words:
        at = printed.find(w, at)
        if at < 0:
            return False
        at += len(w)
    return True


def test_every_catalog_derivation_prints_to_mathml_and_latex_alike(trees: dict[str, Step]) -> None:
    kinds = set()
    for name, tree in trees.items():
        ml, tex = both(tree)
        nodes = [node for node, _ in tree.walk()]
        assert len(ml) == len(tex) == len(nodes)
        for node, m, t in zip(nodes, ml, tex):
            kinds.add(m.kind)
            assert (m.kind, m.depth) == (t.kind, t.depth)
            # the rule and its note: the same words, escaped for each format; each formula typeset
            parts = node.note.parts if isinstance(node.note, Prose) else (str(node.note),)
            words = [node.rule] + [p for p in parts if isinstance(p, str) and p]
            assert _words_in_order([html.escape(w, quote=False) for w in words], m.rule), (name, m.rule)
            assert _words_in_order([latex.escape(w) for w in words], t.rule), (name, t.rule)
            assert m.rule.count("<math") == sum(1 for p in parts if not isinstance(p, str)), (name, m.rule)
            root = ET.fromstring(m.math)
            assert root.tag.endswith("math")
            assert not re.search(r"<m[on]>-", m.math)  # true minus only
            assert t.math.startswith("$") and t.math.endswith("$") and _balanced(t.math), (name, t.math)
    assert kinds == set(KINDS)  # the catalog's trees use every node type


def test_a_derivation_line_is_d_dx_of_the_function() -> None:
    ml, tex = both(derivation("sigmoid", forms=False))
    assert tex[0].math.startswith(r"${\frac{d}{d x} \frac{1}{1 + e^{- x}} =")
    assert "<mo>=</mo>" in ml[0].math and "<mi>d</mi>" in ml[0].math or "d" in ml[0].math
    graph = next(line for line in tex if line.kind == "graph")
    assert graph.math.startswith(r"${\frac{d}{d x}")  # the variable read from the sum over paths
    path = next(line for line in tex if line.kind == "path")
    assert r"\rightarrow" in path.math and r"\Rightarrow" in path.math


def test_words_in_symbols_are_text_not_subscripts() -> None:
    ml, tex = both(Step("rule", "chain rule", sp.Symbol("dL/dx_i"), sp.Symbol("s_i") - sp.Symbol("y_i")))
    assert "<mtext>dL/dx_i</mtext>" in ml[0].math
    assert r"\text{dL/dx\texttt{\char95}i}" in tex[0].math


def test_all_latex_printings_compile(tmp_path: Path, trees: dict[str, Step]) -> None:
    browser.require("pdflatex", pdflatex_path())
    browser.require("pdftotext", shutil.which("pdftotext"))
    lines = [line for name in ("sigmoid", "tanh", "relu", "softmax", "softmax_cross_entropy", "huber")
             for line in both(trees[name])[1]]
    body = "\n\n".join(f"\\noindent{line.math}" for line in lines)
    doc = ("\\documentclass{article}\\usepackage{amsmath,amssymb}\\usepackage[margin=1cm]{geometry}"
           "\\begin{document}\n" + body + "\n\\end{document}\n")
    pdf = compile_pdf(doc, tmp_path / "steps.pdf", runs=1)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "\u2202" in text and "softmax" not in text  # the partial derivatives typeset; the lines hold maths only


def test_visitor_is_bound_to_one_notation() -> None:
    assert StepVisitor(MATHML).n is MATHML and StepVisitor(LATEX).n is LATEX
