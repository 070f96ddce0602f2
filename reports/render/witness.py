"""The finite-difference witness: central differences of the engine's loss for every gradient
quantity a report shows (dW, db, dx, and delta = dL/dz, dL/da by perturbing z or a mid-network).

Independent of backpropagation: only forward passes are used. Small networks only (a report's
worked example); larger ones are skipped with a note by the caller.
"""

from __future__ import annotations

from typing import Any

import numpy as np

H = 1e-6
MAX_PARAMETERS = 5000


def _loss_from(net: Any, y: Any, x: np.ndarray, start: int = 0, value: np.ndarray | None = None,
               kind: str = "x") -> float:
    """The batch loss, continuing the forward pass from layer `start` with z or a replaced."""
    from numeric.activations import get_activation
    from numeric.mlp import Forward

    acts = [get_activation(n) for n in net.activations]
    a = np.asarray(x, dtype=np.float64).reshape(1, -1) if np.ndim(x) == 1 else np.asarray(x, dtype=np.float64)
    zs, as_ = [], []
    for k, w in enumerate(net.W):
        z = a @ w.T
        if net.b[k] is not None:
            z = z + net.b[k]
        if kind == "z" and k == start:
            z = value
        a = acts[k].f(z, **net.act_params[k])
        if kind == "a" and k == start:
            a = value
        zs.append(z)
        as_.append(a)
    if kind == "a" and start == len(net.W) - 1 and getattr(net, "fused", False):
        # softmax + cross-entropy is evaluated from the logits; perturbing the output a needs the
        # loss on probabilities itself
        from numeric.losses import get_loss

        yb = np.asarray(y, dtype=np.float64).reshape(value.shape)
        return net.batch_loss(get_loss(net.loss).value(value, yb, **net.loss_params))
    fwd = Forward(np.asarray(x), zs, as_)
    return net.batch_loss(net.sample_losses(fwd, y))


def _central(f: Any, base: np.ndarray) -> np.ndarray:
    """d f / d base, element by element, by central differences (base is not modified)."""
    grad = np.empty_like(base, dtype=np.float64)
    for idx in np.ndindex(base.shape):
        old = base[idx]
        step = H * max(1.0, abs(old))
        base[idx] = old + step
        up = f()
        base[idx] = old - step
        down = f()
        base[idx] = old
        grad[idx] = (up - down) / (2 * step)
    return grad


def named_gradients(net: Any, info: Any) -> dict[str, np.ndarray]:
    """Finite-difference values under the user's names and layout (as `MLP.named` gives them)."""
    if sum(w.size for w in net.W) > MAX_PARAMETERS:
        return {}
    conv = net.conventions
    work = net.copy()
    x = np.asarray(info.x, dtype=np.float64)
    x = x.reshape(1, -1) if x.ndim == 1 else x.copy()
    y = info.y
    one = x.shape[0] == 1
    sq = (lambda v: v[0]) if one else (lambda v: v)
    out: dict[str, np.ndarray] = {}
    for k in range(len(work.W)):
        dW = _central(lambda: _loss_from(work, y, x), work.W[k])
        out[f"dW{conv.param_number('W', k)}"] = conv.signed(conv.weight_from_core(dW))
        if work.b[k] is not None:
            out[f"db{conv.param_number('b', k)}"] = conv.signed(_central(lambda: _loss_from(work, y, x), work.b[k]))
    out["dx"] = conv.signed(sq(_central(lambda: _loss_from(work, y, x), x)))
    fwd = work.forward(x)
    for k in range(len(work.W)):
        lay = conv.layer_number(k)
        z = fwd.z[k].astype(np.float64).copy()
        out[f"delta{lay}"] = conv.signed(sq(_central(lambda: _loss_from(work, y, x, k, z, "z"), z)))
        a = fwd.a[k].astype(np.float64).copy()
        out[f"dL_da{lay}"] = conv.signed(sq(_central(lambda: _loss_from(work, y, x, k, a, "a"), a)))
    return out
