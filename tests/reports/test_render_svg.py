"""SVG pictures: well-formed, every neuron and weight drawn, plots placed where the numbers say."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET

from hypothesis import given, settings
from hypothesis import strategies as st

from gradverify.render.netpicture import NetworkPicture
from gradverify.render.plotpicture import Plot, Series
from gradverify.render.svg import network_svg, plot_svg

SVG = "{http://www.w3.org/2000/svg}"


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(1, 12), min_size=2, max_size=5))
def test_network_draws_each_neuron_and_edge_up_to_the_limit(sizes: list[int]) -> None:
    pic = NetworkPicture(sizes, [f"layer {i}" for i in range(len(sizes))], title="net <&>")
    root = ET.fromstring(network_svg(pic))
    shown = [min(n, pic.max_neurons) for n in sizes]
    assert len(root.findall(f"{SVG}circle")) == sum(shown)
    edges = {line.get("data-edge") for line in root.findall(f"{SVG}line")}
    assert len(edges) == sum(a * b for a, b in zip(shown, shown[1:]))
    assert root.find(f"{SVG}title").text == "net <&>"
    hidden = [n - s for n, s in zip(sizes, shown) if n > s]
    notes = [t.text for t in root.iter(f"{SVG}text") if t.text and "more not drawn" in t.text]
    assert len(notes) == len(hidden)


def test_values_written_with_true_minus_and_wrong_neuron_marked() -> None:
    pic = NetworkPicture([2, 1], ["in", "out"], {(1, 0): ["z -0.322"]}, {(1, 0, 1): "-0.3"}, highlight={(1, 0)})
    text = network_svg(pic)
    assert "\u22120.3" in text and "z \u22120.322" in text and "-0.3" not in text
    assert 'stroke-dasharray="4 2"' in text


def _polylines(root: ET.Element) -> list[list[tuple[float, float]]]:
    return [[tuple(map(float, p.split(","))) for p in pl.get("points").split()] for pl in root.iter(f"{SVG}polyline")]


def test_plot_maps_values_linearly_and_splits_the_curve_at_a_kink() -> None:
    xs = [i / 4 for i in range(-8, 9)]
    relu_prime = [1.0 if x > 0 else 0.0 for x in xs]
    plot = Plot("relu'", [Series("f'", xs, relu_prime)], kinks=[(0.0, 0.0)])
    root = ET.fromstring(plot_svg(plot))
    pieces = _polylines(root)
    assert len(pieces) == 2  # no vertical jump drawn through the kink
    left, right = pieces
    assert len({y for _, y in left}) == 1 and len({y for _, y in right}) == 1
    assert right[0][1] < left[0][1]  # 1 is drawn above 0
    # x positions are linear in x: equal steps in x give equal steps on the page
    steps = [b[0] - a[0] for a, b in zip(right, right[1:])]
    assert max(steps) - min(steps) < 0.11
    marks = [r for r in root.iter(f"{SVG}rect") if r.get("fill") == "#b00"]
    assert marks, "the kink's convention value is marked"


def test_plot_skips_non_finite_samples_and_shows_points() -> None:
    xs = [0.1 * i for i in range(1, 30)]
    ys = [math.log(x) for x in xs]
    ys[5] = math.inf
    plot = Plot("log", [Series("f", xs, ys), Series("engine", xs[::5], ys[::5], kind="points")])
    text = plot_svg(plot)
    root = ET.fromstring(text)
    assert len(_polylines(root)) == 2
    assert len([c for c in root.iter(f"{SVG}circle") if c.get("fill") == "none"]) >= 5  # engine points
    assert re.search(r"\u22122", text)  # negative ticks carry a true minus
