"""`gradverify report`: write the HTML (MathML + SVG), LaTeX and PDF reports of a worked example.

Heavy modules (sympy, numpy, the renderers) are imported inside `run`, never at import time.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from gradverify.commands.options import add_param_option, fail, parse_params

if TYPE_CHECKING:
    from gradverify.render.progress import Progress

EPILOG = """\
examples:
  gradverify report --example cs7015-q3 --html q3.html --pdf q3.pdf
        the bundled seed-001 step: every claim with its symbolic, analytic and numeric
        truth, verdict and diagnosis, the network picture and the function plots
  gradverify report homework.toml --latex homework.tex
        standalone LaTeX (article; base + recommended packages only) to edit or compile
  gradverify report --derive tanh --html tanh.html
        a catalog entry: definition, derivative, step-by-step derivation, textbook forms, plot
  gradverify report --derive leaky_relu --param alpha=0.1 --pdf leaky.pdf

exit status: 0 report written and no claim wrong, 1 written but some claim is wrong,
             2 unusable input or a report could not be written (message on stderr); as for
             check, a file with an [expect] table exits 0 when every verdict is the one it records.
"""


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "report",
        help="write HTML / LaTeX / PDF reports (symbolic, analytic, numeric side by side)",
        description="Write the report of a worked example (or of a catalog entry with --derive) as "
        "one self-contained HTML file (MathML, inline SVG, no scripts), a standalone LaTeX "
        "document, and a PDF compiled by pdflatex. Give at least one of --html, --latex, --pdf.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("file", nargs="?", type=Path, help="worked-example TOML file")
    p.add_argument("--example", metavar="NAME", help="a bundled example instead of FILE (e.g. cs7015-q3)")
    p.add_argument("--derive", metavar="NAME", help="report on a catalog activation or loss instead")
    add_param_option(p, "a parameter of the --derive entry, e.g. alpha=0.1 (repeatable)")
    p.add_argument("--html", type=Path, metavar="OUT.html", help="write the HTML report here")
    p.add_argument("--latex", type=Path, metavar="OUT.tex", help="write the LaTeX source here")
    p.add_argument("--pdf", type=Path, metavar="OUT.pdf", help="compile the LaTeX to this PDF (needs pdflatex)")
    p.set_defaults(run=run)


def _fail(message: str) -> int:
    return fail("report", message)


def _numeric_params(items: list[str]) -> dict[str, str]:
    """`--param` values for a report must be finite numbers: the plots evaluate them."""
    params = parse_params(items)
    for name, value in params.items():
        try:
            number = float(value)
        except ValueError:
            number = float("nan")
        if number != number or number in (float("inf"), float("-inf")):
            raise ValueError(f"--param {name}={value}: the value must be a finite number, e.g. --param {name}=0.1")
    return params


def run(args: argparse.Namespace) -> int:
    outputs = {"html": args.html, "latex": args.latex, "pdf": args.pdf}
    if not any(outputs.values()):
        return _fail("nothing to write: give at least one of --html OUT.html, --latex OUT.tex, --pdf OUT.pdf")
    sources = [s for s in (args.file, args.example, args.derive) if s]
    if len(sources) != 1:
        return _fail("give exactly one of FILE, --example NAME or --derive NAME")
    if args.param and not args.derive:
        return _fail("--param only applies with --derive NAME")
    for kind, path in outputs.items():
        if path is not None and path.parent and not path.parent.exists():
            return _fail(f"--{kind} {path}: the directory {path.parent} does not exist")

    from gradverify.render.progress import Progress

    progress = Progress()  # silent unless the report takes more than a second
    try:
        return _write(args, progress)
    finally:
        progress.done()


def _write(args: argparse.Namespace, progress: Progress) -> int:
    """Judge (or look up), build the report once, write each requested file."""
    from gradverify.render import build, write_reports
    from gradverify.render.latexdoc import LatexError

    try:
        if args.derive:
            try:
                params = _numeric_params(args.param)
            except ValueError as exc:
                return _fail(str(exc))
            model, status = build.model_for_derive(args.derive, params), 0
        else:
            progress.stage("judging the claims")
            result = build.check(args.file, args.example)
            model, status = build.model_from_result(result, progress), result.exit_status()  # as check has it
    except build.InputError as exc:
        return _fail(str(exc))
    try:
        written = write_reports(model, html=args.html, latex=args.latex, pdf=args.pdf, progress=progress)
    except LatexError as exc:
        return _fail(f"could not compile {args.pdf}: {exc}")
    except OSError as exc:
        return _fail(f"could not write {exc.filename}: {exc.strerror}")
    for path in written:
        print(f"wrote {path}")
    return status
