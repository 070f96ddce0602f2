"""The seams to the judge's side of reports: loading and judging a file, the one number
formatter, and reading a worked example into the `ExampleInfo` the truth columns need.

Everything here reads `reports.worked`, `reports.judge`, `reports.numbers` and
`reports.result` (helper H3's modules) through their documented names only.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from .truth import ExampleInfo

_SCI = re.compile(r"^\s*([+\-\u2212]?\d*\.?\d+)\s*(?:[x\u00d7*]\s*10\s*\^?\s*\*{0,2}\s*\{?\s*([+\-\u2212]?\d+)\s*\}?"
                  r"|[eE]([+\-\u2212]?\d+))\s*$")


def format_number(value: float, digits: int) -> Any:
    """`value` at `digits` significant digits as a structured number (reports.numbers)."""
    try:
        from reports import numbers
    except ImportError:
        numbers = None
    if numbers is not None:
        for name in ("format_sig", "format_significant", "format_value", "fmt"):
            fn = getattr(numbers, name, None)
            if fn is not None:
                return fn(value, digits)
    # reports.numbers not present yet: Python's %g text, which number_parts reads the same way
    return f"{value:.{digits}g}"


def claimed_number(text: str) -> Any:
    """The person's printed number, kept digit for digit: "7.2 x 10^-3" -> (+, "7.2", -3)."""
    m = _SCI.match(text)
    if m:
        mant, exp = m.group(1), m.group(2) or m.group(3)
        return f"{mant}e{exp.replace(chr(0x2212), '-')}"
    return text.strip()


def check(file: Path | None, example: str | None) -> Any:
    """Load a worked example (file or bundled name) and judge it: a `CheckResult`."""
    from .build import InputError

    try:
        from reports import judge, worked
    except ImportError as exc:
        raise InputError(f"the judge is not available in this installation ({exc.name} is missing)") from None
    error = getattr(worked, "WorkedExampleError", ValueError)
    try:
        if example is not None:
            loader = next(getattr(worked, n) for n in ("load_example", "load_bundled", "bundled") if hasattr(worked, n))
            ex = loader(example)
        else:
            loader = next(getattr(worked, n) for n in ("load", "load_file", "read") if hasattr(worked, n))
            ex = loader(Path(file))
        run = next(getattr(judge, n) for n in ("judge", "check", "judge_example") if hasattr(judge, n))
        return run(ex)
    except error as exc:
        raise InputError(str(exc)) from None
    except FileNotFoundError as exc:
        raise InputError(f"{exc.filename}: no such file") from None


def example_info(result: Any) -> ExampleInfo | None:
    """The worked example of a result as an `ExampleInfo` (None when it cannot be read)."""
    ex = getattr(result, "example", None)
    if ex is None or isinstance(ex, ExampleInfo):
        return ex
    to_info = getattr(ex, "report_info", None)
    if callable(to_info):
        return to_info()
    return None
