"""A circuit of gates: named inputs, nodes defined by expressions of earlier ones, one output.

Every value the circuit computes is a node; reassigning a name makes a new node ("c@2"), as code
does. The backward pass is the gradient of the output with respect to every node: each node's
gradient is the sum, over the nodes that read it, of the local gradient on that edge times the
reader's gradient (the sum over paths). `exact_steps` computes all of it exactly, step by step when
chosen inputs are updated by gradient descent between steps.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from gradverify.judge.circuitexpr import Expr, refs
from gradverify.judge.circuitexact import EXACT, Exact
from gradverify.judge.circuitmath import CircuitMathError, evaluate, partial

Key = tuple[int, str, str, str]  # (step, "value" | "grad" | "local", node, the parent of a local gradient or "")


def value_key(step: int, node: str) -> Key:
    return (step, "value", node, "")


def grad_key(step: int, node: str) -> Key:
    return (step, "grad", node, "")


def local_key(step: int, node: str, parent: str) -> Key:
    return (step, "local", node, parent)


@dataclass(frozen=True)
class Gate:
    """A node computed from earlier ones: its id, its expression (over ids) and where it is written."""

    node: str
    expr: Expr
    text: str  # the statement as written: "c += c + 1"
    line: int | None = None

    @property
    def parents(self) -> tuple[str, ...]:
        return tuple(refs(self.expr))


@dataclass(frozen=True)
class Circuit:
    """Inputs with their values, gates in the order written, the output and its seed gradient, and
    the inputs updated between steps (by `learning_rate` times their gradient)."""

    inputs: tuple[tuple[str, Fraction], ...]
    gates: tuple[Gate, ...]
    output: str
    seed: Fraction = Fraction(1)
    learning_rate: Fraction | None = None
    update: tuple[str, ...] = ()
    names: dict[str, tuple[str, ...]] = field(default_factory=dict)  # a written name -> its node ids in order

    @property
    def nodes(self) -> list[str]:
        """Every node id: inputs first, then gates in order."""
        return [n for n, _ in self.inputs] + [g.node for g in self.gates]

    @property
    def gate(self) -> dict[str, Gate]:
        return {g.node: g for g in self.gates}

    @property
    def children(self) -> dict[str, tuple[str, ...]]:
        """The gates that read each node, in order (a node read twice by a gate counts once)."""
        out: dict[str, list[str]] = {n: [] for n in self.nodes}
        for g in self.gates:
            for p in g.parents:
                out[p].append(g.node)
        return {k: tuple(v) for k, v in out.items()}

    @property
    def backward(self) -> list[str]:
        """Nodes in the order their gradients are computed: the output, then back to the inputs."""
        order = self.nodes[::-1]
        order.remove(self.output)
        return [self.output, *order]

    def written(self, node: str) -> str:
        """The name as written for a node id ("c" for "c@2")."""
        return node.split("@", 1)[0]


class GateError(CircuitMathError):
    """A gate outside its domain at this circuit's numbers: which gate, in which step, and why."""

    def __init__(self, gate: Gate, step: int, why: str):
        self.gate, self.step, self.why = gate, step, why
        super().__init__(f"{gate.text}: {why}")


@dataclass
class ExactStep:
    """One step's exact values, local gradients and gradients, by key."""

    values: dict[str, Exact]
    locals: dict[tuple[str, str], Exact]
    grads: dict[str, Exact]


def run_step(circuit: Circuit, inputs: dict[str, Exact], step: int = 1) -> ExactStep:
    """A forward and a backward pass in exact arithmetic from the inputs' values; a GateError
    names the first gate outside its domain."""
    values: dict[str, Exact] = dict(inputs)
    locals_: dict[tuple[str, str], Exact] = {}
    for g in circuit.gates:
        try:
            values[g.node] = evaluate(g.expr, values, EXACT)
        except ArithmeticError as exc:
            raise GateError(g, step, _why(exc)) from None
    for g in circuit.gates:
        for p in g.parents:
            try:
                locals_[(g.node, p)] = partial(g.expr, p, values, EXACT)
            except ArithmeticError as exc:
                raise GateError(g, step, f"its local gradient with respect to {p} is {_why(exc)}") from None
    children = circuit.children
    grads: dict[str, Exact] = {}
    for n in circuit.backward:
        if n == circuit.output:
            grads[n] = circuit.seed
            continue
        total: Exact = Fraction(0)
        for c in children[n]:
            total = EXACT.add(total, EXACT.mul(locals_[(c, n)], grads[c]))
        grads[n] = total
    return ExactStep(values, locals_, grads)


def _why(exc: ArithmeticError) -> str:
    """What went wrong in a gate: its own words, or (from the decimal arithmetic) a number too large."""
    if isinstance(exc, CircuitMathError):
        return str(exc)
    return "a number beyond 10^10000000 (or below its inverse), too large to compute"


def exact_steps(circuit: Circuit, n_steps: int) -> list[ExactStep]:
    """Every step's exact values: step k+1 starts from step k's inputs minus the learning rate
    times their gradients (only the inputs in `update`)."""
    inputs: dict[str, Exact] = dict(circuit.inputs)
    out: list[ExactStep] = []
    for s in range(1, n_steps + 1):
        step = run_step(circuit, inputs, s)
        out.append(step)
        lr = circuit.learning_rate or Fraction(0)
        inputs = {n: (EXACT.add(v, EXACT.mul(-lr, step.grads[n])) if n in circuit.update else v)
                  for n, v in inputs.items()}
    return out
