"""A circuit's worked-example file: the `[graph]` table and its `[[step]]` claims, validated.

    [graph]
    inputs = { x = -2, y = 5, z = -4 }
    nodes = ["q = x + y", "f = q * z"]      # or one multi-line string, a statement per line
    output = "f"                            # default: the last node
    seed = 1                                # d output / d output (default 1)
    learning_rate = 0.1                     # with update: x - 0.1 df/dx before step 2
    update = ["x", "y"]

Errors name the file, the line and what to write instead (docs/worked-example-format.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from gradverify.judge import circuitclaims
from gradverify.judge.circuit import Circuit, ExactStep, Gate, GateError, exact_steps
from gradverify.judge.circuitclaims import CircuitClaim
from gradverify.judge.circuitexpr import (CONSTANTS, NAME, Apply, CircuitSyntaxError, Expr, Named, Ref, combine,
                                          exact_number, parse_statement)
from gradverify.judge.where import Context, WorkedExampleError, closest, line_of, step_lines

if TYPE_CHECKING:
    from gradverify.judge.circuitproblem import CircuitProblem

GRAPH_KEYS = ("inputs", "nodes", "output", "seed", "learning_rate", "update")
TOP_KEYS = ("title", "student", "graph", "step", "expect", "grading", "derivative", "formula")
MAX_NODES = 300  # inputs and statements: a circuit worked by hand has a few dozen
MAX_STEPS = 20


@dataclass
class CircuitExample:
    """A validated circuit worked example: the circuit, its exact values per step and the claims."""

    source: str
    text: str
    title: str
    circuit: Circuit
    exact: list[ExactStep]
    claims: list[CircuitClaim]
    step_numbers: list[int]
    expect: dict[str, str] = field(default_factory=dict)
    student: str | None = None
    derivatives: list[Any] = field(default_factory=list)
    formulas: list[Any] = field(default_factory=list)
    unusable: list[tuple[int, str, str]] = field(default_factory=list)  # (step, key, why) left out, when lenient

    @property
    def n_steps(self) -> int:
        return len(self.step_numbers)

    def conventions_json(self) -> dict[str, Any]:
        c = self.circuit
        out: dict[str, Any] = {"kind": "circuit", "output": c.output, "seed": float(c.seed),
                               "inputs": {n: float(v) for n, v in c.inputs},
                               "nodes": {g.node: g.text for g in c.gates}}
        if c.update:
            out.update({"learning_rate": float(c.learning_rate or 0), "update": list(c.update)})
        return out

    def problem_key(self) -> tuple:
        c = self.circuit
        return ("circuit", c.inputs, tuple((g.node, g.expr) for g in c.gates), c.output, c.seed, c.learning_rate,
                c.update, self.n_steps)

    def problem(self, remember: bool) -> CircuitProblem:
        from gradverify.judge.circuitproblem import CircuitProblem

        return CircuitProblem(self, remember)


def _number(ctx: Context, v: Any, key: str, section: str) -> Fraction:
    if isinstance(v, bool) or not isinstance(v, (int, float, str)):
        what = str(v).lower() if isinstance(v, bool) else {dict: "a table", list: "a list"}.get(type(v), "a date")
        raise ctx.err(f"{what} is not a number; write e.g. {key} = -2 or {key} = \"0.1\"", key, section)
    try:
        return exact_number(repr(v) if isinstance(v, float) else str(v).strip().replace("\u2212", "-"))
    except ValueError as exc:
        raise ctx.err(f"{quoted(str(v))} {exc}; write e.g. {key} = -2 or {key} = \"0.1\"", key, section) from None


def quoted(text: str, width: int = 80) -> str:
    """What the person wrote, quoted for a message: a long text shows its start and its length."""
    return repr(text) if len(text) <= width else f"{text[:width - 20]!r}... ({len(text):,} characters)"


def _statements(ctx: Context, nodes: Any, n_inputs: int) -> list[tuple[str, int | None]]:
    """The statements as written (a list, or one string with a statement per line), each with its
    line in the file."""
    if isinstance(nodes, str):
        nodes = [body for raw in nodes.splitlines() if (body := raw.split("#", 1)[0].strip())]
    if not isinstance(nodes, list) or not all(isinstance(s, str) for s in nodes):
        raise ctx.err("write the nodes as a list of statements, e.g. nodes = [\"q = x + y\", \"f = q * z\"]",
                      "nodes", "graph")
    if n_inputs + len(nodes) > MAX_NODES:
        raise ctx.err(f"{n_inputs + len(nodes)} inputs and nodes; a circuit worked by hand has at most "
                      f"{MAX_NODES}", "nodes", "graph")
    lines = ctx.text.splitlines() if ctx.text else []
    key = line_of(ctx.text, "nodes", "graph") if lines else None
    at = (key or 1) - 1
    out = []
    for s in nodes:  # a statement written with escapes is not found as read: the nodes key's line then
        found = next((n for n in range(at, len(lines)) if s.strip() in lines[n]), None)
        if found is not None:
            at = found
        out.append((s, key if found is None else found + 1))
    return out


def _circuit(ctx: Context, graph: Any) -> Circuit:
    if not isinstance(graph, dict):
        raise ctx.err("write [graph] with inputs = {...} and nodes = [...]", "graph")
    for k in graph:
        if k not in GRAPH_KEYS:
            raise ctx.err(f"unknown key{closest(k, GRAPH_KEYS)}", k, "graph")
    inputs = graph.get("inputs")
    if not isinstance(inputs, dict) or not inputs:
        raise ctx.err("write the inputs and their values, e.g. inputs = { x = -2, y = 5 }", "inputs", "graph")
    written = _statements(ctx, graph.get("nodes", []), len(inputs))
    if not written:
        raise ctx.err("no nodes: write them, e.g. nodes = [\"q = x + y\", \"f = q * z\"]", "nodes", "graph")
    parsed = []
    for s, line in written:
        where = f"{ctx.source}, line {line}" if line else ctx.source
        try:
            parsed.append((parse_statement(s), s, line))
        except CircuitSyntaxError as exc:
            at = f" (at character {exc.column + 1})" if exc.column is not None else ""
            raise WorkedExampleError(f"{where}: graph.nodes: {quoted(s)}: {exc.message}{at}") from None
    counts: dict[str, int] = {}
    for name in [*inputs, *(st.target for st, _, _ in parsed)]:
        counts[name] = counts.get(name, 0) + 1
    ids: dict[str, list[str]] = {}

    def new_id(name: str) -> str:
        ids.setdefault(name, []).append(name if counts[name] == 1 else f"{name}@{len(ids[name]) + 1}")
        return ids[name][-1]

    values = []
    for name, v in inputs.items():
        if not NAME.fullmatch(name):
            raise ctx.err("an input's name is a letter, then letters, digits or _", name, "graph")
        values.append((new_id(name), _number(ctx, v, name, "graph")))
    gates = []
    for st, s, line in parsed:
        where = f"{ctx.source}, line {line}" if line else ctx.source
        current = {n: i[-1] for n, i in ids.items()}
        expr = _resolve(st.expr, current, counts, where, s)
        if st.op:
            if st.target not in current:
                raise WorkedExampleError(f"{where}: graph.nodes: {quoted(s)}: {st.target} has no value yet to "
                                         f"update; write {st.target} = ... first")
            expr = combine(st.op, Ref(current[st.target]), expr)
        gates.append(Gate(new_id(st.target), expr, s, line))
    return Circuit(tuple(values), tuple(gates), _output(ctx, graph, ids, gates),
                   _number(ctx, graph.get("seed", 1), "seed", "graph"), *_update(ctx, graph, values),
                   names={n: tuple(i) for n, i in ids.items()})


def _resolve(e: Expr, current: dict[str, str], counts: dict[str, int], where: str, s: str) -> Expr:
    """The expression with each name read as its node id at this point (e and pi: the constants,
    unless the circuit names a node so)."""
    if isinstance(e, Ref):
        if e.name in current:
            return Ref(current[e.name])
        if e.name in CONSTANTS and e.name not in counts:
            return Named(e.name)
        later = " (it is assigned later: a statement reads only what is computed before it)" if e.name in counts else ""
        raise WorkedExampleError(f"{where}: graph.nodes: {quoted(s)}: {e.name} is not defined{later}"
                                 f"{closest(e.name, list(current)) if not later else ''}")
    if isinstance(e, Apply):
        return Apply(e.op, tuple(_resolve(a, current, counts, where, s) for a in e.args))
    return e


def _output(ctx: Context, graph: dict[str, Any], ids: dict[str, list[str]], gates: list[Gate]) -> str:
    out = graph.get("output")
    if out is None:
        return gates[-1].node
    if not isinstance(out, str):
        raise ctx.err("write the output node's name in quotes, e.g. output = \"f\"", "output", "graph")
    name, _, version = out.strip().partition("@")
    if name not in ids:
        raise ctx.err(f"{out!r} is not a node{closest(name, list(ids))}", "output", "graph")
    if version and not (version.isdigit() and 1 <= int(version) <= len(ids[name])):
        raise ctx.err(f"{name} is assigned {len(ids[name])} time(s); write {name}@1 .. {name}@{len(ids[name])}",
                      "output", "graph")
    return ids[name][int(version) - 1] if version else ids[name][-1]


def _update(ctx: Context, graph: dict[str, Any], inputs: list[tuple[str, Fraction]]) -> tuple[Fraction | None, tuple[str, ...]]:
    lr, update = graph.get("learning_rate"), graph.get("update", [])
    if not isinstance(update, list) or not all(isinstance(u, str) for u in update):
        raise ctx.err("write the inputs a step updates as a list, e.g. update = [\"w1\", \"w2\"]", "update", "graph")
    names = [n for n, _ in inputs]
    for u in update:
        if u not in names:
            raise ctx.err(f"{u!r} is not an input{closest(u, names)}: only inputs are updated", "update", "graph")
    if update and lr is None:
        raise ctx.err("an update needs learning_rate, e.g. learning_rate = 0.1", "update", "graph")
    return (None if lr is None else _number(ctx, lr, "learning_rate", "graph")), tuple(update)


def _claims(ctx: Context, circuit: Circuit, steps: list[dict[str, Any]],
            unusable: list[tuple[int, str, str]] | None) -> list[CircuitClaim]:
    """The claims of each [[step]]. With `unusable` (grading a submission) a claim that cannot be
    read is listed there as (step, key, why) and left out, unless no claim can be read."""
    out = []
    for s, table in enumerate(steps, start=1):
        for key, v in table.items():
            try:
                out.append(_claim(ctx, circuit, s, key, v))
            except WorkedExampleError as exc:
                if unusable is None:
                    raise
                unusable.append((s, key, str(exc)))
    if not out and unusable:
        raise WorkedExampleError(unusable[0][2])
    return out


def _claim(ctx: Context, circuit: Circuit, s: int, key: str, v: Any) -> CircuitClaim:
    from gradverify.judge.worked import claim_text

    try:
        at = circuitclaims.pointer(circuit, key)
    except ValueError as exc:
        raise ctx.err(str(exc), key, "step", s) from None
    t, printed, working = claim_text(ctx, v, key, s)
    line = step_lines(ctx.text).get((s, key)) if ctx.text else None
    return CircuitClaim(s, at.quantity, None, None, (), (), t, printed, key, line, working, target=at.key(s), of=at.of,
                        wrt=at.wrt)


def circuit_from_dict(doc: dict[str, Any], source: str, text_: str, lenient: bool = False) -> CircuitExample:
    """Validate a parsed circuit file (one with a [graph] table) into a `CircuitExample`; `lenient`
    (grading a submission): a claim that cannot be read is left out and listed in `unusable`."""
    from gradverify.judge.worked import checked_title, expect_table

    ctx = Context(source, text_)
    for k in doc:
        if k not in TOP_KEYS:
            raise ctx.err(f"unknown key{closest(k, TOP_KEYS)} (a circuit file has [graph] and [[step]] tables)", k)
    circuit = _circuit(ctx, doc["graph"])
    steps = doc.get("step")
    if not isinstance(steps, list) or not steps or not all(isinstance(s, dict) and s for s in steps):
        raise ctx.err("no claims: add [[step]] tables with your numbers, e.g. q = \"3\" and \"df/dq\" = \"-4\"")
    if len(steps) > 1 and not circuit.update:
        raise ctx.err(f"{len(steps)} [[step]] tables: a second step needs inputs to update between steps, e.g. "
                      "update = [\"w\"] and learning_rate = 0.1 in [graph]", "step")
    if len(steps) > MAX_STEPS:
        raise ctx.err(f"{len(steps)} [[step]] tables; a circuit file prints at most {MAX_STEPS}", "step")
    try:
        exact = exact_steps(circuit, len(steps))
    except GateError as exc:
        where = f"{ctx.source}, line {exc.gate.line}" if exc.gate.line else ctx.source
        when = f" in step {exc.step}" if len(steps) > 1 else ""
        raise WorkedExampleError(f"{where}: graph.nodes: {quoted(exc.gate.text)}{when}: {exc.why}: change the inputs "
                                 "or the statement") from None
    title = checked_title(ctx, doc.get("title", source))
    derivatives: list[Any] = []
    formulas: list[Any] = []
    if "derivative" in doc or "formula" in doc:
        from gradverify.judge import claimtables

        derivatives, formulas = claimtables.validate(doc, source, text_)
    student = doc.get("student")
    unusable: list[tuple[int, str, str]] = []
    claims = _claims(ctx, circuit, steps, unusable if lenient else None)
    return CircuitExample(source, text_, title, circuit, exact, claims, list(range(1, len(steps) + 1)),
                          expect_table(ctx, doc.get("expect")), student if isinstance(student, str) else None,
                          derivatives, formulas, unusable)

