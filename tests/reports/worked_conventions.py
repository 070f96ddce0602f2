"""Worked-example files in any combination of conventions, every number written by the engine.

For tests that need each convention's rows (layouts, numbering, error sign, bias modes, batches,
L2): the claims are the engine's own values at 6 significant digits, so every row is judged and
carries the judge's exact value.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from gradverify.numeric.conventions import Conventions
from gradverify.numeric.mlp import MLP

BACKWARD = ("act_prime", "dL_da", "delta", "dW", "db", "dx")


def _lit(v: Any) -> str:
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_lit(e) for e in v) + "]"
    return f'"{float(v):.6g}"'


def _number(v: float) -> str:
    return repr(float(v) + 0.0)


def _plain(v: Any) -> str:
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_plain(e) for e in v) + "]"
    return _number(v)


def worked_file(sizes: list[int], activations: list[str], loss: str, conv: dict[str, Any], *, batch: int = 1,
                steps: int = 2, seed: int = 0, lr: float = 0.5) -> str:
    """The TOML text of a worked example with every quantity of every step claimed."""
    rng = np.random.default_rng(seed)
    c = Conventions(**conv)
    W = [np.round(rng.uniform(-0.9, 0.9, (o, i)), 1) for i, o in zip(sizes, sizes[1:])]
    W = [np.where(w == 0, 0.3, w) for w in W]
    if c.bias == "shared":
        b: list[Any] = [float(np.round(rng.uniform(-0.5, 0.5), 1)) for _ in W]
    else:
        b = [np.round(rng.uniform(-0.5, 0.5, o), 1) for o in sizes[1:]]
    x = np.round(rng.uniform(-1, 1, (batch, sizes[0])), 1)
    if loss in ("softmax_cross_entropy", "cross_entropy"):
        y = np.eye(sizes[-1])[rng.integers(0, sizes[-1], batch)]
    else:
        y = np.round(rng.uniform(0.1, 0.9, (batch, sizes[-1])), 1)
    user_W = [c.weight_from_core(w) for w in W]
    net = MLP.from_user(user_W, None if c.bias == "none" else b, activations, loss, c)
    lines = ['title = "every quantity, engine-written"', "", "[network]", f"sizes = {list(sizes)}",
             "activations = [" + ", ".join(f'"{a}"' for a in activations) + "]", f'loss = "{loss}"',
             f"learning_rate = {lr!r}",
             f"numbering = {{ first_layer = {c.first_layer}, first_index = {c.first_index} }}",
             f'weights = "{c.weights}"', f'weights_named_by = "{c.weights_named_by}"',
             f'biases_named_by = "{c.biases_named_by}"', f'bias = "{c.bias}"', f'error_sign = "{c.error_sign}"',
             f'batch = "{c.reduction}"', f"l2 = {float(c.l2)!r}", "", "[data]",
             f"x = {_plain(x.tolist() if batch > 1 else x[0].tolist())}",
             f"y = {_plain(y.tolist() if batch > 1 else y[0].tolist())}", "", "[parameters]"]
    for k in range(len(W)):
        lines.append(f"W{c.param_number('W', k)} = {_plain(user_W[k].tolist())}")
        if c.bias != "none":
            bk = b[k]
            lines.append(f"b{c.param_number('b', k)} = {_number(bk) if c.bias == 'shared' else _plain(list(bk))}")
    xin = x if batch > 1 else x[0]
    for s in range(1, steps + 1):
        fwd = net.forward(xin)
        grads = net.backward(fwd, y if batch > 1 else y[0])
        named = net.named(fwd, grads)
        lines += ["", "[[step]]"]
        for key, arr in named.items():
            if key.startswith("act_prime") and activations[int(key[len("act_prime"):]) - c.first_layer - 1] == "softmax":
                continue  # a softmax layer's derivative is a Jacobian: no per-neuron claim
            if key.startswith(("W", "b")) and s == 1:
                continue
            if key.startswith(("b", "db")) and c.bias == "none":
                continue
            a = np.asarray(arr)
            if key.startswith(("b", "db")) and c.bias == "shared":
                a = a.reshape(-1)[0]
            lines.append(f"{key} = {_lit(a.tolist()) if a.ndim else _lit(float(a))}")
        net = net.updated(grads, lr)
    return "\n".join(lines) + "\n"
