"""The self-contained HTML report: MathML for mathematics, inline SVG pictures, no scripts."""

from __future__ import annotations

from . import svg
from .model import ReportModel
from .notation import MATHML
from .templating import html_env
from .view import build_view


class SvgPictures:
    """Draws the report's pictures as inline SVG."""

    @staticmethod
    def network(pic: svg.NetworkPicture) -> str:
        return svg.network_svg(pic)

    @staticmethod
    def plot(plot: svg.Plot) -> str:
        return svg.plot_svg(plot)


def render_html(model: ReportModel, *, generator: str = "gradverify", fragment: bool = False) -> str:
    """A whole HTML document (or a `<div>` fragment for notebooks) for the model."""
    context = build_view(model, MATHML, pictures=SvgPictures, generator=generator)
    name = "fragment.html.j2" if fragment else "report.html.j2"
    return html_env().get_template(name).render(**context)
