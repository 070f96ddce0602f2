"""Reports as documents: self-contained HTML (MathML + inline SVG) and LaTeX compiled to PDF.

Public API:
- `html_fragment(result)` / `latex_fragment(result)`: for notebooks (`_repr_html_`, `_repr_latex_`).
- `render_html(result)` / `render_latex(result)`: whole documents as strings.
- `write_reports(result, html=None, latex=None, pdf=None)`: write any subset of the three files.
`result` is a `gradverify.judge.result.CheckResult` or an already built `model.ReportModel`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Union

if TYPE_CHECKING:
    from gradverify.judge.result import CheckResult
    from gradverify.render.model import ReportModel
    from gradverify.render.progress import Progress

    Reportable = Union[CheckResult, ReportModel]

__all__ = ["html_fragment", "latex_fragment", "render_html", "render_latex", "write_reports"]


def _model(result: Reportable) -> ReportModel:
    from gradverify.render.model import ReportModel

    if isinstance(result, ReportModel):
        return result
    from gradverify.render.build import model_from_result

    return model_from_result(result)


def _generator() -> str:
    try:
        from importlib.metadata import version

        return f"gradverify {version('gradverify')}"
    except Exception:
        return "gradverify"


def render_html(result: Reportable) -> str:
    """The whole self-contained HTML report."""
    from gradverify.render.html import render_html as _render

    return _render(_model(result), generator=_generator())


def html_fragment(result: Reportable) -> str:
    """The report as a `<div>` (with its own style) for Jupyter's `_repr_html_`."""
    from gradverify.render.html import render_html as _render

    return _render(_model(result), generator=_generator(), fragment=True)


def render_latex(result: Reportable) -> str:
    """The whole standalone LaTeX article."""
    from gradverify.render.latexdoc import render_latex as _render

    return _render(_model(result), generator=_generator())


def latex_fragment(result: Reportable) -> str:
    """The report's body in LaTeX (no preamble) for Jupyter's `_repr_latex_`."""
    from gradverify.render.latexdoc import render_latex as _render

    return _render(_model(result), generator=_generator(), standalone=False)


def write_reports(result: Reportable, *, html: Path | str | None = None, latex: Path | str | None = None,
                  pdf: Path | str | None = None, progress: Progress | None = None) -> list[Path]:
    """Write the requested reports; the model is built once. Returns the paths written.
    `progress` is told each stage; none by default."""
    from gradverify.render.build import model_from_result
    from gradverify.render.model import ReportModel
    from gradverify.render.progress import Silent

    progress = progress or Silent()
    model = result if isinstance(result, ReportModel) else model_from_result(result, progress)
    written: list[Path] = []
    gen = _generator()
    if html is not None:
        from gradverify.render.html import render_html as _render_html

        path = Path(html)
        progress.stage(f"writing {path}")
        path.write_text(_render_html(model, generator=gen), encoding="utf-8")
        written.append(path)
    if latex is not None or pdf is not None:
        from gradverify.render.latexdoc import compile_pdf, render_latex as _render_latex

        source = _render_latex(model, generator=gen)
        if latex is not None:
            path = Path(latex)
            path.write_text(source, encoding="utf-8")
            written.append(path)
        if pdf is not None:
            progress.stage(f"compiling {pdf} with pdflatex")
            written.append(compile_pdf(source, Path(pdf)))
    return written

