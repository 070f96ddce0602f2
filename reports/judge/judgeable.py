"""What the judge asks of a kind of worked example: a network's steps or a circuit of gates.

The verdicts (verdicts.py) are the same for every kind: claims are read against an exact
evaluation of the kind's graph and against the graph evaluated over the person's own numbers. What
depends on what the quantities mean (the order a person computes them in, the numbers the file
states, the mistakes worth trying for a claim, the transposed element of a matrix) each kind answers
through these two protocols.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Collection, Hashable, Protocol

from gradverify.judge.claimkeys import ClaimSpec
from gradverify.judge.diagnose import Candidate
from gradverify.judge.graph import Claims, Evaluation, Graph, Key


class JudgedProblem(Protocol):
    """A worked example's problem (everything but its claims), ready to judge claims against."""

    exact: Evaluation  # the graph evaluated with no claims, by the stated recipes
    shapes: dict[Key, tuple[int, ...]]  # the shape of every node's value
    stated: Graph  # the graph as stated (no mistake applied)
    batch: int  # samples a claimed number may be summed or averaged over (1: none)
    n_out: int  # outputs a loss may be summed or averaged over (1: none)
    stated_words: str  # what gives the right value, in a diagnosis: "the stated conventions"

    def evaluate(self, claims: Claims, variant: Hashable | None = None, base: Evaluation | None = None,
                 reclaimed: Collection[Key] | None = None) -> Evaluation:
        """The graph (under a candidate's `variant`, None: as stated) over the claims."""
        ...

    def reach(self, variant: Hashable) -> frozenset[Key]:
        """The nodes a candidate's variant can change: those it rebuilds and all computed from them."""
        ...

    def candidates_for(self, claim: ClaimSpec) -> list[Candidate]:
        """The mistakes worth trying when the claim is wrong, most specific first."""
        ...

    def order(self, claims: list[ClaimSpec]) -> list[int]:
        """Claim positions in the order a person computes them."""
        ...

    def swapped(self, claim: ClaimSpec, ev: Evaluation) -> float | None:
        """For a matrix element written in the other layout: the value at the transposed place."""
        ...

    def stated_numbers(self) -> set[Fraction]:
        """The numbers the file states (inputs, parameters, rates), exactly."""
        ...

    def feeds_forward(self, claim: ClaimSpec) -> bool:
        """True when the claim is a value that later forward quantities are computed from."""
        ...

    def node_name(self, key: Key) -> str:
        """A node's name as the file writes it, for a message about a number it did not write."""
        ...


class JudgedExample(Protocol):
    """A validated worked-example file of any kind: its claims and what its problem depends on."""

    source: str
    title: str
    claims: list[ClaimSpec]
    step_numbers: list[int]
    derivatives: list[Any]  # claimtables.TableClaim of [[derivative]] tables
    formulas: list[Any]  # claimtables.TableClaim of [[formula]] tables

    def conventions_json(self) -> dict[str, Any]:
        """The conventions the claims were judged under, for the result and --json."""
        ...

    def problem_key(self) -> tuple:
        """Everything its problem depends on, as a hashable value (equal keys: one problem)."""
        ...

    def problem(self, remember: bool) -> JudgedProblem:
        """Its problem, prepared now (`remember`: keep a memory of recipe results)."""
        ...
