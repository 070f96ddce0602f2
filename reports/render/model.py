"""The report model: everything a report shows, already computed, independent of format.

`build.py` fills it from a `CheckResult` (or a catalog entry); `html.py` and `latexdoc.py`
print it. Numbers are structured numbers from `gradverify.judge.numbers` (or None when a column does
not apply); words are plain strings, escaped by the templates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from gradverify.render.circuitmaths import CircuitRow
from gradverify.render.circuitpicture import CircuitPicture
from gradverify.render.formula import Eq
from gradverify.render.netpicture import NetworkPicture
from gradverify.render.notation import Printed
from gradverify.render.plotpicture import Plot

VERDICT_SYMBOL = {"correct": "\u2713", "follows": "\u2192", "wrong": "\u2717"}
TRUTH_COLUMNS = ("symbolic", "analytic", "numeric")


@dataclass
class ClaimRow:
    """One claim with its truth columns side by side."""

    step: int
    quantity: str
    layer: int | None
    index: tuple[int, ...]
    claimed: str
    verdict: str
    diagnosis: str = ""
    note: str = ""
    key: str = ""
    line: int | None = None
    claimed_number: Any = None
    from_claims: Any = None
    symbolic: Any = None
    analytic: Any = None
    numeric: Any = None
    witness: Any = None
    disagreement: float | None = None  # max relative disagreement of the truth columns
    formula: Eq | None = None  # the analytic formula of this element, in its own layer and conventions
    circuit: CircuitRow | None = None  # a circuit's claim: its symbol and the rule that gives it

    @property
    def symbol(self) -> str:
        return VERDICT_SYMBOL.get(self.verdict, "?")


@dataclass(frozen=True)
class DerivationLine:
    """One line of a step-by-step derivation: its depth, the rule with its note, the mathematics."""

    depth: int
    kind: str
    rule: Printed
    math: Printed


@dataclass(frozen=True)
class Form:
    """A textbook form of a derivative: its remark in words, the form typeset, its proof in words."""

    name: str
    maths: Printed
    status: str


@dataclass
class Derivation:
    """A function used by the example, already printed: its defining equation, derivative, the
    derivation step by step, textbook forms, kink conventions, and its plot."""

    name: str
    kind: str  # "activation" | "loss"
    definition: Printed | None = None
    derivative: Printed | None = None
    steps: list[DerivationLine] = field(default_factory=list)
    forms: list[Form] = field(default_factory=list)
    kinks: list[Printed] = field(default_factory=list)  # where, the derivative used there, and why
    plot: Plot | None = None  # the function and its derivative, shown with the derivation


@dataclass
class TableClaimRow:
    """A [[derivative]] or [[formula]] claim of the file: as written, as maths, the verdict and why."""

    kind: str  # "derivative" | "formula"
    what: str  # "d tanh/dx", "formula, layout 004"
    claimed: str  # the text as written
    maths: Printed | None = None  # the claim typeset (None: shown as text only)
    verdict: str = ""
    explanation: str = ""
    diagnoses: list[str] = field(default_factory=list)
    label: str = ""
    note: str = ""
    line: int | None = None


@dataclass
class StepSection:
    """The claims of one [[step]] and the network (or circuit) picture of that step."""

    number: int
    rows: list[ClaimRow]
    picture: NetworkPicture | None = None
    circuit: CircuitPicture | None = None
    statements: list[CircuitRow] = field(default_factory=list)  # a circuit's gates, typeset beside its picture


@dataclass
class ReportModel:
    """A whole report."""

    title: str
    source: str
    summary_text: str
    counts: dict[str, int]
    conventions: list[tuple[str, str]]
    steps: list[StepSection]
    derivations: list[Derivation]
    truth_agreement: float | None = None  # worst disagreement over all rows
    notes: list[str] = field(default_factory=list)
    error_sign: str = "gradient"
    table_claims: list[TableClaimRow] = field(default_factory=list)  # the file's derivative/formula claims
    kind: str = "worked"  # "worked": a judged worked example; "catalog": catalog entries alone

    @property
    def rows(self) -> list[ClaimRow]:
        return [r for s in self.steps for r in s.rows]

    @property
    def plots(self) -> list[Plot]:
        return [d.plot for d in self.derivations if d.plot is not None]
