"""Changes of the softmax + cross-entropy loss when its logits move by small steps, for the
finite-difference check: one number per perturbation, at a cost independent of the output width
where the algebra allows, and with full relative precision (never the difference of two nearly
equal losses).

Only the loss itself is evaluated here, exactly to float64; no derivative formula enters, so the
check stays an independent witness of the backward pass.
"""

from __future__ import annotations

import math

import numpy as np

from gradverify.numeric.mlp import MLP, Forward


def reduce_batch(net: MLP, per: np.ndarray) -> np.ndarray:
    """Per-perturbation batch losses from per-sample ones (R, B): the mean or sum over B (one sample: itself)."""
    if per.shape[-1] == 1:
        return per[..., 0]
    return per.mean(axis=-1) if net.conventions.reduction == "mean" else per.sum(axis=-1)


def hidden_unit_changes(net: MLP, k: int, da: np.ndarray, fwd: Forward, y: np.ndarray) -> np.ndarray:
    """Changes of the batch loss when unit j of layer k moves by da (2, n_out, m, B) and the next
    layer is the softmax + cross-entropy output: by the moment series while the steps are small
    (`moment_changes`, a cost independent of the output width), by the moved logits themselves
    when they are large (`plain_changes`), and otherwise as follows.

    Built class-first, so every reduction runs over contiguous rows. When the logits move by dZ,
    the loss moves by log(sum_i s_i e^dZ_i) sum(y) - y.dZ with s = softmax of the unmoved logits:
    computed with expm1 and log1p, that change keeps full relative precision instead of being the
    difference of two nearly equal losses. Returns the change per perturbation (the base cancels
    in the central difference).
    """
    Wn, zn = net.W[k + 1], fwd.z[k + 1]  # (n_next, n_out), (B, n_next)
    n_next, B = Wn.shape[0], zn.shape[0]
    tau = float(np.abs(da).max()) * float(np.abs(Wn).max())
    order = series_order(tau)
    if order:
        return moment_changes(net, k, da, fwd, y, order)
    if tau * Wn.shape[1] > 1.0:
        return plain_changes(net, k, da, fwd, y)  # large steps: no small-change form
    dZ = (Wn[:, None, :, None, None] * da[None]).reshape(n_next, -1, B)  # (n_next, R, B)
    yd = (y[0] @ dZ[:, :, 0])[:, None] if B == 1 else np.einsum("irb,bi->rb", dZ, y)
    s0 = softmax_rows(zn)  # (B, n_next)
    np.expm1(dZ, out=dZ)
    dZ *= s0.T[:, None, :]
    per = np.log1p(dZ.sum(axis=0)) * y.sum(axis=-1) - yd  # (R, B)
    return reduce_batch(net, per)


SERIES_TAIL = 2.0**-60  # the series' neglected tail, relative to the largest |step x weight|
MAX_ORDER = 8


def series_order(tau: float) -> int:
    """The fewest terms R of e^u - 1 = sum_{r<=R} u^r/r! whose tail is below SERIES_TAIL * tau for
    every |u| <= tau (the tail is at most tau^(R+1)/(R+1)! e^tau); 0 when more than MAX_ORDER are needed."""
    if tau == 0.0:
        return 1
    term = tau  # tau^R / R! at R = 1
    for order in range(1, MAX_ORDER + 1):
        term *= tau / (order + 1)
        if term * math.exp(tau) <= SERIES_TAIL * tau:
            return order
    return 0


def moment_changes(net: MLP, k: int, da: np.ndarray, fwd: Forward, y: np.ndarray, order: int) -> np.ndarray:
    """Changes of the batch loss when unit j of layer k moves by t and the next layer is the
    softmax + cross-entropy output, at a cost per perturbation independent of the output width.

    The logits move by t w_j (w_j = column j of the next weights), so the loss moves by
    sum(y) log(1 + sum_i s_i (e^(t w_ij) - 1)) - t y.w_j, with s the softmax of the unmoved logits.
    The inner sum is the power series sum_r t^r/r! M_r(j) in the moments M_r(j) = sum_i s_i w_ij^r,
    computed once per unit; `order` terms leave a tail below 2^-60 of the first (series_order).
    This is the loss itself, evaluated exactly to float64; no derivative formula enters it.
    """
    Wn, zn = net.W[k + 1], fwd.z[k + 1]  # (n_next, n_out), (B, n_next)
    s0 = softmax_rows(zn)  # (B, n_next)
    t = da  # (2, n_out, m, B)
    power = np.ones_like(Wn)
    coef = []
    for r in range(1, order + 1):
        power = power * Wn
        coef.append((s0 @ power).T[None, :, None, :] / math.factorial(r))  # (1, n_out, 1, B)
    u = np.multiply(t, coef[-1])
    for c in reversed(coef[:-1]):  # Horner: u = t (c1 + t (c2 + ...))
        u += c
        u *= t
    np.log1p(u, out=u)
    u *= y.sum(axis=-1)
    u -= t * (y @ Wn).T[None, :, None, :]
    per = u.reshape(-1, u.shape[-1])
    return reduce_batch(net, per)


def own_logit_changes(net: MLP, steps: np.ndarray, fwd: Forward, y: np.ndarray) -> np.ndarray:
    """Changes of the batch loss when one logit moves: the softmax + cross-entropy output's own
    weights and biases. steps (2, 1, m, B) is how far each logit of sample b moves; the loss
    moves by sum(y) log(1 + s_i (e^t - 1)) - y_i t (expm1 and log1p keep its relative precision),
    one element each, whatever the output width."""
    s0 = softmax_rows(fwd.z[-1]).T[None, :, None, :]  # (1, n_out, 1, B)
    u = np.expm1(steps) * s0  # steps is the same for every unit: (2, 1, m, B)
    np.log1p(u, out=u)
    u *= y.sum(axis=-1)
    u -= steps * y.T[None, :, None, :]
    per = u.reshape(-1, u.shape[-1])
    return reduce_batch(net, per)


def softmax_rows(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def plain_changes(net: MLP, k: int, da: np.ndarray, fwd: Forward, y: np.ndarray) -> np.ndarray:
    """Batch losses for the fused output from the moved logits themselves (any step size)."""
    Wn, zn = net.W[k + 1], fwd.z[k + 1]
    n_next, B = Wn.shape[0], zn.shape[0]
    Z = Wn[:, None, :, None, None] * da[None]
    Z += zn.T[:, None, None, None, :]
    Z = Z.reshape(n_next, -1, B)
    yz = np.einsum("irb,bi->rb", Z, y)
    mx = Z.max(axis=0)
    Z -= mx
    np.exp(Z, out=Z)
    per = (mx + np.log(Z.sum(axis=0))) * y.sum(axis=-1) - yz
    return reduce_batch(net, per)
