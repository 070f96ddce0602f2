"""Inline SVG: any `Drawing` (the network picture, function plots) as one `<svg>` element.

Pure drawing: text is escaped, every picture has a <title> for screen readers, and the picture
scales down with its container (CSS) instead of widening the page.
"""

from __future__ import annotations

from html import escape

from gradverify.render import netpicture, plotpicture
from gradverify.render.drawing import Circle, Drawing, Item, Line, Polyline, Rect, Text
from gradverify.render.netpicture import NetworkPicture
from gradverify.render.plotpicture import Plot

FONT = 'font-family="Latin Modern Roman, TeX Gyre Termes, STIX Two Text, serif"'


def _n(v: float) -> str:
    return f"{v:.1f}".rstrip("0").rstrip(".")


def _item(item: Item) -> str:
    if isinstance(item, Line):
        dash = f' stroke-dasharray="{_n(item.dash[0])} {_n(item.dash[1])}"' if item.dash else ""
        group = f' class="edge" data-edge="{item.group}"' if item.group else ""
        return (f'<line x1="{_n(item.x1)}" y1="{_n(item.y1)}" x2="{_n(item.x2)}" y2="{_n(item.y2)}" '
                f'stroke="{item.colour}" stroke-width="{_n(item.width)}"{dash}{group}/>')
    if isinstance(item, Polyline):
        pts = " ".join(f"{_n(x)},{_n(y)}" for x, y in item.points)
        dash = ' stroke-dasharray="6 4"' if item.dashed else ""
        return f'<polyline points="{pts}" fill="none" stroke="{item.colour}" stroke-width="{_n(item.width)}"{dash}/>'
    if isinstance(item, Circle):
        dash = ' stroke-dasharray="4 2"' if item.dashed else ""
        return (f'<circle cx="{_n(item.cx)}" cy="{_n(item.cy)}" r="{_n(item.r)}" fill="{item.fill}" '
                f'stroke="{item.colour}" stroke-width="{_n(item.width)}"{dash}/>')
    if isinstance(item, Rect):
        stroke = f' stroke="{item.stroke}"' if item.stroke else ""
        return f'<rect x="{_n(item.x)}" y="{_n(item.y)}" width="{_n(item.w)}" height="{_n(item.h)}" fill="{item.fill}"{stroke}/>'
    if isinstance(item, Text):
        anchor = f' text-anchor="{item.anchor}"'
        weight = ' font-weight="bold"' if item.bold else ""
        role = f' class="{item.role}" stroke="white" stroke-width="3" paint-order="stroke"' if item.role else ""
        return (f'<text x="{_n(item.x)}" y="{_n(item.y)}"{anchor} font-size="{_n(item.size)}" fill="{item.colour}"'
                f'{weight}{role}>{escape(item.text)}</text>')
    raise TypeError(f"cannot draw {type(item).__name__}")


def drawing_svg(d: Drawing) -> str:
    """The drawing as an inline SVG element (its natural size, scaled down by CSS when narrower)."""
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="{d.css_class}" viewBox="0 0 {_n(d.width)} {_n(d.height)}" '
           f'width="{_n(d.width)}" height="{_n(d.height)}" role="img" {FONT}>',
           f"<title>{escape(d.title)}</title>"]
    out.extend(_item(i) for i in d.items)
    out.append("</svg>")
    return "\n".join(out)


def network_svg(pic: NetworkPicture) -> str:
    """The network of one step as SVG."""
    return drawing_svg(netpicture.layout(pic))


def plot_svg(plot: Plot) -> str:
    """A function plot as SVG."""
    return drawing_svg(plotpicture.layout(plot))
