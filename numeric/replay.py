"""Replay a hand-worked example with local formulas, in the order a person computes them.

Each formula reads its inputs through the person's claims (element-wise overrides): with no
overrides the replay is the exact chain; with the claims as overrides every quantity is recomputed
from the person's own earlier numbers (error carried forward). A `Variant` replays under a
mistaken convention (the 1/2 of squared error, another learning rate, ...) to name a mistake.
Arrays are in the core layout: per-sample quantities (B, n), W to_from (n_out, n_in).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Mapping

import numpy as np

from .activations import get_activation
from .losses import get_loss

Key = tuple[int, str, "int | None"]  # (step, quantity, core layer or None)
BACKWARD = ("dL_da", "delta", "dW", "db", "dx")


@dataclass
class Net:
    """A network as the worked example states it (core layout, gradient sign internally)."""

    sizes: list[int]
    activations: list[tuple[str, dict[str, float]]]
    loss: tuple[str, dict[str, float]]
    lr: float
    x: np.ndarray  # (B, n0)
    y: np.ndarray  # (B, nL)
    W: list[np.ndarray]  # to_from
    b: list[np.ndarray | None]  # (n,) per neuron, () shared, None none
    reduction: str = "mean"
    bias: str = "per_neuron"
    error_sign: str = "gradient"
    l2: float = 0.0


@dataclass(frozen=True)
class Variant:
    """A way of computing that differs from the stated conventions (None/1: as stated)."""

    grad_scale: float = 1.0  # dL/da of the output scaled: 0.5 is the 1/2 convention of squared error
    lr: float | None = None
    update_sign: float = 1.0  # -1: W + lr dW
    reduction: str | None = None
    act_prime: str = "z"  # "z": f'(z); "output_at_z": a(1-a) with z for a; "at_a": f'(a)
    transpose_back: bool = False  # dL_da = W delta instead of W^T delta
    round_sig: int | None = None  # every formula reads inputs rounded to this many significant digits
    sign_back: float = 1.0  # every backward quantity negated (the other error-sign convention)


EXACT = Variant()


@dataclass
class Replay:
    """Values recomputed by each formula (`raw`, in the file's error sign), alternatives, and taken values."""

    raw: dict[Key, np.ndarray] = field(default_factory=dict)
    alt: dict[Key, list[tuple[str, np.ndarray]]] = field(default_factory=dict)
    taken: dict[Key, np.ndarray] = field(default_factory=dict)


def _round_sig(a: np.ndarray, digits: int) -> np.ndarray:
    a = np.asarray(a, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        mag = np.where(a == 0, 0.0, np.floor(np.log10(np.abs(np.where(a == 0, 1.0, a)))))
    scale = 10.0 ** (digits - 1 - mag)
    return np.where(a == 0, 0.0, np.round(a * scale) / scale)


def replay(net: Net, n_steps: int, overrides: Mapping[Key, tuple[np.ndarray, np.ndarray]] | None = None,
           variant: Variant = EXACT) -> Replay:
    """Replay `n_steps` steps; `overrides[key] = (values, mask)` in the file's sign replace elements."""
    overrides = overrides or {}
    out = Replay()
    fsign = -1.0 if net.error_sign == "negative" else 1.0
    reduction = variant.reduction or net.reduction
    lr = net.lr if variant.lr is None else variant.lr
    B = net.x.shape[0]
    L = len(net.W)
    acts = [(get_activation(n), p) for n, p in net.activations]
    loss_name, loss_params = net.loss
    fused = loss_name == "softmax_cross_entropy"
    loss_fn = get_loss("cross_entropy" if fused else loss_name)

    def red(v: np.ndarray) -> np.ndarray:
        return v.sum(axis=0) / (B if reduction == "mean" else 1)

    def put(key: Key, value: np.ndarray, alts: list[tuple[str, np.ndarray]] | None = None) -> None:
        """Record the recomputed value and take the person's claims over it."""
        s = fsign * variant.sign_back if key[1] in BACKWARD else 1.0
        value = np.asarray(value, dtype=float)
        out.raw[key] = value if s == 1.0 else -value
        if alts:
            out.alt[key] = [(label, s * np.asarray(v, dtype=float)) for label, v in alts]
        ov = overrides.get(key)
        if ov is None:
            out.taken[key] = value
        else:
            vals, mask = ov
            out.taken[key] = np.where(mask, vals if s == 1.0 else -vals, value)

    def get(key: Key) -> np.ndarray:
        v = out.taken[key]
        return _round_sig(v, variant.round_sig) if variant.round_sig else v

    W_next = [w.astype(float) for w in net.W]
    b_next = [None if b is None else np.asarray(b, dtype=float) for b in net.b]
    for s in range(1, n_steps + 1):
        for k in range(L):
            put((s, "W", k), W_next[k])
            if b_next[k] is not None:
                put((s, "b", k), b_next[k])
        # forward
        a_prev = net.x
        for k, (act, p) in enumerate(acts):
            z = a_prev @ get((s, "W", k)).T
            if b_next[k] is not None:
                z = z + get((s, "b", k))
            put((s, "z", k), z)
            zt = get((s, "z", k))
            put((s, "a", k), act.f(zt, **p))
            if act.elementwise:
                alts = []
                if act.df_from_output is not None:
                    alts.append(("from the output", act.df_from_output(get((s, "a", k)), **p)))
                if variant.act_prime == "output_at_z" and act.df_from_output is not None:
                    value = act.df_from_output(zt, **p)
                elif variant.act_prime == "at_a":
                    value = act.df(get((s, "a", k)), **p)
                else:
                    value = act.df(zt, **p)
                put((s, "act_prime", k), value, alts)
            a_prev = get((s, "a", k))
        aL, zL = get((s, "a", L - 1)), get((s, "z", L - 1))
        reg = 0.5 * net.l2 * sum(float(np.sum(get((s, "W", k)) ** 2)) for k in range(L))
        with np.errstate(all="ignore"):
            per = loss_fn.value(aL, net.y, **loss_params)
            alts = [("from the logits", red(get_loss(loss_name).value(zL, net.y)) + reg)] if fused else None
            put((s, "loss", None), red(per) + reg, alts)
            put((s, "dL_da", L - 1), variant.grad_scale * loss_fn.grad(aL, net.y, **loss_params))
        # backward
        for k in range(L - 1, -1, -1):
            act, p = acts[k]
            if k < L - 1:
                Wn = get((s, "W", k + 1))
                back = Wn.T if variant.transpose_back and Wn.shape[0] == Wn.shape[1] else Wn
                put((s, "dL_da", k), get((s, "delta", k + 1)) @ back)
            g = get((s, "dL_da", k))
            if act.elementwise:
                value = g * get((s, "act_prime", k))
                alts = [("the fused softmax/cross-entropy form", variant.grad_scale * (get((s, "a", k)) - net.y))] if fused and k == L - 1 else None
            elif fused and k == L - 1:
                value = variant.grad_scale * (get((s, "a", k)) - net.y)
                alts = [("the Jacobian-vector product", act.vjp(get((s, "z", k)), g, **p))]
            else:
                value, alts = act.vjp(get((s, "z", k)), g, **p), None
            put((s, "delta", k), value, alts)
            d = get((s, "delta", k))
            a_in = net.x if k == 0 else get((s, "a", k - 1))
            put((s, "dW", k), red(d[:, :, None] * a_in[:, None, :]) + net.l2 * get((s, "W", k)))
            if b_next[k] is not None:
                db = red(d)
                put((s, "db", k), db.sum() if np.ndim(b_next[k]) == 0 else db)
        put((s, "dx", None), get((s, "delta", 0)) @ get((s, "W", 0)))
        # update: the parameters of the next step
        for k in range(L):
            W_next[k] = get((s, "W", k)) - variant.update_sign * lr * get((s, "dW", k))
            if b_next[k] is not None:
                bt = get((s, "b", k))
                b_next[k] = bt if net.bias == "frozen" else bt - variant.update_sign * lr * get((s, "db", k))
    return out


def with_variant(variant: Variant, **changes: Any) -> Variant:
    """A copy of `variant` with some fields changed."""
    return replace(variant, **changes)
