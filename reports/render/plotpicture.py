"""Function plots: the data (curves, engine points, kinks) and their layout as a `Drawing`.

A plot is laid out once and drawn by both backends, legible at page width: 13 px text, the
legend inside the plot area in the corner where it hides the fewest samples.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Sequence

from gradverify.render.drawing import Box, Circle, Drawing, Line, Polyline, Rect, Text, text_width

MINUS = "\u2212"
WIDTH, HEIGHT = 560.0, 330.0
FONT, TITLE_FONT = 13.0, 15.0
KINK_COLOUR = "#b00"


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


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """Round tick values (steps of 1, 2, 2.5 or 5 times a power of ten) covering [lo, hi]."""
    span = hi - lo
    if span <= 0:
        return [lo]
    raw = span / count
    mag = 10 ** math.floor(math.log10(raw))
    step = min((m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw), default=raw)
    ticks, v = [], math.ceil(lo / step) * step
    while v <= hi + 1e-9 * span:
        ticks.append(0.0 if abs(v) < 1e-12 * span else v)
        v += step
    return ticks


def tick_text(v: float) -> str:
    return f"{v:.6g}".replace("-", MINUS)


def segments(xs: Sequence[float], ys: Sequence[float], kinks: Sequence[float]) -> list[list[tuple[float, float]]]:
    """Split a sampled curve at non-finite values and wherever a kink lies between samples."""
    segs: list[list[tuple[float, float]]] = [[]]
    prev = None
    for x, y in zip(xs, ys):
        if not math.isfinite(y) or any(abs(x - k) < 1e-12 for k in kinks):
            segs.append([])  # a gap, or the value at a kink: the convention's, marked separately
            prev = None
            continue
        if prev is not None and any(prev < k < x for k in kinks):
            segs.append([])
        segs[-1].append((x, y))
        prev = x
    return [s for s in segs if len(s) > 1]


def layout(plot: Plot) -> Drawing:
    """Axes with ticks, the curves split at kinks, engine points, kinks marked, legend inside."""
    finite = [(x, y) for s in plot.series for x, y in zip(s.xs, s.ys) if math.isfinite(y)]
    x_lo, x_hi = min(x for x, _ in finite), max(x for x, _ in finite)
    y_lo, y_hi = min(y for _, y in finite), max(y for _, y in finite)
    if y_hi - y_lo < 1e-9:
        y_lo, y_hi = y_lo - 1, y_hi + 1
    pad = (y_hi - y_lo) * 0.08
    y_lo, y_hi = y_lo - pad, y_hi + pad
    left, right, top, bottom = 56.0, 14.0, 30.0, 40.0
    pw, ph = WIDTH - left - right, HEIGHT - top - bottom

    def px(x: float) -> float:
        return left + (x - x_lo) / (x_hi - x_lo) * pw

    def py(y: float) -> float:
        return top + (y_hi - y) / (y_hi - y_lo) * ph

    d = Drawing(WIDTH, HEIGHT, plot.title, css_class="plot")
    d.add(Text(WIDTH / 2, 19, plot.title, TITLE_FONT, bold=True))
    d.add(Rect(left, top, pw, ph, stroke="#999"))
    for tx in nice_ticks(x_lo, x_hi):
        d.add(Line(px(tx), top + ph, px(tx), top + ph + 4, "#555"))
        d.add(Text(px(tx), top + ph + 18, tick_text(tx), FONT))
    for ty in nice_ticks(y_lo, y_hi, 4):
        d.add(Line(left - 4, py(ty), left, py(ty), "#555"))
        d.add(Text(left - 7, py(ty) + 4.5, tick_text(ty), FONT, anchor="end"))
    d.add(Text(left + pw, top + ph + 34, plot.x_label, FONT, anchor="end"))
    if y_lo < 0 < y_hi:
        d.add(Line(left, py(0), left + pw, py(0), "#ccc"))
    if x_lo < 0 < x_hi:
        d.add(Line(px(0), top, px(0), top + ph, "#ccc"))
    kink_xs = [k for k, _ in plot.kinks]
    for s in plot.series:
        if s.kind == "curve":
            for seg in segments(s.xs, s.ys, kink_xs):
                d.add(Polyline([(px(x), py(y)) for x, y in seg], s.color, 2.0, s.dashed))
        else:
            d.add(*(Circle(px(x), py(y), 2.8, s.color, fill="none", width=1.3)
                    for x, y in zip(s.xs, s.ys) if math.isfinite(y) and y_lo <= y <= y_hi))
    for kx, ky in plot.kinks:
        d.add(Line(px(kx), top, px(kx), top + ph, KINK_COLOUR, dash=(2.0, 3.0)))
        if ky is not None and y_lo <= ky <= y_hi:
            d.add(Rect(px(kx) - 4, py(ky) - 4, 8, 8, fill=KINK_COLOUR, stroke=None))
    samples = [(px(x), py(y)) for x, y in finite if y_lo <= y <= y_hi]
    _legend(d, plot, Box(left, top, left + pw, top + ph), samples)
    return d


def _legend(d: Drawing, plot: Plot, area: Box, samples: list[tuple[float, float]]) -> None:
    """The legend as a framed box inside the plot area, in the corner covering the fewest samples."""
    entries: list[tuple[str, Series | None]] = [(s.label, s) for s in plot.series]
    if plot.kinks:
        entries.append(("kink (convention)", None))
    row, key, pad = FONT * 1.35, 26.0, 6.0
    w = key + max(text_width(label, FONT) for label, _ in entries) + 2 * pad
    h = row * len(entries) + pad
    corners = [Box(area.left + 6, area.top + 6, area.left + 6 + w, area.top + 6 + h),
               Box(area.right - 6 - w, area.top + 6, area.right - 6, area.top + 6 + h),
               Box(area.left + 6, area.bottom - 6 - h, area.left + 6 + w, area.bottom - 6),
               Box(area.right - 6 - w, area.bottom - 6 - h, area.right - 6, area.bottom - 6)]
    box = min(corners, key=lambda b: sum(1 for x, y in samples if b.left <= x <= b.right and b.top <= y <= b.bottom))
    d.add(Rect(box.left, box.top, w, h, fill="#ffffff", stroke="#bbb"))
    for i, (label, s) in enumerate(entries):
        y = box.top + pad + row * i + row / 2
        x = box.left + pad
        if s is None:
            d.add(Rect(x + key / 2 - 4, y - 4, 8, 8, fill=KINK_COLOUR, stroke=None))
        elif s.kind == "curve":
            d.add(Line(x, y, x + key - 6, y, s.color, 2.0, dash=(6.0, 4.0) if s.dashed else None))
        else:
            d.add(Circle(x + key / 2 - 3, y, 2.8, s.color, fill="none", width=1.3))
        d.add(Text(x + key, y + 4.5, label, FONT, anchor="start"))
