"""A multilayer perceptron of any sizes: forward, backward (every W, b and the input x), SGD update.

One core layout: weight layer k has W[k] of shape (n_out, n_in) (to_from) and the batch is rows, so
z = a @ W.T + b. User conventions (from_to weights, numbering, error sign) are converted by
``gradverify.numeric.conventions.Conventions`` at the boundary only. Gradients are of the batch loss
L = reduce_b loss_b + l2/2 sum W^2 (reduce = mean or sum), so delta = dL/dz carries the 1/B of a mean.
Hidden deltas always use the pre-update weights: gradients are computed before any update.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from gradverify.numeric.activations import Activation, get_activation, log_softmax, sigmoid, softmax
from gradverify.numeric.conventions import Conventions
from gradverify.numeric.losses import Loss, bce_from_logits, get_loss


@dataclass
class Forward:
    """Everything a forward pass computes: the input and, per weight layer k, z[k] and a[k]."""

    x: np.ndarray
    z: list[np.ndarray]
    a: list[np.ndarray]


@dataclass
class Gradients:
    """Backward results in the core layout and the gradient sign (dL/d.), per weight layer k."""

    loss: float
    sample_loss: np.ndarray
    dL_da: list[np.ndarray]
    act_prime: list[np.ndarray]
    delta: list[np.ndarray]
    dW: list[np.ndarray]
    db: list[np.ndarray | None]
    dx: np.ndarray


@dataclass
class MLP:
    """Parameters (core layout), an activation per layer, a loss, and the conventions of the example."""

    W: list[np.ndarray]
    b: list[np.ndarray | None]
    activations: list[str]
    loss: str
    act_params: list[dict[str, float]] = field(default_factory=list)
    loss_params: dict[str, float] = field(default_factory=dict)
    conventions: Conventions = field(default_factory=Conventions)

    def __post_init__(self) -> None:
        if len(self.activations) != len(self.W):
            raise ValueError(f"{len(self.W)} weight matrices need {len(self.W)} activations, got {len(self.activations)}")
        if not self.act_params:
            self.act_params = [{} for _ in self.W]
        self._acts: list[Activation] = [get_activation(n) for n in self.activations]
        self._loss: Loss = get_loss(self.loss)
        for k in range(1, len(self.W)):
            if self.W[k].shape[1] != self.W[k - 1].shape[0]:
                raise ValueError(f"weight layer {k} takes {self.W[k].shape[1]} inputs but layer {k - 1} gives {self.W[k - 1].shape[0]}")
        # softmax output + cross-entropy: delta by the fused form, loss by log-sum-exp (stays finite).
        self.fused = self.activations[-1] == "softmax" and self._loss.name == "cross_entropy"
        # sigmoid output + binary cross-entropy likewise: loss softplus(z) - y z, delta sigmoid(z) - y.
        self.fused_sigmoid = self.activations[-1] == "sigmoid" and self._loss.name == "binary_cross_entropy"
        self._plans: dict[object, object] = {}

    # --- construction -----------------------------------------------------------------------
    @classmethod
    def from_user(
        cls,
        weights: Sequence[object],
        biases: Sequence[object] | None,
        activations: Sequence[str],
        loss: str,
        conventions: Conventions | None = None,
        act_params: Sequence[Mapping[str, float]] | None = None,
        loss_params: Mapping[str, float] | None = None,
    ) -> "MLP":
        """Build from matrices written in the user's layout; biases per the conventions' bias mode."""
        conv = conventions or Conventions()
        W = [conv.weight_to_core(w) for w in weights]
        b: list[np.ndarray | None] = []
        for k, w in enumerate(W):
            given = None if biases is None or conv.bias == "none" else biases[k]
            if conv.bias == "none" or given is None:
                b.append(None)
            elif conv.bias == "shared":
                arr = np.asarray(given, dtype=w.dtype).reshape(-1)
                if arr.size != 1:
                    raise ValueError(f"bias 'shared' takes one number per layer; layer {k} has {arr.size}")
                b.append(arr.copy())
            else:
                arr = np.array(given, dtype=w.dtype).reshape(-1)
                if arr.size not in (1, w.shape[0]):
                    raise ValueError(f"layer {k} has {w.shape[0]} neurons but {arr.size} biases")
                b.append(arr)
        return cls(W, b, list(activations), loss, [dict(p) for p in act_params] if act_params else [],
                   dict(loss_params or {}), conv)

    @classmethod
    def random(cls, sizes: Sequence[int], activations: Sequence[str], loss: str, seed: int = 0,
               dtype: type = np.float64, conventions: Conventions | None = None) -> "MLP":
        """A network with Glorot-scaled random weights and small random biases (tests, benchmarks)."""
        rng = np.random.default_rng(seed)
        conv = conventions or Conventions()
        W = [(rng.standard_normal((o, i)) * np.sqrt(2.0 / (i + o))).astype(dtype) for i, o in zip(sizes[:-1], sizes[1:])]
        if conv.bias == "none":
            b: list[np.ndarray | None] = [None] * len(W)
        elif conv.bias == "shared":
            b = [(0.1 * rng.standard_normal(1)).astype(dtype) for _ in W]
        else:
            b = [(0.1 * rng.standard_normal(o)).astype(dtype) for o in sizes[1:]]
        return cls(W, b, list(activations), loss, conventions=conv)

    def copy(self) -> "MLP":
        """An independent copy of the parameters (same conventions)."""
        return MLP([w.copy() for w in self.W], [None if b is None else b.copy() for b in self.b],
                   list(self.activations), self.loss, [dict(p) for p in self.act_params], dict(self.loss_params), self.conventions)

    def astype(self, dtype: type) -> "MLP":
        """A copy with parameters in another float dtype (float32 paths, float64 checks)."""
        new = self.copy()
        new.W = [w.astype(dtype) for w in self.W]
        new.b = [None if b is None else b.astype(dtype) for b in self.b]
        return new

    @property
    def sizes(self) -> list[int]:
        return [self.W[0].shape[1]] + [w.shape[0] for w in self.W]

    # --- forward / loss -----------------------------------------------------------------------
    def forward(self, x: object) -> Forward:
        """z and a of every layer for a batch x of shape (B, n0) (a 1-D x is a batch of one)."""
        a = _batch(x, self.W[0].dtype)
        zs, as_ = [], []
        for k, (w, act) in enumerate(zip(self.W, self._acts)):
            z = a @ w.T
            if self.b[k] is not None:
                z = z + self.b[k]
            a = act.f(z, **self.act_params[k])
            zs.append(z)
            as_.append(a)
        return Forward(_batch(x, self.W[0].dtype), zs, as_)

    def sample_losses(self, fwd: Forward, y: object) -> np.ndarray:
        """Per-sample loss (B,), fused through log-softmax when the output is softmax + cross-entropy."""
        y = _batch(y, fwd.a[-1].dtype)
        if self.fused:
            return -np.sum(np.where(y == 0, 0.0, y * log_softmax(fwd.z[-1])), axis=-1)
        if self.fused_sigmoid:
            return bce_from_logits(fwd.z[-1], y)
        return self._loss.value(fwd.a[-1], y, **self.loss_params)

    def regularization(self) -> float:
        """l2/2 times the sum of squared weights (biases excluded)."""
        lam = float(self.conventions.l2)
        return 0.5 * lam * sum(float(np.sum(w.astype(np.float64) ** 2)) for w in self.W) if lam else 0.0

    def batch_loss(self, sample_loss: np.ndarray) -> float:
        """Reduce per-sample losses by the conventions' mean or sum, plus the L2 term once."""
        red = np.mean(sample_loss) if self.conventions.reduction == "mean" else np.sum(sample_loss)
        return float(red) + self.regularization()

    def evaluate(self, x: object, y: object) -> float:
        """The batch loss at the current parameters."""
        fwd = self.forward(x)
        return self.batch_loss(self.sample_losses(fwd, y))

    # --- backward --------------------------------------------------------------------------------
    def backward(self, fwd: Forward, y: object) -> Gradients:
        """Every gradient of the batch loss: dL/da, f'(z), delta, dW, db per layer, and dx."""
        y = _batch(y, fwd.a[-1].dtype)
        n_layers = len(self.W)
        B = fwd.x.shape[0]
        scale = 1.0 / B if self.conventions.reduction == "mean" else 1.0
        sample_loss = self.sample_losses(fwd, y)
        dL_da: list[np.ndarray] = [None] * n_layers  # type: ignore[list-item]
        prime: list[np.ndarray] = [None] * n_layers  # type: ignore[list-item]
        delta: list[np.ndarray] = [None] * n_layers  # type: ignore[list-item]
        dW: list[np.ndarray] = [None] * n_layers  # type: ignore[list-item]
        db: list[np.ndarray | None] = [None] * n_layers
        L = n_layers - 1
        for k in range(L, -1, -1):
            act, p = self._acts[k], self.act_params[k]
            prime[k] = act.df(fwd.z[k], **p)
            if k == L:
                if self.fused:
                    with np.errstate(divide="ignore", invalid="ignore"):
                        dL_da[k] = np.where(y == 0, 0.0, -y / fwd.a[k]) * scale
                    delta[k] = (softmax(fwd.z[k]) * np.sum(y, axis=-1, keepdims=True) - y) * scale
                elif self.fused_sigmoid:
                    with warnings.catch_warnings():  # dL/da is infinite where a saturated to 0 or 1; delta is not
                        warnings.simplefilter("ignore")
                        dL_da[k] = self._loss.grad(fwd.a[k], y) * scale
                    delta[k] = (sigmoid(fwd.z[k]) - y) * scale
                else:
                    dL_da[k] = self._loss.grad(fwd.a[k], y, **self.loss_params) * scale
                    delta[k] = act.vjp(fwd.z[k], dL_da[k], **p)
            else:
                dL_da[k] = delta[k + 1] @ self.W[k + 1]
                delta[k] = act.vjp(fwd.z[k], dL_da[k], **p)
            a_prev = fwd.x if k == 0 else fwd.a[k - 1]
            dW[k] = delta[k].T @ a_prev
            if self.conventions.l2:
                dW[k] += self.conventions.l2 * self.W[k]
            if self.b[k] is not None:
                db[k] = np.sum(delta[k], axis=0) if self.b[k].size > 1 else np.sum(delta[k]).reshape(1)
        dx = delta[0] @ self.W[0]
        return Gradients(self.batch_loss(sample_loss), sample_loss, dL_da, prime, delta, dW, db, dx)

    def gradients(self, x: object, y: object) -> Gradients:
        """forward then backward."""
        return self.backward(self.forward(x), y)

    # --- update ---------------------------------------------------------------------------------
    def updated(self, grads: Gradients, lr: float) -> "MLP":
        """A new network after one SGD step (frozen biases stay; this network is unchanged)."""
        new = self.copy()
        for k in range(len(self.W)):
            new.W[k] -= lr * grads.dW[k]
            if self.b[k] is not None and self.conventions.bias != "frozen":
                new.b[k] -= lr * grads.db[k]
        return new

    def step(self, x: np.ndarray, y: np.ndarray, lr: float, with_loss: bool = True, kernel: str = "auto") -> float:
        """One SGD step in place on a (B, n) batch; returns the loss before the step.

        Runs through preallocated buffers (gradverify.numeric.fast) or, for tiny float64 networks, plain floats
        (gradverify.numeric.tiny; W and b then become views of one flat buffer). kernel: auto, numpy, python.
        """
        from gradverify.numeric.fast import plan_for

        return plan_for(self, x.shape[0], self.W[0].dtype, kernel).step(x, y, lr, with_loss)

    # --- the user's view ---------------------------------------------------------------------------
    def named(self, fwd: Forward, grads: Gradients | None = None) -> dict[str, np.ndarray]:
        """Quantities under the user's names and layout: z2, a2, act_prime2, dL_da2, delta2, W2, b2, dW2, db2, dx, loss.

        The batch axis is dropped for a single sample; backward quantities carry the error sign.
        """
        conv = self.conventions
        one = fwd.x.shape[0] == 1
        sq = (lambda v: v[0]) if one else (lambda v: v)
        out: dict[str, np.ndarray] = {}
        for k in range(len(self.W)):
            lay, wn, bn = conv.layer_number(k), conv.param_number("W", k), conv.param_number("b", k)
            out[f"z{lay}"] = sq(fwd.z[k])
            out[f"a{lay}"] = sq(fwd.a[k])
            out[f"W{wn}"] = conv.weight_from_core(self.W[k])
            if self.b[k] is not None:
                out[f"b{bn}"] = self.b[k].copy()
            if grads is not None:
                out[f"act_prime{lay}"] = sq(grads.act_prime[k])
                out[f"dL_da{lay}"] = conv.signed(sq(grads.dL_da[k]))
                out[f"delta{lay}"] = conv.signed(sq(grads.delta[k]))
                out[f"dW{wn}"] = conv.signed(conv.weight_from_core(grads.dW[k]))
                if grads.db[k] is not None:
                    out[f"db{bn}"] = conv.signed(grads.db[k])
        if grads is not None:
            out["dx"] = conv.signed(sq(grads.dx))
            out["loss"] = np.asarray(grads.loss)
        return out


def _batch(x: object, dtype: np.dtype) -> np.ndarray:
    arr = np.asarray(x, dtype=dtype)
    return arr.reshape(1, -1) if arr.ndim == 1 else arr
