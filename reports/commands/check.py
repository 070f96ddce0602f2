"""`gradverify check`: judge every claimed number of worked-example files, claim by claim, and
the file's [[derivative]] / [[formula]] tables.

numpy and the judge are imported inside `run`; sympy never in this process (derivative claims are
proved in the sandbox's worker process), so the command starts fast.
"""

from __future__ import annotations

import argparse
import sys
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING

from gradverify.commands.options import DEFAULT_BUDGET, add_budget_option, fail, seconds_problem
from gradverify.draft import is_writeup

if TYPE_CHECKING:
    from gradverify.judge.worked import WorkedExample

EPILOG = """\
examples:
  gradverify check --example cs7015-q3
        the bundled seed-001 step: 43 hand-written numbers, two wrong (the 1/2 convention
        in delta3 and the typo b2[1] = -0.29), everything else correct or following; and
        the hand's two forms of the sigmoid's derivative, both proved equivalent
  gradverify check homework.toml --json
        the same for your own file, as JSON (one object per file; a list for several)
  gradverify check examples/
        every *.toml file under the folder examples/, one table each
  gradverify check a.toml --html report.html
        also write the HTML report (--latex OUT.tex and --pdf OUT.pdf likewise)
  gradverify check --list-examples
  gradverify check homework.md
        a LaTeX or Markdown write-up: drafted (see gradverify draft), then checked; the
        table's line column is the write-up's line of each claim

A file may also hold [[derivative]] tables (of, claimed, optional wrt/params/syntax) and
[[formula]] tables (claimed, layout, sizes), as in a claim file: they are judged after the
numbers and shown in a second table (equivalent, equivalent on a domain, not equivalent with a
counterexample, undecided, unusable).

file format: docs/worked-example-format.md
exit status: 0 no claim wrong; 1 some number wrong, or some derivative/formula claim not
equivalent, undecided or unusable (unreadable) when its table does not expect exactly that
verdict (expect = "not equivalent"); 2 unusable input (message on stderr).
"""


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "check",
        help="judge every number of a hand-worked example (correct / follows / wrong, with why)",
        description="Judge each claimed number of a worked-example TOML file at its printed precision:\n"
        "  correct  matches the exact value under the file's conventions\n"
        "  follows  matches what your own earlier numbers give (error carried forward)\n"
        "  wrong    neither; with a diagnosis where one fits (the 1/2 convention, sign,\n"
        "           transposed weights, learning rate, typo, rounding too early, ...)\n"
        "and each [[derivative]]/[[formula]] table of the file: equivalent, equivalent on a domain,\n"
        "not equivalent (with a counterexample and a diagnosis), undecided or unusable.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("files", nargs="*", type=Path, metavar="FILE",
                   help="worked-example TOML files, folders (every *.toml under them), or LaTeX/Markdown "
                   "write-ups (.tex, .md, .txt: drafted first, as by gradverify draft, and checked when they "
                   "state everything)")
    p.add_argument("--notation", metavar="NAME", help="a write-up's notation: nielsen, from_to, seed004 or a "
                   "notation .toml file (default: detected from its symbols)")
    p.add_argument("--working", action="store_true", help="for a write-up: judge the arithmetic written "
                   "before each number too (as gradverify draft --working keeps it)")
    p.add_argument("--example", action="append", default=[], metavar="NAME",
                   help="a bundled example (see --list-examples), e.g. cs7015-q3; repeatable")
    p.add_argument("--list-examples", action="store_true", help="list the bundled examples and exit")
    p.add_argument("--json", action="store_true", help="write the JSON contract instead of the table")
    p.add_argument("--html", type=Path, metavar="OUT.html", help="also write the HTML report")
    p.add_argument("--latex", type=Path, metavar="OUT.tex", help="also write the LaTeX report")
    p.add_argument("--pdf", type=Path, metavar="OUT.pdf", help="also write the PDF report (needs pdflatex)")
    p.add_argument("--timeout", type=float, default=None, metavar="S",
                   help="seconds of proving per [[derivative]]/[[formula]] claim before it is undecided (default 20)")
    add_budget_option(p, "each file", f"default {DEFAULT_BUDGET:g}")
    p.set_defaults(run=run)


def _fail(message: str) -> int:
    return fail("check", message)


def _load(path: Path, notation: str | None, working: bool) -> "WorkedExample":
    """A worked-example file, or a write-up drafted into one (its claims keep the write-up's lines)."""
    from gradverify.judge import worked

    if not is_writeup(path):
        return worked.load(path)
    from gradverify.draft import NotationError, named  # only for a write-up: drafting is not loaded otherwise
    from gradverify.draft.checking import load_writeup

    try:
        return load_writeup(path, named(notation) if notation else None, working)
    except NotationError as exc:
        raise worked.WorkedExampleError(str(exc)) from None


def run(args: argparse.Namespace) -> int:
    from gradverify.judge import worked

    if args.list_examples:
        for name in worked.example_names():
            ex = worked.load_example(name)
            print(f"{name:24s} {ex.title}")
        return 0
    problem = seconds_problem("--timeout", args.timeout, "20") or seconds_problem("--budget", args.budget, "60")
    if problem:
        return _fail(problem)
    if not args.files and not args.example:
        return _fail("nothing to check: give FILE... or --example NAME (see --list-examples)")
    from gradverify.grade.files import discover

    for folder in (f for f in args.files if f.is_dir()):
        if not any(folder.rglob("*.toml")):
            return _fail(f"{folder}: a folder with no *.toml file in it; name worked-example files or folders of them")
    args.files = discover(args.files)
    outputs = {"html": args.html, "latex": args.latex, "pdf": args.pdf}
    if any(outputs.values()) and len(args.files) + len(args.example) != 1:
        return _fail("--html/--latex/--pdf write the report of one worked example; give one FILE or --example")
    for kind, path in outputs.items():
        if path is not None and str(path.parent) and not path.parent.exists():
            return _fail(f"--{kind} {path}: the directory {path.parent} does not exist")

    from gradverify.judge import verdicts as judge
    from gradverify.render import jsonout
    from gradverify.render import terminal

    results = []
    try:
        examples = [_load(f, args.notation, args.working) for f in args.files] + [worked.load_example(n) for n in args.example]
    except worked.WorkedExampleError as exc:
        return _fail(str(exc))
    drafted = {str(f) for f in args.files if is_writeup(f)}
    try:
        for ex in examples:
            with _budget(ex, DEFAULT_BUDGET if args.budget is None else args.budget):
                results.append(judge.judge(ex, timeout=args.timeout))
    except worked.WorkedExampleError as exc:  # a claim whose exact value is beyond float64
        return _fail(str(exc))
    finally:
        if "gradverify.derivations.sandbox" in sys.modules:  # only a file with [[derivative]] tables starts it
            sys.modules["gradverify.derivations.sandbox"].shared().stop()
    if args.json:
        sys.stdout.write(jsonout.dumps(results) + "\n")
    else:
        for n, r in enumerate(results):
            if n:
                sys.stdout.write("\n")
            sys.stdout.write(terminal.render(r, sys.stdout, show_lines=r.source in drafted))
    if any(outputs.values()):
        try:
            from gradverify.render import write_reports
        except ImportError as exc:
            return _fail(f"the HTML/LaTeX/PDF writer is not available in this installation ({exc.name} is missing)")
        try:
            for path in write_reports(results[0], html=args.html, latex=args.latex, pdf=args.pdf):
                print(f"wrote {path}", file=sys.stderr)
        except OSError as exc:
            return _fail(f"could not write {exc.filename}: {exc.strerror}")
        except Exception as exc:  # the renderer's own errors (LaTeX compile) name what failed
            return _fail(f"could not write the report: {exc}")
    return max(r.exit_status() for r in results)


def _budget(ex: WorkedExample, seconds: float) -> AbstractContextManager:
    """The file's time budget for its [[derivative]]/[[formula]] claims (the sandbox is imported
    only for a file that has them: a file of numbers starts no worker)."""
    if not (ex.derivatives or ex.formulas):
        return nullcontext()
    from gradverify.derivations import sandbox

    return sandbox.budget(seconds)
