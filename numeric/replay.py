"""Replay a hand-worked example with local formulas, in the order a person computes them.

Each formula reads its inputs through the person's claims (element-wise overrides): with no
overrides the replay is the exact chain; with the claims as overrides every quantity is recomputed
from the person's own earlier numbers (error carried forward). A `Variant` replays under a
mistaken convention (the 1/2 of squared error, another learning rate, ...) to name a mistake.
Arrays are in the core layout: per-sample quantities (B, n), W to_from (n_out, n_in).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Mapping

import numpy as np

from gradverify.numeric.activations import get_activation
from gradverify.numeric.losses import LossDomainWarning, get_loss, output_forms
from gradverify.numeric.replaymemo import ReplayMemo

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
           variant: Variant = EXACT, memo: ReplayMemo | None = None) -> Replay:
    """Replay `n_steps` steps; `overrides[key] = (values, mask)` in the file's sign replace elements.

    With a `memo` (of this `net`), a formula whose inputs were seen before under `variant` is not
    computed again: the results are the same, to the bit, as without one."""
    if memo is not None and memo.net is not net:
        raise ValueError("the replay memo belongs to another network")
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
    forms = output_forms(net.activations[-1][0], loss_name)  # the logits' loss and a - y, finite when a saturates
    has_b = [b is not None for b in net.b]
    table = None if memo is None else memo.formulas(variant)
    reads: list[Key] | None = None  # the keys the formula being computed for the memo reads
    seen: dict[Key, bytes] = {}  # with a memo: the bytes of each taken value, what formulas are recalled by

    def red(v: np.ndarray) -> np.ndarray:
        return v.sum(axis=0) / (B if reduction == "mean" else 1)

    def put(key: Key, formula: Callable[[], tuple[Any, list[tuple[str, Any]] | None]]) -> None:
        """Compute (or recall) `key`'s value and alternatives, and take the person's claims over it."""
        nonlocal reads
        s = fsign * variant.sign_back if key[1] in BACKWARD else 1.0
        found = None if table is None else memo.lookup(table, key, seen)
        if found is None:
            reads = [] if table is not None else None
            value, alts = formula()
            value = np.asarray(value, dtype=float)
            found = (value if s == 1.0 else -value,
                     [(label, s * np.asarray(v, dtype=float)) for label, v in alts] if alts else None, value)
            if table is not None:
                found = memo.store(table, key, reads, seen, found)
                reads = None
        raw, alt, value = found[0], found[1], found[2]
        out.raw[key] = raw
        if alt:
            out.alt[key] = alt
        ov = overrides.get(key)
        if ov is None:
            out.taken[key] = value
        else:
            vals, mask = ov
            value = out.taken[key] = np.where(mask, vals if s == 1.0 else -vals, value)
        if table is not None:
            seen[key] = found[3] if ov is None else value.tobytes()

    def get(key: Key) -> np.ndarray:
        if reads is not None:
            reads.append(key)
        v = out.taken[key]
        return _round_sig(v, variant.round_sig) if variant.round_sig else v

    # Each formula reads the values it needs through get(), inside its lambda, so a memo sees them.
    def param(s: int, kind: str, k: int) -> tuple[np.ndarray, None]:
        if s == 1:
            return (net.W[k].astype(float) if kind == "W" else np.array(net.b[k], dtype=float)), None
        prev = get((s - 1, kind, k))
        if kind == "b" and net.bias == "frozen":
            return prev, None
        return prev - variant.update_sign * lr * get((s - 1, "d" + kind, k)), None

    def z_of(s: int, k: int) -> tuple[np.ndarray, None]:
        z = (net.x if k == 0 else get((s, "a", k - 1))) @ get((s, "W", k)).T
        return (z + get((s, "b", k)) if has_b[k] else z), None

    def act_prime(s: int, k: int) -> tuple[np.ndarray, list[tuple[str, np.ndarray]]]:
        act, p = acts[k]
        zt = get((s, "z", k))
        alts = []
        if act.df_from_output is not None:
            alts.append(("from the output", act.df_from_output(get((s, "a", k)), **p)))
        if variant.act_prime == "output_at_z" and act.df_from_output is not None:
            return act.df_from_output(zt, **p), alts
        if variant.act_prime == "at_a":
            return act.df(get((s, "a", k)), **p), alts
        return act.df(zt, **p), alts

    def loss_of(s: int) -> tuple[Any, list[tuple[str, Any]] | None]:
        aL, zL = get((s, "a", L - 1)), get((s, "z", L - 1))
        reg = 0.5 * net.l2 * sum(float(np.sum(get((s, "W", k)) ** 2)) for k in range(L)) if net.l2 else 0.0
        value = red(loss_fn.value(aL, net.y, **loss_params)) + reg
        if forms is None:
            return value, None
        by_logits = red(forms[0](zL, net.y)) + reg
        if np.all(np.isfinite(value)):
            return value, [("from the logits", by_logits)]
        return by_logits, [("from the probabilities", value)]  # a probability is exactly 0 or 1 in float

    def output_grad(s: int) -> tuple[np.ndarray, None]:
        return variant.grad_scale * loss_fn.grad(get((s, "a", L - 1)), net.y, **loss_params), None

    def hidden_grad(s: int, k: int) -> tuple[np.ndarray, None]:
        Wn = get((s, "W", k + 1))
        back = Wn.T if variant.transpose_back and Wn.shape[0] == Wn.shape[1] else Wn
        return get((s, "delta", k + 1)) @ back, None

    def delta_of(s: int, k: int) -> tuple[np.ndarray, list[tuple[str, np.ndarray]] | None]:
        act, p = acts[k]
        g = get((s, "dL_da", k))
        chain = g * get((s, "act_prime", k)) if act.elementwise else act.vjp(get((s, "z", k)), g, **p)
        if forms is None or k < L - 1:
            return chain, None
        short = variant.grad_scale * forms[1](get((s, "a", k)), net.y)
        if act.name == "softmax":
            short_label, chain_label = "the fused softmax/cross-entropy form", "the Jacobian-vector product"
        else:
            short_label, chain_label = "the fused sigmoid/cross-entropy form a - y", "the chain rule dL/da f'(z)"
        if fused or not np.all(np.isfinite(chain)):  # fused by name, or a saturated to 0 or 1: dL/da is infinite
            return short, [(chain_label, chain)]
        return chain, [(short_label, short)]

    def dW_of(s: int, k: int) -> tuple[np.ndarray, None]:
        d = get((s, "delta", k))
        a_in = net.x if k == 0 else get((s, "a", k - 1))
        return red(d[:, :, None] * a_in[:, None, :]) + net.l2 * get((s, "W", k)), None

    def db_of(s: int, k: int) -> tuple[Any, None]:
        db = red(get((s, "delta", k)))
        return (db.sum() if np.ndim(net.b[k]) == 0 else db), None

    def replay_step(s: int) -> None:
        for k in range(L):
            put((s, "W", k), lambda: param(s, "W", k))
            if has_b[k]:
                put((s, "b", k), lambda: param(s, "b", k))
        # forward
        for k, (act, p) in enumerate(acts):
            put((s, "z", k), lambda: z_of(s, k))
            put((s, "a", k), lambda: (act.f(get((s, "z", k)), **p), None))
            if act.elementwise:
                put((s, "act_prime", k), lambda: act_prime(s, k))
        put((s, "loss", None), lambda: loss_of(s))
        put((s, "dL_da", L - 1), lambda: output_grad(s))
        # backward
        for k in range(L - 1, -1, -1):
            if k < L - 1:
                put((s, "dL_da", k), lambda: hidden_grad(s, k))
            put((s, "delta", k), lambda: delta_of(s, k))
            put((s, "dW", k), lambda: dW_of(s, k))
            if has_b[k]:
                put((s, "db", k), lambda: db_of(s, k))
        put((s, "dx", None), lambda: (get((s, "delta", 0)) @ get((s, "W", 0)), None))

    # an overflow, an infinite log or -y/a is the replay's (and its caller's) to handle, not the user's to read
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", LossDomainWarning)
        for s in range(1, n_steps + 1):
            replay_step(s)
    return out


def with_variant(variant: Variant, **changes: Any) -> Variant:
    """A copy of `variant` with some fields changed."""
    return replace(variant, **changes)
