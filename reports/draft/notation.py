"""Notations as small declarative tables: what each written symbol means, how layers and neurons are
numbered, and which way the weights' indices run. Three are built in (Nielsen's; the from-to notation
of seeds 000 and 003; seed 004's W^(l)_ij); a user adds their own in a few lines of TOML.

A notation file (docs/draft.md):

    name = "my-course"
    extends = "nielsen"          # start from a built-in table
    [symbols]                    # written name -> role
    o = "a"                      # o^l_j is the activation
    "hat y" = "y"                # \\hat{y} is the target
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Mapping

from gradverify.judge.netspec import ACTIVATION_NAMES

# What a written symbol can stand for.
ROLES = ("z", "a", "delta", "W", "b", "x", "y", "output", "loss", "learning_rate", "l2")
FACTORS = ("dL_da", "act_prime")
KEYS = ("name", "extends", "about", "symbols", "functions", "first_layer", "first_index", "weights",
        "weights_named_by", "biases_named_by", "delta_factors")

_COMMON_SYMBOLS = {
    "z": "z", "a": "a", "delta": "delta", "w": "W", "W": "W", "b": "b", "x": "x", "y": "y", "hat y": "output",
    "L": "loss", "C": "loss", "E": "loss", "J": "loss", "Loss": "loss", "loss": "loss", "Cost": "loss",
    "cost": "loss", "eta": "learning_rate", "lambda": "l2",
}
_COMMON_FUNCTIONS = {
    "sigma": "sigmoid", "sigmoid": "sigmoid", "tanh": "tanh", "relu": "relu", "ReLU": "relu", "softmax": "softmax",
}


class NotationError(ValueError):
    """An unusable --notation: unknown name, or a notation file with a wrong key or value."""


@dataclass(frozen=True)
class Notation:
    """How a write-up writes a network's quantities.

    `first_layer`/`first_index` None: as the write-up numbers them (0 once a layer or neuron 0 is
    written, else 1). `delta_factors` is the order of the two factors of a hidden delta in the
    write-up's backpropagation formula (Nielsen: (W^T delta) o sigma'(z); seed 004: tau'(z) o (W^T delta))."""

    name: str
    about: str
    symbols: Mapping[str, str] = field(default_factory=dict)
    functions: Mapping[str, str] = field(default_factory=dict)
    first_layer: int | None = 1
    first_index: int | None = 1
    weights: str = "to_from"
    weights_named_by: str = "to"
    biases_named_by: str = "to"
    delta_factors: tuple[str, str] = ("dL_da", "act_prime")

    def role(self, name: str) -> str | None:
        """The role of a written symbol name ("delta", "w", "hat y"), or None."""
        return self.symbols.get(name)

    def function(self, name: str) -> str | None:
        """The activation a written function name stands for ("sigma" -> "sigmoid")."""
        return self.functions.get(name)

    @property
    def names(self) -> frozenset[str]:
        """Multi-letter symbols the reader must keep together (dA, Loss)."""
        return frozenset(n for n in (*self.symbols, *self.functions) if len(n) > 1 and n.isalpha())


NIELSEN = Notation(
    name="nielsen",
    about="Nielsen's: w^l_jk joins neuron k of layer l-1 to neuron j of layer l; the input layer is layer 1",
    symbols=dict(_COMMON_SYMBOLS), functions=dict(_COMMON_FUNCTIONS),
)
FROM_TO = Notation(
    name="from_to",
    about="seeds 000 and 003: w^l_ij joins neuron i of layer l-1 to neuron j of layer l; layers and "
          "neurons numbered from 0 or 1 as written (seed 000's O for outputs and omega for weights too)",
    symbols={**_COMMON_SYMBOLS, "omega": "W", "O": "a", "alpha": "learning_rate"},
    functions=dict(_COMMON_FUNCTIONS), first_layer=None, first_index=None, weights="from_to",
)
SEED004 = Notation(
    name="seed004",
    about="seed 004's: W^(l)_ij joins neuron j of layer l to neuron i of layer l+1 (named by the layer "
          "it leaves); z^(l), a^(l), delta^(l), b^(l) of layer l; the input layer is layer 1",
    symbols={**_COMMON_SYMBOLS},
    functions={**_COMMON_FUNCTIONS, "tau": "tanh", "rho": "softmax"},
    weights_named_by="from", delta_factors=("act_prime", "dL_da"),
)
BUILT_IN: dict[str, Notation] = {n.name: n for n in (NIELSEN, FROM_TO, SEED004)}
ALIASES = {"from-to": "from_to", "seed000": "from_to", "seed003": "from_to", "seed001": "nielsen",
           "seed-004": "seed004", "004": "seed004"}


def named(name_or_path: str) -> Notation:
    """A built-in notation by name, or a notation file (TOML) by path."""
    key = ALIASES.get(name_or_path.lower(), name_or_path.lower())
    if key in BUILT_IN:
        return BUILT_IN[key]
    path = Path(name_or_path)
    if path.suffix == ".toml" or path.exists():
        return load(path)
    raise NotationError(f"--notation {name_or_path}: no such notation; built in: {', '.join(BUILT_IN)} "
                        "(or the path of a notation .toml file, see docs/draft.md)")


def load(path: Path) -> Notation:
    """Read a notation file; errors name the file, the key and what to write."""
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise NotationError(f"{path}: no such notation file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise NotationError(f"{path}: cannot read it ({exc.__class__.__name__})") from None
    except tomllib.TOMLDecodeError as exc:
        raise NotationError(f"{path}: not valid TOML: {exc}") from None
    return from_table(doc, str(path))


def from_table(doc: Mapping[str, Any], source: str) -> Notation:
    """A notation from a parsed notation file, on top of the table it `extends` (Nielsen's by default)."""
    for key in doc:
        if key not in KEYS:
            raise NotationError(f"{source}: unknown key {key!r}; a notation file has {', '.join(KEYS)}")
    base_name = str(doc.get("extends", "nielsen"))
    if base_name not in BUILT_IN:
        raise NotationError(f"{source}: extends = {base_name!r}: write one of {', '.join(BUILT_IN)}")
    base = BUILT_IN[base_name]
    symbols = dict(base.symbols)
    for written, role in _table(doc, "symbols", source).items():
        if role not in ROLES and role != "":
            raise NotationError(f"{source}: symbols.{written} = {role!r}: a role is one of {', '.join(ROLES)} "
                                "(or \"\" to forget the symbol)")
        symbols[written] = role
    functions = dict(base.functions)
    for written, fn in _table(doc, "functions", source).items():
        if fn not in ACTIVATION_NAMES:
            raise NotationError(f"{source}: functions.{written} = {fn!r}: write one of {', '.join(ACTIVATION_NAMES)}")
        functions[written] = fn
    changes: dict[str, Any] = {"name": str(doc.get("name", Path(source).stem)), "about": str(doc.get("about", "")),
                               "symbols": {k: v for k, v in symbols.items() if v}, "functions": functions}
    for key, allowed in (("first_layer", (0, 1)), ("first_index", (0, 1)), ("weights", ("to_from", "from_to")),
                         ("weights_named_by", ("to", "from")), ("biases_named_by", ("to", "from"))):
        if key in doc:
            if doc[key] not in allowed or isinstance(doc[key], bool):
                raise NotationError(f"{source}: {key} = {doc[key]!r}: write one of {', '.join(map(repr, allowed))}")
            changes[key] = doc[key]
    if "delta_factors" in doc:
        order = doc["delta_factors"]
        if not isinstance(order, list) or sorted(order) != sorted(FACTORS):
            raise NotationError(f"{source}: delta_factors = {order!r}: write [\"dL_da\", \"act_prime\"] "
                                "or [\"act_prime\", \"dL_da\"]")
        changes["delta_factors"] = tuple(order)
    return replace(base, **changes)


def _table(doc: Mapping[str, Any], key: str, source: str) -> dict[str, str]:
    table = doc.get(key, {})
    if not isinstance(table, dict) or not all(isinstance(v, str) for v in table.values()):
        raise NotationError(f"{source}: write [{key}] and then lines like a = \"z\"")
    return table
