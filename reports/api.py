"""The Python API: the four things the `gradverify` command does, as functions returning typed results.

Only the standard library is imported here: the judge, SymPy and NumPy load inside each function,
so `import gradverify` (and the `gradverify` command, which imports this package) stays fast.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Mapping, Sequence

if TYPE_CHECKING:
    from gradverify.derived import Derivation
    from gradverify.grade.classresult import GradeRun
    from gradverify.judge.result import CheckResult, TableVerdict


class InputError(ValueError):
    """Unusable input: the message names the file (and line) where known, what is wrong and what
    to write instead; the `gradverify` command prints the same message and exits 2."""


def check(path: str | Path | None = None, *, text: str | None = None, example: str | None = None,
          timeout: float | None = None) -> CheckResult:
    """Judge a worked example, claim by claim: a file (`path`), TOML `text`, or a bundled `example`
    ("cs7015-q3"). `timeout` bounds each [[derivative]] proof in seconds (default 20).

    >>> r = gradverify.check(example="cs7015-q3")
    >>> r.summary()
    {'correct': 8, 'follows': 33, 'wrong': 2}
    """
    from gradverify.judge import verdicts, worked

    if [path, text, example].count(None) != 2:
        raise InputError("give one of path, text= or example=")
    if timeout is not None and not timeout > 0:
        raise InputError(f"timeout={timeout}: give a number of seconds > 0, e.g. timeout=20")
    try:
        if text is not None:
            ex = worked.loads(text, source="<text>")
        elif example is not None:
            ex = worked.load_example(example)
        else:
            assert path is not None
            ex = worked.load(path)
        return verdicts.judge(ex, timeout=timeout)
    except worked.WorkedExampleError as exc:
        raise InputError(str(exc)) from None


def claim(expr: str, of: str, *, wrt: str | None = None, params: Mapping[str, float | str] | None = None,
          syntax: str = "auto", reduction: str | None = None, batch: str | None = None,
          timeout: float = 20.0) -> TableVerdict:
    """Judge one derivative worked out by hand (SymPy syntax or LaTeX) against catalog entry `of`.
    For a loss, `reduction` and `batch` ("sum"/"mean") say how it reduces over its outputs and a batch.

    The verdict is "equivalent", "equivalent on a domain", "not equivalent" (with a counterexample
    and diagnoses) or "undecided"; text that cannot be read raises InputError.

    >>> gradverify.claim("s*(1-s)", of="sigmoid").verdict
    'equivalent'
    """
    from gradverify.judge import claimtables, worked

    table: dict[str, object] = {"of": of, "claimed": expr, "syntax": syntax}
    if wrt is not None:
        table["wrt"] = wrt
    if params:
        table["params"] = dict(params)
    table.update({k: v for k, v in (("reduction", reduction), ("batch", batch)) if v is not None})
    try:
        derivatives, _ = claimtables.validate({"derivative": [table]}, "claim", "")
    except worked.WorkedExampleError as exc:
        raise InputError(str(exc).removeprefix("claim: [[derivative]] number 1, ")) from None
    (verdict,) = claimtables.judge(derivatives, [], timeout)
    if verdict.verdict == "unusable":
        raise InputError(verdict.explanation)
    return verdict


def derive(name: str, *, wrt: str | None = None, params: Mapping[str, float | str] | None = None,
           n: int | None = None, reduction: str | None = None, batch: str = "sum") -> Derivation:
    """A catalog entry's definition and derivative (SymPy expressions) and each textbook form with
    the verdict of its proof.

    >>> [c.proof.verdict for c in gradverify.derive("sigmoid").forms]
    ['proved', 'proved', 'proved', 'refuted']
    """
    from gradverify.derived import DeriveError, derive as _derive

    try:
        return _derive(name, wrt=wrt, params={k: str(v) for k, v in (params or {}).items()}, n=n,
                       reduction=reduction, batch=batch)
    except DeriveError as exc:
        raise InputError(str(exc)) from None


def grade_submissions(submissions: str | Path | Sequence[str | Path], *, key: str | Path, out: str | Path,
          verdicts: str | Path | None = None, jobs: int | None = None, timeout: float = 30.0,
          executor: str = "process", scheduler: str | None = None, chunk: int = 32,
          progress: bool = False) -> GradeRun:
    """Grade submission files (or folders of *.toml) against answer key `key` into the CSV
    gradebook `out`, resuming it: submissions already recorded are skipped. `verdicts` also writes
    every submission's full verdicts as one JSON document. Runs on `jobs` worker processes (default:
    every core) with `timeout` seconds each, or on a dask cluster (executor="dask", scheduler=...).
    """
    paths = [str(submissions)] if isinstance(submissions, (str, Path)) else [str(s) for s in submissions]
    problem = _grade_problem(paths, str(key), jobs, timeout, executor, scheduler, chunk)
    if problem:
        raise InputError(problem)
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")  # one thread per worker: the workers are the parallelism

    from gradverify.grade.classresult import GradeRun
    from gradverify.grade.gradebook import GradebookError
    from gradverify.grade.grader import KeyError_, load_key, make_grader
    from gradverify.grade.pool import GradingPool, PoolSetupError
    from gradverify.grade.run import Progress, discover, grade as run_grade

    try:
        answer = load_key(key)
    except KeyError_ as exc:
        raise InputError(str(exc)) from None
    exclude = [key, out] + ([verdicts] if verdicts else [])
    files = discover(paths, exclude=exclude)
    if not files:
        raise InputError(f"no submissions: no *.toml file in {' '.join(paths)}")
    factory_args = (str(Path(key)), answer.text, answer.claim_ids)  # workers need not re-judge the key
    if executor == "dask":
        from gradverify.grade.dask_executor import DaskExecutor

        run_on = DaskExecutor(make_grader, factory_args, scheduler, timeout, chunk)
    else:
        run_on = GradingPool(make_grader, factory_args, jobs=jobs, timeout=timeout)
    try:
        summary = run_grade(files, answer.info, Path(out), run_on, json_out=Path(verdicts) if verdicts else None,
                            progress=Progress(len(files), enabled=True if progress else None))
    except GradebookError as exc:
        raise InputError(str(exc)) from None
    except PoolSetupError as exc:
        raise InputError(f"the grading workers could not start: {exc}") from None
    except (OSError, RuntimeError) as exc:  # e.g. the dask scheduler is unreachable
        raise InputError(f"{type(exc).__name__}: {exc}") from None
    return GradeRun(Path(out), summary, list(answer.warnings))


def _grade_problem(paths: list[str], key: str, jobs: int | None, timeout: float, executor: str,
                   scheduler: str | None, chunk: int) -> str | None:
    """What is wrong with the grading arguments, in the command line's words, or None."""
    if jobs is not None and jobs < 1:
        return f"--jobs {jobs}: write a number of worker processes >= 1, e.g. --jobs 2"
    if not timeout > 0:
        return f"--timeout {timeout:g}: write a number of seconds > 0, e.g. --timeout 30"
    if chunk < 1:
        return f"--chunk {chunk}: write a number of submissions >= 1, e.g. --chunk 32"
    if executor not in ("process", "dask"):
        return f"--executor {executor}: write process or dask"
    if executor == "dask" and not scheduler:
        return "--executor dask needs --scheduler ADDRESS (e.g. --scheduler tcp://127.0.0.1:8786)"
    if scheduler and executor != "dask":
        return "--scheduler is for --executor dask; add --executor dask or drop --scheduler"
    for s in paths:
        if not os.path.exists(s):
            return f"{s}: no such file or folder; name submission files or folders of *.toml"
    if not os.path.isfile(key):
        return f"{key}: no such answer key; --key names the key's worked-example file"
    return None
