"""Reports as a reader sees them in Chromium at 800, 1280 and 1700 px: nothing clipped or pushed
off the page, and the network picture's weights readable (no label on another, no line through one).

Measured in the browser (bounding boxes, SVG text boxes), then checked here with plain geometry.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import browser  # noqa: E402

from gradverify.render import build, render_html  # noqa: E402
from gradverify.render.gallery import bundled_examples  # noqa: E402

WIDTHS = (800, 1280, 1700)

# Every table cell: its right edge, and the right edge it may reach (the viewport, or the end of
# the scrolled content of the nearest ancestor that scrolls sideways, which must itself fit).
CELLS = """(() => {
  const vw = document.documentElement.clientWidth, out = [];
  for (const cell of document.querySelectorAll('td, th')) {
    const r = cell.getBoundingClientRect();
    if (r.width === 0) continue;
    let limit = vw, box = null;
    for (let p = cell.parentElement; p; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX;
      if (o === 'auto' || o === 'scroll') { box = p; break; }
    }
    if (box) {
      const b = box.getBoundingClientRect();
      limit = Math.min(b.left + box.scrollWidth, b.right > vw ? -1 : Infinity);
    }
    out.push([cell.textContent.trim().slice(0, 50), r.right, limit]);
  }
  return out; })()"""
PAGE = "[document.documentElement.clientWidth, document.documentElement.scrollWidth]"
# Each network picture in its own units: edge-label boxes as the browser sets the text, and lines.
NETWORK = """Array.from(document.querySelectorAll('svg.network')).map(svg => ({
  labels: Array.from(svg.querySelectorAll('text.edge-label')).map(t => {
    const b = t.getBBox(); return [t.textContent, b.x, b.y, b.x + b.width, b.y + b.height]; }),
  lines: Array.from(svg.querySelectorAll('line')).map(l =>
    ['x1', 'y1', 'x2', 'y2'].map(a => parseFloat(l.getAttribute(a)))) }))"""


def _reports() -> dict[str, str]:
    out = {name: render_html(build.model_from_result(build.check(None, name))) for name in bundled_examples()}
    out["derive-softmax"] = render_html(build.model_for_derive("softmax", {}))
    return out


@pytest.fixture(scope="module")
def measured(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[int, dict]]:
    folder = tmp_path_factory.mktemp("geometry")
    out = {}
    for name, html in _reports().items():
        path = folder / f"{name}.html"
        path.write_text(html, encoding="utf-8")
        out[name] = browser.measure_widths(path, {"cells": CELLS, "page": PAGE, "network": NETWORK}, WIDTHS)
    return out


def test_every_cell_is_on_the_page_or_in_its_scroll_container(measured: dict) -> None:
    for name, by_width in measured.items():
        for width, v in by_width.items():
            client, scroll = v["page"]
            assert scroll <= client, f"{name} at {width} px: the page scrolls sideways ({scroll} > {client})"
            outside = [(text, right, limit) for text, right, limit in v["cells"] if right > limit + 0.5]
            assert not outside, f"{name} at {width} px: cells beyond the page: {outside[:5]}"


def test_edge_labels_neither_overlap_nor_sit_on_a_line(measured: dict) -> None:
    pictures = 0
    for name, by_width in measured.items():
        for picture in by_width[WIDTHS[0]]["network"]:  # SVG units: the same at every width
            pictures += 1
            labels = picture["labels"]
            assert labels, f"{name}: the weights are written on the edges"
            for i, (text, *box) in enumerate(labels):
                for other, *box2 in labels[i + 1:]:
                    apart = box[2] <= box2[0] or box2[2] <= box[0] or box[3] <= box2[1] or box2[3] <= box[1]
                    assert apart, f"{name}: labels {text} and {other} overlap"
                hit = [line for line in picture["lines"] if browser.segment_crosses_box(line, tuple(box))]
                assert not hit, f"{name}: a line crosses the label {text}: {hit[:2]}"
    assert pictures >= 3
