"""The network picture of a worked example: what to show, and its layout as a `Drawing`.

Neurons are columns of circles with their values; weights are written on their edges, each label
placed where it overlaps no other label, no neuron and no other edge, and its own edge is broken
around it so no line runs through any text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterable, Sequence

from gradverify.render.drawing import (ASCENT, DESCENT, Box, Circle, Drawing, Line, Text, clip_out, segment_hits_box,
                                       text_box)
from gradverify.render.words import true_minus

ROW, RADIUS = 100.0, 33.0
GAPS = (250.0, 330.0, 420.0, 520.0)  # distances tried between two columns of neurons
LABEL_SIZE, NEURON_SIZE = 11.0, 10.5
GAP = 2.0  # clearance kept around every edge label
MAX_LABELLED_EDGES = 24  # between two layers with more edges than this, weights are not written


@dataclass
class NetworkPicture:
    """What to draw: layer sizes and labels, text on neurons, text on weights (by layer, j, k)."""

    sizes: Sequence[int]
    layer_names: Sequence[str]
    neuron_text: dict[tuple[int, int], list[str]] = field(default_factory=dict)
    weight_text: dict[tuple[int, int, int], str] = field(default_factory=dict)
    highlight: set[tuple[int, int]] = field(default_factory=set)
    title: str = "Network"
    max_neurons: int = 8

    @property
    def shown(self) -> list[int]:
        """Neurons drawn per layer (at most `max_neurons`)."""
        return [min(n, self.max_neurons) for n in self.sizes]


@dataclass(frozen=True)
class _Edge:
    key: tuple[int, int, int]
    x1: float
    y1: float
    x2: float
    y2: float
    text: str | None


def layout(pic: NetworkPicture) -> Drawing:
    """The picture as lines, circles and texts, labels clear of every line but their own.

    Between two layers the columns move apart (up to `GAPS[-1]`) until every weight finds a clear
    spot; a weight that still finds none is left unwritten rather than written over a line.
    """
    shown = pic.shown
    tallest = max(shown)
    height = 70 + ROW * tallest + 20

    def y_of(layer: int, j: int) -> float:
        top = 60 + (tallest - shown[layer]) * ROW / 2
        return top + ROW * j + ROW / 2

    xs, edges, labels = [70.0], [], {}
    for l in range(1, len(shown)):
        for gap in GAPS:
            pair = _edges(pic, l, xs[-1], xs[-1] + gap, y_of)
            circles = [(xs[-1] + gap * side, y_of(l - 1 + side, j)) for side in (0, 1) for j in range(shown[l - 1 + side])]
            placed, clear = _place_labels(pair, circles, Box(xs[-1], 32, xs[-1] + gap, height))
            if clear:
                break
        xs.append(xs[-1] + gap)
        edges += pair
        labels.update(placed)
    width = xs[-1] + 80
    drawing = Drawing(width, height, pic.title, css_class="network")
    for i, name in enumerate(pic.layer_names):
        drawing.add(Text(xs[i], 24, name, 13.0, bold=True))
    texts = []
    for edge in edges:
        box = labels.get(edge.key)
        pieces = clip_out(edge.x1, edge.y1, edge.x2, edge.y2, box.grown(GAP / 2)) if box else \
            [(edge.x1, edge.y1, edge.x2, edge.y2)]
        group = "w{}-{}-{}".format(*edge.key)
        drawing.add(*(Line(*p, group=group) for p in pieces))
        if box is not None and edge.text is not None:
            cx, base = (box.left + box.right) / 2, box.bottom - DESCENT * LABEL_SIZE
            texts.append(Text(cx, base, true_minus(edge.text), LABEL_SIZE, colour="#333", role="edge-label"))
    for l in range(len(shown)):
        for j in range(shown[l]):
            cx, cy = xs[l], y_of(l, j)
            marked = (l, j) in pic.highlight
            drawing.add(Circle(cx, cy, RADIUS, "#b00" if marked else "#222", dashed=marked))
            lines = pic.neuron_text.get((l, j), [])[:3]
            for i, line in enumerate(lines):
                dy = (i - (len(lines) - 1) / 2) * 13 + 4
                texts.append(Text(cx, cy + dy, true_minus(line), NEURON_SIZE))
        if shown[l] < pic.sizes[l]:
            texts.append(Text(xs[l], height - 8, f"({pic.sizes[l] - shown[l]} more not drawn)", 11.0))
    drawing.add(*texts)
    return drawing


def _edges(pic: NetworkPicture, l: int, x_from: float, x_to: float, y_of: Callable[[int, int], float]) -> list[_Edge]:
    """The edges from layer l - 1 (at x_from) to layer l (at x_to), with their texts when few."""
    shown = pic.shown
    few = shown[l] * shown[l - 1] <= MAX_LABELLED_EDGES
    return [_Edge((l, j, k), x_from + RADIUS, y_of(l - 1, k), x_to - RADIUS, y_of(l, j),
                  pic.weight_text.get((l, j, k)) if few else None)
            for j in range(shown[l]) for k in range(shown[l - 1])]


# Where along its edge a label may sit (fraction from the source neuron), most preferred first.
_SPOTS = sorted((i / 100 for i in range(8, 93)), key=lambda t: abs(t - 0.3))


def _place_labels(edges: list[_Edge], circles: list[tuple[float, float]],
                  frame: Box) -> tuple[dict[tuple[int, int, int], Box], bool]:
    """A box for each edge's text at the first spot along the edge clear of other edges, other
    labels and neurons, and whether every text found one (those that did not are left out)."""
    placed: dict[tuple[int, int, int], Box] = {}
    clear = True
    for edge in edges:
        if edge.text is None:
            continue
        for t in _SPOTS:
            x = edge.x1 + t * (edge.x2 - edge.x1)
            y = edge.y1 + t * (edge.y2 - edge.y1)
            box = text_box(x, y + (ASCENT - DESCENT) / 2 * LABEL_SIZE, edge.text, LABEL_SIZE)  # centred on the edge
            if _clear(box.grown(GAP), edge, edges, placed.values(), circles, frame):
                placed[edge.key] = box
                break
        else:
            clear = False
    return placed, clear


def _clear(box: Box, own: _Edge, edges: list[_Edge], labels: Iterable[Box],
           circles: list[tuple[float, float]], frame: Box) -> bool:
    """True when the box lies inside the frame and meets no other edge, label or neuron."""
    if not (frame.left <= box.left and box.right <= frame.right and frame.top <= box.top and box.bottom <= frame.bottom):
        return False
    if any(box.overlaps(other) for other in labels):
        return False
    if any(_circle_meets(cx, cy, RADIUS, box) for cx, cy in circles):
        return False
    for e in edges:
        if e is own or max(e.x1, e.x2) <= box.left or min(e.x1, e.x2) >= box.right \
                or max(e.y1, e.y2) <= box.top or min(e.y1, e.y2) >= box.bottom:
            continue
        if segment_hits_box(e.x1, e.y1, e.x2, e.y2, box):
            return False
    return True


def _circle_meets(cx: float, cy: float, r: float, box: Box) -> bool:
    nx = min(max(cx, box.left), box.right)
    ny = min(max(cy, box.top), box.bottom)
    return (nx - cx) ** 2 + (ny - cy) ** 2 < r * r
