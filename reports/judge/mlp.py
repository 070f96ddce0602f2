"""A network's worked example as a graph of named quantities, one node per (step, quantity, layer).

Each node's recipes are the stated computation first, then the other ways a careful hand computes it
from what it wrote: sigma'(z) as a(1-a) from the written a, tanh' as 1 - a^2, the softmax Jacobian on
the written a, the loss from the logits or from the written terms, a hidden dL/da from its written
parts, a softmax from the written exponentials, an update from dW directly. A `Variant` is a mistaken
way of computing (the 1/2 of squared error, another learning rate, W for W^T, ...): the same graph with
the nodes it touches built again. Arrays are in the core layout: samples as rows (B, n), weights
to_from (n_out, n_in), layers from 0; the error sign is each node's `sign`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from gradverify.judge.graph import Graph, Node, Recipe, rounding_inputs
from gradverify.judge.worked import WorkedExample
from gradverify.numeric.activations import Activation, get_activation
from gradverify.numeric.losses import get_loss, output_forms

Key = tuple[int, str, "int | None"]  # (step, quantity, core layer or None)
BACKWARD = ("dL_da", "dL_da_part", "delta", "dW", "db", "lr_dW", "lr_db", "dx")
OPTIONAL = ("exp_z", "sum_exp_z", "loss_term", "dL_da_part")  # nodes made only where they are claimed


@dataclass(frozen=True)
class Variant:
    """A way of computing that differs from the stated conventions (defaults: as stated)."""

    grad_scale: float = 1.0  # the output's dL/da scaled: 0.5 is the 1/2 convention of squared error
    lr: float | None = None
    update_sign: float = 1.0  # -1: W + lr dW
    reduction: str | None = None
    act_prime: str = "z"  # "z": f'(z); "output_at_z": a(1-a) with z for a; "at_a": f'(a)
    transpose: frozenset[int] = frozenset()  # layers k whose dL_da is W delta instead of W^T delta
    round_sig: int | None = None  # every node reads its inputs rounded to this many significant digits
    sign_back: float = 1.0  # every backward quantity negated (the other error-sign convention)
    no_bias: frozenset[int] = frozenset()  # layers whose z = W a is written without its bias
    l2_scale: float = 1.0  # the lambda W of dW: 0 forgotten, 0.5 written (lambda/2) W
    updated_back: bool = False  # hidden dL_da from the next layer's already-updated weights
    copied: bool = False  # every later step's z copied from the step before instead of recomputed


EXACT = Variant()
# The quantities whose nodes each way of computing touches (None: every node).
AFFECTS: dict[str, frozenset[str] | None] = {
    "grad_scale": frozenset({"dL_da", "delta"}), "lr": frozenset({"lr_dW", "lr_db", "W", "b", "run"}),
    "update_sign": frozenset({"W", "b", "run"}), "reduction": frozenset({"loss", "dW", "db", "dL_da", "delta"}),
    "act_prime": frozenset({"act_prime"}), "transpose": frozenset({"dL_da", "dL_da_part"}),
    "no_bias": frozenset({"z"}), "l2_scale": frozenset({"dW"}), "updated_back": frozenset({"dL_da", "dL_da_part"}),
    "copied": frozenset({"z"}),
}


def affected(v: Variant) -> frozenset[str]:
    """The quantities whose recipes a variant builds differently (rounding and the error sign are
    changes of every node, made on the stated graph's nodes)."""
    out: set[str] = set()
    for name, qs in AFFECTS.items():
        if getattr(v, name) != getattr(EXACT, name):
            out |= qs
    return frozenset(out)


@dataclass(frozen=True)
class Net:
    """The network in the core layout, with everything a node's recipe reads besides other nodes."""

    sizes: tuple[int, ...]
    acts: tuple[tuple[Activation, dict[str, float]], ...]
    loss_name: str
    loss_params: dict[str, float]
    lr: float | None
    x: np.ndarray
    y: np.ndarray
    W: tuple[np.ndarray, ...]
    b: tuple[np.ndarray | None, ...]
    conv: dict[str, Any]

    @property
    def L(self) -> int:
        return len(self.W)

    @property
    def B(self) -> int:
        return self.x.shape[0]

    @classmethod
    def of(cls, ex: WorkedExample) -> Net:
        conv = ex.conventions
        W = [np.asarray(w, dtype=float) for w in ex.weights]
        if conv["weights"] == "from_to":
            W = [w.T.copy() for w in W]
        b = [None if conv["bias"] == "none" else np.asarray(v, dtype=float) for v in ex.biases]
        return cls(tuple(ex.sizes), tuple((get_activation(n), dict(p)) for n, p in ex.activations), ex.loss[0],
                   dict(ex.loss[1]), ex.learning_rate, np.asarray(ex.x, dtype=float), np.asarray(ex.y, dtype=float),
                   tuple(W), tuple(b), dict(conv))


def _const(value: np.ndarray) -> Recipe:
    arr = np.array(value, dtype=float)
    arr.flags.writeable = False
    return Recipe((), lambda: arr)


class _Builder:
    """The nodes of a network's graph under one variant, with a signature per node of what it read."""

    def __init__(self, net: Net, v: Variant, steps: list[int], optional: set[Key],
                 wanted: frozenset[str] | None = None):
        self.net, self.v, self.steps, self.optional, self.wanted = net, v, steps, optional, wanted
        c = net.conv
        self.red_mode = v.reduction or c["reduction"]
        self.mean_at_output = self.red_mode == "mean" and c["batch_mean_at"] == "output_gradient"
        self.lr = net.lr if v.lr is None else v.lr
        self.fsign = -1.0 if c["error_sign"] == "negative" else 1.0
        self.loss = get_loss("cross_entropy" if net.loss_name == "softmax_cross_entropy" else net.loss_name)
        self.forms = output_forms(net.acts[-1][0].name, net.loss_name)
        self.frozen = c["bias"] in ("frozen", "shared_frozen")
        self.nodes: list[Node] = []
        self.sigs: dict[Key, tuple] = {}

    # --- bookkeeping -----------------------------------------------------------------------------
    def wants(self, *quantities: str) -> bool:
        return self.wanted is None or any(q in self.wanted for q in quantities)

    def add(self, key: Key, recipes: list[Recipe], *sig: Any) -> None:
        if not self.wants(key[1]):
            return
        self.nodes.append(Node(key, tuple(recipes), self.fsign if key[1] in BACKWARD else 1.0))
        self.sigs[key] = sig

    def has(self, key: Key) -> bool:
        return key[1] not in OPTIONAL or key in self.optional

    def red(self, v: np.ndarray) -> np.ndarray:
        """Over the batch: the mean's 1/B here unless the output gradient already carries it."""
        return v.sum(axis=0) / (self.net.B if self.red_mode == "mean" and not self.mean_at_output else 1)

    # --- the whole graph -------------------------------------------------------------------------
    def build(self) -> None:
        self.prev: int | None = None
        for s in self.steps:
            if self.wants("W", "b", "run"):
                self.params(s, self.prev)
            self.step(s)
            self.prev = s

    def params(self, s: int, prev: int | None) -> None:
        net, L = self.net, self.net.L
        if prev is None and s == 1:
            for k in range(L):
                self.add((s, "W", k), [_const(net.W[k])], "init")
                if net.b[k] is not None:
                    self.add((s, "b", k), [_const(net.b[k])], "init")
            return
        if prev is None or s > prev + 1:
            self.run(s, prev)
            return
        u = self.v.update_sign
        for k in range(L):
            for kind in ("W", "b"):
                if kind == "b" and net.b[k] is None:
                    continue
                old, term, grad = (prev, kind, k), (prev, "lr_" + "d" + kind, k), (prev, "d" + kind, k)
                if kind == "b" and self.frozen:
                    self.add((s, kind, k), [Recipe((old,), lambda b: b)], "frozen")
                    continue
                lr = self.lr
                self.add((s, kind, k), [Recipe((old, term), lambda w, t: w - u * t),
                                        Recipe((old, grad), lambda w, g: w - u * lr * g, "from dW directly", (term,))],
                         "update", u, lr)

    def run(self, s: int, prev: int | None) -> None:
        """Parameters of step s after the unprinted steps since `prev` (or since the start)."""
        net = self.net
        keys = [(prev, q, k) for k in range(net.L) for q in ("W", "b", "lr_dW", "lr_db")
                if prev is not None and (q in ("W", "lr_dW") or net.b[k] is not None)
                and not (q == "lr_db" and self.frozen)]
        first = 1 if prev is None else prev + 1  # the first step run whole, from the updated parameters
        runner = StepRunner(net, self.frozen)
        u = self.v.update_sign

        def run(*vals: np.ndarray) -> np.ndarray:
            if prev is None:
                W, b = list(net.W), list(net.b)
            else:
                got = dict(zip(keys, vals))
                W = [got[(prev, "W", k)] - u * got[(prev, "lr_dW", k)] for k in range(net.L)]
                b = [None if net.b[k] is None else got[(prev, "b", k)] - (
                    0 if self.frozen else u * got[(prev, "lr_db", k)]) for k in range(net.L)]
            return runner.run(W, b, s - first)

        self.add((s, "run", None), [Recipe(tuple(keys), run)], "run", prev)
        offsets = runner.offsets()
        for (kind, k), (lo, hi, shape) in offsets.items():
            self.add((s, kind, k), [Recipe(((s, "run", None),), lambda p, lo=lo, hi=hi, shape=shape: p[lo:hi].reshape(shape))],
                     "slice")

    def step(self, s: int) -> None:
        net, L = self.net, self.net.L
        if self.wants("x"):
            self.add((s, "x", None), [_const(net.x)], "data")
        if self.wants("z", "exp_z", "sum_exp_z", "a", "act_prime"):
            for k in range(L):
                self.forward(s, k)
        if self.wants("loss_term", "loss"):
            self.loss_nodes(s)
        if self.wants("dL_da"):
            self.add((s, "dL_da", L - 1), [Recipe(((s, "a", L - 1),), self.output_grad)], "dL_da_out",
                     self.v.grad_scale, self.mean_at_output)
        if self.wants(*BACKWARD):
            for k in range(L - 1, -1, -1):
                self.backward(s, k)
        if self.wants("dx"):
            self.add((s, "dx", None), [Recipe(((s, "delta", 0), (s, "W", 0)), lambda d, w: d @ w)], "dx")

    # --- forward ---------------------------------------------------------------------------------
    def forward(self, s: int, k: int) -> None:
        net = self.net
        act, p = net.acts[k]
        a_in = (s, "x", None) if k == 0 else (s, "a", k - 1)
        if not self.wants("z"):
            pass
        elif self.v.copied and self.prev is not None:
            self.add((s, "z", k), [Recipe(((self.prev, "z", k),), lambda zz: zz)], "z copied")
        elif net.b[k] is None or k in self.v.no_bias:
            self.add((s, "z", k), [Recipe((a_in, (s, "W", k)), _z_without_bias)], "z", k in self.v.no_bias)
        else:
            self.add((s, "z", k), [Recipe((a_in, (s, "W", k), (s, "b", k)), _z)], "z")
        if not self.wants("exp_z", "sum_exp_z", "a", "act_prime"):
            return
        z, a = (s, "z", k), (s, "a", k)
        recipes = [Recipe((z,), lambda zz: act.f(zz, **p))]
        if act.name == "softmax":
            e, tot = (s, "exp_z", k), (s, "sum_exp_z", k)
            if self.has(e):
                self.add(e, [Recipe((z,), np.exp),
                             Recipe((z,), lambda zz: np.exp(zz - zz.max(axis=-1, keepdims=True)),
                                    "shifted by the largest z")], "exp")
            if self.has(tot):
                self.add(tot, [Recipe((e,), lambda ee: ee.sum(axis=-1))] if self.has(e) else
                         [Recipe((z,), lambda zz: np.exp(zz).sum(axis=-1)),
                          Recipe((z,), lambda zz: np.exp(zz - zz.max(axis=-1, keepdims=True)).sum(axis=-1),
                                 "shifted by the largest z")], "sum")
            if self.has(e) and self.has(tot):
                recipes.append(Recipe((e, tot), lambda ee, t: ee / t[..., None], "from your exponentials", (e,)))
            elif self.has(e):
                recipes.append(Recipe((e,), lambda ee: ee / ee.sum(axis=-1, keepdims=True), "from your exponentials", (e,)))
            elif self.has(tot):
                recipes += [Recipe((z, tot), lambda zz, t: np.exp(zz) / t[..., None], "from your sum of exponentials", (tot,)),
                            Recipe((z, tot), lambda zz, t: np.exp(zz - zz.max(axis=-1, keepdims=True)) / t[..., None],
                                   "from your sum of shifted exponentials", (tot,))]
        self.add(a, recipes, "a")
        if not act.elementwise or not self.wants("act_prime"):
            return
        how = self.v.act_prime
        if how == "output_at_z" and act.df_from_output is not None:
            stated = Recipe((z,), lambda zz: act.df_from_output(zz, **p))
        elif how == "at_a":
            stated = Recipe((a,), lambda aa: act.df(aa, **p))
        else:
            stated = Recipe((z,), lambda zz: act.df(zz, **p))
        recipes = [stated]
        if act.df_from_output is not None:
            recipes.append(Recipe((a,), lambda aa: act.df_from_output(aa, **p), "from your a", (a,)))
        self.add((s, "act_prime", k), recipes, "act_prime", how)

    # --- loss ------------------------------------------------------------------------------------
    def reg(self, *W: np.ndarray) -> float:
        return 0.5 * self.net.conv["l2"] * sum(float(np.sum(w * w)) for w in W)

    def loss_nodes(self, s: int) -> None:
        net, L = self.net, self.net.L
        aL, zL = (s, "a", L - 1), (s, "z", L - 1)
        Ws = tuple((s, "W", k) for k in range(L)) if net.conv["l2"] else ()
        y, p, loss = net.y, net.loss_params, self.loss
        fused = net.loss_name == "softmax_cross_entropy"
        term = (s, "loss_term", None)
        if self.has(term):
            if fused:
                self.add(term, [Recipe((zL,), lambda z: get_loss("softmax_cross_entropy").terms(z, y)),
                                Recipe((aL,), lambda a: loss.terms(a, y), "from your probabilities", (aL,))], "term")
            else:
                self.add(term, [Recipe((aL,), lambda a: loss.terms(a, y, **p))], "term")
        recipes = [Recipe((aL, zL, *Ws), lambda a, z, *W: self.loss_value(a, z, *W))]
        if self.forms is not None:
            by_logits = self.forms[0]
            recipes.append(Recipe((zL, *Ws), lambda z, *W: self.red(by_logits(z, y)) + self.reg(*W), "from the logits"))
        if self.has(term):
            recipes.append(Recipe((term, *Ws), lambda t, *W: self.red(t.sum(axis=-1)) + self.reg(*W),
                                  "from your loss terms", (term,)))
        self.add((s, "loss", None), recipes, "loss", self.red_mode)

    def loss_value(self, a: np.ndarray, z: np.ndarray, *W: np.ndarray) -> np.ndarray:
        y = self.net.y
        value = self.red(self.loss.value(a, y, **self.net.loss_params)) + self.reg(*W)
        if self.forms is not None and not np.all(np.isfinite(value)):  # a probability of exactly 0 or 1
            value = self.red(self.forms[0](z, y)) + self.reg(*W)
        return value

    def output_grad(self, a: np.ndarray) -> np.ndarray:
        g = self.v.grad_scale * self.loss.grad(a, self.net.y, **self.net.loss_params)
        return g / self.net.B if self.mean_at_output else g

    # --- backward --------------------------------------------------------------------------------
    def backward(self, s: int, k: int) -> None:
        net, L = self.net, self.net.L
        if k < L - 1 and self.wants("dL_da", "dL_da_part"):
            nxt, Wn = (s, "delta", k + 1), (s, "W", k + 1)
            t = k in self.v.transpose
            if self.v.updated_back and net.lr is not None:  # W^T delta with W already updated
                recipes = [Recipe((nxt, Wn, (s, "lr_dW", k + 1)), lambda d, w, step: d @ (w - step))]
            else:
                recipes = [Recipe((nxt, Wn), lambda d, w: d @ (w.T if t and w.shape[0] == w.shape[1] else w))]
            part = (s, "dL_da_part", k)
            if self.has(part):  # W_ji delta_j, with the W the sum uses
                if self.v.updated_back and net.lr is not None:
                    parts = Recipe((nxt, Wn, (s, "lr_dW", k + 1)), lambda d, w, step: d[:, None, :] * (w - step).T[None])
                else:
                    parts = Recipe((nxt, Wn), lambda d, w: d[:, None, :] * (w if t and w.shape[0] == w.shape[1] else w.T)[None])
                self.add(part, [parts], "part", t, self.v.updated_back)
                recipes.append(Recipe((part,), lambda q: q.sum(axis=-1), "from your parts", (part,)))
            self.add((s, "dL_da", k), recipes, "dL_da", t, self.v.updated_back)
        if self.wants("delta"):
            self.delta(s, k)
        if not self.wants("dW", "db", "lr_dW", "lr_db"):
            return
        a_in = (s, "x", None) if k == 0 else (s, "a", k - 1)
        l2 = net.conv["l2"] * self.v.l2_scale
        d, W = (s, "delta", k), (s, "W", k)
        self.add((s, "dW", k), [Recipe((d, a_in, W), lambda dd, a, w: self.red(dd[:, :, None] * a[:, None, :]) + l2 * w)],
                 "dW", self.red_mode, self.mean_at_output, l2)
        has_b = net.b[k] is not None
        if has_b:
            shared = np.ndim(net.b[k]) == 0
            self.add((s, "db", k), [Recipe((d,), lambda dd: self.red(dd).sum() if shared else self.red(dd))],
                     "db", self.red_mode, self.mean_at_output)
        if net.lr is None:
            return
        lr = self.lr
        self.add((s, "lr_dW", k), [Recipe(((s, "dW", k),), lambda g: lr * g)], "lr", lr)
        if has_b and not self.frozen:
            self.add((s, "lr_db", k), [Recipe(((s, "db", k),), lambda g: lr * g)], "lr", lr)

    def delta(self, s: int, k: int) -> None:
        net, L = self.net, self.net.L
        act, p = net.acts[k]
        g, z, a = (s, "dL_da", k), (s, "z", k), (s, "a", k)
        if act.elementwise:
            chain = Recipe((g, (s, "act_prime", k)), lambda gg, ap: gg * ap)
            alt = []
        else:
            chain = Recipe((g, z), lambda gg, zz: act.vjp(zz, gg, **p))
            alt = [Recipe((g, a), _softmax_vjp_at_output, "the Jacobian on your a", (a,))]
        if self.forms is None or k < L - 1:
            self.add((s, "delta", k), [chain, *alt], "delta")
            return
        scale = self.v.grad_scale / (net.B if self.mean_at_output else 1)
        short_form, y = self.forms[1], net.y
        short = Recipe((a,), lambda aa: scale * short_form(aa, y),
                       "the fused softmax/cross-entropy form" if act.name == "softmax" else "the fused form a - y")
        chain_words = "the Jacobian-vector product" if act.name == "softmax" else "the chain rule dL/da f'(z)"
        if net.loss_name == "softmax_cross_entropy":
            recipes = [Recipe(short.parents, short.fn), Recipe(chain.parents, chain.fn, chain_words), *alt]
        else:  # stated as the chain rule; where a saturates to 0 or 1 the chain is inf or NaN: the short form
            recipes = [Recipe(chain.parents + short.parents, _finite_or(chain.fn, short.fn, len(chain.parents))),
                       Recipe(short.parents, short.fn, short.label), *alt]
        self.add((s, "delta", k), recipes, "delta_out", scale)


def _z(a: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    return a @ w.T + b


def _z_without_bias(a: np.ndarray, w: np.ndarray) -> np.ndarray:
    return a @ w.T


def _softmax_vjp_at_output(g: np.ndarray, a: np.ndarray) -> np.ndarray:
    """v^T J with the Jacobian a_i(delta_ij - a_j) taken at the written a."""
    return a * (g - np.sum(g * a, axis=-1, keepdims=True))


def _finite_or(first: Callable[..., np.ndarray], second: Callable[..., np.ndarray], n: int) -> Callable[..., np.ndarray]:
    def fn(*args: np.ndarray) -> np.ndarray:
        v = first(*args[:n])
        return v if np.all(np.isfinite(v)) else second(*args[n:])
    return fn


class StepRunner:
    """Whole steps the hand did not print, in float64 under the stated conventions (no claims)."""

    def __init__(self, net: Net, frozen: bool):
        self.net, self.frozen = net, frozen
        self.b_keys = [k for k in range(net.L) if net.b[k] is not None]
        builder = _Builder(net, EXACT, [1], set())
        builder.build()
        self.graph = Graph(builder.nodes)

    def offsets(self) -> dict[tuple[str, int], tuple[int, int, tuple[int, ...]]]:
        out, at = {}, 0
        for k in range(self.net.L):
            for kind, arr in (("W", self.net.W[k]), ("b", self.net.b[k])):
                if arr is None:
                    continue
                out[(kind, k)] = (at, at + arr.size, arr.shape)
                at += arr.size
        return out

    def run(self, W: list[np.ndarray], b: list[np.ndarray | None], n: int) -> np.ndarray:
        """The parameters after `n` whole steps from W, b, flattened in `offsets` order."""
        values: dict[Key, np.ndarray] = {}
        lr = self.net.lr or 0.0
        W, b = [np.asarray(w, dtype=float) for w in W], [None if v is None else np.asarray(v, dtype=float) for v in b]
        with np.errstate(all="ignore"):
            for _ in range(n):
                for node in self.graph.nodes:
                    q, k = node.key[1], node.key[2]
                    if q in ("W", "b"):
                        values[node.key] = W[k] if q == "W" else b[k]
                        continue
                    r = node.recipes[0]
                    values[node.key] = np.asarray(r.fn(*(values[p] for p in r.parents)), dtype=float)
                W = [W[k] - lr * values[(1, "dW", k)] for k in range(self.net.L)]
                b = [None if b[k] is None else (b[k] if self.frozen else b[k] - lr * values[(1, "db", k)])
                     for k in range(self.net.L)]
        parts = [W[k].ravel() if kind == "W" else np.ravel(b[k]) for (kind, k) in self.offsets()]
        return np.concatenate(parts) if parts else np.zeros(0)


class NetworkGraph:
    """A network's graphs over the printed `steps`: as stated, and under each variant tried (cached).
    `optional` names the nodes made only where claimed (exponentials, loss terms, dL/da parts)."""

    def __init__(self, net: Net, steps: list[int], optional: set[Key] | frozenset[Key] = frozenset()):
        self.net, self.steps, self.optional = net, sorted(steps), set(optional)
        self._graphs: dict[Variant, tuple[Graph, frozenset]] = {}
        b = _Builder(self.net, EXACT, self.steps, self.optional)
        b.build()
        self.stated = Graph(b.nodes)
        self._sigs = b.sigs

    @classmethod
    def of(cls, ex: WorkedExample) -> NetworkGraph:
        """The graphs of a worked example: the steps it prints, the optional nodes it claims."""
        return cls(Net.of(ex), sorted({c.step for c in ex.claims}), {c.node for c in ex.claims if c.quantity in OPTIONAL})

    def touched(self, v: Variant) -> frozenset[Key]:
        """The nodes `v` may compute differently: a superset of what `graph(v)` rebuilds, known
        without building it (its quantities in AFFECTS; every node when it rounds, the backward
        ones when it flips the error sign)."""
        if v == EXACT:
            return frozenset()
        if v.round_sig:
            return frozenset(self.stated.index)
        qs = affected(v) | (frozenset(BACKWARD) if v.sign_back != 1.0 else frozenset())
        return frozenset(k for k in self.stated.index if k[1] in qs)

    def graph(self, v: Variant = EXACT) -> tuple[Graph, frozenset]:
        """The graph under `v`, and the keys of the nodes that differ from the stated graph's."""
        if v == EXACT:
            return self.stated, frozenset()
        found = self._graphs.get(v)
        if found is None:
            built: dict[Key, Node] = {}
            wanted = affected(v)
            if wanted:
                b = _Builder(self.net, v, self.steps, self.optional, wanted)
                b.build()
                built = {n.key: n for n in b.nodes if b.sigs[n.key] != self._sigs[n.key]}
            if v.round_sig or v.sign_back != 1.0:
                for node in self.stated.nodes:
                    n = built.get(node.key, node)
                    if v.sign_back != 1.0 and node.key[1] in BACKWARD:
                        n = Node(n.key, n.recipes, n.sign * v.sign_back)
                    if v.round_sig:
                        n = rounding_inputs(n, v.round_sig)
                    if n is not node:
                        built[node.key] = n
            found = self._graphs[v] = (self.stated.with_nodes(built.values()), frozenset(built))
        return found
