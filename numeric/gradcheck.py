"""Central finite differences for every parameter element of an MLP, vectorized, reported per element.

One weight W[j, m] changes one pre-activation z[j] (by h * a_prev[m]), so all perturbations of a
layer are evaluated at once: for an elementwise activation only a[j] moves, and the next layer's
pre-activations move by da * W_next[:, j]; the rest of the network runs on that batch. The check is
an independent witness: it evaluates the loss, never the backward formulas.

Bands of the relative error |a-n|/max(|a|,|n|) (CS231n): <= 1e-7 good; up to 1e-4 acceptable only
near a kink; > 1e-2 wrong; otherwise uncomfortable. A difference that straddles a kink is reported
as ``kink``, not as a failure. A difference below the float64 noise floor of the differences
(10 eps max(1, |L|) / h) counts as good whatever its relative error (exact zeros, tiny gradients).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from gradverify.numeric.conventions import Conventions
from gradverify.numeric.gradreport import BANDS, Block, Element, GradReport, parse_name
from gradverify.numeric.losses import bce_from_logits
from gradverify.numeric.mlp import MLP, Gradients

__all__ = ["BANDS", "Block", "Element", "GradReport", "Witness", "check_function", "check_grads", "fd_witness", "parse_name"]

_KINKED = {"relu": 0.0, "leaky_relu": 0.0, "prelu": 0.0, "elu": 0.0}
NEAR = 100.0  # "near a kink": within this many steps of it


# --- the vectorized evaluation -------------------------------------------------------------------

def _rest(net: MLP, j: int, Z: np.ndarray, y: np.ndarray, base: list[np.ndarray], flags: np.ndarray) -> np.ndarray:
    """Batch losses (R,) from pre-activations Z (R, B, n_j) of layer j onward; marks kink straddles.

    Rows come in two halves (plus, minus); ``flags`` (R//2,) gets 2 where the pair straddles a kink
    and 1 where one lies within NEAR steps of it.
    """
    L = len(net.W)
    for k in range(j, L):
        _mark(net.activations[k], Z, base[k], flags)
        if k == L - 1 and (net.fused or net.fused_sigmoid):
            break  # the fused losses read the logits
        a = net._acts[k].f(Z, **net.act_params[k])
        if k + 1 < L:
            Z = a @ net.W[k + 1].T
            if net.b[k + 1] is not None:
                Z += net.b[k + 1]
    if net.fused:
        per = _softmax_ce(Z, y)
    elif net.fused_sigmoid:
        per = bce_from_logits(Z, y)
    else:
        per = net._loss.value(a, np.broadcast_to(y, a.shape), **net.loss_params)
        _mark_loss(net, a, y, base[-1], flags)
    return _batch_loss(net, per)


def _batch_loss(net: MLP, per: np.ndarray) -> np.ndarray:
    """Per-perturbation batch losses from per-sample ones (R, B): the mean or sum over B (one sample: itself)."""
    if per.shape[-1] == 1:
        return per[..., 0]
    return per.mean(axis=-1) if net.conventions.reduction == "mean" else per.sum(axis=-1)


def _lse(Z: np.ndarray) -> np.ndarray:
    """log sum exp over the last axis; a short last axis is reduced column by column (numpy's
    reductions over a trailing axis of 5 are several times slower than elementwise maxima)."""
    n = Z.shape[-1]
    if n > 16:
        m = np.max(Z, axis=-1)
        return m + np.log(np.sum(np.exp(Z - m[..., None]), axis=-1))
    m = Z[..., 0].copy()
    for i in range(1, n):
        np.maximum(m, Z[..., i], out=m)
    e = np.exp(Z - m[..., None])
    s = e[..., 0].copy()
    for i in range(1, n):
        s += e[..., i]
    return m + np.log(s)


def _softmax_ce(Z: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Per-sample -sum y log softmax(Z) = lse(Z) sum(y) - y.Z for Z (R, B, n), y (B, n): finite for finite logits."""
    yz = np.matmul(Z.transpose(1, 0, 2), y[:, :, None])[..., 0].T  # batched gemv: (R, B)
    return _lse(Z) * y.sum(axis=-1) - yz


def _straddle(vp: np.ndarray, vm: np.ndarray, v0: np.ndarray, flags: np.ndarray) -> None:
    """Mark rows whose plus/minus values lie on different sides of 0 (2) or within NEAR steps (1)."""
    axes = tuple(range(1, vp.ndim))
    cross = ((np.sign(vp) != np.sign(vm)) | (vp == 0) | (vm == 0)).any(axis=axes)
    near = (np.abs(v0) <= NEAR * np.maximum(np.abs(vp - v0), np.abs(vm - v0))).any(axis=axes)
    np.maximum(flags, np.where(cross, 2, np.where(near, 1, 0)).astype(flags.dtype), out=flags)


def _mark(act: str, Z: np.ndarray, z0: np.ndarray, flags: np.ndarray) -> None:
    if act in _KINKED:
        half = Z.shape[0] // 2
        k0 = _KINKED[act]
        _straddle(Z[:half] - k0, Z[half:] - k0, z0 - k0, flags)


def _mark_loss(net: MLP, a: np.ndarray, y: np.ndarray, a0: np.ndarray, flags: np.ndarray) -> None:
    name = net._loss.name
    if name == "hinge":
        v, v0 = y * a - 1.0, y * a0 - 1.0
    elif name == "l1":
        v, v0 = a - y, a0 - y
    elif name in ("huber", "huber_mean"):
        d = net.loss_params.get("delta", 1.0)
        v, v0 = np.abs(a - y) - d, np.abs(a0 - y) - d
    else:
        return
    half = v.shape[0] // 2
    _straddle(v[:half], v[half:], v0, flags)


def _layer_block(net: MLP, k: int, x: np.ndarray, y: np.ndarray, fwd, h: float, with_bias: bool):
    """Numeric gradients and kink flags of W[k] (and b[k]) by one batched evaluation per sign."""
    a_prev = x if k == 0 else fwd.a[k - 1]
    B, n_out = fwd.z[k].shape
    shifts = h * a_prev  # (B, m): how far z[k][:, j] moves when W[k][j, m] moves by h
    if with_bias:
        shifts = np.concatenate([shifts, np.full((B, 1), h)], axis=1)
    m = shifts.shape[1]
    sgn = np.array([1.0, -1.0]).reshape(2, 1, 1, 1)
    act = net._acts[k]
    flags = np.zeros(n_out * m, np.int8)
    if act.elementwise and not (k + 1 == len(net.W) and net.fused_sigmoid):
        zp = fwd.z[k][None, :, :, None] + sgn * shifts[None, :, None, :]  # (2, B, n_out, m)
        if net.activations[k] in _KINKED:
            z0 = np.broadcast_to(fwd.z[k][:, :, None], zp.shape[1:])
            own = np.zeros(n_out * m, np.int8)
            _straddle(zp[0].transpose(1, 2, 0).reshape(n_out * m, B), zp[1].transpose(1, 2, 0).reshape(n_out * m, B),
                      z0.transpose(1, 2, 0).reshape(n_out * m, B), own)
            np.maximum(flags, own, out=flags)
        da = act.f(zp, **net.act_params[k]) - fwd.a[k][None, :, :, None]
        da = da.transpose(0, 2, 3, 1)  # (2, n_out, m, B)
        if k + 2 == len(net.W) and net.fused:
            losses = _fused_output_tail(net, k, da, fwd, y)
        elif k + 1 < len(net.W):
            Wn = net.W[k + 1]  # (n_next, n_out)
            Z = fwd.z[k + 1][None, None, None] + da[..., None] * Wn.T[None, :, None, None, :]
            losses = _rest(net, k + 1, Z.reshape(2 * n_out * m, B, -1), y, fwd.z, flags)
        else:
            A = np.broadcast_to(fwd.a[k], (2, n_out, m, B, n_out)).copy()
            j = np.arange(n_out)
            A[:, j, :, :, j] += da.transpose(1, 0, 2, 3)
            losses = _output_losses(net, A.reshape(2 * n_out * m, B, n_out), y, fwd, flags)
    elif k + 1 == len(net.W) and net.fused:
        losses = _fused_output_own(net, sgn[:, 0, 0, 0, None, None, None] * shifts.T[None, None], fwd, y)
    else:
        Z = np.broadcast_to(fwd.z[k], (2, n_out, m, B, n_out)).copy()
        j = np.arange(n_out)
        Z[:, j, :, :, j] += (sgn[:, 0, 0, 0, None, None, None] * shifts.T[None, None, :, :]).transpose(1, 0, 2, 3)
        losses = _rest(net, k, Z.reshape(2 * n_out * m, B, n_out), y, fwd.z, flags)
    half = losses.size // 2
    numeric = ((losses[:half] - losses[half:]) / (2 * h)).reshape(n_out, m)
    return numeric, flags.reshape(n_out, m)


def _fused_output_tail(net: MLP, k: int, da: np.ndarray, fwd, y: np.ndarray) -> np.ndarray:
    """Changes of the batch loss when the next layer is the softmax + cross-entropy output.

    Built class-first, so every reduction runs over contiguous rows. When the logits move by dZ,
    the loss moves by log(sum_i s_i e^dZ_i) sum(y) - y.dZ with s = softmax of the unmoved logits:
    computed with expm1 and log1p, that change keeps full relative precision instead of being the
    difference of two nearly equal losses. Returns the change per perturbation (the base cancels
    in the central difference).
    """
    Wn, zn = net.W[k + 1], fwd.z[k + 1]  # (n_next, n_out), (B, n_next)
    n_next, B = Wn.shape[0], zn.shape[0]
    tau = float(np.abs(da).max()) * float(np.abs(Wn).max())
    order = _series_order(tau)
    if order:
        return _fused_output_moments(net, k, da, fwd, y, order)
    if tau * Wn.shape[1] > 1.0:
        return _fused_output_tail_plain(net, k, da, fwd, y)  # large steps: no small-change form
    dZ = (Wn[:, None, :, None, None] * da[None]).reshape(n_next, -1, B)  # (n_next, R, B)
    yd = (y[0] @ dZ[:, :, 0])[:, None] if B == 1 else np.einsum("irb,bi->rb", dZ, y)
    s0 = _softmax_rows(zn)  # (B, n_next)
    np.expm1(dZ, out=dZ)
    dZ *= s0.T[:, None, :]
    per = np.log1p(dZ.sum(axis=0)) * y.sum(axis=-1) - yd  # (R, B)
    return _batch_loss(net, per)


SERIES_TAIL = 2.0**-60  # the series' neglected tail, relative to the largest |step x weight|
MAX_ORDER = 8


def _series_order(tau: float) -> int:
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


def _fused_output_moments(net: MLP, k: int, da: np.ndarray, fwd, y: np.ndarray, order: int) -> np.ndarray:
    """Changes of the batch loss when unit j of layer k moves by t and the next layer is the
    softmax + cross-entropy output, at a cost per perturbation independent of the output width.

    The logits move by t w_j (w_j = column j of the next weights), so the loss moves by
    sum(y) log(1 + sum_i s_i (e^(t w_ij) - 1)) - t y.w_j, with s the softmax of the unmoved logits.
    The inner sum is the power series sum_r t^r/r! M_r(j) in the moments M_r(j) = sum_i s_i w_ij^r,
    computed once per unit; `order` terms leave a tail below 2^-60 of the first (_series_order).
    This is the loss itself, evaluated exactly to float64; no derivative formula enters it.
    """
    Wn, zn = net.W[k + 1], fwd.z[k + 1]  # (n_next, n_out), (B, n_next)
    s0 = _softmax_rows(zn)  # (B, n_next)
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
    return _batch_loss(net, per)


def _fused_output_own(net: MLP, steps: np.ndarray, fwd, y: np.ndarray) -> np.ndarray:
    """Changes of the batch loss when one logit moves: the softmax + cross-entropy output's own
    weights and biases. steps (2, 1, m, B) is how far each logit of sample b moves; the loss
    moves by sum(y) log(1 + s_i (e^t - 1)) - y_i t (expm1 and log1p keep its relative precision),
    one element each, whatever the output width."""
    s0 = _softmax_rows(fwd.z[-1]).T[None, :, None, :]  # (1, n_out, 1, B)
    u = np.expm1(steps) * s0  # steps is the same for every unit: (2, 1, m, B)
    np.log1p(u, out=u)
    u *= y.sum(axis=-1)
    u -= steps * y.T[None, :, None, :]
    per = u.reshape(-1, u.shape[-1])
    return _batch_loss(net, per)


def _softmax_rows(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _fused_output_tail_plain(net: MLP, k: int, da: np.ndarray, fwd, y: np.ndarray) -> np.ndarray:
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
    return _batch_loss(net, per)


def _output_losses(net: MLP, A: np.ndarray, y: np.ndarray, fwd, flags: np.ndarray) -> np.ndarray:
    """Batch losses from perturbed output activations (elementwise output layer)."""
    per = net._loss.value(A, np.broadcast_to(y, A.shape), **net.loss_params)
    _mark_loss(net, A, y, fwd.a[-1], flags)
    return _batch_loss(net, per)


def _shared_bias(net: MLP, k: int, y: np.ndarray, fwd, h: float) -> tuple[float, int]:
    flags = np.zeros(1, np.int8)
    Z = np.stack([fwd.z[k] + h, fwd.z[k] - h])
    losses = _rest(net, k, Z, y, fwd.z, flags)
    return float((losses[0] - losses[1]) / (2 * h)), int(flags[0])


def _x_block(net: MLP, x: np.ndarray, y: np.ndarray, fwd, h: float):
    B, n0 = x.shape
    W0 = net.W[0]
    Z = np.broadcast_to(fwd.z[0], (2, B, n0, B, W0.shape[0])).copy()
    b = np.arange(B)
    for s, sign in enumerate((1.0, -1.0)):
        Z[s, b, :, b, :] += sign * h * W0.T[None]
    flags = np.zeros(B * n0, np.int8)
    losses = _rest(net, 0, Z.reshape(2 * B * n0, B, -1), y, fwd.z, flags)
    half = losses.size // 2
    return ((losses[:half] - losses[half:]) / (2 * h)).reshape(B, n0), flags.reshape(B, n0)


def _bands(analytic: np.ndarray, numeric: np.ndarray, flags: np.ndarray, noise: float) -> tuple[np.ndarray, np.ndarray]:
    diff = np.abs(analytic - numeric)
    den = np.maximum(np.abs(analytic), np.abs(numeric))
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.where(den > 0, diff / den, 0.0)
    band = np.full(rel.shape, BANDS.index("uncomfortable"), np.int8)
    band[rel > 1e-2] = BANDS.index("wrong")
    band[(rel <= 1e-4) & (flags >= 1)] = BANDS.index("acceptable")
    band[(rel <= 1e-7) | (diff <= noise)] = BANDS.index("good")
    band[flags == 2] = BANDS.index("kink")
    band[~np.isfinite(numeric) | ~np.isfinite(analytic)] = BANDS.index("wrong")
    return rel, band


def check_grads(net: MLP, x: object, y: object, h: float = 1e-5, grads: Gradients | None = None,
                wrt: tuple[str, ...] = ("W", "b", "x")) -> GradReport:
    """Check the analytic gradients of ``net`` (its own backward, or ``grads`` if given) element by element.

    Runs in float64 whatever the network's dtype. ``wrt`` picks the arrays: W, b and/or x.
    """
    net64 = net.astype(np.float64)
    x = np.asarray(x, dtype=np.float64).reshape(-1, net.sizes[0]) if np.ndim(x) == 1 else np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    y = y.reshape(1, -1) if y.ndim == 1 else y
    fwd = net64.forward(x)
    g = grads if grads is not None else net64.backward(fwd, y)
    loss = float(net64.batch_loss(net64.sample_losses(fwd, y)))
    noise = 10 * np.finfo(np.float64).eps * max(1.0, abs(loss)) / h
    lam = float(net.conventions.l2)
    blocks: list[Block] = []
    for k in range(len(net64.W)):
        bias = net64.b[k]
        per_neuron = bias is not None and bias.size == net64.W[k].shape[0] and bias.size > 1
        if "W" in wrt or ("b" in wrt and per_neuron):
            numeric, flags = _layer_block(net64, k, x, y, fwd, h, per_neuron)
            if "W" in wrt:
                w = net64.W[k]
                nW = numeric[:, : w.shape[1]]
                if lam:
                    nW = nW + lam / 2 * ((w + h) ** 2 - (w - h) ** 2) / (2 * h)
                rel, band = _bands(np.asarray(g.dW[k], np.float64), nW, flags[:, : w.shape[1]], noise)
                blocks.append(Block("W", k, np.asarray(g.dW[k], np.float64), nW, rel, band))
            if "b" in wrt and per_neuron:
                rel, band = _bands(np.asarray(g.db[k], np.float64), numeric[:, -1], flags[:, -1], noise)
                blocks.append(Block("b", k, np.asarray(g.db[k], np.float64), numeric[:, -1], rel, band))
        if "b" in wrt and bias is not None and not per_neuron:
            n, f = _shared_bias(net64, k, y, fwd, h)
            an = np.asarray(g.db[k], np.float64).reshape(1)
            rel, band = _bands(an, np.array([n]), np.array([f]), noise)
            blocks.append(Block("b", k, an, np.array([n]), rel, band))
    if "x" in wrt:
        numeric, flags = _x_block(net64, x, y, fwd, h)
        an = np.asarray(g.dx, np.float64)
        if an.shape[0] == 1:
            numeric, flags, an = numeric[0], flags[0], an[0]
        rel, band = _bands(an, numeric, flags, noise)
        blocks.append(Block("x", None, an, numeric, rel, band))
    return GradReport(net64, blocks, h, loss, noise)


# --- witnesses for named quantities ---------------------------------------------------------------

@dataclass(frozen=True)
class Witness:
    """A finite-difference witness for one element: L(+h), L(-h), their central difference, the analytic value."""

    name: str
    h: float
    loss_plus: float
    loss_minus: float
    numeric: float
    analytic: float
    rel: float


def _loss_from(net: MLP, kind: str, k: int, fwd, y: np.ndarray, value: np.ndarray) -> float:
    """Batch loss when z (kind 'delta') or a (kind 'dL_da') of layer k is replaced by value."""
    L = len(net.W)
    if kind == "dL_da" and k == L - 1:  # the loss of the output activations themselves
        per = net._loss.value(value, y, **net.loss_params)
        return net.batch_loss(per)
    a = value if kind == "dL_da" else net._acts[k].f(value, **net.act_params[k])
    z = value if kind == "delta" else fwd.z[k]
    for j in range(k + 1, L):
        z = a @ net.W[j].T + (0 if net.b[j] is None else net.b[j])
        a = net._acts[j].f(z, **net.act_params[j])
    tail = type(fwd)(fwd.x, [*fwd.z[:-1], z], [*fwd.a[:-1], a])
    return net.batch_loss(net.sample_losses(tail, y))


def fd_witness(net: MLP, x: object, y: object, names: list[str], h: float = 1e-5) -> dict[str, Witness]:
    """Central-difference witnesses for named elements (W2[1,1], b3[1], x[2], delta2[1], dL_da2[1]).

    Names and signs follow the network's conventions (first_index, layout, error_sign); for a
    batch, x, delta and dL_da take the sample first: delta2[1,2] is sample 1, neuron 2.
    """
    net64 = net.astype(np.float64)
    xb = np.asarray(x, dtype=np.float64)
    xb = xb.reshape(1, -1) if xb.ndim == 1 else xb
    yb = np.asarray(y, dtype=np.float64)
    yb = yb.reshape(1, -1) if yb.ndim == 1 else yb
    fwd = net64.forward(xb)
    g = net64.backward(fwd, yb)
    conv = net.conventions
    out: dict[str, Witness] = {}
    for name in names:
        kind, k, idx = parse_name(net64, name)
        if kind in ("x", "delta", "dL_da") and len(idx) == 1:
            idx = (0,) + idx
        losses = []
        for sign in (1.0, -1.0):
            if kind in ("W", "b"):
                probe = net64.copy()
                arr = probe.W[k] if kind == "W" else probe.b[k]
                if arr is None:
                    raise KeyError(f"{name!r}: this network has no bias in that layer")
                arr[idx if arr.size > 1 else (0,)] += sign * h
                losses.append(probe.batch_loss(probe.sample_losses(probe.forward(xb), yb)))
            elif kind == "x":
                xp = xb.copy()
                xp[idx] += sign * h
                losses.append(net64.batch_loss(net64.sample_losses(net64.forward(xp), yb)))
            else:
                base = fwd.z[k] if kind == "delta" else fwd.a[k]
                vp = base.copy()
                vp[idx] += sign * h
                losses.append(_loss_from(net64, kind, k, fwd, yb, vp))
        analytic = {"W": g.dW, "b": g.db, "delta": g.delta, "dL_da": g.dL_da}.get(kind)
        a_val = float((g.dx if kind == "x" else analytic[k])[idx if (kind != "b" or g.db[k].size > 1) else (0,)])
        numeric = (losses[0] - losses[1]) / (2 * h)
        den = max(abs(a_val), abs(numeric))
        sgn = -1.0 if conv.error_sign == "negative" else 1.0
        out[name] = Witness(name, h, float(losses[0]), float(losses[1]), sgn * numeric, sgn * a_val,
                            abs(a_val - numeric) / den if den else 0.0)
    return out


def check_function(f, grad, x: object, h: float = 1e-5) -> GradReport:
    """Check grad(x) against central differences of a scalar function f at x, element by element.

    For any function of one array (a loss of your own, an activation summed): 2 calls of f per
    element, no vectorization. Elements are named x[i] / x[i,j] (0-based); no kink detection.
    """
    x0 = np.array(x, dtype=np.float64)
    analytic = np.asarray(grad(x0.copy()), dtype=np.float64).reshape(x0.shape)
    numeric = np.empty_like(x0)
    for idx in np.ndindex(x0.shape):
        xp = x0.copy()
        xp[idx] += h
        xm = x0.copy()
        xm[idx] -= h
        numeric[idx] = (float(f(xp)) - float(f(xm))) / (2 * h)
    value = float(f(x0))
    noise = 10 * np.finfo(np.float64).eps * max(1.0, abs(value)) / h
    rel, band = _bands(analytic, numeric, np.zeros(x0.shape, np.int8), noise)
    conv = Conventions(first_index=0)
    holder = MLP([np.zeros((1, max(1, x0.size)))], [None], ["identity"], "half_squared_error", conventions=conv)
    return GradReport(holder, [Block("x", None, analytic, numeric, rel, band)], h, value, noise)
