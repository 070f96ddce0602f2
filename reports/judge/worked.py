"""The worked-example file (TOML): load it, validate every key, and hold it as a `WorkedExample`.

Errors are `WorkedExampleError`s naming the file, the key, the line, and what to write instead; the
CLI prints them and exits 2. The format is documented in docs/worked-example-format.md.
"""

from __future__ import annotations

import functools
import math
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gradverify.judge import numbers

TABLE_KINDS = ("derivative", "identity", "graph", "indexed", "formula")  # gradverify.judge.claimtables.KINDS (import-light here)
TOP_KEYS = ("title", "student", "network", "data", "parameters", "step", "expect", "grading", *TABLE_KINDS)
NETWORK_KEYS = ("sizes", "activations", "loss", "learning_rate", "numbering", "weights", "bias",
                "error_sign", "batch", "l2", "weights_named_by", "biases_named_by")
CHOICES = {
    "weights": ("to_from", "from_to"),
    "bias": ("per_neuron", "shared", "frozen", "none"),
    "error_sign": ("gradient", "negative"),
    "batch": ("mean", "sum"),
    "weights_named_by": ("to", "from"),
    "biases_named_by": ("to", "from"),
}
VERDICTS = ("correct", "follows", "wrong")


# Function vocabulary (names and parameters) of the shared registry; checked against numeric's in tests.
ACTIVATION_PARAMS: dict[str, tuple[str, ...]] = {
    "identity": (), "sigmoid": (), "tanh": (), "relu": (), "leaky_relu": ("alpha",), "prelu": ("a",),
    "elu": ("alpha",), "softplus": (), "gelu": (), "silu": (), "softmax": (),
}
LOSS_PARAMS: dict[str, tuple[str, ...]] = {
    "squared_error": (), "half_squared_error": (), "mean_squared_error": (), "binary_cross_entropy": (),
    "cross_entropy": (), "softmax_cross_entropy": (), "hinge": (), "l1": (), "huber": ("delta",),
    "huber_mean": ("delta",), "cosine_similarity": (), "cosine_similarity_general": (),
}
ACTIVATION_NAMES = tuple(ACTIVATION_PARAMS)
LOSS_NAMES = tuple(LOSS_PARAMS)
QUANTITIES = ("z", "a", "act_prime", "dL_da", "delta", "dW", "db", "W", "b", "dx", "loss")
PER_SAMPLE = ("z", "a", "act_prime", "dL_da", "delta", "dx")
_KEY = re.compile(r"^([A-Za-z_]+?)(\d*)(?:\[\s*(\d+(?:\s*,\s*\d+)*)\s*\])?$")


def function_params(kind: str, name: str) -> tuple[str, ...]:
    """Parameter names an activation or loss accepts."""
    return (ACTIVATION_PARAMS if kind == "activation" else LOSS_PARAMS)[name]


def parse_claim_key(key: str) -> tuple[str, int | None, tuple[int, ...] | None]:
    """"z2" -> ("z", 2, None); "W2[1,1]" -> ("W", 2, (1, 1)); "loss" -> ("loss", None, None)."""
    m = _KEY.match(key.strip())
    if not m or m.group(1) not in QUANTITIES:
        head = m.group(1) if m else key
        raise ValueError(f"unknown claim{_closest(head, QUANTITIES)}; claims are z2, a2, loss, act_prime2, "
                         "dL_da2, delta3, dW3, db3, dx, W2, b2, or one element such as \"W2[1,1]\"")
    qty, num, idx = m.group(1), m.group(2), m.group(3)
    index = tuple(int(i) for i in idx.split(",")) if idx else None
    if qty in ("loss", "dx"):
        if num:
            raise ValueError(f"{qty} has no layer number; write {qty}" + ("[...]" if index else ""))
        return qty, None, index
    if not num:
        raise ValueError(f"{qty} needs a layer number in the file's numbering, e.g. {qty}2")
    return qty, int(num), index


@dataclass(frozen=True)
class ClaimSpec:
    """One claimed number: where it is (file numbering and core position) and its printed text."""

    step: int
    quantity: str
    layer: int | None
    core_layer: int | None
    index: tuple[int, ...]
    core_index: tuple[int, ...]
    text: str
    printed: numbers.Printed
    key: str
    line: int | None

    @property
    def name(self) -> str:
        """"z2[1]", "loss", "W2[1,3]": the element in the file's numbering."""
        layer = "" if self.layer is None else str(self.layer)
        idx = f"[{','.join(map(str, self.index))}]" if self.index else ""
        return f"{self.quantity}{layer}{idx}"


class Layout:
    """Shapes and numbering of a network: file layer numbers <-> core layers, file <-> core indices."""

    def __init__(self, sizes: list[int], conv: dict[str, Any], batch: int):
        self.sizes, self.conv, self.B = sizes, conv, batch
        self.L = len(sizes) - 1
        self.fl, self.fi = conv["first_layer"], conv["first_index"]

    def layer_number(self, k: int) -> int:
        return self.fl + k + 1

    def param_number(self, kind: str, k: int) -> int:
        named = self.conv["weights_named_by"] if kind in ("W", "dW") else self.conv["biases_named_by"]
        return self.layer_number(k) - (1 if named == "from" else 0)

    def core_of(self, qty: str, number: int) -> int:
        if qty in ("W", "dW", "b", "db"):
            return number - self.param_number("W" if qty in ("W", "dW") else "b", 0) 
        return number - self.layer_number(0)

    def file_shape(self, kind: str, k: int) -> tuple[int, ...]:
        n_in, n_out = self.sizes[k], self.sizes[k + 1]
        if kind in ("W", "dW"):
            return (n_out, n_in) if self.conv["weights"] == "to_from" else (n_in, n_out)
        if kind in ("b", "db"):
            return () if self.conv["bias"] == "shared" else (n_out,)
        raise ValueError(kind)

    def why(self, kind: str, k: int) -> str:
        n_in, n_out = self.sizes[k], self.sizes[k + 1]
        if kind in ("W", "dW"):
            if self.conv["weights"] == "to_from":
                return f"weights = \"to_from\": {n_out} rows for the neurons it feeds, {n_in} columns for its inputs"
            return f"weights = \"from_to\": {n_in} rows for its inputs, {n_out} columns for the neurons it feeds"
        if self.conv["bias"] == "shared":
            return "bias = \"shared\": one number per layer"
        return f"one per neuron of layer {self.layer_number(k)}"

    def claim_shape(self, qty: str, number: int | None, loss: str) -> tuple[int | None, tuple[int, ...], str]:
        """(core layer, file shape, why) of a claim; ValueError when the layer does not exist."""
        if qty == "loss":
            return None, (), "the loss is one number"
        if qty == "dx":
            shape = (self.sizes[0],) if self.B == 1 else (self.B, self.sizes[0])
            return None, shape, f"{self.sizes[0]} inputs" + (f" for each of {self.B} samples" if self.B > 1 else "")
        k = self.core_of(qty, number)
        if not 0 <= k < self.L:
            lo = number - k
            if qty in ("W", "dW", "b", "db"):
                what = "weight" if qty in ("W", "dW") else "bias"
                raise ValueError(f"layer {number} is out of range: the {what} layers are numbered "
                                 f"{lo}..{lo + self.L - 1} (numbering first_layer = {self.fl})")
            hint = " (the input layer holds x, which is data)" if qty == "a" and k == -1 else ""
            raise ValueError(f"layer {number} is out of range: {qty} exists for layers {lo}..{lo + self.L - 1}"
                             f" (numbering first_layer = {self.fl}){hint}")
        if qty in ("b", "db") and self.conv["bias"] == "none":
            raise ValueError("the network has bias = \"none\"; there is no bias to claim")
        if qty in ("W", "dW", "b", "db"):
            return k, self.file_shape(qty, k), self.why(qty, k)
        n = self.sizes[k + 1]
        if qty == "act_prime" and self.conv.get("_acts", {}).get(k) == "softmax":
            raise ValueError("act_prime of a softmax layer is a Jacobian; claim delta or dL_da instead")
        shape = (n,) if self.B == 1 else (self.B, n)
        return k, shape, f"{n} neurons in layer {number}" + (f" for each of {self.B} samples" if self.B > 1 else "")

    def core_index(self, qty: str, fidx: tuple[int, ...]) -> tuple[int, ...]:
        """File index (file numbering) -> index into the core array."""
        idx = tuple(i - self.fi for i in fidx)
        if qty in PER_SAMPLE:
            return (0,) + idx if self.B == 1 else idx
        if qty in ("W", "dW") and self.conv["weights"] == "from_to":
            return idx[::-1]
        return idx


class WorkedExampleError(ValueError):
    """An unusable worked example; the message says where and what to write instead."""


@dataclass
class WorkedExample:
    """A validated worked example: the network, data, starting parameters and the steps of claims."""

    source: str
    text: str
    title: str
    sizes: list[int]
    activations: list[tuple[str, dict[str, float]]]
    loss: tuple[str, dict[str, float]]
    learning_rate: float
    conventions: dict[str, Any]
    x: list[list[float]]  # (B, n0)
    y: list[list[float]]  # (B, nL)
    weights: list[list[list[float]]]  # file layout, one per weight layer (core order)
    biases: list[Any]  # per layer: list (per_neuron/frozen), float (shared) or None (none)
    claims: list[ClaimSpec]
    n_steps: int
    expect: dict[str, str] = field(default_factory=dict)
    student: str | None = None
    derivatives: list[Any] = field(default_factory=list)  # claimtables.TableClaim of [[derivative]], [[identity]], ...
    formulas: list[Any] = field(default_factory=list)  # claimtables.TableClaim of [[formula]] tables

    @property
    def batch_size(self) -> int:
        return len(self.x)

    @property
    def n_layers(self) -> int:
        """Weight layers (activated layers after the input)."""
        return len(self.sizes) - 1

    def report_info(self) -> Any:
        """The example as the report's `ExampleInfo` (file layout and numbering kept)."""
        from gradverify.render.truth import ExampleInfo

        conv = dict(self.conventions)
        return ExampleInfo(
            sizes=list(self.sizes),
            activations=[a for a, _ in self.activations],
            act_params=[dict(p) for _, p in self.activations],
            loss=self.loss[0], loss_params=dict(self.loss[1]),
            weights=self.weights, biases=self.biases,
            x=self.x[0] if len(self.x) == 1 else self.x,
            y=self.y[0] if len(self.y) == 1 else self.y,
            learning_rate=self.learning_rate, conventions=conv, steps=self.n_steps,
        )


# --- where things are in the text ------------------------------------------------------------------
_ASSIGN = re.compile(r"""^\s*(?:"([^"]+)"|'([^']+)'|([A-Za-z0-9_\-\[\],]+))\s*=""")


@functools.lru_cache(maxsize=32)
def _step_lines(text: str) -> dict[tuple[int, str], int]:
    """(step number, key) -> line of each `key = ...` inside the [[step]] tables, in one scan."""
    out: dict[tuple[int, str], int] = {}
    current, steps = None, 0
    for n, raw in enumerate(text.splitlines(), start=1):
        s = raw.split("#", 1)[0].strip()
        if s.startswith("["):
            current = s.strip("[] ")
            steps += current == "step" and s.startswith("[[")
            continue
        m = _ASSIGN.match(raw)
        if m and current == "step":
            out.setdefault((steps, m.group(1) or m.group(2) or m.group(3)), n)
    return out


def line_of(text: str, key: str, section: str | None = None, step: int | None = None) -> int | None:
    """The 1-based line where `key = ...` is written (inside `section` / the step-th [[step]])."""
    pat = re.compile(rf'^\s*(?:"{re.escape(key)}"|\'{re.escape(key)}\'|{re.escape(key)})\s*=')
    current, steps = None, 0
    for n, raw in enumerate(text.splitlines(), start=1):
        s = raw.split("#", 1)[0].strip()
        if s.startswith("[["):
            current = s.strip("[] ")
            if current == "step":
                steps += 1
            continue
        if s.startswith("["):
            current = s.strip("[] ")
            continue
        if not pat.match(raw):
            # inline tables: numbering = { first_layer = 1 } -> key inside a value
            if section is not None and current is None and re.match(rf"^\s*{re.escape(section)}\s*=", raw):
                return n
            continue
        if section is None and current is None:
            return n
        if section == "step" and current == "step" and (step is None or steps == step):
            return n
        if section is not None and section != "step" and current == section:
            return n
    if section and section != "step":
        return line_of(text, section) if key != section else None
    return None


class _Ctx:
    """Error building: the file name and its text."""

    def __init__(self, source: str, text: str):
        self.source, self.text = source, text

    def err(self, msg: str, key: str | None = None, section: str | None = None, step: int | None = None) -> WorkedExampleError:
        line = line_of(self.text, key, section, step) if key and self.text else None
        where = f"{self.source}, line {line}" if line else self.source
        shown = f"{section}.{key}" if section and section != "step" and key else (
            f"step {step}, {key}" if section == "step" and key else key)
        if shown:  # a key is the file's text: its control characters must not reach a terminal
            shown = "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in shown)
        return WorkedExampleError(f"{where}: {shown}: {msg}" if shown else f"{where}: {msg}")


def _closest(word: str, options: Any) -> str:
    import difflib  # only when an error is being written

    best = difflib.get_close_matches(word, list(options), n=1, cutoff=0.5)
    return f" (did you mean {best[0]!r}?)" if best else f"; known: {', '.join(options)}"


def _number(ctx: _Ctx, v: Any, key: str, section: str) -> float:
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


def _shape(v: Any) -> tuple[int, ...]:
    if isinstance(v, list):
        if not v:
            return (0,)
        inner = {_shape(e) for e in v}
        if len(inner) != 1:
            return (-1,)
        return (len(v),) + inner.pop()
    return ()


def _numbers_array(ctx: _Ctx, v: Any, key: str, section: str, shape: tuple[int, ...], why: str) -> Any:
    got = _shape(v)
    if got == (-1,):
        raise ctx.err(f"rows of different lengths; expected shape {list(shape)} ({why})", key, section)
    if got != shape:
        raise ctx.err(f"has shape {list(got) or 'scalar'}, expected {list(shape) or 'a single number'} ({why})", key, section)

    def walk(e: Any) -> Any:
        return [walk(i) for i in e] if isinstance(e, list) else _number(ctx, e, key, section)

    return walk(v)


_SPEC = re.compile(r"^\s*([A-Za-z_]\w*)\s*(?:\((.*)\))?\s*$")


def _function(ctx: _Ctx, v: Any, key: str, names: tuple[str, ...], kind: str) -> tuple[str, dict[str, float]]:
    """"sigmoid", "leaky_relu(alpha=0.1)" or {name = "leaky_relu", alpha = 0.1}."""
    params: dict[str, float] = {}
    if isinstance(v, dict):
        if "name" not in v:
            raise ctx.err(f"a {kind} table needs name = \"...\", e.g. {{ name = \"leaky_relu\", alpha = 0.1 }}", key, "network")
        name = v["name"]
        for p, pv in v.items():
            if p != "name":
                params[p] = _number(ctx, pv, key, "network")
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
                params[p.strip()] = _number(ctx, pv.strip(), key, "network")
    else:
        raise ctx.err(f"{v!r} is not a {kind} name; write e.g. \"sigmoid\"", key, "network")
    if name not in names:
        raise ctx.err(f"unknown {kind} {name!r}{_closest(name, names)}", key, "network")
    allowed = function_params(kind, name)
    for p in params:
        if p not in allowed:
            hint = f"it takes {', '.join(allowed)}" if allowed else "it takes no parameters"
            raise ctx.err(f"{name} has no parameter {p!r}; {hint}", key, "network")
    return name, params


def _choice(ctx: _Ctx, net: dict, key: str, default: str) -> str:
    v = net.get(key, default)
    if v not in CHOICES[key]:
        raise ctx.err(f"{v!r} is not allowed{_closest(str(v), CHOICES[key])}", key, "network")
    return v


def _table(ctx: _Ctx, doc: dict, key: str, required: bool = True) -> dict:
    v = doc.get(key)
    if v is None:
        if required:
            raise ctx.err(f"missing: add a [{key}] table (see docs/worked-example-format.md)")
        return {}
    if not isinstance(v, dict):
        raise ctx.err(f"must be a table: write [{key}] on its own line, then its keys", key)
    return v


def from_dict(doc: dict[str, Any], source: str = "<worked example>", text: str = "") -> WorkedExample:
    """Validate a parsed TOML document into a `WorkedExample`."""
    ctx = _Ctx(source, text)
    for k in doc:
        if k not in TOP_KEYS:
            raise ctx.err(f"unknown key{_closest(k, TOP_KEYS)}", k)
    net = _table(ctx, doc, "network")
    for k in net:
        if k not in NETWORK_KEYS:
            raise ctx.err(f"unknown key{_closest(k, NETWORK_KEYS)}", k, "network")
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
    activations = [_function(ctx, a, "activations", ACTIVATION_NAMES, "activation") for a in acts]
    for k, (name, _) in enumerate(activations[:-1]):
        if name == "softmax":
            raise ctx.err("softmax is supported on the output layer only; use it last", "activations", "network")
    if "loss" not in net:
        raise ctx.err("missing: the loss as stated, e.g. loss = \"squared_error\"", "loss", "network")
    loss = _function(ctx, net["loss"], "loss", LOSS_NAMES, "loss")
    if loss[0] == "softmax_cross_entropy" and activations[-1][0] != "softmax":
        raise ctx.err("softmax_cross_entropy is fused with a softmax output: set the last activation to \"softmax\"", "loss", "network")
    if "learning_rate" not in net:
        raise ctx.err("missing: e.g. learning_rate = 0.1", "learning_rate", "network")
    lr = _number(ctx, net["learning_rate"], "learning_rate", "network")
    if lr <= 0:
        raise ctx.err(f"{lr} must be > 0, e.g. learning_rate = 0.1", "learning_rate", "network")
    numbering = net.get("numbering", {"first_layer": 1, "first_index": 1})
    if not isinstance(numbering, dict):
        raise ctx.err("write numbering = { first_layer = 1, first_index = 1 }", "numbering", "network")
    for k in numbering:
        if k not in ("first_layer", "first_index"):
            raise ctx.err(f"unknown key {k!r}{_closest(k, ('first_layer', 'first_index'))}", "numbering", "network")
    fl, fi = numbering.get("first_layer", 1), numbering.get("first_index", 1)
    for nm, v in (("first_layer", fl), ("first_index", fi)):
        if v not in (0, 1) or isinstance(v, bool):
            raise ctx.err(f"{nm} must be 0 or 1, not {v!r}", "numbering", "network")
    l2 = _number(ctx, net.get("l2", 0.0), "l2", "network")
    if l2 < 0:
        raise ctx.err(f"{l2} must be >= 0 (lambda of lambda/2 sum W^2)", "l2", "network")
    conv = {
        "weights": _choice(ctx, net, "weights", "to_from"),
        "first_layer": fl, "first_index": fi,
        "reduction": _choice(ctx, net, "batch", "mean"),
        "bias": _choice(ctx, net, "bias", "per_neuron"),
        "error_sign": _choice(ctx, net, "error_sign", "gradient"),
        "l2": l2,
        "weights_named_by": _choice(ctx, net, "weights_named_by", "to"),
        "biases_named_by": _choice(ctx, net, "biases_named_by", "to"),
    }
    # data
    data = _table(ctx, doc, "data")
    for k in data:
        if k not in ("x", "y"):
            raise ctx.err(f"unknown key{_closest(k, ('x', 'y'))}", k, "data")
    if "x" not in data or "y" not in data:
        raise ctx.err("needs x and y, e.g. x = [0.8, 0.7, 0.1] and y = [0.9] (a list of samples for a batch)", "x" if "x" not in data else "y", "data")
    x_raw, y_raw = data["x"], data["y"]
    batched = isinstance(x_raw, list) and bool(x_raw) and isinstance(x_raw[0], list)
    B = len(x_raw) if batched else 1
    if B == 0:
        raise ctx.err("is empty; write the input, e.g. x = [0.8, 0.7, 0.1]", "x", "data")
    if batched:
        x = _numbers_array(ctx, x_raw, "x", "data", (B, sizes[0]), f"{B} samples of {sizes[0]} inputs")
        y = _numbers_array(ctx, y_raw, "y", "data", (B, sizes[-1]), f"{B} samples of {sizes[-1]} targets, like x")
    else:
        x = [_numbers_array(ctx, x_raw, "x", "data", (sizes[0],), f"sizes[0] = {sizes[0]} inputs")]
        y = [_numbers_array(ctx, y_raw, "y", "data", (sizes[-1],), f"sizes[-1] = {sizes[-1]} outputs")]
    layout = Layout(sizes, {**conv, "_acts": {k: a for k, (a, _) in enumerate(activations)}}, B)
    # parameters
    params = _table(ctx, doc, "parameters")
    expected = {}
    for k in range(L):
        expected[f"W{layout.param_number('W', k)}"] = ("W", k)
        if conv["bias"] != "none":
            expected[f"b{layout.param_number('b', k)}"] = ("b", k)
    for k in params:
        if k not in expected:
            extra = " (bias = \"none\": remove biases)" if k.startswith("b") and conv["bias"] == "none" else ""
            raise ctx.err(f"unknown parameter{extra}{_closest(k, list(expected))}", k, "parameters")
    weights, biases = [None] * L, [None] * L
    for name, (kind, k) in expected.items():
        if name not in params:
            raise ctx.err(f"missing: write {name} with shape {list(layout.file_shape(kind, k))} ({layout.why(kind, k)})", name, "parameters")
        v = params[name]
        if kind == "b" and conv["bias"] == "shared" and isinstance(v, list) and len(v) == 1:
            v = v[0]
        arr = _numbers_array(ctx, v, name, "parameters", layout.file_shape(kind, k), layout.why(kind, k))
        if kind == "W":
            weights[k] = arr
        else:
            biases[k] = arr
    # steps
    steps = doc.get("step")
    if steps is None:
        raise ctx.err("no claims: add [[step]] tables with your numbers, e.g. z2 = [\"0.210\", \"-0.240\"]")
    if not isinstance(steps, list) or not all(isinstance(s, dict) for s in steps):
        raise ctx.err("write each step as a [[step]] table", "step")
    if len(steps) > MAX_STEPS:
        heads = [n for n, raw in enumerate(ctx.text.splitlines(), start=1) if raw.strip().startswith("[[step]]")]
        where = f"{ctx.source}, line {heads[MAX_STEPS]}" if len(heads) > MAX_STEPS else ctx.source
        raise WorkedExampleError(f"{where}: {len(steps)} [[step]] tables; a worked example has at most {MAX_STEPS} "
                                 "steps (every step is replayed for each claim judged): split it into several files")
    claims: list[ClaimSpec] = []
    for si, st in enumerate(steps, start=1):
        if not st:
            raise ctx.err(f"step {si} is empty: write its claims, e.g. loss = \"0.2304\"", "step")
        for key, val in st.items():
            claims.extend(_claims_of(ctx, layout, si, key, val, loss))
    if not claims:
        raise ctx.err("no claims to check")
    expect = _expect(ctx, doc.get("expect"))
    title = doc.get("title", Path(source).stem if source else "worked example")
    if not isinstance(title, str):
        raise ctx.err("write a quoted title, e.g. title = \"One SGD step\"", "title")
    student = doc.get("student")
    derivatives: list[Any] = []
    formulas: list[Any] = []
    if any(kind in doc for kind in TABLE_KINDS):
        from gradverify.judge import claimtables

        derivatives, formulas = claimtables.validate(doc, source, text)
    return WorkedExample(
        source=source, text=text, title=title, sizes=list(sizes), activations=activations, loss=loss,
        learning_rate=lr, conventions=conv, x=x, y=y, weights=weights, biases=biases, claims=claims,
        n_steps=len(steps), expect=expect, student=student if isinstance(student, str) else None,
        derivatives=derivatives, formulas=formulas,
    )


def _claims_of(ctx: _Ctx, layout: Any, step: int, key: str, val: Any, loss: tuple[str, dict]) -> list[ClaimSpec]:
    """Validate one claim key of a step and expand it into per-element claims."""
    try:
        qty, layer, index = parse_claim_key(key)
    except ValueError as exc:
        raise ctx.err(str(exc), key, "step", step) from None
    try:
        core, shape, why = layout.claim_shape(qty, layer, loss[0])
    except ValueError as exc:
        raise ctx.err(str(exc), key, "step", step) from None
    line = _step_lines(ctx.text).get((step, key)) if ctx.text else None

    def text_of(v: Any) -> str:
        if isinstance(v, bool) or isinstance(v, (int, float)):
            raise ctx.err(f"{v!r} is unquoted: write claims in quotes as printed, e.g. \"{v}\" "
                          "(TOML would drop a trailing zero such as 0.210's)", key, "step", step)
        if not isinstance(v, str):
            raise ctx.err(f"{v!r} is not a claim; write a quoted number, e.g. \"0.210\"", key, "step", step)
        if not v.strip():
            raise ctx.err("is empty; write the number you computed, in quotes", key, "step", step)
        try:
            p = numbers.parse(v)
        except numbers.NumberError as exc:
            raise ctx.err(str(exc), key, "step", step) from None
        if not math.isfinite(p.value):
            raise ctx.err(f"{v!r} is not finite", key, "step", step)
        return v

    out = []
    if index is not None:
        if len(index) != len(shape) or any(not (layout.fi <= i < layout.fi + n) for i, n in zip(index, shape)):
            rng = ", ".join(f"{layout.fi}..{layout.fi + n - 1}" for n in shape)
            raise ctx.err(f"index {list(index)} is out of range; {qty}{layer if layer is not None else ''} has shape "
                          f"{list(shape)} ({why}), indices {rng}", key, "step", step)
        fidx = tuple(index)
        out.append(ClaimSpec(step, qty, layer, core, fidx, layout.core_index(qty, fidx), text_of(val),
                             numbers.parse(text_of(val)), key, line))
        return out
    if shape == () and isinstance(val, list) and len(val) == 1 and not isinstance(val[0], list):
        val = val[0]
    if qty in PER_SAMPLE and layout.B == 1 and isinstance(val, list) and len(val) == 1 and isinstance(val[0], list):
        val = val[0]
    got = _shape(val)
    if got != shape:
        raise ctx.err(f"has shape {list(got) or 'scalar'}, expected {list(shape) or 'a single quoted number'} ({why})",
                      key, "step", step)

    def walk(v: Any, prefix: tuple[int, ...]) -> None:
        if isinstance(v, list):
            for i, e in enumerate(v):
                walk(e, prefix + (i + layout.fi,))
            return
        t = text_of(v)
        out.append(ClaimSpec(step, qty, layer, core, prefix, layout.core_index(qty, prefix), t,
                             numbers.parse(t), key, line))

    walk(val, ())
    return out


def _expect(ctx: _Ctx, table: Any) -> dict[str, str]:
    if table is None:
        return {}
    if not isinstance(table, dict):
        raise ctx.err("write [expect] then lines like \"step1.delta3\" = \"wrong\"", "expect")
    for k, v in table.items():
        if v not in VERDICTS:
            raise ctx.err(f"{v!r} is not a verdict; write one of {', '.join(VERDICTS)}", k, "expect")
    return dict(table)


def loads(text: str, source: str = "<text>") -> WorkedExample:
    """Parse and validate worked-example TOML text."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise WorkedExampleError(f"{source}: not valid TOML: {exc}") from None
    except RecursionError:  # tomllib recurses once per nested [ or {
        raise WorkedExampleError(f"{source}: arrays or tables nest too deeply; a worked example needs at "
                                 "most a matrix per key, e.g. W2 = [[0.2, 0.3], [-0.2, 0.1]]") from None
    return from_dict(doc, source=source, text=text)


MAX_FILE_BYTES = 1_000_000
MAX_STEPS = 50  # hand-worked examples show one to a few steps; the judge's work grows with steps x claims


def load(path: str | Path) -> WorkedExample:
    """Load and validate a worked-example file."""
    p = Path(path)
    try:
        size = p.stat().st_size if p.is_file() else 0
    except OSError:
        size = 0
    if size > MAX_FILE_BYTES:  # refused before parsing: a hand-worked network is never this large
        raise WorkedExampleError(f"{p}: {size:,} bytes; a worked example is at most {MAX_FILE_BYTES:,} bytes "
                                 "(a network small enough to work by hand): check that this is the right file")
    try:
        text = p.read_text(encoding="utf-8-sig")  # a byte-order mark (Windows 'UTF-8 with BOM') is dropped
    except FileNotFoundError:
        raise WorkedExampleError(f"{p}: no such file; give the path of a .toml worked example "
                                 "(or --example NAME for a bundled one)") from None
    except (UnicodeDecodeError, IsADirectoryError, PermissionError) as exc:
        raise WorkedExampleError(f"{p}: cannot read it as UTF-8 text ({exc.__class__.__name__})") from None
    return loads(text, str(p))


# the package is a folder wherever it is installed (importlib.resources would add 5 ms to every start)
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def example_names() -> list[str]:
    """Names of the bundled examples (reports/examples/*.toml)."""
    return sorted(f.stem for f in EXAMPLES.glob("*.toml"))


def example_text(name: str) -> str:
    """The TOML text of a bundled example."""
    names = example_names()
    if name not in names:
        raise WorkedExampleError(f"--example {name}: no such bundled example{_closest(name, names)}")
    return (EXAMPLES / f"{name}.toml").read_text(encoding="utf-8")


def load_example(name: str) -> WorkedExample:
    """Load a bundled example by name, e.g. "cs7015-q3"."""
    return loads(example_text(name), f"example:{name}")
