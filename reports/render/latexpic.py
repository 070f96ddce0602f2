"""Any `Drawing` in LaTeX's own picture environment (no TikZ, no pict2e needed).

Straight lines of any slope are `\\qbezier` segments with the midpoint as control point, which the
LaTeX kernel draws; circles are `\\circle` (at most 40pt wide); colours are xcolor's [HTML] model.
Pixels become points at `SCALE` (less for a drawing wider than the text block), y turned upwards.
"""

from __future__ import annotations

import math

from gradverify.render import netpicture, plotpicture
from gradverify.render.drawing import Circle, Drawing, Item, Line, Polyline, Rect, Text
from gradverify.render.latex import Tex, escape
from gradverify.render.netpicture import NetworkPicture
from gradverify.render.plotpicture import Plot

SCALE = 0.6  # pt per px
TEXT_WIDTH = 500.0  # pt: A4 with the report's margins
# LaTeX's size commands in an 11pt article, largest first
_SIZES = ((10.95, r"\normalsize"), (10.0, r"\small"), (9.0, r"\footnotesize"), (8.0, r"\scriptsize"), (6.0, r"\tiny"))


def _colour(hex_colour: str) -> str:
    digits = hex_colour.lstrip("#").upper()
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    return f"\\color[HTML]{{{digits}}}"


def _size(pt: float) -> str:
    return next((cmd for size, cmd in _SIZES if size <= pt + 0.5), r"\tiny")


class _Pen:
    """Converts pixels to the picture's points and writes each primitive."""

    def __init__(self, d: Drawing, scale: float) -> None:
        self.s, self.h = scale, d.height

    def p(self, x: float, y: float) -> tuple[float, float]:
        return x * self.s, (self.h - y) * self.s

    def seg(self, x1: float, y1: float, x2: float, y2: float, thickness: float) -> str:
        (a, b), (c, d) = self.p(x1, y1), self.p(x2, y2)
        if math.hypot(c - a, d - b) < max(thickness, 0.2):
            return ""  # a \\qbezier shorter than its line is thick overflows the kernel's point count
        return f"\\qbezier({a:.1f},{b:.1f})({(a + c) / 2:.1f},{(b + d) / 2:.1f})({c:.1f},{d:.1f})"

    def path(self, points: list[tuple[float, float]], dash: tuple[float, float] | None, width: float) -> str:
        """The line through `points` at `width` px, dashed (on, off in px) or solid."""
        thick = width * self.s
        body = f"\\linethickness{{{thick:.2f}pt}}"
        pairs = list(zip(points, points[1:]))
        if dash is None:
            return body + "".join(self.seg(x1, y1, x2, y2, thick) for (x1, y1), (x2, y2) in pairs)
        on, off = dash
        out, phase = [], 0.0  # phase: how far into the current on+off period the pen is
        for (x1, y1), (x2, y2) in pairs:
            length = math.hypot(x2 - x1, y2 - y1)
            t = 0.0
            while t < length:
                step = min(length - t, (on - phase) if phase < on else (on + off - phase))
                if phase < on and step > 0:
                    f0, f1 = t / length, (t + step) / length
                    out.append(self.seg(x1 + f0 * (x2 - x1), y1 + f0 * (y2 - y1),
                                        x1 + f1 * (x2 - x1), y1 + f1 * (y2 - y1), thick))
                t += step
                phase = (phase + step) % (on + off)
        return body + "".join(out)

    def item(self, item: Item) -> str:
        if isinstance(item, Line):
            return f"{{{_colour(item.colour)}{self.path([(item.x1, item.y1), (item.x2, item.y2)], item.dash, item.width)}}}"
        if isinstance(item, Polyline):
            return f"{{{_colour(item.colour)}{self.path(item.points, (6.0, 4.0) if item.dashed else None, item.width)}}}"
        if isinstance(item, Circle):
            x, y = self.p(item.cx, item.cy)
            shape = "circle*" if item.fill == item.colour else "circle"
            weight = r"\thicklines" if item.dashed else ""  # the kernel cannot dash a circle: drawn heavier
            return f"{{{_colour(item.colour)}{weight}\\put({x:.1f},{y:.1f}){{\\{shape}{{{2 * item.r * self.s:.1f}}}}}}}"
        if isinstance(item, Rect):
            x, y = self.p(item.x, item.y + item.h)
            w, h = item.w * self.s, item.h * self.s
            out = ""
            if item.fill != "none":
                out += f"{{{_colour(item.fill)}\\put({x:.1f},{y:.1f}){{\\rule{{{w:.1f}pt}}{{{h:.1f}pt}}}}}}"
            if item.stroke:
                out += f"{{{_colour(item.stroke)}\\put({x:.1f},{y:.1f}){{\\framebox({w:.1f},{h:.1f}){{}}}}}}"
            return out
        if isinstance(item, Text):
            x, y = self.p(item.x, item.y)
            pos = {"middle": "b", "start": "bl", "end": "br"}[item.anchor]
            words = escape(item.text)
            words = Tex(f"\\textbf{{{words}}}") if item.bold else words
            return (f"\\put({x:.1f},{y:.1f}){{\\makebox(0,0)[{pos}]{{{_size(item.size * self.s)}"
                    f"{_colour(item.colour)}{words}}}}}")
        raise TypeError(f"cannot draw {type(item).__name__}")


def drawing_picture(d: Drawing, *, scale: float = SCALE) -> Tex:
    """The drawing as a `picture` environment, at most the text block wide."""
    s = min(scale, TEXT_WIDTH / d.width)
    pen = _Pen(d, s)
    out = [r"\setlength{\unitlength}{1pt}\setlength{\fboxrule}{0.4pt}",
           f"\\begin{{picture}}({d.width * s:.1f},{d.height * s:.1f})"]
    out.extend(pen.item(i) for i in d.items)
    out.append(r"\end{picture}")
    return Tex("%\n".join(out))


def network_picture(pic: NetworkPicture) -> Tex:
    """The network of one step as a LaTeX picture."""
    return drawing_picture(netpicture.layout(pic))


def plot_picture(plot: Plot) -> Tex:
    """A function plot as a LaTeX picture."""
    return drawing_picture(plotpicture.layout(plot))
