"""The one door from grading and the pytest plugin to the judge (gradverify.judge.verdicts).

Everything here is a thin call; nothing is judged in this package. Keeping the judge's names in one
module means the grader, the plugin and their tests agree on how a file becomes a CheckResult.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from gradverify.judge.claimkeys import parse_claim_key
from gradverify.judge.worked import WorkedExampleError

if TYPE_CHECKING:
    from gradverify.judge.problems import ProblemCache
    from gradverify.judge.result import CheckResult

__all__ = ["WorkedExampleError", "judge_doc", "judge_file", "parse_claim_key", "problem_judge", "time_budget",
           "unusable_claims"]


def judge_doc(doc: dict[str, Any], source: str, text: str, problems: ProblemCache | None = None,
              lenient: bool = False) -> CheckResult:
    """Judge an already parsed worked example; `text` is its source, for line numbers. `problems`
    (a gradverify.judge.problems.ProblemCache) shares the work that depends only on the problem;
    `lenient` leaves out a claim that cannot be read (see `unusable_claims`) instead of refusing."""
    from gradverify.judge import verdicts as judge
    from gradverify.judge import worked

    return judge.judge(worked.from_dict(doc, source=source, text=text, lenient=lenient), problems=problems)


def problem_judge() -> Callable[[dict[str, Any], str, str], CheckResult]:
    """A judge_doc for many submissions of one problem (a grading worker): it owns one
    ProblemCache, so the exact chain and the replays' formulas are computed once, not per file.
    A submission's unreadable claim is left out and reported, never the whole submission."""
    from gradverify.judge.problems import ProblemCache

    problems = ProblemCache()

    def judge_one(doc: dict[str, Any], source: str, text: str) -> CheckResult:
        return judge_doc(doc, source, text, problems, lenient=True)

    return judge_one


def unusable_claims(result: CheckResult) -> list[tuple[int, str, str]]:
    """(step, key, why) of each claim a lenient judge left out of `result` because it cannot be read."""
    from gradverify.judge.circuitfile import CircuitExample
    from gradverify.judge.worked import WorkedExample

    example = result.example
    return list(example.unusable) if isinstance(example, (WorkedExample, CircuitExample)) else []


def time_budget(doc: dict[str, Any], seconds: float | None) -> AbstractContextManager:
    """The seconds a submission's [[derivative]]/[[formula]] claims get in all (counting the
    checking process's start-up); a submission without them starts no checking process."""
    if seconds is None or not (doc.get("derivative") or doc.get("formula")):
        return nullcontext()
    from gradverify.derivations import sandbox

    return sandbox.budget(seconds)


def judge_file(path: str | Path) -> CheckResult:
    """Load and judge one worked-example file (raises WorkedExampleError when it does not load)."""
    from gradverify.judge import verdicts as judge
    from gradverify.judge import worked

    return judge.judge(worked.load(path))
