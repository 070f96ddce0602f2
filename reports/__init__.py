"""gradverify: checks hand-worked neural-network calculus, claim by claim, against symbolic (SymPy),
analytic (textbook) and numeric (NumPy) truth.

The Python API (docs/api.md has examples of each):

    check(path=None, *, text=None, example=None, timeout=None) -> CheckResult
        judge every number and [[derivative]]/[[formula]] table of a worked-example file or text
    claim(expr, of, *, wrt=None, params=None, syntax="auto", timeout=20) -> TableVerdict
        judge one derivative written by hand, e.g. claim("s*(1-s)", of="sigmoid")
    derive(name, *, wrt=None, params=None, n=None, reduction=None, batch="sum") -> Derivation
        a catalog entry's definition, derivative and textbook forms, each proved or refuted
    grade_submissions(submissions, *, key, out, verdicts=None, jobs=None, timeout=30) -> GradeRun
        grade a folder of submissions against an answer key into a CSV gradebook

Every result has `.to_json()` (the `--json` output of the matching command) and shows as a compact
table in Jupyter. Unusable input raises `InputError` with the message the command would print.

    >>> import gradverify
    >>> r = gradverify.check(example="cs7015-q3")
    >>> r.summary()
    {'correct': 8, 'follows': 33, 'wrong': 2}
    >>> [c.name for c in r.wrong()]
    ['delta3[1]', 'b2[1]']

The result types are importable from here too (CheckResult, ClaimVerdict, TableVerdict,
Derivation, GradeRun); they load on first use, so `import gradverify` stays light.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from gradverify.api import InputError, check, claim, derive, grade_submissions

__all__ = ["check", "claim", "derive", "grade_submissions", "InputError",
           "CheckResult", "ClaimVerdict", "TableVerdict", "Derivation", "GradeRun"]

_TYPES = {"CheckResult": "gradverify.judge.result", "ClaimVerdict": "gradverify.judge.result",
          "TableVerdict": "gradverify.judge.result", "Derivation": "gradverify.derived",
          "GradeRun": "gradverify.grade.classresult"}


def __getattr__(name: str) -> Any:
    """The result types, imported when first asked for."""
    if name in _TYPES:
        return getattr(import_module(_TYPES[name]), name)
    raise AttributeError(f"module 'gradverify' has no attribute {name!r}")
