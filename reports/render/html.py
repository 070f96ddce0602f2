"""The self-contained HTML report: MathML for mathematics, inline SVG pictures, no scripts."""

from __future__ import annotations

from markupsafe import Markup

from gradverify.render import circuitpicture, svg
from gradverify.render.circuitpicture import CircuitPicture
from gradverify.render.model import ReportModel
from gradverify.render.netpicture import NetworkPicture
from gradverify.render.plotpicture import Plot
from gradverify.render.notation import MATHML
from gradverify.render.templating import html_env
from gradverify.render.view import build_view


class SvgPictures:
    """Draws the report's pictures as inline SVG."""

    @staticmethod
    def network(pic: NetworkPicture) -> str:
        return svg.network_svg(pic)

    @staticmethod
    def plot(plot: Plot) -> str:
        return svg.plot_svg(plot)

    @staticmethod
    def circuit(pic: CircuitPicture) -> str:
        return svg.drawing_svg(circuitpicture.layout(pic))


SCOPE = ".gradverify-report"


def scoped_css(css: str, scope: str = SCOPE) -> str:
    """The stylesheet with every selector confined to `scope` (body and :root become the scope),
    so a report shown inside a notebook does not restyle the notebook."""
    out, i = [], 0
    while i < len(css):
        brace = css.find("{", i)
        if brace < 0:
            break
        head = css[i:brace].strip()
        depth, j = 1, brace + 1
        while depth and j < len(css):
            depth += {"{": 1, "}": -1}.get(css[j], 0)
            j += 1
        body = css[brace + 1:j - 1]
        if head.startswith("@media"):
            out.append(f"{head} {{ {scoped_css(body, scope)} }}")
        else:
            sels = []
            for sel in head.split(","):
                sel = sel.strip()
                sels.append(scope if sel in ("body", ":root") else f"{scope} {sel}")
            out.append(f"{', '.join(sels)} {{{body}}}")
        i = j
    return "\n".join(out)


def render_html(model: ReportModel, *, generator: str = "gradverify", fragment: bool = False) -> str:
    """A whole HTML document (or a `<div>` fragment for notebooks) for the model."""
    context = build_view(model, MATHML, pictures=SvgPictures, generator=generator)
    env = html_env()
    if fragment:
        css = env.loader.get_source(env, "report.css")[0]
        context["scoped_css"] = Markup(scoped_css(css))
        return env.get_template("fragment.html.j2").render(**context)
    return env.get_template("report.html.j2").render(**context)
