"""The one door from grading and the pytest plugin to the judge (gradverify.judge.verdicts).

Everything here is a thin call; nothing is judged in this package. Keeping the judge's names in one
module means the grader, the plugin and their tests agree on how a file becomes a CheckResult.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from gradverify.judge.worked import WorkedExampleError

__all__ = ["WorkedExampleError", "judge_doc", "judge_file", "problem_judge"]


def judge_doc(doc: dict[str, Any], source: str, text: str, problems: Any = None) -> Any:
    """Judge an already parsed worked example; `text` is its source, for line numbers. `problems`
    (a gradverify.judge.problems.ProblemCache) shares the work that depends only on the problem."""
    from gradverify.judge import verdicts as judge
    from gradverify.judge import worked

    return judge.judge(worked.from_dict(doc, source=source, text=text), problems=problems)


def problem_judge() -> Callable[[dict[str, Any], str, str], Any]:
    """A judge_doc for many submissions of one problem (a grading worker): it owns one
    ProblemCache, so the exact chain and the replays' formulas are computed once, not per file."""
    from gradverify.judge.problems import ProblemCache

    problems = ProblemCache()

    def judge_one(doc: dict[str, Any], source: str, text: str) -> Any:
        return judge_doc(doc, source, text, problems)

    return judge_one


def judge_file(path: str | Path) -> Any:
    """Load and judge one worked-example file (raises WorkedExampleError when it does not load)."""
    from gradverify.judge import verdicts as judge
    from gradverify.judge import worked

    return judge.judge(worked.load(path))
