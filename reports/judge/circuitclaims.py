"""Where a claim key points in a circuit: a node's value, the output's gradient, a local gradient.

    q = "3"              the value of node q ("c@2": c after its second assignment)
    "df/dq" = "-4"       the gradient of the output f with respect to q (summed over every path)
    "dq/dx" = "1"        the local gradient on the edge x -> q (x must be an input of q's gate)
    "∂f/∂q" = "-4"       a local gradient of the output's own gate (∂ always means local)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from gradverify.judge.circuit import Circuit, Key, grad_key, local_key, value_key
from gradverify.judge.claimkeys import ClaimSpec
from gradverify.judge.result import circuit_name

_NODE = r"[A-Za-z][A-Za-z0-9_]*(?:@\d+)?"
_VALUE = re.compile(rf"^({_NODE})$")
_RATIO = re.compile(rf"^(d|\u2202)({_NODE})\s*/\s*(d|\u2202)({_NODE})$")


@dataclass(frozen=True)
class CircuitClaim(ClaimSpec):
    """A claimed number of a circuit: its graph key and the node names its verdict carries."""

    target: Key = (0, "", "", "")
    of: str | None = None
    wrt: str | None = None

    @property  # type: ignore[override]
    def node(self) -> Key:
        return self.target

    @property
    def name(self) -> str:
        return circuit_name(self.quantity, self.target[2], self.of, self.wrt)

    def verdict_names(self) -> dict[str, str]:
        out = {"node": self.target[2]}
        out.update({k: v for k, v in (("of", self.of), ("wrt", self.wrt)) if v is not None})
        return out


@dataclass(frozen=True)
class Pointer:
    """What a key names: quantity ("value", "grad" or "local"), node, and the output or the edge's input."""

    quantity: str
    node: str
    of: str | None = None
    wrt: str | None = None

    def key(self, step: int) -> Key:
        if self.quantity == "value":
            return value_key(step, self.node)
        if self.quantity == "grad":
            return grad_key(step, self.node)
        return local_key(step, self.node, self.wrt or "")


def node_id(circuit: Circuit, written: str) -> str:
    """A node id from a name as written ("c@2", or "q" for a name assigned once); ValueError else."""
    name, _, version = written.partition("@")
    ids = circuit.names.get(name)
    if ids is None:
        from gradverify.judge.where import closest

        raise ValueError(f"{name} is not a node of the circuit{closest(name, list(circuit.names))}")
    if version:
        k = int(version)
        if not 1 <= k <= len(ids):
            raise ValueError(f"{name} is assigned {len(ids)} time(s): write {', '.join(_versions(name, ids))}")
        return ids[k - 1]
    if len(ids) > 1:
        raise ValueError(f"{name} is assigned {len(ids)} times: write {', '.join(_versions(name, ids))} for "
                         "its value after each assignment")
    return ids[0]


def _versions(name: str, ids: tuple[str, ...]) -> list[str]:
    return [f"{name}@{k}" for k in range(1, len(ids) + 1)]


def pointer(circuit: Circuit, key: str) -> Pointer:
    """Read a claim key; ValueError saying what to write instead."""
    text = key.strip()
    if _VALUE.match(text):
        return Pointer("value", node_id(circuit, text))
    m = _RATIO.match(text)
    if not m:
        raise ValueError(f"not a claim of this circuit; write a node's value (q = \"3\"), the gradient of the "
                         f"output (\"d{circuit.written(circuit.output)}/dq\" = \"-4\") or a local gradient "
                         "(\"dq/dx\" = \"1\")")
    partial_sign, top, wrt = m.group(1) == "\u2202", m.group(2), node_id(circuit, m.group(4))
    out_name = circuit.written(circuit.output)
    node = circuit.output if top in (out_name, circuit.output) else node_id(circuit, top)
    if node == circuit.output and not partial_sign:
        return Pointer("grad", wrt, of=out_name)
    gate = circuit.gate.get(node)
    if gate is None or wrt not in gate.parents:
        reads = f"{node} = {gate.text.split('=', 1)[-1].strip()} reads {', '.join(gate.parents) or 'no node'}" \
            if gate else f"{node} is an input"
        raise ValueError(f"{wrt} is not an input of {node}'s gate ({reads}): a local gradient is on an edge "
                         f"into a gate; the gradient of the output with respect to {wrt} is d{out_name}/d{wrt}")
    return Pointer("local", node, of=out_name if node == circuit.output else None, wrt=wrt)
