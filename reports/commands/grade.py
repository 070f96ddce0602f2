"""`gradverify grade`: judge a class's submissions against an answer key into a gradebook."""

from __future__ import annotations

import argparse
import os
import sys

from gradverify.commands.options import add_budget_option, fail, seconds_problem

# A submission's derivative/formula claims get this share of --timeout in all, by default: when it is
# spent they are undecided and the submission is still graded before the worker would be stopped.
BUDGET_SHARE = 2 / 3

DESCRIPTION = """\
Grade every submission against an answer key. A submission is a worked-example file of the key's
network, or a claims-only file ([[step]] claims, and [[derivative]]/[[formula]] claims answering
the key's in order; optionally student = "...") that the key completes with its network, data
and parameters. Points come from the key's [grading] table (docs/grading.md).

The gradebook (CSV) gets one row per submission as soon as it is graded, and is fsynced: a run
that is killed loses nothing, and running the same command again resumes, skipping submissions
already recorded (same file, same content). Full verdicts are journaled beside it
(OUT.verdicts.jsonl); --json writes them as one document at the end."""

EPILOG = """\
examples:
  gradverify grade submissions/ --key key.toml --out gradebook.csv
        every *.toml under submissions/, on all cores, 30 s per submission
  gradverify grade a.toml b.toml --key key.toml --out book.csv --json verdicts.json --jobs 2
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
    p.add_argument("--json", metavar="OUT.json", help="also write every submission's full verdicts")
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


def _check_args(args: argparse.Namespace) -> str | None:
    if args.jobs is not None and args.jobs < 1:
        return f"--jobs {args.jobs}: write a number of worker processes >= 1, e.g. --jobs 2"
    problem = seconds_problem("--timeout", args.timeout, "30") or seconds_problem("--budget", args.budget, "20")
    if problem:
        return problem
    if args.chunk < 1:
        return f"--chunk {args.chunk}: write a number of submissions >= 1, e.g. --chunk 32"
    if args.executor == "dask" and not args.scheduler:
        return "--executor dask needs --scheduler ADDRESS (e.g. --scheduler tcp://127.0.0.1:8786)"
    if args.scheduler and args.executor != "dask":
        return "--scheduler is for --executor dask; add --executor dask or drop --scheduler"
    for s in args.submissions:
        if not os.path.exists(s):
            return f"{s}: no such file or folder; name submission files or folders of *.toml"
    if not os.path.isfile(args.key):
        return f"{args.key}: no such answer key; --key names the key's worked-example file"
    return None


def run(args: argparse.Namespace) -> int:
    problem = _check_args(args)
    if problem:
        return _fail(problem)
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")  # one thread per worker: the workers are the parallelism

    from pathlib import Path

    from gradverify.grade.grader import KeyError_, load_key, make_grader
    from gradverify.grade.gradebook import GradebookError
    from gradverify.grade.pool import GradingPool, PoolSetupError
    from gradverify.grade.run import Progress, discover, grade

    try:
        key = load_key(args.key)
    except KeyError_ as exc:
        return _fail(str(exc))
    for warning in key.warnings:
        print(f"gradverify grade: warning: {warning}", file=sys.stderr)
    exclude = [args.key, args.out] + ([args.json] if args.json else [])
    files = discover(args.submissions, exclude=exclude)
    if not files:
        return _fail(f"no submissions: no *.toml file in {' '.join(args.submissions)}")
    budget = args.budget if args.budget is not None else BUDGET_SHARE * args.timeout
    factory_args = (str(Path(args.key)), key.text, key.claim_ids, budget)  # workers need not re-judge the key
    if args.executor == "dask":
        from gradverify.grade.dask_executor import DaskExecutor

        executor = DaskExecutor(make_grader, factory_args, args.scheduler, args.timeout, args.chunk)
    else:
        executor = GradingPool(make_grader, factory_args, jobs=args.jobs, timeout=args.timeout)
    progress = Progress(len(files), enabled=True if args.progress else None)
    try:
        summary = grade(files, key.info, Path(args.out), executor,
                        json_out=Path(args.json) if args.json else None, progress=progress)
    except GradebookError as exc:
        return _fail(str(exc))
    except PoolSetupError as exc:
        return _fail(f"the grading workers could not start: {exc}")
    except (OSError, RuntimeError) as exc:  # e.g. the dask scheduler is unreachable
        return _fail(f"{type(exc).__name__}: {exc}")
    print(_summary_text(summary, args.out), file=sys.stderr)
    return 1 if summary.failed else 0


def _summary_text(summary, out: str) -> str:
    new = sum(summary.by_status.values())
    parts = [f"{n} {s}" for s, n in sorted(summary.by_status.items())]
    text = f"recorded {new} submission{'s' * (new != 1)} in {out}"
    if parts:
        text += f" ({', '.join(parts)})"
    if summary.skipped:
        text += f"; {summary.skipped} already recorded, skipped"
    return text
