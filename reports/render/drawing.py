"""Pictures as a list of primitives (lines, circles, text) in one coordinate system.

A picture kind (the network of a worked example; later a circuit of gates) lays itself out as a
`Drawing`; `svg.drawing_svg` and `latexpic.drawing_picture` draw any drawing, so a new kind of
picture needs a layout and nothing else. Coordinates are SVG pixels, y pointing down. Text boxes
are estimated here (`text_box`) so layouts can keep labels off lines and off each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field

GLYPH_WIDTH = 0.56  # average width of a digit or letter of the report's serif font, in em
ASCENT, DESCENT = 1.1, 0.28  # the font's box above and below the baseline, in em (as browsers measure it)


@dataclass(frozen=True)
class Box:
    """An axis-aligned rectangle (left, top, right, bottom)."""

    left: float
    top: float
    right: float
    bottom: float

    def grown(self, margin: float) -> "Box":
        return Box(self.left - margin, self.top - margin, self.right + margin, self.bottom + margin)

    def overlaps(self, other: "Box") -> bool:
        return not (self.right <= other.left or other.right <= self.left
                    or self.bottom <= other.top or other.bottom <= self.top)


@dataclass(frozen=True)
class Line:
    """A straight segment; `group` ties the pieces of one broken line together (an edge's id)."""

    x1: float
    y1: float
    x2: float
    y2: float
    colour: str = "#777"
    width: float = 1.0
    dash: tuple[float, float] | None = None  # (on, off) lengths of a dashed line
    group: str = ""


@dataclass(frozen=True)
class Polyline:
    """Joined segments through `points` (a sampled curve)."""

    points: list[tuple[float, float]]
    colour: str
    width: float = 1.0
    dashed: bool = False


@dataclass(frozen=True)
class Circle:
    cx: float
    cy: float
    r: float
    colour: str = "#222"
    fill: str = "#f6f6f6"
    dashed: bool = False
    width: float = 1.5


@dataclass(frozen=True)
class Rect:
    """A rectangle from its top-left corner; `fill` "none" or a colour, `stroke` None for no frame."""

    x: float
    y: float
    w: float
    h: float
    fill: str = "none"
    stroke: str | None = "#999"


@dataclass(frozen=True)
class Text:
    """One line of text centred (or anchored "start"/"end") at x, with its baseline at y."""

    x: float
    y: float
    text: str
    size: float = 13.0
    anchor: str = "middle"
    bold: bool = False
    colour: str = "#111"
    role: str = ""  # "edge-label" for the texts layouts keep clear of lines

    @property
    def box(self) -> Box:
        return text_box(self.x, self.y, self.text, self.size, self.anchor)


Item = Rect | Line | Polyline | Circle | Text


@dataclass
class Drawing:
    """A whole picture: its size, a title for screen readers, and its items, drawn in order (later
    items on top)."""

    width: float
    height: float
    title: str
    items: list[Item] = field(default_factory=list)
    css_class: str = "picture"

    def add(self, *items: Item) -> None:
        self.items.extend(items)

    def of(self, kind: type) -> list:
        """The items of one kind (Line, Text, ...), in drawing order."""
        return [i for i in self.items if isinstance(i, kind)]


def text_width(text: str, size: float) -> float:
    """Estimated width of `text` at font size `size` (px)."""
    return GLYPH_WIDTH * size * len(text)


def text_box(x: float, y: float, text: str, size: float, anchor: str = "middle") -> Box:
    """The box a line of text occupies: from its baseline up by the ascent, down by the descent."""
    w = text_width(text, size)
    left = {"middle": x - w / 2, "start": x, "end": x - w}[anchor]
    return Box(left, y - ASCENT * size, left + w, y + DESCENT * size)


def _inside(x1: float, y1: float, x2: float, y2: float, box: Box) -> tuple[float, float] | None:
    """The parameters (t_in, t_out) of the part of the segment inside the box, None when no part is
    (Liang-Barsky clipping: the segment is (x1, y1) + t (dx, dy) for t from 0 to 1)."""
    t_in, t_out = 0.0, 1.0
    dx, dy = x2 - x1, y2 - y1
    for p, q in ((-dx, x1 - box.left), (dx, box.right - x1), (-dy, y1 - box.top), (dy, box.bottom - y1)):
        if p == 0:
            if q <= 0:
                return None
            continue
        if p < 0:
            t_in = max(t_in, q / p)
        else:
            t_out = min(t_out, q / p)
        if t_in >= t_out:
            return None
    return t_in, t_out


def segment_hits_box(x1: float, y1: float, x2: float, y2: float, box: Box) -> bool:
    """True when the segment passes through the inside of the box."""
    return _inside(x1, y1, x2, y2, box) is not None


def clip_out(x1: float, y1: float, x2: float, y2: float, box: Box) -> list[tuple[float, float, float, float]]:
    """The parts of the segment outside the box (a line broken where its label sits)."""
    inside = _inside(x1, y1, x2, y2, box)
    if inside is None:
        return [(x1, y1, x2, y2)]
    t_in, t_out = inside
    dx, dy = x2 - x1, y2 - y1
    parts = []
    if t_in > 0:
        parts.append((x1, y1, x1 + t_in * dx, y1 + t_in * dy))
    if t_out < 1:
        parts.append((x1 + t_out * dx, y1 + t_out * dy, x2, y2))
    return parts

