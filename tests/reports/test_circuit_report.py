"""A circuit's report: the circuit drawn in the HTML (measured in headless Chromium) and in LaTeX,
every number on its wire and inside the picture, no wire through a gate or a number, wrong claims
marked; and the truth columns of the table computed apart from the judge."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import browser  # noqa: E402
from circuits import circuit  # noqa: E402

from gradverify.judge.verdicts import check_text, judge  # noqa: E402
from gradverify.judge.worked import load_example  # noqa: E402
from gradverify.judge.worked import WorkedExample  # noqa: E402
from gradverify.render import build, formula, render_html, render_latex  # noqa: E402
from gradverify.render.circuitmaths import formula_of  # noqa: E402
from gradverify.render.circuitpicture import layout  # noqa: E402
from gradverify.render.drawing import Circle, Line, Text  # noqa: E402
from gradverify.render.gallery import bundled_examples  # noqa: E402

MICROGRAD = circuit({"a": "-4.0", "b": "2.0"}, [
    "c = a + b", "d = a * b + b**3", "c += c + 1", "c += 1 + c + (-a)", "d += d * 2 + relu(b + a)",
    "d += 3 * d + relu(b - a)", "e = c - d", "f = e**2", "g = f / 2.0", "g += 10.0 / f"],
    [{"g@2": "24.7041", "dg/da": "138.8338", "dg/db": "645.5773", "c@2": "-3", "dg/dc@3": "6.9"}])

# In each svg.circuit, in its own units: its size, every text's box as set, every line and circle.
CIRCUIT = """Array.from(document.querySelectorAll('svg.circuit')).map(svg => ({
  size: [svg.viewBox.baseVal.width, svg.viewBox.baseVal.height],
  shown: [svg.getBoundingClientRect().width, svg.getBoundingClientRect().height],
  texts: Array.from(svg.querySelectorAll('text')).map(t => {
    const b = t.getBBox(); return [t.textContent, t.getAttribute('class') || '', b.x, b.y, b.x + b.width, b.y + b.height]; }),
  lines: Array.from(svg.querySelectorAll('line')).map(l => ['x1', 'y1', 'x2', 'y2'].map(a => parseFloat(l.getAttribute(a)))),
  circles: Array.from(svg.querySelectorAll('circle')).map(c => ['cx', 'cy', 'r'].map(a => parseFloat(c.getAttribute(a))))
}))"""
PAGE = "[document.documentElement.clientWidth, document.documentElement.scrollWidth]"
CIRCUITS = [n for n in bundled_examples() if not isinstance(load_example(n), WorkedExample)]


def _through_circle(line: list[float], circle: list[float]) -> bool:
    """The segment passes inside the circle (ending on its rim is how a wire reaches its gate)."""
    x1, y1, x2, y2 = line
    cx, cy, r = circle
    steps = max(1, int(4 * max(abs(x2 - x1), abs(y2 - y1))))
    return any((x1 + (x2 - x1) * i / steps - cx) ** 2 + (y1 + (y2 - y1) * i / steps - cy) ** 2 < (r - 1) ** 2
               for i in range(steps + 1))


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    folder = tmp_path_factory.mktemp("circuits")
    out = {}
    results = [(name, judge(load_example(name))) for name in CIRCUITS]  # every bundled circuit
    for name, result in results + [("micrograd", check_text(MICROGRAD, "micrograd.toml"))]:
        path = folder / f"{name}.html"
        path.write_text(render_html(result), encoding="utf-8")
        out[name] = browser.load(path, {"circuit": CIRCUIT, "page": PAGE}, width=1000).values
    return out


def test_the_circuit_is_drawn_and_nothing_in_it_is_clipped(pages):
    for name, values in pages.items():
        [pic] = values["circuit"]
        width, height = pic["size"]
        assert pic["shown"][0] > 0 and pic["shown"][1] > 0, name
        client, scroll = values["page"]
        assert scroll <= client, f"{name}: the page scrolls sideways"
        for text, _, left, top, right, bottom in pic["texts"]:
            assert 0 <= left and right <= width and 0 <= top and bottom <= height, f"{name}: {text!r} is clipped"


def test_no_wire_runs_through_a_number_a_name_or_a_gate(pages):
    for name, values in pages.items():
        [pic] = values["circuit"]
        for text, _, *box in pic["texts"]:
            hit = [line for line in pic["lines"] if browser.segment_crosses_box(line, tuple(box))]
            assert not hit, f"{name}: a wire crosses {text!r}: {hit[:2]}"
        for circle in pic["circles"]:
            hit = [line for line in pic["lines"] if _through_circle(line, circle)]
            assert not hit, f"{name}: a wire runs through the gate at {circle}: {hit[:2]}"
        numbers = [t for t in pic["texts"] if t[1] in ("wire-value", "wire-gradient")]
        for i, (text, _, *a) in enumerate(numbers):
            for other, _, *b in numbers[i + 1:]:
                assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], f"{name}: {text} on {other}"


def test_each_node_carries_its_value_and_gradient_and_wrong_claims_are_marked(pages):
    """circuit-add-max-mul: 8 nodes (4 inputs, 4 gates); df/dw, df/dz, df/dy and df/dx are wrong."""
    [pic] = pages["circuit-add-max-mul"]["circuit"]
    assert len(pic["circles"]) == 4
    values = [t[0] for t in pic["texts"] if t[1] == "wire-value"]
    gradients = [t[0] for t in pic["texts"] if t[1] == "wire-gradient"]
    assert values == ["3", "\u22124", "2", "\u22121", "\u221212", "2", "\u221210", "\u221220"]
    assert sorted(g for g in gradients if g.endswith("\u2717")) == ["0 \u2717", "2 \u2717", "6 \u2717", "\u22128 \u2717"]


def test_the_latex_report_draws_the_same_circuit():
    result = judge(load_example("seed002-chain"))
    tex = render_latex(result)
    assert "\\begin{picture}" in tex and "The circuit in step 1" in tex
    d = layout(build.model_from_result(result).steps[0].circuit)
    assert len(d.of(Circle)) == 5 and all(0 <= t.box.left and t.box.right <= d.width for t in d.of(Text))
    assert all(0 <= min(ln.x1, ln.x2) and max(ln.x1, ln.x2) <= d.width for ln in d.of(Line))


def test_truth_columns_come_from_sympy_float64_and_finite_differences():
    """Seed 002's chain: the symbolic, numeric and finite-difference columns agree with the judge's
    exact values to 1e-6 on every gradient (each computed apart from the judge)."""
    rows = build.model_from_result(judge(load_example("seed002-chain"))).rows
    grads = [r for r in rows if r.quantity == "grad"]
    assert grads and all(r.witness is not None and r.symbolic is not None for r in grads)
    assert all(r.disagreement is not None and r.disagreement < 1e-6 for r in rows)


@pytest.mark.parametrize("name", CIRCUITS)
def test_each_rows_formula_gives_its_value(name):
    """The formula a row shows (a gate, a gate's derivative, a sum over paths of local gradients
    times gradients), evaluated by the report's formula evaluator on the exact values of the nodes it
    names, gives the row's exact value."""
    ex = load_example(name)
    result = judge(ex)
    rows = build.model_from_result(result).rows
    step = ex.exact[0]
    values = {n: float(v) for n, v in step.values.items()}
    for row, claim in zip(rows, result.claims):
        c = row.circuit
        if c.quantity == "grad" and c.node != c.of:  # the sum over the node's readers
            shown = sum(float(step.locals[(r, c.node)]) * float(step.grads[r]) for r in c.readers)
        elif c.rule is not None:
            shown = formula.evaluate(formula_of(c.rule), lambda e: 0.0, values)
        else:
            continue
        assert shown == pytest.approx(claim.exact, rel=1e-9, abs=1e-12), (name, claim.name)
