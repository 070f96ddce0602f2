"""Screenshots of every kind of report for docs/gallery.md: rerun it whenever the reports change.

Writes the gallery's reports (python -m gradverify.render.gallery) into a temporary folder, takes
PNG screenshots of the HTML with headless Chromium and renders PDF pages with pdftoppm, captures
the terminal table of `gradverify check`, and writes docs/gallery/*.png and docs/gallery.md.

Run from the repository root, in an environment with gradverify installed:
    python gallery/screenshots.py            (needs chromium and pdftoppm; pdflatex for the PDFs)
"""

from __future__ import annotations

import collections
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
SHOTS = DOCS / "gallery"


@dataclass(frozen=True)
class Shot:
    """One picture: a part of an HTML report (its #anchor) at a window size, or one PDF page."""

    name: str
    title: str
    report: str  # the gallery file it shows, e.g. "cs7015-q3.html"
    where: str  # "#step-1" for HTML, "page 2" for a PDF
    size: tuple[int, int]
    caption: str


SHOTS_TAKEN = [
    Shot("worked-html-summary", "A worked example, HTML: the summary", "cs7015-q3.html", "", (1280, 760),
         "The HTML report of seed 001's worked step (`gradverify report --example cs7015-q3 --html q3.html`): "
         "the title, the summary in words with the two wrong claims and why, the verdict counts, the conventions."),
    Shot("worked-html-step", "A worked example, HTML: one step", "cs7015-q3.html", "#step-1", (1280, 1300),
         "Step 1: the network with its weights on the edges and the exact z and a in the neurons (a dashed red "
         "outline where a claim is wrong), then every claim with its symbolic, analytic and numeric truth, the "
         "finite-difference witness, the value from your own numbers, the verdict and the diagnosis. Under each "
         "analytic value, the formula for that very element."),
    Shot("worked-html-derivation", "A worked example, HTML: the functions used", "cs7015-q3.html", "#function-sigmoid", (1280, 1300),
         "Each function the example uses: its definition and SymPy's derivative, a plot of both with the engine's "
         "values as circles, the derivation step by step (rules, computation graph, sum over paths), and every "
         "textbook form with its proof."),
    Shot("softmax-html-step", "Another convention: ReLU and softmax", "seed003-relu-softmax.html", "#step-1", (1280, 1300),
         "Seed 003's conventions (weights from i to j, ReLU, a fused softmax + cross-entropy output): the output "
         "error is a - y, and relu' is written with its kink."),
    Shot("worked-pdf-step", "A worked example, PDF", "cs7015-q3.pdf", "page 2", (0, 0),
         "The same report as a PDF (`--pdf q3.pdf`, compiled by pdflatex): every formula in LaTeX, the network "
         "drawn with LaTeX's own picture environment, each claim's formula on the line below it."),
    Shot("circuit-html-step", "A circuit of gates, HTML", "circuit-add-max-mul.html", "#step-1", (1280, 1150),
         "A circuit file (`[graph]` with named inputs and one statement per gate; `gradverify report --example "
         "circuit-add-max-mul --html c.html`): the circuit drawn with each node's exact value above its wire and the "
         "output's gradient below it, a red cross at each wrong claim, then every claimed value and gradient with "
         "its truth columns and the chain rule written for that very node; the diagnoses name the gate's slip."),
    Shot("circuit-pdf-step", "A circuit of gates, PDF", "circuit-add-max-mul.pdf", "page 2", (0, 0),
         "The same circuit in the PDF: the picture drawn with LaTeX's own picture environment, the gates "
         "typeset, each row's chain rule on the line below it."),
    Shot("catalog-html", "A catalog entry, HTML", "derive-tanh.html", "", (1280, 1300),
         "A catalog entry on its own (`gradverify report --derive tanh --html tanh.html`): definition, derivative, "
         "plot, seed 001's computation graph with its four paths, and the textbook forms, proved or refuted."),
    Shot("catalog-pdf", "A catalog entry, PDF", "derive-relu.pdf", "page 1", (0, 0),
         "The PDF of a catalog entry with a kink (`--derive relu --pdf relu.pdf`): the value gradverify uses at "
         "x = 0 and why."),
]


def _tool(name: str, *alternatives: str) -> str:
    for candidate in (name, *alternatives):
        found = shutil.which(candidate)
        if found:
            return found
    raise SystemExit(f"screenshots: {name} is not installed (Debian: chromium, poppler-utils, texlive-latex-base)")


sys.path.insert(0, str(ROOT / "tests" / "reports"))
import browser  # noqa: E402  (the tests' DevTools helper and PNG reader)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def small_png(png: bytes) -> bytes:
    """The picture in its 256 commonest colours (a report's few inks and their anti-aliasing; each
    rarer pixel takes the nearest of them): an 8-bit palette PNG, about a third of the size."""
    width, height, rows = browser.png_pixels(png)
    pixels = [[row[i:i + 3] for i in range(0, len(row), 3)] for row in rows]
    counts = collections.Counter(p for row in pixels for p in row)
    palette = [c for c, _ in counts.most_common(256)]
    index = {c: k for k, c in enumerate(palette)}
    for c in counts:
        if c not in index:
            index[c] = min(range(len(palette)), key=lambda k: sum((a - b) ** 2 for a, b in zip(c, palette[k])))
    raw = b"".join(b"\x00" + bytes(index[p] for p in row) for row in pixels)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 3, 0, 0, 0))
            + _chunk(b"PLTE", b"".join(palette)) + _chunk(b"IDAT", zlib.compress(raw, 9)) + _chunk(b"IEND", b""))


def _html_shot(page: Path, anchor: str, size: tuple[int, int], out: Path) -> None:
    """The report in headless Chromium: `size[1]` px from the element `anchor` names (or from the top)."""
    out.write_bytes(small_png(browser.capture(page, anchor or "body", *size)))


def _pdf_shot(pdftoppm: str, pdf: Path, page: int, out: Path) -> None:
    stem = out.with_suffix("")
    subprocess.run([pdftoppm, "-png", "-r", "80", "-f", str(page), "-l", str(page), "-singlefile", str(pdf), str(stem)],
                   check=True, timeout=120)
    out.write_bytes(small_png(out.read_bytes()))


def _terminal() -> str:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "110"}
    done = subprocess.run([sys.executable, "-m", "gradverify", "check", "--example", "cs7015-q3"], env=env,
                          capture_output=True, text=True, timeout=300)
    return done.stdout.rstrip()


def _page(terminal: str) -> str:
    lines = ["# Gallery", "",
             "What gradverify writes, before you install it: the reports of the bundled examples and of catalog",
             "entries, as HTML (one self-contained file: MathML, inline SVG, no scripts) and as PDF (pdflatex).",
             "These pictures are made by `python gallery/screenshots.py` (headless Chromium and pdftoppm) and are",
             "remade whenever the reports change; `python -m gradverify.render.gallery DIR` writes the reports",
             "themselves.", "", "## In the terminal", "", "`gradverify check --example cs7015-q3`:", "", "```",
             terminal, "```", ""]
    for shot in SHOTS_TAKEN:
        lines += [f"## {shot.title}", "", shot.caption, "",
                  f"![{shot.name}](gallery/{shot.name}.png)", ""]
    return "\n".join(lines)


def main() -> int:
    _tool("chromium", "chromium-browser", "google-chrome")
    pdftoppm = _tool("pdftoppm")
    from gradverify.render.gallery import build_gallery

    SHOTS.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="gradverify-gallery-") as tmp:
        folder = Path(tmp)
        build_gallery(folder)
        for shot in SHOTS_TAKEN:
            out = SHOTS / f"{shot.name}.png"
            source = folder / shot.report
            if shot.report.endswith(".pdf"):
                _pdf_shot(pdftoppm, source, int(shot.where.split()[-1]), out)
            else:
                _html_shot(source, shot.where, shot.size, out)
            print(f"wrote {out.relative_to(ROOT)}")
    (DOCS / "gallery.md").write_text(_page(_terminal()) + "\n", encoding="utf-8")
    print(f"wrote {(DOCS / 'gallery.md').relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
