"""Inline SVG pictures: the network of a worked example and plots of functions and derivatives.

Pure drawing from numbers already computed (see `figures` for where they come from); text is
escaped, minus signs are U+2212, and every picture has a <title> for screen readers.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from html import escape
from typing import Callable, Iterator, Sequence

MINUS = "\u2212"
FONT = 'font-family="Latin Modern Roman, TeX Gyre Termes, STIX Two Text, serif"'


def _t(text: str) -> str:
    """Escaped text with every hyphen that starts a number turned into a true minus."""
    return escape(re.sub(r"(?<![\w.])-(?=\.?\d)", MINUS, text))


# ------------------------------------------------------------------------------------- network

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

    def edges(self, xs: Sequence[float], y_of: Callable[[int, int], float], r: float) -> Iterator[Edge]:
        """Each drawn weight: its segment between neuron circles of radius `r`, the point 30% along it
        where its text goes, and the text (only where two layers have few edges to label)."""
        shown = self.shown
        for l in range(1, len(self.sizes)):
            few = shown[l] * shown[l - 1] <= 24
            for j in range(shown[l]):
                for k in range(shown[l - 1]):
                    x1, y1, x2, y2 = xs[l - 1] + r, y_of(l - 1, k), xs[l] - r, y_of(l, j)
                    text = self.weight_text.get((l, j, k)) if few else None
                    yield x1, y1, x2, y2, (x1 + 0.3 * (x2 - x1), y1 + 0.3 * (y2 - y1)), text


Edge = tuple[float, float, float, float, tuple[float, float], "str | None"]


def network_svg(pic: NetworkPicture) -> str:
    """The network as columns of neurons joined by weights, values written on both."""
    layers = len(pic.sizes)
    shown = pic.shown
    col_w, row_h, r = 250, 100, 33
    width = 90 + col_w * (layers - 1) + 150
    height = 70 + row_h * max(shown) + 20
    xs = [70 + col_w * i for i in range(layers)]

    def y_of(layer: int, j: int) -> float:
        n = shown[layer]
        top = 60 + (max(shown) - n) * row_h / 2
        return top + row_h * j + row_h / 2

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="network" viewBox="0 0 {width} {height}" '
           f'width="{width}" height="{height}" role="img" {FONT} font-size="13">',
           f"<title>{escape(pic.title)}</title>"]
    for i, name in enumerate(pic.layer_names):
        out.append(f'<text x="{xs[i]}" y="24" text-anchor="middle" font-weight="bold">{escape(name)}</text>')
    labels = []
    for x1, y1, x2, y2, (lx, ly), text in pic.edges(xs, y_of, r):
        out.append(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="#777" stroke-width="1"/>')
        if text:
            labels.append(f'<text x="{lx:.1f}" y="{ly + 4:.1f}" text-anchor="middle" font-size="11" fill="#333" '
                          f'stroke="white" stroke-width="3" paint-order="stroke">{_t(text)}</text>')
    out.extend(labels)
    for l in range(layers):
        for j in range(shown[l]):
            cx, cy = xs[l], y_of(l, j)
            stroke = "#b00" if (l, j) in pic.highlight else "#222"
            dash = ' stroke-dasharray="4 2"' if (l, j) in pic.highlight else ""
            out.append(f'<circle cx="{cx}" cy="{cy:.1f}" r="{r}" fill="#f6f6f6" stroke="{stroke}" '
                       f'stroke-width="1.5"{dash}/>')
            lines = pic.neuron_text.get((l, j), [])
            for i, line in enumerate(lines[:3]):
                dy = (i - (len(lines[:3]) - 1) / 2) * 13 + 4
                out.append(f'<text x="{cx}" y="{cy + dy:.1f}" text-anchor="middle" font-size="10.5">'
                           f"{_t(line)}</text>")
        if shown[l] < pic.sizes[l]:
            out.append(f'<text x="{xs[l]}" y="{height - 8}" text-anchor="middle" font-size="11">'
                       f"({pic.sizes[l] - shown[l]} more not drawn)</text>")
    out.append("</svg>")
    return "\n".join(out)


# ---------------------------------------------------------------------------------------- plots

@dataclass
class Series:
    """A curve (joined samples) or a set of points, with a legend label and a style."""

    label: str
    xs: Sequence[float]
    ys: Sequence[float]
    kind: str = "curve"  # "curve" | "points"
    color: str = "#1f4e9e"
    dashed: bool = False


@dataclass
class Plot:
    """A function plot: series, kink positions (with the convention's derivative value)."""

    title: str
    series: list[Series]
    kinks: list[tuple[float, float | None]] = field(default_factory=list)
    x_label: str = "x"


def _nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    span = hi - lo
    if span <= 0:
        return [lo]
    raw = span / count
    mag = 10 ** math.floor(math.log10(raw))
    step = min((m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw), default=raw)
    first = math.ceil(lo / step) * step
    ticks, v = [], first
    while v <= hi + 1e-9 * span:
        ticks.append(0.0 if abs(v) < 1e-12 * span else v)
        v += step
    return ticks


def _fmt_tick(v: float) -> str:
    text = f"{v:.6g}"
    return text.replace("-", MINUS)


def plot_svg(plot: Plot, *, width: int = 360, height: int = 240) -> str:
    """A plot with axes, ticks, a legend, the curves split at kinks, and kinks marked."""
    finite = [(x, y) for s in plot.series for x, y in zip(s.xs, s.ys) if math.isfinite(y)]
    x_lo = min(x for x, _ in finite)
    x_hi = max(x for x, _ in finite)
    y_lo = min(y for _, y in finite)
    y_hi = max(y for _, y in finite)
    if y_hi - y_lo < 1e-9:
        y_lo, y_hi = y_lo - 1, y_hi + 1
    pad = (y_hi - y_lo) * 0.08
    y_lo, y_hi = y_lo - pad, y_hi + pad
    left, right, top, bottom = 46, 12, 26, 58
    pw, ph = width - left - right, height - top - bottom

    def px(x: float) -> float:
        return left + (x - x_lo) / (x_hi - x_lo) * pw

    def py(y: float) -> float:
        return top + (y_hi - y) / (y_hi - y_lo) * ph

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="plot" viewBox="0 0 {width} {height}" '
           f'width="{width}" height="{height}" role="img" {FONT} font-size="11">',
           f"<title>{escape(plot.title)}</title>",
           f'<text x="{width / 2}" y="15" text-anchor="middle" font-size="13" font-weight="bold">'
           f"{escape(plot.title)}</text>",
           f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="none" stroke="#999"/>']
    for tx in _nice_ticks(x_lo, x_hi):
        out.append(f'<line x1="{px(tx):.1f}" y1="{top + ph}" x2="{px(tx):.1f}" y2="{top + ph + 4}" stroke="#555"/>'
                   f'<text x="{px(tx):.1f}" y="{top + ph + 15}" text-anchor="middle">{_fmt_tick(tx)}</text>')
    for ty in _nice_ticks(y_lo, y_hi, 4):
        out.append(f'<line x1="{left - 4}" y1="{py(ty):.1f}" x2="{left}" y2="{py(ty):.1f}" stroke="#555"/>'
                   f'<text x="{left - 6}" y="{py(ty) + 4:.1f}" text-anchor="end">{_fmt_tick(ty)}</text>')
    if y_lo < 0 < y_hi:
        out.append(f'<line x1="{left}" y1="{py(0):.1f}" x2="{left + pw}" y2="{py(0):.1f}" stroke="#ccc"/>')
    if x_lo < 0 < x_hi:
        out.append(f'<line x1="{px(0):.1f}" y1="{top}" x2="{px(0):.1f}" y2="{top + ph}" stroke="#ccc"/>')
    kink_xs = [k for k, _ in plot.kinks]
    for s in plot.series:
        if s.kind == "curve":
            for seg in _segments(s.xs, s.ys, kink_xs):
                pts = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in seg)
                dash = ' stroke-dasharray="5 3"' if s.dashed else ""
                out.append(f'<polyline points="{pts}" fill="none" stroke="{s.color}" stroke-width="1.8"{dash}/>')
        else:
            for x, y in zip(s.xs, s.ys):
                if math.isfinite(y) and y_lo <= y <= y_hi:
                    out.append(f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="2.6" fill="none" '
                               f'stroke="{s.color}" stroke-width="1.2"/>')
    for kx, ky in plot.kinks:
        out.append(f'<line x1="{px(kx):.1f}" y1="{top}" x2="{px(kx):.1f}" y2="{top + ph}" stroke="#b00" '
                   'stroke-dasharray="2 3"/>')
        if ky is not None and y_lo <= ky <= y_hi:
            out.append(f'<rect x="{px(kx) - 3.5:.1f}" y="{py(ky) - 3.5:.1f}" width="7" height="7" fill="#b00"/>')
    # legend, below the axes
    lx, ly = left, top + ph + 30
    for s in plot.series:
        if s.kind == "curve":
            dash = ' stroke-dasharray="5 3"' if s.dashed else ""
            out.append(f'<line x1="{lx}" y1="{ly - 4}" x2="{lx + 18}" y2="{ly - 4}" stroke="{s.color}" stroke-width="1.8"{dash}/>')
        else:
            out.append(f'<circle cx="{lx + 9}" cy="{ly - 4}" r="2.6" fill="none" stroke="{s.color}"/>')
        out.append(f'<text x="{lx + 22}" y="{ly}">{escape(s.label)}</text>')
        lx += 26 + 6.2 * len(s.label)
        if lx > width - 90:
            lx, ly = left, ly + 14
    if plot.kinks:
        out.append(f'<rect x="{lx + 5}" y="{ly - 7.5}" width="7" height="7" fill="#b00"/>'
                   f'<text x="{lx + 22}" y="{ly}">kink (convention)</text>')
    out.append("</svg>")
    return "\n".join(out)


def _segments(xs: Sequence[float], ys: Sequence[float], kinks: Sequence[float]) -> list[list[tuple[float, float]]]:
    """Split a sampled curve at non-finite values and wherever a kink lies between samples."""
    segs: list[list[tuple[float, float]]] = [[]]
    prev = None
    for x, y in zip(xs, ys):
        if not math.isfinite(y):
            segs.append([])
            prev = None
            continue
        if any(abs(x - k) < 1e-12 for k in kinks):
            segs.append([])  # the value at a kink is the convention's, marked separately
            prev = None
            continue
        if prev is not None and any(prev < k < x for k in kinks):
            segs.append([])
        segs[-1].append((x, y))
        prev = x
    return [s for s in segs if len(s) > 1]
