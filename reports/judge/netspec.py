"""A worked example's [network], [data] and [parameters] tables: read and validated.

Every value is checked where it is written; an error names the file, the line, the key and what to
write instead (docs/worked-example-format.md documents each key).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from gradverify.judge import numbers
from gradverify.judge.claimkeys import Layout
from gradverify.judge.where import Context, closest

NETWORK_KEYS = ("sizes", "activations", "loss", "learning_rate", "numbering", "weights", "bias",
                "error_sign", "batch", "batch_mean_at", "l2", "weights_named_by", "biases_named_by")
CHOICES = {
    "weights": ("to_from", "from_to"),
    "bias": ("per_neuron", "shared", "frozen", "shared_frozen", "none"),
    "error_sign": ("gradient", "negative"),
    "batch": ("mean", "sum"),
    "batch_mean_at": ("parameter_gradient", "output_gradient"),
    "weights_named_by": ("to", "from"),
    "biases_named_by": ("to", "from"),
}
# Function vocabulary (names and parameters) of the shared registry; checked against numeric's in tests.
ACTIVATION_PARAMS: dict[str, tuple[str, ...]] = {
    "identity": (), "sigmoid": (), "tanh": (), "relu": (), "leaky_relu": ("alpha",), "prelu": ("a",),
    "elu": ("alpha",), "softplus": (), "gelu": (), "silu": (), "softmax": (),
}
LOSS_PARAMS: dict[str, tuple[str, ...]] = {
    "squared_error": (), "half_squared_error": (), "mean_squared_error": (), "binary_cross_entropy": (),
    "cross_entropy": (), "softmax_cross_entropy": (), "hinge": (), "l1": (), "huber": ("delta",),
    "huber_mean": ("delta",), "cosine_similarity": (), "cosine_similarity_general": (),
    "multiclass_svm": ("delta",), "none": (),
}
ACTIVATION_NAMES = tuple(ACTIVATION_PARAMS)
LOSS_NAMES = tuple(LOSS_PARAMS)


def function_params(kind: str, name: str) -> tuple[str, ...]:
    """Parameter names an activation or loss accepts."""
    return (ACTIVATION_PARAMS if kind == "activation" else LOSS_PARAMS)[name]


@dataclass
class NetworkSpec:
    """The network as stated: sizes, functions, learning rate (None: nothing is updated) and conventions."""

    sizes: list[int]
    activations: list[tuple[str, dict[str, float]]]
    loss: tuple[str, dict[str, float]]
    learning_rate: float | None
    conventions: dict[str, Any]


def number(ctx: Context, v: Any, key: str, section: str) -> float:
    """A parameter or data number: a TOML number or a quoted printed number; finite."""
    if isinstance(v, bool):
        raise ctx.err(f"{v!r} is not a number; write e.g. 0.5", key, section)
    if isinstance(v, (int, float)):
        val = float(v)
    elif isinstance(v, str):
        try:
            val = numbers.parse(v).value
        except numbers.NumberError as exc:
            raise ctx.err(str(exc), key, section) from None
    else:
        raise ctx.err(f"{v!r} is not a number; write e.g. 0.5 or \"0.5\"", key, section)
    if not math.isfinite(val):
        raise ctx.err(f"{v!r} is not finite; write a finite number", key, section)
    return val


def shape_of(v: Any) -> tuple[int, ...]:
    """The shape of nested lists ((-1,) when rows differ in length)."""
    if isinstance(v, list):
        if not v:
            return (0,)
        inner = {shape_of(e) for e in v}
        if len(inner) != 1:
            return (-1,)
        return (len(v),) + inner.pop()
    return ()


def numbers_array(ctx: Context, v: Any, key: str, section: str, shape: tuple[int, ...], why: str) -> Any:
    """Nested lists of numbers of exactly `shape`."""
    got = shape_of(v)
    if got == (-1,):
        raise ctx.err(f"rows of different lengths; expected shape {list(shape)} ({why})", key, section)
    if got != shape:
        raise ctx.err(f"has shape {list(got) or 'scalar'}, expected {list(shape) or 'a single number'} ({why})", key, section)

    def walk(e: Any) -> Any:
        return [walk(i) for i in e] if isinstance(e, list) else number(ctx, e, key, section)

    return walk(v)


_SPEC = re.compile(r"^\s*([A-Za-z_]\w*)\s*(?:\((.*)\))?\s*$")


def function(ctx: Context, v: Any, key: str, names: tuple[str, ...], kind: str) -> tuple[str, dict[str, float]]:
    """"sigmoid", "leaky_relu(alpha=0.1)" or {name = "leaky_relu", alpha = 0.1}."""
    params: dict[str, float] = {}
    if isinstance(v, dict):
        if "name" not in v:
            raise ctx.err(f"a {kind} table needs name = \"...\", e.g. {{ name = \"leaky_relu\", alpha = 0.1 }}", key, "network")
        name = v["name"]
        for p, pv in v.items():
            if p != "name":
                params[p] = number(ctx, pv, key, "network")
    elif isinstance(v, str):
        m = _SPEC.match(v)
        if not m:
            raise ctx.err(f"{v!r} is not a {kind}; write e.g. \"sigmoid\" or \"leaky_relu(alpha=0.1)\"", key, "network")
        name = m.group(1)
        if m.group(2):
            for part in m.group(2).split(","):
                if "=" not in part:
                    raise ctx.err(f"parameter {part.strip()!r} needs a name: write e.g. \"{name}(alpha=0.1)\"", key, "network")
                p, _, pv = part.partition("=")
                params[p.strip()] = number(ctx, pv.strip(), key, "network")
    else:
        raise ctx.err(f"{v!r} is not a {kind} name; write e.g. \"sigmoid\"", key, "network")
    if not isinstance(name, str) or name not in names:
        raise ctx.err(f"unknown {kind} {name!r}{closest(str(name), names)}", key, "network")
    allowed = function_params(kind, name)
    for p in params:
        if p not in allowed:
            hint = f"it takes {', '.join(allowed)}" if allowed else "it takes no parameters"
            raise ctx.err(f"{name} has no parameter {p!r}; {hint}", key, "network")
    return name, params


def _choice(ctx: Context, net: dict, key: str, default: str) -> str:
    v = net.get(key, default)
    if v not in CHOICES[key]:
        raise ctx.err(f"{v!r} is not allowed{closest(str(v), CHOICES[key])}", key, "network")
    return v


def table(ctx: Context, doc: dict, key: str, required: bool = True) -> dict:
    """A top-level table of the document ({} when absent and not required)."""
    v = doc.get(key)
    if v is None:
        if required:
            if key == "network":
                raise ctx.err("missing: add a [network] table, or a [graph] table for a circuit of gates (see "
                              "docs/worked-example-format.md, docs/circuits.md)")
            raise ctx.err(f"missing: add a [{key}] table (see docs/worked-example-format.md)")
        return {}
    if not isinstance(v, dict):
        raise ctx.err(f"must be a table: write [{key}] on its own line, then its keys", key)
    return v


def network(ctx: Context, doc: dict) -> NetworkSpec:
    """The [network] table."""
    net = table(ctx, doc, "network")
    for k in net:
        if k not in NETWORK_KEYS:
            raise ctx.err(f"unknown key{closest(k, NETWORK_KEYS)}", k, "network")
    sizes = net.get("sizes")
    if not isinstance(sizes, list) or len(sizes) < 2 or not all(isinstance(s, int) and not isinstance(s, bool) and s >= 1 for s in sizes):
        raise ctx.err("write the neurons per layer, input first, e.g. sizes = [3, 2, 1]", "sizes", "network")
    L = len(sizes) - 1
    acts = net.get("activations")
    if acts is None:
        raise ctx.err(f"missing: one activation per layer after the input, e.g. activations = {['sigmoid'] * L}", "activations", "network")
    if isinstance(acts, (str, dict)):
        acts = [acts] * L
    if not isinstance(acts, list) or len(acts) != L:
        raise ctx.err(f"needs {L} entries, one per layer after the input (sizes has {len(sizes)} layers)", "activations", "network")
    activations = [function(ctx, a, "activations", ACTIVATION_NAMES, "activation") for a in acts]
    if any(name == "softmax" for name, _ in activations[:-1]):
        raise ctx.err("softmax is supported on the output layer only; use it last", "activations", "network")
    if "loss" not in net:
        raise ctx.err("missing: the loss as stated, e.g. loss = \"squared_error\" (or \"none\": the output "
                      "itself is differentiated)", "loss", "network")
    loss = function(ctx, net["loss"], "loss", LOSS_NAMES, "loss")
    if loss[0] == "softmax_cross_entropy" and activations[-1][0] != "softmax":
        raise ctx.err("softmax_cross_entropy is fused with a softmax output: set the last activation to \"softmax\"", "loss", "network")
    lr = None
    if "learning_rate" in net:
        lr = number(ctx, net["learning_rate"], "learning_rate", "network")
        if lr <= 0:
            raise ctx.err(f"{lr} must be > 0, e.g. learning_rate = 0.1", "learning_rate", "network")
    numbering = net.get("numbering", {"first_layer": 1, "first_index": 1})
    if not isinstance(numbering, dict):
        raise ctx.err("write numbering = { first_layer = 1, first_index = 1 }", "numbering", "network")
    for k in numbering:
        if k not in ("first_layer", "first_index"):
            raise ctx.err(f"unknown key {k!r}{closest(k, ('first_layer', 'first_index'))}", "numbering", "network")
    fl, fi = numbering.get("first_layer", 1), numbering.get("first_index", 1)
    for nm, v in (("first_layer", fl), ("first_index", fi)):
        if v not in (0, 1) or isinstance(v, bool):
            raise ctx.err(f"{nm} must be 0 or 1, not {v!r}", "numbering", "network")
    l2 = number(ctx, net.get("l2", 0.0), "l2", "network")
    if l2 < 0:
        raise ctx.err(f"{l2} must be >= 0 (lambda of lambda/2 sum W^2)", "l2", "network")
    conv = {
        "weights": _choice(ctx, net, "weights", "to_from"),
        "first_layer": fl, "first_index": fi,
        "reduction": _choice(ctx, net, "batch", "mean"),
        "batch_mean_at": _choice(ctx, net, "batch_mean_at", "parameter_gradient"),
        "bias": _choice(ctx, net, "bias", "per_neuron"),
        "error_sign": _choice(ctx, net, "error_sign", "gradient"),
        "l2": l2,
        "weights_named_by": _choice(ctx, net, "weights_named_by", "to"),
        "biases_named_by": _choice(ctx, net, "biases_named_by", "to"),
    }
    return NetworkSpec(list(sizes), activations, loss, lr, conv)


def data(ctx: Context, doc: dict, spec: NetworkSpec) -> tuple[list[list[float]], list[list[float]], str]:
    """The [data] table: x and y as (B, n) lists (labels given as class indices become one-hot rows),
    and how y was written ("values" or "index")."""
    d = table(ctx, doc, "data")
    sizes = spec.sizes
    for k in d:
        if k not in ("x", "y", "labels"):
            raise ctx.err(f"unknown key{closest(k, ('x', 'y', 'labels'))}", k, "data")
    labels = d.get("labels", "values")
    if labels not in ("values", "index"):
        raise ctx.err(f"{labels!r} is not allowed; write labels = \"index\" when y gives the class number "
                      "(in the file's numbering), or leave it out when y gives target values", "labels", "data")
    no_target = spec.loss[0] == "none"
    if "x" not in d or ("y" not in d and not no_target):
        raise ctx.err("needs x and y, e.g. x = [0.8, 0.7, 0.1] and y = [0.9] (a list of samples for a batch)",
                      "x" if "x" not in d else "y", "data")
    x_raw = d["x"]
    batched = isinstance(x_raw, list) and bool(x_raw) and isinstance(x_raw[0], list)
    B = len(x_raw) if batched else 1
    if B == 0:
        raise ctx.err("is empty; write the input, e.g. x = [0.8, 0.7, 0.1]", "x", "data")
    if batched:
        x = numbers_array(ctx, x_raw, "x", "data", (B, sizes[0]), f"{B} samples of {sizes[0]} inputs")
    else:
        x = [numbers_array(ctx, x_raw, "x", "data", (sizes[0],), f"sizes[0] = {sizes[0]} inputs")]
    if "y" not in d:
        return x, [[0.0] * sizes[-1] for _ in range(B)], labels
    if labels == "index":
        return x, _one_hot(ctx, d["y"], B, sizes[-1], spec.conventions["first_index"]), labels
    if batched:
        y = numbers_array(ctx, d["y"], "y", "data", (B, sizes[-1]), f"{B} samples of {sizes[-1]} targets, like x")
    else:
        y = [numbers_array(ctx, d["y"], "y", "data", (sizes[-1],), f"sizes[-1] = {sizes[-1]} outputs")]
    return x, y, labels


def _one_hot(ctx: Context, raw: Any, B: int, n: int, first: int) -> list[list[float]]:
    given = raw if isinstance(raw, list) else [raw]
    if len(given) != B or not all(isinstance(c, int) and not isinstance(c, bool) for c in given):
        want = "one class number" if B == 1 else f"{B} class numbers, one per sample"
        raise ctx.err(f"labels = \"index\": write {want}, e.g. y = {first + 1 if B == 1 else [first] * B}", "y", "data")
    rows = []
    for c in given:
        if not first <= c < first + n:
            raise ctx.err(f"class {c} is out of range: the {n} outputs are numbered {first}..{first + n - 1}", "y", "data")
        rows.append([1.0 if i == c - first else 0.0 for i in range(n)])
    return rows


def parameters(ctx: Context, doc: dict, spec: NetworkSpec, layout: Layout) -> tuple[list[Any], list[Any]]:
    """The [parameters] table: weights (file layout) and biases per weight layer (None: no bias)."""
    params = table(ctx, doc, "parameters")
    conv, L = spec.conventions, len(spec.sizes) - 1
    expected = {}
    for k in range(L):
        expected[f"W{layout.param_number('W', k)}"] = ("W", k)
        if conv["bias"] != "none":
            expected[f"b{layout.param_number('b', k)}"] = ("b", k)
    for k in params:
        if k not in expected:
            extra = " (bias = \"none\": remove biases)" if k.startswith("b") and conv["bias"] == "none" else ""
            raise ctx.err(f"unknown parameter{extra}{closest(k, list(expected))}", k, "parameters")
    weights: list[Any] = [None] * L
    biases: list[Any] = [None] * L
    for name, (kind, k) in expected.items():
        if name not in params:
            raise ctx.err(f"missing: write {name} with shape {list(layout.file_shape(kind, k))} ({layout.why(kind, k)})", name, "parameters")
        v = params[name]
        if kind == "b" and layout.file_shape("b", k) == () and isinstance(v, list) and len(v) == 1:
            v = v[0]
        arr = numbers_array(ctx, v, name, "parameters", layout.file_shape(kind, k), layout.why(kind, k))
        if kind == "W":
            weights[k] = arr
        else:
            biases[k] = arr
    return weights, biases
