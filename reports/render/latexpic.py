"""The same pictures as `svg`, drawn with LaTeX's own picture environment (no TikZ needed).

Straight lines of any slope are `\\qbezier` segments with the midpoint as control point, which
the LaTeX kernel draws without pict2e; circles are `\\circle` (at most 40pt wide).
"""

from __future__ import annotations

import math

from gradverify.render.latex import Tex, escape
from gradverify.render.svg import NetworkPicture, Plot, _nice_ticks, _segments


def _seg(x1: float, y1: float, x2: float, y2: float) -> str:
    return f"\\qbezier({x1:.1f},{y1:.1f})({(x1 + x2) / 2:.1f},{(y1 + y2) / 2:.1f})({x2:.1f},{y2:.1f})"


def _txt(text: str) -> str:
    return escape(text.replace("\u2212", "-")).replace("-", "$-$") if any(c.isdigit() for c in text) \
        else escape(text)


def network_picture(pic: NetworkPicture) -> Tex:
    """The network: neurons as circles with their values, weights written near the edges."""
    layers = len(pic.sizes)
    shown = pic.shown
    col_w, row_h, r = 150, 56, 19
    width = 40 + col_w * (layers - 1) + 60
    height = 30 + row_h * max(shown)

    def y_of(layer: int, j: int) -> float:
        n = shown[layer]
        top = (max(shown) - n) * row_h / 2
        return height - 30 - (top + row_h * j + row_h / 2)

    xs = [30 + col_w * i for i in range(layers)]
    out = [r"\setlength{\unitlength}{1pt}", f"\\begin{{picture}}({width},{height})"]
    for i, name in enumerate(pic.layer_names):
        out.append(f"\\put({xs[i]},{height - 8}){{\\makebox(0,0){{\\small\\textbf{{{escape(name)}}}}}}}")
    out.append(r"\color{gray}")
    labels = []
    for x1, y1, x2, y2, (lx, ly), text in pic.edges(xs, y_of, r):
        out.append(_seg(x1, y1, x2, y2))
        if text:
            labels.append(f"\\put({lx:.1f},{ly:.1f}){{\\makebox(0,0){{\\colorbox{{white}}{{\\tiny {_txt(text)}}}}}}}")
    out.append(r"\color{black}")
    out.extend(labels)
    for l in range(layers):
        for j in range(shown[l]):
            cx, cy = xs[l], y_of(l, j)
            color = "red!70!black" if (l, j) in pic.highlight else "black"
            out.append(f"{{\\color{{{color}}}\\put({cx},{cy:.1f}){{\\circle{{{2 * r}}}}}}}")
            lines = pic.neuron_text.get((l, j), [])[:3]
            for i, line in enumerate(lines):
                dy = -(i - (len(lines) - 1) / 2) * 7.5
                out.append(f"\\put({cx},{cy + dy:.1f}){{\\makebox(0,0){{\\tiny {_txt(line)}}}}}")
        if shown[l] < pic.sizes[l]:
            out.append(f"\\put({xs[l]},2){{\\makebox(0,0){{\\tiny ({pic.sizes[l] - shown[l]} more)}}}}")
    out.append(r"\end{picture}")
    return Tex("%\n".join(out))


_COLORS = {"#1f4e9e": "blue!60!black", "#c60": "orange!80!black", "#070": "green!45!black",
           "#b00": "red!70!black", "#6a1b9a": "violet!70!black"}


def plot_picture(plot: Plot, *, width: float = 190, height: float = 120) -> Tex:
    """A plot: frame, ticks, curves as short straight segments, engine points, kinks marked."""
    finite = [(x, y) for s in plot.series for x, y in zip(s.xs, s.ys) if math.isfinite(y)]
    x_lo, x_hi = min(x for x, _ in finite), max(x for x, _ in finite)
    y_lo, y_hi = min(y for _, y in finite), max(y for _, y in finite)
    if y_hi - y_lo < 1e-9:
        y_lo, y_hi = y_lo - 1, y_hi + 1
    pad = (y_hi - y_lo) * 0.08
    y_lo, y_hi = y_lo - pad, y_hi + pad
    left, bottom = 30, 40

    def px(x: float) -> float:
        return left + (x - x_lo) / (x_hi - x_lo) * width

    def py(y: float) -> float:
        return bottom + (y - y_lo) / (y_hi - y_lo) * height

    out = [r"\setlength{\unitlength}{1pt}", f"\\begin{{picture}}({left + width + 10},{bottom + height + 18})",
           f"\\put({left + width / 2:.1f},{bottom + height + 9}){{\\makebox(0,0){{\\small\\textbf{{{escape(plot.title)}}}}}}}",
           f"\\put({left},{bottom}){{\\framebox({width},{height}){{}}}}"]
    for tx in _nice_ticks(x_lo, x_hi):
        out.append(f"\\put({px(tx):.1f},{bottom - 8}){{\\makebox(0,0){{\\tiny ${_tick(tx)}$}}}}")
        out.append(f"\\put({px(tx):.1f},{bottom}){{\\line(0,1){{3}}}}")
    for ty in _nice_ticks(y_lo, y_hi, 4):
        out.append(f"\\put({left - 3},{py(ty):.1f}){{\\makebox(0,0)[r]{{\\tiny ${_tick(ty)}$}}}}")
        out.append(f"\\put({left},{py(ty):.1f}){{\\line(1,0){{3}}}}")
    kink_xs = [k for k, _ in plot.kinks]
    legend_y = bottom - 22
    lx = left
    for s in plot.series:
        color = _COLORS.get(s.color, "black")
        if s.kind == "curve":
            for seg in _segments(s.xs, s.ys, kink_xs):
                pts = [(px(x), py(y)) for x, y in seg if y_lo <= y <= y_hi]
                body = "".join(_seg(a[0], a[1], b[0], b[1]) for a, b in zip(pts, pts[1:]))
                out.append(f"{{\\color{{{color}}}{body}}}")
            out.append(f"{{\\color{{{color}}}\\put({lx},{legend_y + 2}){{\\line(1,0){{10}}}}}}")
        else:
            dots = "".join(f"\\put({px(x):.1f},{py(y):.1f}){{\\circle{{3}}}}"
                           for x, y in zip(s.xs, s.ys) if math.isfinite(y) and y_lo <= y <= y_hi)
            out.append(f"{{\\color{{{color}}}{dots}\\put({lx + 5},{legend_y + 2}){{\\circle{{3}}}}}}")
        out.append(f"\\put({lx + 12},{legend_y}){{\\makebox(0,0)[bl]{{\\tiny {escape(s.label)}}}}}")
        lx += 20 + 3.2 * len(s.label)
        if lx > left + width - 40:
            lx, legend_y = left, legend_y - 10
    for kx, ky in plot.kinks:
        out.append(f"{{\\color{{red!70!black}}\\multiput({px(kx):.1f},{bottom})(0,6){{{int(height / 6)}}}"
                   f"{{\\line(0,1){{3}}}}")
        if ky is not None and y_lo <= ky <= y_hi:
            out.append(f"\\put({px(kx):.1f},{py(ky):.1f}){{\\circle*{{4}}}}")
        out.append("}")
    if plot.kinks:
        out.append(f"{{\\color{{red!70!black}}\\put({lx + 4},{legend_y + 2}){{\\circle*{{4}}}}}}"
                   f"\\put({lx + 9},{legend_y}){{\\makebox(0,0)[bl]{{\\tiny kink (convention)}}}}")
    out.append(r"\end{picture}")
    return Tex("%\n".join(out))


def _tick(v: float) -> str:
    return f"{v:.6g}"
