"""Every user string is escaped: pdflatex prints it literally and runs none of it."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).parent))
import browser  # noqa: E402

from gradverify.render.latex import Tex, escape  # noqa: E402
from gradverify.render.latexdoc import compile_pdf, pdflatex_path  # noqa: E402

PRINTABLE = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), min_size=1, max_size=28)

_PDF_TEXT = {"`": "'", "\u02c6": "^", "\u02dc": "~", "\u2212": "-", "\u2018": "'", "\u2019": "'", "\u201c": '"',
             "\u201d": '"', "\ufb01": "fi", "\ufb02": "fl", "\ufb00": "ff", "\ufb03": "ffi", "\ufb04": "ffl"}


def _normal(text: str) -> str:
    for a, b in _PDF_TEXT.items():
        text = text.replace(a, b)
    return " ".join(text.replace("''", '"').split())


def _pdf_lines(doc_body: str, tmp: Path) -> list[str]:
    browser.require("pdflatex", pdflatex_path())
    browser.require("pdftotext", shutil.which("pdftotext"))
    doc = ("\\documentclass{article}\\usepackage[utf8]{inputenc}\\usepackage{amssymb}"
           "\\pagestyle{empty}\\setlength{\\parindent}{0pt}\\begin{document}\n" + doc_body + "\n\\end{document}\n")
    pdf = compile_pdf(doc, tmp / "escape.pdf", runs=1)
    out = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return [line for line in out.splitlines() if line.strip()]


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(PRINTABLE.filter(lambda s: s.strip()), min_size=30, max_size=30))
def test_any_ascii_text_prints_literally(tmp_path: Path, texts: list[str]) -> None:
    """Thirty random strings per document, one per line, read back from the PDF's text."""
    body = "\n\n".join(f"[{i}]~{escape(t)}" for i, t in enumerate(texts))
    lines = _pdf_lines(body, tmp_path)
    got = {}
    for line in lines:
        head, _, rest = line.strip().partition("]")
        if head.startswith("[") and head[1:].isdigit():
            got[int(head[1:])] = rest
    for i, t in enumerate(texts):
        assert _normal(got.get(i, "")) == _normal(t), (t, got.get(i))


def test_injection_attempts_are_printed_not_run(tmp_path: Path) -> None:
    attempts = [
        r"\input{/etc/hostname}",
        r"\write18{touch pwned}\immediate\write18{touch pwned}",
        r"\catcode`\{=12 \def\x{}",
        r"}\end{document}",
        r"$\x$ & # % ~ ^ _",
        "\\openout5=pwned.tex \\closeout5",
    ]
    body = "\n\n".join(escape(a) for a in attempts)
    text = _normal(" ".join(_pdf_lines(body, tmp_path)))
    for a in attempts:
        assert _normal(a) in text
    assert not list(tmp_path.glob("pwned*")) and not Path("pwned").exists()


def test_tex_values_pass_through_and_others_do_not() -> None:
    assert escape(Tex(r"\alpha")) == r"\alpha"
    assert escape(r"\alpha") == r"$\backslash$alpha"
    assert "\\" not in escape("\u4e2d\u6587").replace("?", "")  # characters pdflatex cannot print become ?
    assert escape("na\u00efve") == "na\u00efve"  # Latin-1 letters are kept (inputenc utf8)
