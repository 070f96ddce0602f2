"""The in-place SGD step: preallocated buffers and ufuncs with out=, so a small step costs few microseconds.

The step propagates g = -lr * delta instead of delta: the backward recursion is linear, so scaling
once at the output saves a multiply per parameter array, and W += g^T a is the update itself.
Hidden g uses the pre-update W (dA is computed before W changes). Results equal ``MLP.backward``
followed by ``MLP.updated`` (tests prove it); activations and losses without a kernel here use the
registry's functions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from gradverify.numeric.mlp import MLP
    from gradverify.numeric.tiny import TinyPlan



def _fwd_tanh(z: np.ndarray, a: np.ndarray, t: np.ndarray) -> None:
    np.tanh(z, out=a)  # numpy >= 2's SIMD tanh: faster than any exp-based formula, float32 and float64


def _fwd_sigmoid(z: np.ndarray, a: np.ndarray, t: np.ndarray) -> None:
    # 1/2 + tanh(z/2)/2: no overflow for any z, no errstate needed.
    np.multiply(z, 0.5, out=a)
    np.tanh(a, out=a)
    np.multiply(a, 0.5, out=a)
    np.add(a, 0.5, out=a)


def _fwd_relu(z: np.ndarray, a: np.ndarray, t: np.ndarray) -> None:
    np.maximum(z, 0, out=a)


def _fwd_identity(z: np.ndarray, a: np.ndarray, t: np.ndarray) -> None:
    np.copyto(a, z)


def _bwd_tanh(g: np.ndarray, z: np.ndarray, a: np.ndarray, t: np.ndarray) -> None:
    np.multiply(a, a, out=t)
    np.subtract(1, t, out=t)
    np.multiply(g, t, out=g)


def _bwd_sigmoid(g: np.ndarray, z: np.ndarray, a: np.ndarray, t: np.ndarray) -> None:
    np.subtract(1, a, out=t)
    np.multiply(t, a, out=t)
    np.multiply(g, t, out=g)


def _bwd_relu(g: np.ndarray, z: np.ndarray, a: np.ndarray, t: np.ndarray) -> None:
    np.greater(z, 0, out=t)
    np.multiply(g, t, out=g)


def _bwd_identity(g: np.ndarray, z: np.ndarray, a: np.ndarray, t: np.ndarray) -> None:
    return None


_FWD = {"tanh": _fwd_tanh, "sigmoid": _fwd_sigmoid, "relu": _fwd_relu, "identity": _fwd_identity}
_BWD = {"tanh": _bwd_tanh, "sigmoid": _bwd_sigmoid, "relu": _bwd_relu, "identity": _bwd_identity}


class Plan:
    """Buffers and kernels for one network at one batch size and dtype."""

    def __init__(self, net: "MLP", batch: int, dtype: np.dtype) -> None:
        self.net = net
        self.B = batch
        sizes = net.sizes
        self.L = len(net.W)
        self.z = [np.empty((batch, n), dtype) for n in sizes[1:]]
        self.a = [np.empty((batch, n), dtype) for n in sizes[1:]]
        self.t = [np.empty((batch, n), dtype) for n in sizes[1:]]
        self.g = [np.empty((batch, n), dtype) for n in sizes[1:]]
        self.dW = [np.empty_like(w) for w in net.W]
        self.col = [np.empty((batch, 1), dtype) for _ in sizes[1:]]
        self.ysum = np.empty((batch, 1), dtype)
        self.generic = [not (n in _FWD and not p) for n, p in zip(net.activations, net.act_params)]
        self.scale = 1.0 / batch if net.conventions.reduction == "mean" else 1.0
        self.update_b = net.conventions.bias != "frozen"

    def step(self, x: np.ndarray, y: np.ndarray, lr: float, with_loss: bool) -> float:
        net, L = self.net, self.L
        W, b = net.W, net.b
        a_prev = x
        for k in range(L):
            z, a = self.z[k], self.a[k]
            np.matmul(a_prev, W[k].T, out=z)
            if b[k] is not None:
                np.add(z, b[k], out=z)
            if self.generic[k]:
                if not (k == L - 1 and net.fused):
                    a[...] = net._acts[k].f(z, **net.act_params[k])
            else:
                _FWD[net.activations[k]](z, a, self.t[k])
            a_prev = a
        loss = self._output(y, lr, with_loss)
        for k in range(L - 1, -1, -1):
            g = self.g[k]
            a_in = x if k == 0 else self.a[k - 1]
            if k > 0:
                dA = self.g[k - 1]
                np.matmul(g, W[k], out=dA)  # pre-update weights
            if net.conventions.l2:
                np.multiply(W[k], 1.0 - lr * net.conventions.l2, out=W[k])
            if self.B == 1:  # an outer product: broadcasting or einsum beat a k=1 matmul several times
                if self.dW[k].shape[0] >= 32:  # einsum's one loop beats broadcasting's loop per row
                    np.einsum("i,j->ij", g[0], a_in[0], out=self.dW[k])
                else:  # einsum's ~1.4 us setup would dominate
                    np.multiply(g.reshape(-1, 1), a_in, out=self.dW[k])
            else:
                np.matmul(g.T, a_in, out=self.dW[k])
            np.add(W[k], self.dW[k], out=W[k])
            if b[k] is not None and self.update_b:
                if b[k].size == 1:
                    b[k] += g.sum()
                elif self.B == 1:
                    np.add(b[k], g[0], out=b[k])
                else:
                    b[k] += np.add.reduce(g, axis=0)
            if k > 0:
                if self.generic[k - 1]:
                    dA[...] = net._acts[k - 1].vjp(self.z[k - 1], dA, **net.act_params[k - 1])
                else:
                    _BWD[net.activations[k - 1]](dA, self.z[k - 1], self.a[k - 1], self.t[k - 1])
        return loss

    def _output(self, y: np.ndarray, lr: float, with_loss: bool) -> float:
        """Fill g[L-1] = -lr * dL/dz of the output layer; return the batch loss before the step."""
        net = self.net
        k = self.L - 1
        z, a, g = self.z[k], self.a[k], self.g[k]
        c = -lr * self.scale
        loss = float("nan")
        if net.fused:
            m, ys = self.col[k], self.ysum
            np.maximum.reduce(z, axis=1, keepdims=True, out=m)  # the ufunc itself: np.max adds ~2 us
            np.subtract(z, m, out=a)
            np.exp(a, out=a)
            s = self.t[k][:, :1]
            np.add.reduce(a, axis=1, keepdims=True, out=s)
            np.divide(a, s, out=a)  # a = softmax(z)
            np.add.reduce(y, axis=1, keepdims=True, out=ys)
            if with_loss:
                # -sum y log softmax = (max + log sum e) * sum y - y . z
                np.log(s, out=s)
                np.add(s, m, out=s)
                loss = float(np.vdot(s, ys) - np.vdot(y, z)) * self.scale + net.regularization()
            np.multiply(ys, c, out=ys)
            np.multiply(a, ys, out=g)
            np.multiply(y, c, out=self.t[k])
            np.subtract(g, self.t[k], out=g)  # g = c * (softmax * sum y - y)
            return loss
        if net.fused_sigmoid:
            from gradverify.numeric.losses import bce_from_logits

            if with_loss:
                loss = net.batch_loss(bce_from_logits(z, y))
            np.subtract(a, y, out=g)  # delta = sigmoid(z) - y, finite where dL/da is not
            np.multiply(g, c, out=g)
            return loss
        if with_loss:
            loss = net.batch_loss(net._loss.value(a, y, **net.loss_params))
        name = net._loss.name
        if name == "half_squared_error":
            np.subtract(a, y, out=g)
            np.multiply(g, c, out=g)
        elif name == "squared_error":
            np.subtract(a, y, out=g)
            np.multiply(g, 2.0 * c, out=g)
        else:
            np.multiply(net._loss.grad(a, y, **net.loss_params), c, out=g)
        if self.generic[k]:
            g[...] = net._acts[k].vjp(z, g, **net.act_params[k])
        else:
            _BWD[net.activations[k]](g, z, a, self.t[k])
        return loss


def plan_for(net: "MLP", batch: int, dtype: np.dtype, kernel: str = "auto") -> "Plan | TinyPlan":
    """The cached plan of this network for this batch size, dtype and kernel choice.

    kernel "auto" takes the plain-float step (gradverify.numeric.tiny) for tiny float64 networks and the
    numpy plan otherwise; "numpy" or "python" force one (tests compare both).
    """
    key = (kernel, batch, dtype)
    plan = net._plans.get(key)
    if plan is not None and (type(plan) is Plan or plan.valid()):
        return plan
    from gradverify.numeric import tiny

    use_tiny = kernel == "python" or (kernel == "auto" and tiny.eligible(net, batch))
    if use_tiny:
        if not tiny.eligible(net, batch):
            raise ValueError("the plain-float step needs a small float64 network with kernels for its activations and loss")
        # one flat buffer per network: every tiny plan shares it
        shared = next((p for p in net._plans.values() if type(p) is not Plan and p.valid()), None)
        plan = shared or tiny.TinyPlan(net)
    else:
        plan = Plan(net, batch, np.dtype(dtype))
    net._plans[key] = plan
    return plan
