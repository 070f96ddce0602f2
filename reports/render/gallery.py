"""The gallery: every bundled example's HTML and PDF report, and a few catalog entries.

Run `python -m gradverify.render.gallery OUTDIR` (see gallery/README.md). Writes
OUTDIR/<example>.html and .pdf (PDF only when pdflatex is installed) and an index.html.
"""

from __future__ import annotations

import argparse
import sys
from html import escape
from importlib import resources
from pathlib import Path

CATALOG_ENTRIES = ("sigmoid", "tanh", "relu", "leaky_relu", "gelu", "softmax_cross_entropy", "huber")


def bundled_examples() -> list[str]:
    """Names of the bundled worked examples (reports/examples/*.toml)."""
    folder = resources.files("gradverify") / "examples"
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".toml"))


def build_gallery(outdir: Path, *, pdf: bool = True, entries: tuple[str, ...] = CATALOG_ENTRIES) -> list[Path]:
    """Write the gallery into `outdir`; returns the files written (index.html last)."""
    from gradverify.render import build, write_reports
    from gradverify.render.latexdoc import LatexError, pdflatex_path

    outdir.mkdir(parents=True, exist_ok=True)
    want_pdf = pdf and pdflatex_path() is not None
    written: list[Path] = []
    items: list[tuple[str, str, list[Path]]] = []
    jobs = [("example", name) for name in bundled_examples()] + [("catalog", name) for name in entries]
    for kind, name in jobs:
        try:
            if kind == "example":
                model = build.model_from_result(build.check(None, name))
            else:
                model = build.model_for_derive(name, {})
        except (build.InputError, KeyError) as exc:
            print(f"gallery: skipped {kind} {name}: {exc}", file=sys.stderr)
            continue
        stem = name if kind == "example" else f"derive-{name}"
        try:
            files = write_reports(model, html=outdir / f"{stem}.html",
                                  pdf=outdir / f"{stem}.pdf" if want_pdf else None)
        except LatexError as exc:
            print(f"gallery: {stem}.pdf failed: {exc}", file=sys.stderr)
            files = write_reports(model, html=outdir / f"{stem}.html")
        written.extend(files)
        items.append((model.title, kind, files))
    index = outdir / "index.html"
    rows = "\n".join(
        f"<li>{escape(title)} <small>({kind})</small>: "
        + ", ".join(f'<a href="{escape(p.name)}">{escape(p.suffix[1:].upper())}</a>' for p in files)
        + "</li>"
        for title, kind, files in items
    )
    index.write_text("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>gradverify gallery"
                     "</title></head><body><h1>gradverify gallery</h1>\n<ul>\n" + rows + "\n</ul></body></html>\n",
                     encoding="utf-8")
    written.append(index)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gradverify.render.gallery",
                                     description="Write the HTML and PDF reports of the bundled examples.")
    parser.add_argument("outdir", type=Path, help="directory to write into (created if missing)")
    parser.add_argument("--no-pdf", action="store_true", help="HTML only (no pdflatex needed)")
    args = parser.parse_args(argv)
    for path in build_gallery(args.outdir, pdf=not args.no_pdf):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
