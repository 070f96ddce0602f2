"""The LaTeX report (standalone article or a fragment) and its compilation to PDF by pdflatex.

pdflatex runs in a fresh temporary directory with shell escape off and halt-on-error, so a
report can neither run commands nor leave files behind; a failure raises with the log's error.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from gradverify.derivations.sandbox import preexec_die_with_parent
from gradverify.render import circuitpicture, latexpic
from gradverify.render.circuitpicture import CircuitPicture
from gradverify.render.latex import Tex, escape
from gradverify.render.model import ReportModel
from gradverify.render.netpicture import NetworkPicture
from gradverify.render.plotpicture import Plot
from gradverify.render.notation import LATEX
from gradverify.render.templating import latex_env
from gradverify.render.view import build_view

_VERDICT_TEX = {"correct": Tex(r"\gvcorrect{}"), "follows": Tex(r"\gvfollows{}"), "wrong": Tex(r"\gvwrong{}")}
_TABLE_TEX = {"equivalent": r"$\checkmark$", "equivalent on a domain": r"$\checkmark$",
              "not equivalent": r"$\times$", "unusable": r"$\times$", "undecided": "?"}


class PicturePictures:
    """Draws the report's pictures with LaTeX's picture environment."""

    @staticmethod
    def network(pic: NetworkPicture) -> str:
        return latexpic.network_picture(pic)

    @staticmethod
    def plot(plot: Plot) -> str:
        return latexpic.plot_picture(plot)

    @staticmethod
    def circuit(pic: CircuitPicture) -> str:
        return latexpic.drawing_picture(circuitpicture.layout(pic))


class LatexError(RuntimeError):
    """pdflatex failed; the message holds the first error lines of its log."""


def render_latex(model: ReportModel, *, generator: str = "gradverify", standalone: bool = True) -> str:
    """LaTeX source of the report: a whole article, or a fragment for `_repr_latex_`."""
    context = build_view(model, LATEX, pictures=PicturePictures, generator=generator)
    r = context["r"]
    for c in r["counts"]:
        c["tex_verdict"] = _VERDICT_TEX[c["word"]]
    for step in r["steps"]:
        for row in step["rows"]:
            row["tex_verdict"] = _VERDICT_TEX.get(row["verdict"], Tex("?"))
    for t in r["table_claims"]:
        t["tex_verdict"] = Tex(_TABLE_TEX.get(t["verdict"], "?") + "~" + escape(t["verdict"]))
    for d in r["derivations"]:
        for s in d["steps"]:
            s["indent"] = Tex(str(1.2 * s["depth"]))
    context["standalone"] = standalone
    return latex_env().get_template("report.tex.j2").render(**context)


def pdflatex_path() -> str | None:
    """The pdflatex executable, or None when it is not installed."""
    return shutil.which("pdflatex")


def compile_pdf(tex_source: str, out: Path, *, runs: int = 2, timeout: float = 120.0) -> Path:
    """Compile LaTeX source to `out` (a PDF) in a temporary directory; return `out`."""
    exe = pdflatex_path()
    if exe is None:
        raise LatexError("pdflatex is not installed (Debian: apt-get install texlive-latex-base "
                         "texlive-latex-recommended); write --latex OUT.tex and compile it elsewhere")
    out = Path(out)
    with tempfile.TemporaryDirectory(prefix="gradverify-tex-") as tmp:
        src = Path(tmp) / "report.tex"
        src.write_text(tex_source, encoding="utf-8")
        env = dict(os.environ, openout_any="p", openin_any="p", shell_escape="f")
        for _ in range(runs):
            proc = subprocess.run(
                [exe, "-no-shell-escape", "-interaction=nonstopmode", "-halt-on-error",
                 "-output-directory", tmp, "report.tex"],
                cwd=tmp, env=env, stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout,
                preexec_fn=preexec_die_with_parent(),  # a stopped `check --pdf` leaves no pdflatex running
            )
            if proc.returncode != 0:
                raise LatexError("pdflatex failed:\n" + _log_errors(Path(tmp) / "report.log", proc.stdout))
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(Path(tmp) / "report.pdf", out)
    return out


def _log_errors(log: Path, stdout: bytes) -> str:
    text = log.read_text(errors="replace") if log.exists() else stdout.decode(errors="replace")
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("!"):
            return "\n".join(lines[i:i + 6])
    return "\n".join(lines[-15:])
