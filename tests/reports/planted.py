"""Mistake injection: correct worked examples made by the engine, with ONE hand mistake planted.

A worked example is written the way a person computes it: quantity after quantity, each from the
numbers already written (printed at `digits` significant digits). A mistake either changes how
everything from some point on is computed (a convention: the 1/2 of squared error, a sign, another
learning rate, ...) or changes one written number that is not used later (a typo). The judge must
flag exactly the first claim the mistake touches, with that diagnosis, and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from gradverify.judge.graph import Evaluation, evaluate
from gradverify.judge.mlp import EXACT, Net, NetworkGraph, Variant
from gradverify.numeric.activations import get_activation

from gradverify.judge.numbers import format_sig, parse
from gradverify.judge.claimkeys import Layout
from gradverify.judge.worked import WorkedExample, loads

# mistake kind -> the diagnosis kind the judge must give
# (Rounding too early is planted by tests/reports/injection.py, on a number left unwritten: rounding
# a number the file prints at 6 digits is no diagnosis a person's numbers can support.)
KINDS: dict[str, str] = {
    "half_convention": "half_convention", "sign": "sign", "transposed": "transposed",
    "transposed_layout": "transposed",
    "learning_rate": "learning_rate", "update_sign": "update_sign", "wrong_point": "derivative_at_z",
    "mean_vs_sum_batch": "mean_vs_sum_batch",
    "typo_dropped": "typo_dropped_digit", "typo_doubled": "typo_doubled_digit", "typo_swapped": "typo_swapped_digits",
    "typo_digit": "typo_wrong_digit",
}
STYLES = ("seed001", "seed003", "seed004")


@dataclass
class Planted:
    """A generated worked example with its planted mistake (None for a correct one)."""

    text: str
    example: WorkedExample
    kind: str | None
    claim: tuple[int, str] | None  # (step, element name) of the claim the judge must flag


def network(rng: np.random.Generator, style: str, kind: str | None = None) -> tuple[Net, dict[str, Any]]:
    """A random small network like a seed's: seed001 sigmoid + (y-a)^2; seed003 ReLU + softmax/CE,
    from_to; seed004 tanh + softmax/CE with L2, to_from, W named by the layer it leaves."""
    batch = 2 if kind == "mean_vs_sum_batch" else 1
    if style == "seed001":
        sizes = [int(rng.integers(2, 4)), int(rng.integers(2, 4)), int(rng.integers(1, 3))]
        acts, loss, conv = ["sigmoid", "sigmoid"], "squared_error", {"weights": "to_from"}
    elif style == "seed003":
        sizes = [int(rng.integers(2, 4)), 3, 3]
        acts, loss, conv = ["relu", "softmax"], "softmax_cross_entropy", {"weights": "from_to"}
    else:
        sizes = [int(rng.integers(2, 4)), 3, 3]
        acts, loss = ["tanh", "softmax"], "softmax_cross_entropy"
        conv = {"weights": "to_from", "weights_named_by": "from", "l2": 0.01}
    if kind in ("transposed", "transposed_layout"):
        sizes[2] = sizes[1]  # W of the last layer square, so W delta and W^T delta both exist
    conv = {"first_layer": 1, "first_index": 1, "reduction": "mean", "bias": "per_neuron",
            "error_sign": "gradient", "l2": 0.0, "weights_named_by": "to", "biases_named_by": "to", **conv}
    W = [np.round(rng.uniform(-0.9, 0.9, (sizes[k + 1], sizes[k])), 1) for k in range(2)]
    W = [np.where(w == 0, 0.1, w) for w in W]
    b = [np.round(rng.uniform(-0.5, 0.5, sizes[k + 1]), 1) for k in range(2)]
    x = np.round(rng.uniform(-1, 1, (batch, sizes[0])), 1)
    if loss == "squared_error":
        y = np.round(rng.uniform(0.1, 0.9, (batch, sizes[-1])), 1)
    else:
        y = np.eye(sizes[-1])[rng.integers(0, sizes[-1], batch)]
    lr = float(rng.choice([0.5, 1.0])) if style == "seed001" else 0.1
    conv["batch_mean_at"] = "parameter_gradient"
    net = Net(tuple(sizes), tuple((get_activation(a), {}) for a in acts), loss, {}, lr, x, y, tuple(W), tuple(b), conv)
    return net, conv


def _order(L: int, n_steps: int, quantities: tuple[str, ...]) -> list[tuple[int, str, int | None]]:
    """Keys in the order a person computes them."""
    keys: list[tuple[int, str, int | None]] = []
    for s in range(1, n_steps + 1):
        if s > 1:
            keys += [(s, q, k) for k in range(L) for q in ("W", "b")]
        keys += [(s, q, k) for k in range(L) for q in ("z", "a", "act_prime")]
        keys.append((s, "loss", None))
        keys += [(s, q, k) for k in range(L - 1, -1, -1) for q in ("dL_da", "delta", "dW", "db")]
    return [k for k in keys if k[1] in quantities]


VARIANTS: dict[str, tuple[Variant, tuple[str, ...]]] = {
    "half_convention": (Variant(grad_scale=0.5), ()),
    "sign": (Variant(sign_back=-1.0), ()),
    "transposed": (Variant(transpose=frozenset({0})), ()),
    "learning_rate": (Variant(), ()),  # lr set per network below
    "update_sign": (Variant(update_sign=-1.0), ()),
    "wrong_point": (Variant(act_prime="output_at_z"), ()),
    "mean_vs_sum_batch": (Variant(reduction="sum"), ()),
}


def replay(net: Net, n_steps: int, overrides: dict | None = None, variant: Variant = EXACT) -> Evaluation:
    """The network's steps computed the stated way (or under `variant`) from the numbers written so far."""
    graph, _ = NetworkGraph(net, list(range(1, n_steps + 1))).graph(variant)
    return evaluate(graph, overrides or {}, alternatives=False)


def plant(seed: int, kind: str | None, style: str = "seed004", digits: int = 6) -> Planted | None:
    """A worked example of `style` with one mistake of `kind` (None: correct); None when the
    mistake would not show at the printed precision for this network."""
    rng = np.random.default_rng(seed)
    net, conv = network(rng, style, kind)
    if kind == "half_convention" and net.loss_name != "squared_error":
        raise ValueError("the 1/2 convention is a mistake of squared error: use style seed001")
    if kind == "wrong_point" and net.acts[0][0].name not in ("sigmoid", "tanh"):
        raise ValueError("the derivative at the wrong point needs sigmoid or tanh: use seed001 or seed004")
    L, n_steps = len(net.W), 2
    softmax_out = net.acts[-1][0].name == "softmax"
    quantities = ("W", "b", "z", "a", "act_prime", "loss", "dL_da", "delta", "dW", "db")
    keys = [k for k in _order(L, n_steps, quantities) if not (softmax_out and k[1] == "act_prime" and k[2] == L - 1)]
    variant = None
    if kind in VARIANTS:
        variant = VARIANTS[kind][0] if kind != "learning_rate" else Variant(lr=net.lr / 10)
    overrides: dict[Any, tuple[np.ndarray, np.ndarray]] = {}
    texts: dict[Any, np.ndarray] = {}
    start: tuple[Any, tuple[int, ...]] | None = None
    rounded_key = None
    if kind == "rounded_early":
        cands = [k for k in keys if k[0] == 1 and k[1] == "dW"]
        rounded_key = cands[0]
    for key in keys:
        rep = replay(net, n_steps, overrides, variant if variant is not None and start is not None else EXACT)
        normal = replay(net, n_steps, overrides) if variant is not None else rep
        value = np.asarray(rep.value(key), dtype=float)
        if variant is not None and start is None:
            vrep = replay(net, n_steps, overrides, variant)
            vvalue = np.asarray(vrep.value(key), dtype=float)
            printed = np.vectorize(lambda v: format_sig(float(v), digits).plain(), otypes=[object])(vvalue)
            for idx in np.ndindex(*vvalue.shape):
                if not parse(printed[idx]).matches(float(np.asarray(normal.value(key))[idx])):
                    start = (key, idx)
                    break
            if start is not None:
                value = vvalue
        if kind == "transposed_layout" and key == (1, "dW", L - 1):
            # the person writes the square dW in the other layout, and updates W with it
            value = value.T.copy()
            start = next(((key, i) for i in np.ndindex(*value.shape)
                          if not parse(format_sig(float(value[i]), digits).plain()).matches(float(np.asarray(rep.value(key))[i]))), None)
            if start is None:
                return None
        if key == rounded_key:
            value = np.asarray(replay(net, n_steps, overrides, Variant(round_sig=1)).value(key), dtype=float)
            start = next(((key, i) for i in np.ndindex(*value.shape)
                          if not parse(format_sig(float(value[i]), digits).plain()).matches(float(np.asarray(rep.value(key))[i]))), None)
            if start is None:
                return None
        printed = np.vectorize(lambda v: format_sig(float(v), digits).plain(), otypes=[object])(value)
        texts[key] = printed
        vals = np.vectorize(lambda t: parse(t).value, otypes=[float])(printed)
        overrides[key] = (vals, np.ones(vals.shape, dtype=bool))
    if kind is not None and kind.startswith("typo"):
        candidates = [(k, i) for k in keys for i in np.ndindex(*texts[k].shape) if k[1] in ("z", "a", "delta", "dW", "W", "b")]
        exact, mine = replay(net, n_steps), replay(net, n_steps, overrides)
        for _ in range(50):
            key, idx = candidates[int(rng.integers(len(candidates)))]
            bad = _typo(texts[key][idx], kind, rng)
            truths = (parse(texts[key][idx]).value, float(np.asarray(exact.value(key))[idx]),
                      float(np.asarray(mine.value(key))[idx]))
            near = bad is None or any(abs(parse(bad).value - v) <= 3 * parse(bad).tolerance for v in truths)
            if not near:  # within a unit or so of its last digit it reads as rounding
                texts[key][idx] = bad
                start = (key, idx)
                break
    if kind is not None and start is None:
        return None
    text = _toml(net, conv, texts, n_steps, kind)
    ex = loads(text, f"planted:{style}:{kind}:{seed}")
    claim = None
    if start is not None:
        (s, q, k), idx = start
        layout = Layout(net.sizes, conv, net.x.shape[0])
        name = next(c.name for c in ex.claims if c.step == s and c.quantity == q and c.core_layer == k
                    and c.core_index == _core_idx(q, idx, layout))
        claim = (s, name)
    return Planted(text=text, example=ex, kind=kind, claim=claim)


def _core_idx(q: str, idx: tuple[int, ...], layout: Layout) -> tuple[int, ...]:
    return tuple(idx)


def _typo(text: str, kind: str, rng: np.random.Generator) -> str | None:
    """The printed text with one digit dropped, doubled, swapped or changed (never the last digit)."""
    sign = "-" if text.startswith("-") else ""
    body = text.lstrip("-")
    mant, _, exp = body.partition("e")
    pos = [i for i, ch in enumerate(mant) if ch.isdigit()]
    first_sig = next((i for i in pos if mant[i] != "0"), None)
    if first_sig is None:
        return None
    inner = [i for i in pos if first_sig < i < pos[-1]]  # not the leading or the last digit
    if not inner:
        return None
    i = inner[int(rng.integers(len(inner)))]
    if kind == "typo_dropped":
        new = mant[:i] + mant[i + 1:]
    elif kind == "typo_doubled":
        new = mant[:i] + mant[i] + mant[i:]
    elif kind == "typo_swapped":
        j = i + 1 if i + 1 in pos else None
        if j is None or mant[i] == mant[j]:
            return None
        new = mant[:i] + mant[j] + mant[i] + mant[j + 1:]
    else:
        d = int(mant[i])
        new = mant[:i] + str((d + 3 + int(rng.integers(5))) % 10) + mant[i + 1:]
    return sign + new + (f"e{exp}" if exp else "")


def _toml(net: Net, conv: dict[str, Any], texts: dict[Any, np.ndarray], n_steps: int, kind: str | None) -> str:
    """The worked example as a TOML file in the network's own layout and numbering."""
    layout = Layout(net.sizes, conv, net.x.shape[0])
    B = net.x.shape[0]

    def file_array(q: str, arr: np.ndarray) -> Any:
        a = np.asarray(arr, dtype=object)
        if q in ("W", "dW") and conv["weights"] == "from_to":
            a = a.T
        if q in ("z", "a", "act_prime", "dL_da", "delta") and B == 1:
            a = a[0]
        return a.tolist()

    def lit(v: Any) -> str:
        if isinstance(v, list):
            return "[" + ", ".join(lit(e) for e in v) + "]"
        if isinstance(v, str):
            return f'"{v}"'
        return repr(float(v) + 0.0)  # never "-0.0"

    lines = [f'title = "planted mistake: {kind}"', "", "[network]", f"sizes = {list(net.sizes)}",
             f"activations = {lit([a.name for a, _ in net.acts])}", f'loss = "{net.loss_name}"',
             f"learning_rate = {net.lr!r}",
             f"numbering = {{ first_layer = {conv['first_layer']}, first_index = {conv['first_index']} }}",
             f'weights = "{conv["weights"]}"', f'weights_named_by = "{conv["weights_named_by"]}"',
             f'batch = "{conv["reduction"]}"', f"l2 = {conv['l2']!r}", "", "[data]"]
    xs = net.x.tolist() if B > 1 else net.x[0].tolist()
    ys = net.y.tolist() if B > 1 else net.y[0].tolist()
    lines += [f"x = {lit(xs)}", f"y = {lit(ys)}", "", "[parameters]"]
    for k in range(len(net.W)):
        lines.append(f"W{layout.param_number('W', k)} = {lit(file_array('W', net.W[k]))}")
        lines.append(f"b{layout.param_number('b', k)} = {lit(net.b[k].tolist())}")
    for s in range(1, n_steps + 1):
        lines += ["", "[[step]]"]
        for (st, q, k), arr in texts.items():
            if st != s:
                continue
            name = "loss" if q == "loss" else (f"{q}{layout.param_number(q, k)}" if q in ("W", "b", "dW", "db")
                                               else f"{q}{layout.layer_number(k)}")
            value = file_array(q, arr)
            lines.append(f"{name} = {lit(value if isinstance(value, list) else str(value))}")
    return "\n".join(lines) + "\n"
