"""The one step visitor prints every node type to both MathML and LaTeX, with the same content."""

from __future__ import annotations

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

from reports.render.latexdoc import compile_pdf, pdflatex_path  # noqa: E402
from reports.render.notation import LATEX, MATHML  # noqa: E402
from reports.render.steps import Step, both, node_types  # noqa: E402

x, u = sp.symbols("x u")


def _tree_of_every_kind() -> Step:
    kids = [Step(kind, f"rule for {kind}", sp.exp(-x) + u, sp.tanh(x) ** 2 - 1) for kind in node_types()]
    kids.append(Step("an_unknown_kind", "rule", x, u))  # generic fallback, still printed
    kids.append(Step("substitution", "", "u = -x", None, note="words only"))
    return Step("derivative", "root", sp.Derivative(1 / (1 + sp.exp(-x)), x), sp.exp(-x), children=kids)


def _balanced(tex: str) -> bool:
    depth = 0
    for ch in re.sub(r"\\[{}]", "", tex):
        depth += ch == "{"
        depth -= ch == "}"
        if depth < 0:
            return False
    return depth == 0


def test_every_node_type_has_a_mathml_and_a_latex_printing() -> None:
    ml, tex = both(_tree_of_every_kind())
    assert len(ml) == len(tex) == len(node_types()) + 3
    kinds = {line.kind for line in ml}
    assert set(node_types()) <= kinds
    for m, t in zip(ml, tex):
        assert m.kind == t.kind and m.depth == t.depth and m.rule == t.rule
        root = ET.fromstring(m.math)
        assert root.tag.endswith("math")
        assert t.math.startswith("$") and t.math.endswith("$") and _balanced(t.math)
        # same identifiers in both printings: every mi of the MathML appears in the LaTeX
        for el in root.iter():
            if el.tag.endswith("}mi") and el.text and el.text.isascii() and el.text.isalpha():
                assert el.text in t.math, (el.text, t.math)


def test_depth_follows_the_tree() -> None:
    ml, _ = both(_tree_of_every_kind())
    assert ml[0].depth == 0 and all(line.depth == 1 for line in ml[1:])
    assert ml[0].rule == "root"


def test_relation_of_an_equivalence_is_identity_sign() -> None:
    ml, tex = both(Step("equivalence", "proved", sp.tanh(x) ** 2, 1 - 1 / sp.cosh(x) ** 2))
    assert "<mo>\u2261</mo>" in ml[0].math
    assert r"\equiv" in tex[0].math


def test_all_latex_printings_compile(tmp_path: Path) -> None:
    browser.require("pdflatex", pdflatex_path())
    browser.require("pdftotext", shutil.which("pdftotext"))
    _, tex = both(_tree_of_every_kind())
    body = "\n\n".join(f"{line.math} \\quad \\textit{{rule}}" for line in tex)
    doc = "\\documentclass{article}\\usepackage{amsmath,amssymb}\\begin{document}\n" + body + "\n\\end{document}\n"
    pdf = compile_pdf(doc, tmp_path / "steps.pdf", runs=1)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "rule" in text


def test_mathml_and_latex_come_from_the_same_visitor_methods() -> None:
    """A node type without its own method would silently differ; each type has one method."""
    from reports.render.steps import StepVisitor

    for kind in node_types():
        assert callable(getattr(StepVisitor, f"visit_{kind}"))
    assert StepVisitor(MATHML).n is MATHML and StepVisitor(LATEX).n is LATEX


@pytest.mark.parametrize("kind", ["chain", "sum_of_paths", "intermediate"])
def test_default_rule_words_when_the_node_has_none(kind: str) -> None:
    ml, tex = both(Step(kind, "", x, u))
    assert ml[0].rule and ml[0].rule == tex[0].rule
