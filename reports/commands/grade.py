"""`gradverify grade`: judge a class's submissions against an answer key into a gradebook."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from gradverify.commands.options import add_budget_option, add_renamed_option, fail

if TYPE_CHECKING:
    from gradverify.grade.run import RunSummary

DESCRIPTION = """\
Grade every submission against an answer key. A submission is a worked-example file of the key's
network, or a claims-only file ([[step]] claims, and [[derivative]]/[[formula]] claims answering
the key's in order; optionally student = "...") that the key completes with its network, data
and parameters. Points come from the key's [grading] table (docs/grading.md).

The gradebook (CSV) gets one row per submission as soon as it is graded (and reaches the disk
within a second): a run that is killed loses nothing, and running the same command again resumes,
skipping submissions already recorded (same file, same content). Full verdicts are journaled beside it
(OUT.verdicts.jsonl); --verdicts writes them as one document at the end."""

EPILOG = """\
examples:
  gradverify grade submissions/ --key key.toml --out gradebook.csv
        every *.toml under submissions/, on all cores, 30 s per submission
  gradverify grade a.toml b.toml --key key.toml --out book.csv --verdicts verdicts.json --jobs 2
  gradverify grade subs/ --key key.toml --out book.csv --timeout 5 --progress
  gradverify grade subs/ --key key.toml --out book.csv --executor dask --scheduler tcp://10.0.0.5:8786
        the same on a dask.distributed cluster (pip install "gradverify[dask]")

statuses: graded (a claim that cannot be read is recorded 'unusable', and the reason says why);
malformed (the file does not load: the reason says where and what to write); crashed (grading
failed: a gradverify bug, reported with its error); timeout (over --timeout). One submission
never stops the run: whatever it holds, it gets its row.
exit status: 0 every submission recorded as graded; 1 some recorded as malformed, crashed or
timeout; 2 unusable key, arguments or gradebook (e.g. disk full: free space and re-run to resume).
"""


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "grade", help="grade a folder of submissions against an answer key into a gradebook",
        description=DESCRIPTION, epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("submissions", nargs="+", metavar="SUBMISSION",
                   help="submission files, or folders searched recursively for *.toml")
    p.add_argument("--key", required=True, metavar="KEY.toml", help="the answer key (a worked example)")
    p.add_argument("--out", required=True, metavar="GRADEBOOK.csv", help="gradebook to write or resume")
    p.add_argument("--verdicts", metavar="OUT.json", help="also write every submission's full verdicts as one JSON document")
    add_renamed_option(p, "--json", "--verdicts OUT.json", "elsewhere --json prints JSON instead of the text")
    p.add_argument("--jobs", type=int, default=None, metavar="N",
                   help="worker processes (default: the number of cores)")
    p.add_argument("--timeout", type=float, default=30.0, metavar="S",
                   help="seconds allowed per submission before it is stopped and recorded as timeout (default 30)")
    add_budget_option(p, "one submission", "default: two thirds of --timeout, so that a submission with a "
                      "runaway claim is still graded")
    p.add_argument("--executor", choices=("process", "dask"), default="process",
                   help="process: worker processes on this machine (default); dask: a dask cluster")
    p.add_argument("--scheduler", metavar="ADDRESS", help="dask scheduler address, e.g. tcp://host:8786")
    p.add_argument("--chunk", type=int, default=32, metavar="N",
                   help="submissions per dask task (default 32)")
    p.add_argument("--progress", action="store_true",
                   help="show progress on stderr even when it is not a terminal")
    p.set_defaults(run=run)


def _fail(message: str) -> int:
    return fail("grade", message)


def run(args: argparse.Namespace) -> int:
    from gradverify.api import InputError, grade_submissions

    try:
        result = grade_submissions(args.submissions, key=args.key, out=args.out, verdicts=args.verdicts, jobs=args.jobs,
                       timeout=args.timeout, budget=args.budget, executor=args.executor, scheduler=args.scheduler,
                       chunk=args.chunk,
                       progress=args.progress)
    except InputError as exc:
        return _fail(str(exc))
    for warning in result.warnings:
        print(f"gradverify grade: warning: {warning}", file=sys.stderr)
    print(_summary_text(result.summary, args.out), file=sys.stderr)
    return 1 if result.failed else 0


def _summary_text(summary: RunSummary, out: str) -> str:
    new = sum(summary.by_status.values())
    parts = [f"{n} {s}" for s, n in sorted(summary.by_status.items())]
    text = f"recorded {new} submission{'s' * (new != 1)} in {out}"
    if parts:
        text += f" ({', '.join(parts)})"
    if summary.skipped:
        text += f"; {summary.skipped} already recorded, skipped"
    return text
