"""The seams to the judge's side of reports: loading and judging a file, the one number
formatter, and reading a worked example into the `ExampleInfo` the truth columns need.

Everything here reads `gradverify.judge.worked`, `gradverify.judge.verdicts`, `gradverify.judge.numbers` and
`gradverify.judge.result` through their documented names only.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from gradverify.render.truth import ExampleInfo

if TYPE_CHECKING:
    from gradverify.judge.numbers import Number
    from gradverify.judge.result import CheckResult


def format_number(value: float, digits: int) -> Number:
    """`value` at `digits` significant digits as a structured number (the one formatter)."""
    from gradverify.judge import numbers

    return numbers.format_sig(value, digits)


def claimed_number(text: str) -> Number | str:
    """The person's printed number as a structured number with exactly the printed digits
    ("7.2 x 10^-3" -> 7.2 x 10^-3, "0.210" -> 0.210); a claim with its working ("0.2 - 1 x 7.2 x
    10^-3 = 0.1928") shows its result (the working stays in the claim as written); unreadable text
    is shown as written."""
    from gradverify.judge import numbers

    _working, _sep, result = text.rpartition("=")
    try:
        printed = numbers.parse(result)
    except ValueError:
        return text.strip()
    return numbers.format_like(printed.value, printed)


def like_claim(value: float, text: str, extra: int = 2) -> Number | None:
    """`value` at the precision the person printed `text` with, plus `extra` digits (the number
    recomputed from their own values, shown as finely as it is compared); None when `text` is not
    a number."""
    from gradverify.judge import numbers

    try:
        printed = numbers.parse(text)
    except ValueError:
        return None
    return numbers.format_like(float(value), printed, extra)


def check(file: Path | None, example: str | None) -> CheckResult:
    """Load a worked example (file or bundled name) and judge it: a `CheckResult`."""
    from gradverify.judge import verdicts as judge
    from gradverify.judge import worked

    from gradverify.render.build import InputError

    try:
        ex = worked.load_example(example) if example is not None else worked.load(Path(file))
    except worked.WorkedExampleError as exc:
        raise InputError(str(exc)) from None
    except FileNotFoundError as exc:
        raise InputError(f"{exc.filename or file}: no such file; give a worked-example TOML file "
                         "or --example NAME (gradverify check --list-examples)") from None
    return judge.judge(ex)


def example_info(result: CheckResult) -> ExampleInfo | None:
    """A network's worked example as the `ExampleInfo` the truth columns read (file layout and
    numbering kept); None for a circuit, whose report reads its own example."""
    from gradverify.judge.worked import WorkedExample

    ex = result.example
    if not isinstance(ex, WorkedExample):
        return None
    return ExampleInfo(
        sizes=list(ex.sizes),
        activations=[a for a, _ in ex.activations],
        act_params=[dict(p) for _, p in ex.activations],
        loss=ex.loss[0], loss_params=dict(ex.loss[1]),
        weights=ex.weights, biases=ex.biases,
        x=ex.x[0] if len(ex.x) == 1 else ex.x,
        y=ex.y[0] if len(ex.y) == 1 else ex.y,
        learning_rate=ex.learning_rate, conventions=dict(ex.conventions), steps=ex.n_steps,
    )
