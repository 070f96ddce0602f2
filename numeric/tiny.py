"""The SGD step of a tiny float64 network (seed 001's 3-2-1) in plain Python floats.

For a dozen parameters numpy's per-call cost (~0.6 us a ufunc) dominates, so the step reads all
parameters with one ``tolist()`` from a flat buffer that W and b are views of, runs straight-line
Python generated once for this network's shape (every parameter a local float), and writes them
back with one slice assignment. Same conventions and results as ``MLP.backward`` +
``MLP.updated`` (tests prove it to 1e-15).
"""

from __future__ import annotations

import math
import operator
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from gradverify.numeric.mlp import MLP

MAX_PARAMS = 200
MAX_WORK = 2000  # parameters x batch
ACTS = ("sigmoid", "tanh", "relu", "identity", "leaky_relu")
LOSSES = ("half_squared_error", "squared_error", "mean_squared_error")


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def eligible(net: "MLP", batch: int) -> bool:
    """True when the plain-float step applies (float64, small, kernels for its activations and loss)."""
    P = sum(w.size for w in net.W) + sum(0 if b is None else b.size for b in net.b)
    return (
        net.W[0].dtype == np.float64 and P <= MAX_PARAMS and P * batch <= MAX_WORK
        and all(a in ACTS for a in net.activations[:-1])
        and ((net.activations[-1] in ACTS and net.loss in LOSSES) or net.fused)
        and all(not p or set(p) <= {"alpha"} for p in net.act_params) and not net.loss_params
    )


class TinyPlan:
    """A flat parameter buffer that the network's W and b become views of, and the float step."""

    def __init__(self, net: "MLP") -> None:
        self.net = net
        arrays = [w for w in net.W] + [b for b in net.b if b is not None]
        self.theta = np.empty(sum(a.size for a in arrays))
        self.layout = []  # per layer: (W offset, n_out, n_in, b offset or -1, b size)
        off = 0
        for k, w in enumerate(net.W):
            n_out, n_in = w.shape
            self.theta[off:off + w.size] = w.ravel()
            net.W[k] = self.theta[off:off + w.size].reshape(n_out, n_in)
            woff = off
            off += w.size
            boff, bsize = -1, 0
            if net.b[k] is not None:
                bsize = net.b[k].size
                self.theta[off:off + bsize] = net.b[k]
                net.b[k] = self.theta[off:off + bsize]
                boff = off
                off += bsize
            self.layout.append((woff, n_out, n_in, boff, bsize))
        self.views = [*net.W, *net.b]
        self.alpha = [float(p.get("alpha", 0.01)) for p in net.act_params]
        self.fn = compile_step(net, self.layout, self.alpha)

    def valid(self) -> bool:
        """False once someone has replaced a W or b array (the plan must then be rebuilt)."""
        net = self.net
        return all(map(operator.is_, self.views, [*net.W, *net.b]))

    def step(self, x: np.ndarray, y: np.ndarray, lr: float, with_loss: bool) -> float:
        conv = self.net.conventions
        scale = 1.0 / len(x) if conv.reduction == "mean" else 1.0
        total, reg, new = self.fn(self.theta.tolist(), x.tolist(), y.tolist(), lr, scale)
        self.theta[:] = new
        return total * scale + reg if with_loss else float("nan")


def _source(net: "MLP", layout: list[tuple[int, int, int, int, int]], alpha: list[float]) -> str:
    """Straight-line Python for one network: every parameter a local float, loops only over the batch."""
    conv = net.conventions
    P = sum(n_out * n_in + bsize for (_, n_out, n_in, _, bsize) in layout)
    p = [f"p{i}" for i in range(P)]
    g = [f"g{i}" for i in range(P)]
    L = len(layout)
    lines = ["def _step(theta, xs, ys, lr, scale):"]
    lines.append(f"    {', '.join(p)}, = theta")
    lines.append(f"    {' = '.join(g)} = 0.0")
    lines.append("    total = 0.0")
    n0 = layout[0][2]
    n_last = layout[-1][1]
    lines.append("    for xb, yb in zip(xs, ys):")
    lines.append(f"        {', '.join(f'a0_{m}' for m in range(n0))}, = xb")
    lines.append(f"        {', '.join(f'y{j}' for j in range(n_last))}, = yb")
    body = []
    for k, (woff, n_out, n_in, boff, bsize) in enumerate(layout):
        act = net.activations[k]
        for j in range(n_out):
            terms = [f"p{woff + j * n_in + m} * a{k}_{m}" for m in range(n_in)]
            if boff >= 0:
                terms.append(f"p{boff + (j if bsize > 1 else 0)}")
            body.append(f"z{k + 1}_{j} = {' + '.join(terms)}")
            z, a = f"z{k + 1}_{j}", f"a{k + 1}_{j}"
            if k == L - 1 and net.fused:
                continue
            body.append(f"{a} = " + {
                "sigmoid": f"sig({z})", "tanh": f"tanh({z})", "relu": f"{z} if {z} > 0 else 0.0",
                "leaky_relu": f"{z} if {z} > 0 else {alpha[k]!r} * {z}", "identity": z,
            }[act])
    zs = [f"z{L}_{j}" for j in range(n_last)]
    outs = [f"a{L}_{j}" for j in range(n_last)]
    ys = [f"y{j}" for j in range(n_last)]
    if net.fused:
        body.append(f"mx = max({', '.join(zs)})" if n_last > 1 else f"mx = {zs[0]}")
        body += [f"e{j} = exp({zs[j]} - mx)" for j in range(n_last)]
        body.append(f"se = {' + '.join(f'e{j}' for j in range(n_last))}")
        body.append(f"ysum = {' + '.join(ys)}")
        body.append(f"total += (mx + log(se)) * ysum - ({' + '.join(f'{ys[j]} * {zs[j]}' for j in range(n_last))})")
        body += [f"d{L}_{j} = (e{j} / se * ysum - {ys[j]}) * scale" for j in range(n_last)]
    else:
        c, tc = {"half_squared_error": ("1.0", "0.5"), "squared_error": ("2.0", "1.0"),
                 "mean_squared_error": (repr(2.0 / n_last), repr(1.0 / n_last))}[net.loss]
        body.append(f"total += {tc} * ({' + '.join(f'({ys[j]} - {outs[j]}) ** 2' for j in range(n_last))})")
        body += [f"d{L}_{j} = {c} * ({outs[j]} - {ys[j]}) * scale" for j in range(n_last)]
    for k in range(L - 1, -1, -1):
        woff, n_out, n_in, boff, bsize = layout[k]
        act = net.activations[k]
        if not (k == L - 1 and net.fused):
            for j in range(n_out):
                z, a, d = f"z{k + 1}_{j}", f"a{k + 1}_{j}", f"d{k + 1}_{j}"
                factor = {"sigmoid": f"{a} * (1.0 - {a})", "tanh": f"(1.0 - {a} * {a})",
                          "relu": f"(1.0 if {z} > 0 else 0.0)", "leaky_relu": f"(1.0 if {z} > 0 else {alpha[k]!r})",
                          "identity": None}[act]
                if factor:
                    body.append(f"{d} *= {factor}")
        for j in range(n_out):
            for m in range(n_in):
                body.append(f"g{woff + j * n_in + m} += d{k + 1}_{j} * a{k}_{m}")
            if boff >= 0:
                body.append(f"g{boff + (j if bsize > 1 else 0)} += d{k + 1}_{j}")
        if k > 0:  # dL/da of the layer below, with the pre-update weights
            for m in range(n_in):
                body.append(f"d{k}_{m} = " + " + ".join(f"d{k + 1}_{j} * p{woff + j * n_in + m}" for j in range(n_out)))
    lines += ["        " + b for b in body]
    lam = float(conv.l2)
    new = []
    weight_idx = {i for (woff, n_out, n_in, _, _) in layout for i in range(woff, woff + n_out * n_in)}
    for i in range(P):
        if i in weight_idx:
            new.append(f"p{i} - lr * (g{i} + {lam!r} * p{i})" if lam else f"p{i} - lr * g{i}")
        else:
            new.append(f"p{i}" if conv.bias == "frozen" else f"p{i} - lr * g{i}")
    reg = f"{0.5 * lam!r} * ({' + '.join(f'p{i} * p{i}' for i in sorted(weight_idx))})" if lam else "0.0"
    lines.append(f"    return total, {reg}, [{', '.join(new)}]")
    return "\n".join(lines) + "\n"


def compile_step(net: "MLP", layout: list[tuple[int, int, int, int, int]], alpha: list[float]):
    """The generated step function of this network."""
    scope = {"exp": math.exp, "log": math.log, "tanh": math.tanh, "sig": _sigmoid}
    exec(compile(_source(net, layout, alpha), "<gradverify.numeric.tiny step>", "exec"), scope)  # noqa: S102 - our own generated code
    return scope["_step"]
