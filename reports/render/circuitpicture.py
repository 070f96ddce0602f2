"""The circuit picture of a worked example: gates as circles, each node's value above its output wire
and its gradient below, wrong claims marked; laid out as a `Drawing` (SVG and LaTeX draw it).

Columns hold the nodes by depth (inputs first). An edge that skips columns passes through a slot of
its own in each column it crosses, so no wire runs through a gate or a number. A node's numbers sit
on a short horizontal stub before its wire fans out to the gates that read it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gradverify.render.drawing import ASCENT, DESCENT, Circle, Drawing, Line, Text, text_width
from gradverify.render.words import true_minus

ROW = 104.0  # between two slots of a column
RADIUS = 22.0
FAN = 70.0  # from the end of a stub to the next column's gates
SIZE, SYMBOL_SIZE, NAME_SIZE = 11.0, 12.0, 12.0
TOP, LEFT = 4.0, 30.0  # the slots themselves leave room above the first name and below the last number
VALUE, GRADIENT, WRONG, WIRE = "#1b6b1b", "#9a4a00", "#b00", "#777"


@dataclass
class PictureNode:
    """A node as drawn: its name, the gate symbol in its circle ("" for an input) and its numbers."""

    name: str
    symbol: str = ""
    parents: tuple[str, ...] = ()
    value: str = ""
    gradient: str = ""
    wrong_value: bool = False
    wrong_gradient: bool = False


@dataclass
class CircuitPicture:
    """What to draw: the nodes in the order written (parents first) and the edges whose local
    gradient was claimed wrong (the statements are typeset beside the picture, not drawn in it)."""

    nodes: list[PictureNode]
    wrong_edges: set[tuple[str, str]] = field(default_factory=set)  # (gate, parent)
    title: str = "Circuit"


@dataclass
class _Slot:
    node: str  # a node's name, or "" for an edge passing through
    edge: tuple[str, str] = ("", "")  # (parent, child) of a passing edge


def _columns(pic: CircuitPicture) -> list[list[_Slot]]:
    """Nodes by depth, with a passing slot for every edge that skips a column, ordered so each slot
    sits near the slots it comes from (two barycentre sweeps)."""
    depth: dict[str, int] = {}
    for n in pic.nodes:
        depth[n.name] = 1 + max((depth[p] for p in n.parents), default=-1)
    cols: list[list[_Slot]] = [[] for _ in range(max(depth.values()) + 1)]
    for n in pic.nodes:
        cols[depth[n.name]].append(_Slot(n.name))
        for p in dict.fromkeys(n.parents):
            for d in range(depth[p] + 1, depth[n.name]):
                cols[d].append(_Slot("", (p, n.name)))
    for _ in range(2):
        where: dict[tuple[str, str] | str, float] = {}
        for c, col in enumerate(cols):
            if c:
                col.sort(key=lambda s: _barycentre(s, where, pic))
            for i, s in enumerate(col):
                where[s.node or s.edge] = i
    return cols


def _barycentre(s: _Slot, where: dict[tuple[str, str] | str, float], pic: CircuitPicture) -> float:
    if not s.node:
        return where.get(s.edge, where.get(s.edge[0], 0.0))
    node = next(n for n in pic.nodes if n.name == s.node)
    came = [where.get((p, s.node), where.get(p, 0.0)) for p in node.parents]
    return sum(came) / len(came) if came else 0.0


def _numbers(n: PictureNode) -> tuple[str, str]:
    mark = " \u2717"
    return (true_minus(n.value) + (mark if n.wrong_value else ""),
            true_minus(n.gradient) + (mark if n.wrong_gradient else ""))


def layout(pic: CircuitPicture) -> Drawing:
    """The circuit as circles, wires and texts, every text inside the picture and off every wire."""
    nodes = {n.name: n for n in pic.nodes}
    cols = _columns(pic)
    tallest = max(len(c) for c in cols)
    radius = {n.name: max(RADIUS, text_width(n.symbol, SYMBOL_SIZE) / 2 + 6) for n in pic.nodes}
    stub = [max([text_width(t, SIZE) + 16 for s in col if s.node for t in _numbers(nodes[s.node])] + [50.0])
            for col in cols]
    name_room = max([text_width(n.name, NAME_SIZE) + 8 for n in pic.nodes if not n.symbol] + [0.0])
    xs, x = [], LEFT + name_room
    for c, col in enumerate(cols):
        r = max([radius[s.node] for s in col if s.node] + [RADIUS])
        xs.append(x + r)
        x += 2 * r + stub[c] + FAN
    pos: dict[str, tuple[float, float]] = {}  # each node's centre
    passing: dict[tuple[str, str], list[tuple[int, float]]] = {}  # each long edge's (column, height)
    for c, col in enumerate(cols):
        top = TOP + (tallest - len(col)) * ROW / 2
        for i, s in enumerate(col):
            y = top + ROW * i + ROW / 2
            if s.node:
                pos[s.node] = (xs[c], y)
            else:
                passing.setdefault(s.edge, []).append((c, y))
    width = x - FAN + 20
    height = TOP + tallest * ROW - 14
    d = Drawing(width, height, pic.title, css_class="circuit")
    texts: list[Text] = []

    def stub_end(name: str) -> tuple[float, float]:
        cx, cy = pos[name]
        c = next(i for i, col in enumerate(cols) if any(s.node == name for s in col))
        return cx + (radius[name] if nodes[name].symbol else 0) + stub[c], cy

    for c, col in enumerate(cols):
        for s in col:
            if not s.node:  # an edge passing through: drawn with its edge
                continue
            cx, cy = pos[s.node]
            n = nodes[s.node]
            r = radius[s.node] if n.symbol else 0.0
            if n.symbol:
                d.add(Circle(cx, cy, r, WRONG if n.wrong_value else "#222", dashed=n.wrong_value))
                texts.append(Text(cx, cy + (ASCENT - DESCENT) / 2 * SYMBOL_SIZE - 1, n.symbol, SYMBOL_SIZE))
                texts.append(Text(cx, cy - r - 6, n.name, NAME_SIZE, bold=True))
            else:
                texts.append(Text(cx - 6, cy + 4, n.name, NAME_SIZE, anchor="end", bold=True))
            ex, _ = stub_end(s.node)
            d.add(Line(cx + r, cy, ex, cy, WIRE))
            value, gradient = _numbers(n)
            mid = (cx + r + ex) / 2
            texts.append(Text(mid, cy - 6, value, SIZE, colour=WRONG if n.wrong_value else VALUE,
                              bold=n.wrong_value, role="wire-value"))
            texts.append(Text(mid, cy + 6 + ASCENT * SIZE, gradient, SIZE,
                              colour=WRONG if n.wrong_gradient else GRADIENT, bold=n.wrong_gradient,
                              role="wire-gradient"))
    for n in pic.nodes:
        for p in dict.fromkeys(n.parents):
            sx, sy = stub_end(p)
            wrong = (n.name, p) in pic.wrong_edges
            colour, dash = (WRONG, (5.0, 3.0)) if wrong else (WIRE, None)
            points = [(sx, sy)]
            for c, y in passing.get((p, n.name), []):
                r = max([radius[t.node] for t in cols[c] if t.node] + [RADIUS])
                points += [(xs[c] - r, y), (xs[c] + r + stub[c], y)]
            tx, ty = pos[n.name]
            points.append((tx - radius[n.name], ty))  # every wire arrives at the gate's left, under its name
            for (x1, y1), (x2, y2) in zip(points, points[1:]):
                d.add(Line(x1, y1, x2, y2, colour, 1.2 if wrong else 1.0, dash, group=f"{p}-{n.name}"))
    d.add(*texts)
    return d
