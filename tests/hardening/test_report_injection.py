"""Hostile titles and file names through `gradverify check FILE --html --latex --pdf`: the HTML
(checked with an HTML parser) has no script, no event handler, no external URL and shows the text
literally; the LaTeX source holds none of the TeX commands; pdflatex runs with shell escape off in a
temporary directory, reads no file it is told to and writes no canary; the PDF prints the text."""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import io
import json
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from worked_fuzz import BASE_TEXTS  # noqa: E402

from gradverify.cli import main  # noqa: E402

BASE = BASE_TEXTS["cs7015-q3"]
TITLE_LINE = next(line for line in BASE.splitlines() if line.startswith("title = "))

HTML_PAYLOADS = [
    "<script>alert(1)</script>",
    "\"><img src=x onerror=alert(1)>",
    "</title><script src=\"http://evil.example/x.js\"></script>",
    "<a href=\"javascript:alert(1)\">click</a>",
    "<svg onload=alert(1)><circle r=9 /></svg>",
    "<style>@import url(http://evil.example/a.css);</style>",
    "<link rel=stylesheet href=https://evil.example/x.css>",
    "<iframe src=//evil.example></iframe>",
    "<math><mi xlink:href=\"http://evil.example\">x</mi></math>",
    "<base href=\"http://evil.example/\">",
    "<meta http-equiv=\"refresh\" content=\"0;url=http://evil.example\">",
    "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#60;b&#62;",
    "]]><![CDATA[<script>alert(1)</script>]]>",
    "<!-- --><script>alert(1)</script><!-- -->",
    "' onmouseover='alert(1)' data-x='",
    "{{ 7*7 }} {% for x in y %} ${7*7} #{7*7}",
    "<div style=\"background:url(http://evil.example/p.png)\">x</div>",
    "\u202eRTL override <b>bold</b>",
]
TEX_PAYLOADS = [
    "\\input{SECRET}",
    "\\immediate\\write18{touch CANARY}",
    "\\write18{touch CANARY}",
    "\\catcode`\\^^5c=0 \\catcode`\\|=0 |input{SECRET}",
    "^^5cinput{SECRET}",
    "^^5c^^5cinput{SECRET}",
    "$\\input{SECRET}$",
    "\\csname input\\endcsname{SECRET}",
    "\\makeatletter\\@@input SECRET ",
    "\\newwrite\\f\\immediate\\openout\\f=CANARY\\immediate\\write\\f{x}",
    "\\def\\title{pwned} \\let\\section\\input",
    "% comment } \\end{document}",
    "#1 ~ & _ { } \\\\ \\verb|x| \\begin{verbatim}",
    "\\directlua{os.execute('touch CANARY')}",
    "\\href{javascript:alert(1)}{x} \\url{http://evil.example}",
]


def _title_file(tmp: Path, title: str, name: str = "hw.toml") -> Path:
    path = tmp / name
    path.write_text(BASE.replace(TITLE_LINE, f"title = {json.dumps(title, ensure_ascii=False)}", 1), encoding="utf-8")
    return path


def _fill(text: str, secret: Path, canary: Path) -> str:
    return text.replace("SECRET", str(secret)).replace("CANARY", str(canary))


def _check(*argv: str) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        code = main(["check", *argv])
    return code, err.getvalue()


class _Audit(HTMLParser):
    """Collects what a browser could run or load from an HTML document, and its visible text."""

    BANNED = {"script", "iframe", "frame", "frameset", "object", "embed", "applet", "link", "base",
              "form", "img", "audio", "video", "source", "track", "input", "button", "portal"}
    URL_ATTRS = {"href", "src", "xlink:href", "action", "formaction", "srcset", "poster", "background",
                 "data", "codebase", "cite", "ping"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.text: list[str] = []
        self.in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.BANNED:
            self.problems.append(f"<{tag}>")
        if tag == "meta" and any(k == "http-equiv" for k, _ in attrs):
            self.problems.append("<meta http-equiv>")
        for k, v in attrs:
            if k.startswith("on"):
                self.problems.append(f"event handler {k}= on <{tag}>")
            if k in self.URL_ATTRS and v and not v.startswith("#"):
                self.problems.append(f"{k}={v[:60]!r} on <{tag}>")
            if k == "style" and v and _external_css(v):
                self.problems.append(f"style={v[:60]!r}")
        self.in_style = tag == "style"

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self.in_style = False

    def handle_data(self, data: str) -> None:
        if self.in_style and _external_css(data):
            self.problems.append("external url() or @import in <style>")
        self.text.append(data)


def _external_css(css: str) -> bool:
    if "@import" in css:
        return True
    return any(not u.strip("'\" ").startswith(("#", "data:")) for u in re.findall(r"url\(([^)]*)\)", css))


def _audit(html: str) -> _Audit:
    a = _Audit()
    a.feed(html)
    a.close()
    return a


def _squash(s: str) -> str:
    return " ".join(s.split())


ALL_PAYLOADS = HTML_PAYLOADS + TEX_PAYLOADS


@pytest.fixture(scope="module")
def model():
    """The bundled example's report model, judged once (building it takes a few seconds)."""
    from gradverify.judge import verdicts as judge
    from gradverify.judge import worked
    from gradverify.render.build import model_from_result

    return model_from_result(judge.judge(worked.load_example("cs7015-q3")))


def _planted(model, payload: str):
    """A copy of the model with the payload in every user-visible string: title, source, summary,
    notes, and each row's claimed text, key, diagnosis and note."""
    m = copy.copy(model)
    m.title, m.source, m.summary_text = payload, payload + ".toml", payload
    m.notes = [payload]
    m.steps = []
    for sec in model.steps:
        rows = [dataclasses.replace(r, claimed=payload, key=payload, diagnosis=payload, note=payload) for r in sec.rows]
        m.steps.append(dataclasses.replace(sec, rows=rows))
    return m


@pytest.mark.parametrize("k", range(len(ALL_PAYLOADS)))
def test_html_with_the_payload_everywhere_runs_and_loads_nothing(k, model):
    from gradverify.render import render_html

    payload = ALL_PAYLOADS[k]
    html = render_html(_planted(model, payload))
    audit = _audit(html)
    assert not audit.problems, audit.problems
    shown = _squash("".join(audit.text))
    assert shown.count(_squash(payload)) >= 1 + len(model.rows), "the text must be shown literally, each time"


@pytest.mark.parametrize("k", range(len(ALL_PAYLOADS)))
def test_latex_with_the_payload_everywhere_holds_no_command(k, model, tmp_path):
    from gradverify.render import render_latex

    payload = _fill(ALL_PAYLOADS[k], tmp_path / "secret.txt", tmp_path / "canary")
    tex = render_latex(_planted(model, payload))
    body = tex[tex.index("\\begin{document}"):]
    for bad in DANGEROUS_TEX:
        assert bad not in body, (bad, payload)
    assert body.count("\\end{document}") == 1


@pytest.mark.parametrize("k", [0, 1, 2, len(HTML_PAYLOADS), len(HTML_PAYLOADS) + 3])
def test_cli_html_report_from_a_hostile_title(k, tmp_path):
    """End to end through `gradverify check FILE --html` for a few titles."""
    title = ALL_PAYLOADS[k]
    src = _title_file(tmp_path, title)
    out = tmp_path / "report.html"
    code, err = _check(str(src), "--html", str(out))
    assert code == 1, err  # the example's two planted mistakes: judged, and the report written
    audit = _audit(out.read_text(encoding="utf-8"))
    assert not audit.problems, audit.problems
    assert _squash(title) in _squash("".join(audit.text)), "the title must be shown literally"


def test_html_from_a_hostile_file_name(tmp_path):
    """With no title the file name is shown: a name full of markup stays text."""
    name = "<img src=x onerror=alert(1)> \\input{x} $x$ & 'q'.toml"
    src = tmp_path / name
    src.write_text(BASE.replace(TITLE_LINE + "\n", "", 1), encoding="utf-8")
    out = tmp_path / "report.html"
    code, err = _check(str(src), "--html", str(out))
    assert code == 1, err
    audit = _audit(out.read_text(encoding="utf-8"))
    assert not audit.problems, audit.problems
    assert "<img src=x onerror=alert(1)>" in "".join(audit.text)


DANGEROUS_TEX = ["\\input{", "\\write18", "\\immediate", "\\catcode", "^^5c", "\\csname input", "\\@@input",
                 "\\openout", "\\directlua", "\\let\\section", "\\def\\title", "\\verb|", "\\begin{verbatim}",
                 "\\href{javascript", "\\end{document}\n%", "|input"]


def test_cli_latex_source_from_the_tex_payloads(tmp_path):
    """End to end through `gradverify check FILE --latex`, every TeX payload in one title."""
    secret, canary = tmp_path / "secret.txt", tmp_path / "canary"
    title = " | ".join(_fill(p, secret, canary) for p in TEX_PAYLOADS)
    out = tmp_path / "report.tex"
    code, err = _check(str(_title_file(tmp_path, title)), "--latex", str(out))
    assert code == 1, err
    tex = out.read_text(encoding="utf-8")
    body = tex[tex.index("\\begin{document}"):]
    for bad in DANGEROUS_TEX:
        assert bad not in body, bad
    assert body.count("\\end{document}") == 1


def _pdf_text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


@pytest.fixture
def tex_tools():
    if not shutil.which("pdflatex") or not shutil.which("pdftotext"):
        if os.environ.get("GRADVERIFY_REQUIRE_TOOLS"):
            pytest.fail("pdflatex and pdftotext are required (GRADVERIFY_REQUIRE_TOOLS is set)")
        pytest.skip("pdflatex or pdftotext is not installed")


@pytest.mark.parametrize("group", ["tex", "html"])
def test_pdf_prints_the_payloads_and_runs_none(group, tmp_path, tex_tools, monkeypatch):
    """All payloads of a kind in one title (one pdflatex run): nothing read, nothing written,
    pdflatex called with -no-shell-escape in a fresh temporary directory, the text printed."""
    secret, canary = tmp_path / "secret.txt", tmp_path / "canary"
    secret.write_text("GV-SECRET-TOKEN-0451\n", encoding="utf-8")
    payloads = TEX_PAYLOADS if group == "tex" else HTML_PAYLOADS
    title = " | ".join(_fill(p, secret, canary) for p in payloads)
    calls: list[dict] = []
    from gradverify.render import latexdoc

    real_run = subprocess.run

    def spy(cmd, *args, **kwargs):
        if "pdflatex" in str(cmd[0]):
            calls.append({"cmd": list(cmd), "cwd": kwargs.get("cwd"), "env": kwargs.get("env") or {}})
        return real_run(cmd, *args, **kwargs)

    monkeypatch.setattr(latexdoc.subprocess, "run", spy)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    pdf = tmp_path / "report.pdf"
    code, err = _check(str(_title_file(tmp_path, title)), "--pdf", str(pdf))
    assert code == 1, err
    assert not canary.exists(), "a payload wrote the canary file"
    assert list(work.iterdir()) == [], "pdflatex wrote into the current directory"
    assert calls, "pdflatex was not called"
    for c in calls:
        assert "-no-shell-escape" in c["cmd"] and not any("shell-escape" in a and a != "-no-shell-escape" for a in c["cmd"])
        assert c["cwd"] and Path(c["cwd"]).name.startswith("gradverify-tex-") and not Path(c["cwd"]).exists()
        assert c["env"].get("shell_escape") == "f" and c["env"].get("openin_any") == "p"
    text = _squash(_pdf_text(pdf))
    assert "GV-SECRET-TOKEN-0451" not in text
    if group == "tex":
        for visible in ("input{", "write18{touch", "catcode", "^^5cinput", "directlua"):
            assert visible in text.replace("\u02c6", "^").replace(" ", "") or visible.replace(" ", "") in text.replace(" ", ""), visible
    else:
        for visible in ("<script>alert(1)</script>", "onerror=alert(1)", "javascript:alert(1)"):
            assert visible in text.replace(" ", "").replace("\u02c6", "^") or visible.replace(" ", "") in text.replace(" ", ""), visible
