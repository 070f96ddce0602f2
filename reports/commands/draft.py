"""`gradverify draft WRITEUP`: draft a worked-example file from a LaTeX or Markdown write-up.

Only the standard library and gradverify.draft are imported (no numpy, no sympy): drafting reads
text and writes text.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from gradverify.commands.options import fail

if TYPE_CHECKING:
    from gradverify.draft import Draft

EPILOG = """\
examples:
  gradverify draft homework.md
        print the drafted worked example (TOML); what could not be read is listed on stderr
  gradverify draft homework.tex -o homework.toml
        write it to a file (never over an existing one without --force); then fill in its
        TODO lines and run gradverify check homework.toml
  gradverify draft notes.md --notation seed004
        read W^{(l)}_{ij} as seed 004 does (nielsen, from_to, seed004, or a notation .toml file)
  gradverify draft homework.md --working
        keep the arithmetic before each result ("0.2 - 1 x 7.2 x 10^{-3} = 0.1928"): check
        then also judges the working (a 10^-2 where 10^-3 is meant)
  gradverify check homework.md
        draft and check in one go, when the write-up states everything (no TODO)

Every equation chain ending in a number claims the quantity on its left (z_1^2 -> z2[1],
\\frac{\\partial L}{\\partial w_{11}^3} -> dW3[1,1]); the printed text is kept exactly.
guide: docs/draft.md
exit status: 0 drafted; 2 unusable input (no such file, an unknown notation, no claim found).
"""


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "draft",
        help="draft a worked-example file from a LaTeX or Markdown write-up",
        description="Read the equations of a write-up (.tex, or .md/.txt with $...$ mathematics) and draft\n"
        "the worked-example file gradverify checks: every number claimed under its key, with the\n"
        "write-up's line; TODO lines for what the write-up does not state; the lines it could not\n"
        "read, with the reason, as comments and on stderr.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("writeup", type=Path, metavar="WRITEUP", help="the write-up: .tex, .md, .markdown or .txt")
    p.add_argument("--notation", metavar="NAME", help="nielsen, from_to, seed004, or a notation .toml file "
                   "(default: detected from the symbols used)")
    p.add_argument("-o", "--output", type=Path, metavar="FILE.toml", help="write the draft here instead of stdout")
    p.add_argument("--working", action="store_true", help="keep the arithmetic written before each number "
                   "(\"0.2 - 1 x 7.2 x 10^{-3} = 0.1928\"), so check judges the working too")
    p.add_argument("--force", action="store_true", help="replace FILE.toml if it exists (it may hold your "
                   "filled-in TODO lines)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from gradverify import draft

    try:
        notation = draft.named(args.notation) if args.notation else None
        result = draft.draft_file(args.writeup, notation)
    except (draft.DraftError, draft.NotationError) as exc:
        return fail("draft", str(exc))
    if not result.claims:
        return fail("draft", f"{args.writeup}: no claim found: no equation ends in a number under a quantity "
                    f"of the {result.notation.name} notation" + _unmapped_text(result))
    out = args.output
    if out is not None:
        if out.resolve() == args.writeup.resolve():
            return fail("draft", f"-o {out}: that is the write-up itself; give another file, e.g. -o "
                        f"{args.writeup.with_suffix('.toml').name}")
        if str(out.parent) and not out.parent.exists():
            return fail("draft", f"-o {out}: the directory {out.parent} does not exist")
        if out.exists() and not args.force:
            return fail("draft", f"-o {out}: the file exists (perhaps with your TODO lines filled in); give "
                        "--force to replace it, or another name")
    text = draft.to_toml(result, working=args.working)
    if out is None:
        sys.stdout.write(text)
    else:
        try:
            out.write_text(text, encoding="utf-8")
        except OSError as exc:
            return fail("draft", f"could not write {out}: {exc.strerror}")
    sys.stderr.write(_summary(result, out) + "\n")
    return 0


def _summary(result: Draft, out: Path | None) -> str:
    steps = result.n_steps
    head = (f"{_visible(result.source)}: {len(result.claims)} claims in {steps} step{'s' * (steps != 1)}, "
            f"{result.notation.name} notation ({_visible(result.notation_why)})")
    if out is not None:
        head += f"; wrote {out}"
    todo = result.todo()
    if todo:
        head += "\nTODO in the draft: " + ", ".join(todo)
    return head + _unmapped_text(result)


def _unmapped_text(result: Draft) -> str:
    lines = [f"  line {u.line}: {_visible(u.text)}  -- {_visible(u.reason)}" for u in result.unmapped]
    lines += [f"  note: {_visible(n)}" for n in result.notes]
    return ("\nnot read as claims:\n" + "\n".join(lines)) if lines else ""


def _visible(text: str) -> str:
    """Write-up text for a terminal: one line of at most 100 characters, control characters escaped."""
    text = " ".join(str(text).split())
    text = text if len(text) <= 100 else text[:97] + "..."
    return "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in text)
