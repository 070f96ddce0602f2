"""The in-place SGD step: preallocated buffers and ufuncs with out=, so a small step costs few microseconds.

The step propagates g = -lr * delta instead of delta: the backward recursion is linear, so scaling
once at the output saves a multiply per parameter array, and W += g^T a is the update itself.
Hidden g uses the pre-update W (dA is computed before W changes). Results equal ``MLP.backward``
followed by ``MLP.updated`` (tests prove it); activations and losses without a kernel here use the
registry's functions.
"""

from __future__ import annotations

import math
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
    """Buffers and kernels for one network at one batch size and dtype.

    Buffers are feature-major, (n, B): a bias is then one number per contiguous row, the softmax's
    max and sum over classes are elementwise operations between rows, and a bias gradient sums a
    contiguous row; batch-major, each of these loops over rows of 5 or 100 elements and costs
    several times more at large batches. The products read the batch-major input and labels
    through transposed views, which BLAS takes as they are.
    """

    def __init__(self, net: "MLP", batch: int, dtype: np.dtype) -> None:
        from gradverify.numeric.threads import ThreadChoice

        self.net = net
        self.B = batch
        sizes = net.sizes
        self.L = len(net.W)
        self.z = [np.empty((n, batch), dtype) for n in sizes[1:]]
        self.a = [np.empty((n, batch), dtype) for n in sizes[1:]]
        self.t = [np.empty((n, batch), dtype) for n in sizes[1:]]
        self.g = [np.empty((n, batch), dtype) for n in sizes[1:]]
        self.dW = [np.empty_like(w) for w in net.W]
        self.db = [np.empty(n, dtype) for n in sizes[1:]]
        self.row = [np.empty((1, batch), dtype) for _ in range(3)]
        self.ones = np.ones((1, sizes[-1]), dtype)
        self.generic = [not (n in _FWD and not p) for n, p in zip(net.activations, net.act_params)]
        self.scale = 1.0 / batch if net.conventions.reduction == "mean" else 1.0
        self.update_b = net.conventions.bias != "frozen"
        # forward, dA and dW products: 3 multiply-adds per weight and sample
        self.threads = ThreadChoice(6.0 * batch * sum(w.size for w in net.W))

    def step(self, x: np.ndarray, y: np.ndarray, lr: float, with_loss: bool) -> float:
        if not self.threads.libraries:  # small work: no thread choice to make
            return self._step(x, y, lr, with_loss)
        return self.threads.run(lambda: self._step(x, y, lr, with_loss))

    def _step(self, x: np.ndarray, y: np.ndarray, lr: float, with_loss: bool) -> float:
        net, L = self.net, self.L
        W, b = net.W, net.b
        a_prev = x.T
        for k in range(L):
            z, a = self.z[k], self.a[k]
            if self.B == 1:  # one sample: the row-vector product is BLAS's faster gemv
                np.matmul(a_prev.T, W[k].T, out=z.T)
            else:
                np.matmul(W[k], a_prev, out=z)
            if b[k] is not None:
                np.add(z, b[k][:, None] if b[k].size > 1 else b[k][0], out=z)
            if self.generic[k]:
                if not (k == L - 1 and net.fused):
                    a[...] = net._acts[k].f(z.T, **net.act_params[k]).T
            else:
                _FWD[net.activations[k]](z, a, self.t[k])
            a_prev = a
        loss = self._output(y, lr, with_loss)
        for k in range(L - 1, -1, -1):
            g = self.g[k]
            a_in = x if k == 0 else self.a[k - 1].T
            if k > 0:
                dA = self.g[k - 1]
                if self.B == 1:  # pre-update weights
                    np.matmul(g.T, W[k], out=dA.T)
                else:
                    np.matmul(W[k].T, g, out=dA)
            if net.conventions.l2:
                np.multiply(W[k], 1.0 - lr * net.conventions.l2, out=W[k])
            if self.B == 1:  # an outer product: matmul's k=1 path is 3x slower than dot's
                if W[k].shape[0] >= 32:
                    np.dot(g, a_in, out=self.dW[k])
                else:  # dot's set-up would dominate
                    np.multiply(g, a_in, out=self.dW[k])
            else:
                np.matmul(g, a_in, out=self.dW[k])
            np.add(W[k], self.dW[k], out=W[k])
            if b[k] is not None and self.update_b:
                if b[k].size == 1:
                    b[k] += np.add.reduce(g, axis=None)
                elif self.B == 1:
                    np.add(b[k], g[:, 0], out=b[k])
                else:
                    np.add(b[k], np.add.reduce(g, axis=1, out=self.db[k]), out=b[k])
            if k > 0:
                if self.generic[k - 1]:
                    dA[...] = net._acts[k - 1].vjp(self.z[k - 1].T, dA.T, **net.act_params[k - 1]).T
                else:
                    _BWD[net.activations[k - 1]](dA, self.z[k - 1], self.a[k - 1], self.t[k - 1])
        return loss

    def _output(self, y: np.ndarray, lr: float, with_loss: bool) -> float:
        """Fill g[L-1] = -lr * dL/dz of the output layer; return the batch loss before the step."""
        net = self.net
        k = self.L - 1
        z, a, g, t = self.z[k], self.a[k], self.g[k], self.t[k]
        yT = y.T
        c = -lr * self.scale
        loss = float("nan")
        if net.fused and self.B == 1 and z.shape[0] <= 16:
            return self._softmax_one(y, c, with_loss)
        if net.fused:
            m, s, _ = self.row
            np.maximum.reduce(z, axis=0, keepdims=True, out=m)  # row by row: elementwise maxima
            np.subtract(z, m, out=a)
            np.exp(a, out=a)
            np.add.reduce(a, axis=0, keepdims=True, out=s)
            np.divide(a, s, out=a)  # a = softmax(z)
            ys = np.matmul(self.ones, yT, out=self.row[2])  # sum y per sample
            if with_loss:
                # -sum y log softmax = (max + log sum e) * sum y - y . z
                np.log(s, out=s)
                np.add(s, m, out=s)
                np.multiply(yT, z, out=t)
                loss = (float(np.vdot(s, ys)) - float(np.add.reduce(t, axis=None))) * self.scale + net.regularization()
            np.multiply(ys, c, out=ys)
            np.multiply(a, ys, out=g)
            np.multiply(yT, c, out=t)
            np.subtract(g, t, out=g)  # g = c * (softmax * sum y - y)
            return loss
        if net.fused_sigmoid:
            from gradverify.numeric.losses import bce_from_logits

            if with_loss:
                loss = net.batch_loss(bce_from_logits(z.T, y))
            np.subtract(a, yT, out=g)  # delta = sigmoid(z) - y, finite where dL/da is not
            np.multiply(g, c, out=g)
            return loss
        if with_loss:
            loss = net.batch_loss(net._loss.value(a.T, y, **net.loss_params))
        name = net._loss.name
        if name == "half_squared_error":
            np.subtract(a, yT, out=g)
            np.multiply(g, c, out=g)
        elif name == "squared_error":
            np.subtract(a, yT, out=g)
            np.multiply(g, 2.0 * c, out=g)
        else:
            np.multiply(net._loss.grad(a.T, y, **net.loss_params).T, c, out=g)
        if self.generic[k]:
            g[...] = net._acts[k].vjp(z.T, g.T, **net.act_params[k]).T
        else:
            _BWD[net.activations[k]](g, z, a, t)
        return loss

    def _softmax_one(self, y: np.ndarray, c: float, with_loss: bool) -> float:
        """The softmax + cross-entropy output of one sample with a few classes, in plain floats:
        a dozen numpy calls of about a microsecond each would cost more than the arithmetic."""
        k = self.L - 1
        zs = self.z[k][:, 0].tolist()
        ys = y[0].tolist()
        top = max(zs)
        es = [math.exp(v - top) for v in zs]
        total = math.fsum(es)
        ysum = math.fsum(ys)
        loss = float("nan")
        if with_loss:  # -sum y log softmax = (max + log sum e) * sum y - y . z
            loss = ((top + math.log(total)) * ysum - math.fsum(a * b for a, b in zip(ys, zs))) * self.scale
            loss += self.net.regularization()
        f = c * ysum / total
        self.g[k][:, 0] = [f * e - c * t for e, t in zip(es, ys)]  # c * (softmax * sum y - y)
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
