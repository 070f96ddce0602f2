"""Honest hand work, generated the way a careful person computes it, independently of the engine.

Every number is computed from the person's own written, rounded earlier numbers with the textbook
recipes (a(1-a) and 1 - a^2 from the written a, the softmax Jacobian on the written a, W^T delta with
the written delta, the update from the written gradient), in 50-digit arithmetic (mpmath, never the
engine), then printed at the file's precision. Some intermediate numbers are left unwritten; those are
carried at full precision, as on a calculator. The file's conventions (numbering, weight layout, bias,
error sign, batch, L2, labels) and its network (every activation and loss the format offers) are drawn
at random from a seed, so a test can ask the judge for zero `wrong` over hundreds of such files.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal

import mpmath as mp

mp.mp.dps = 50
M = list  # a matrix is a list of rows of mpf

HIDDEN = ["sigmoid", "tanh", "relu", "leaky_relu", "prelu", "elu", "softplus", "identity", "gelu", "silu"]
OUTPUTS = [("sigmoid", "squared_error"), ("sigmoid", "half_squared_error"), ("sigmoid", "mean_squared_error"),
           ("sigmoid", "binary_cross_entropy"), ("identity", "squared_error"), ("identity", "huber"),
           ("identity", "huber_mean"), ("identity", "l1"), ("identity", "hinge"), ("identity", "cosine_similarity"),
           ("tanh", "half_squared_error"), ("softmax", "cross_entropy"), ("softmax", "softmax_cross_entropy"),
           ("softmax", "squared_error"), ("identity", "multiclass_svm"), ("sigmoid", "none"), ("identity", "none")]
PARAMS = {"leaky_relu": {"alpha": "0.1"}, "prelu": {"a": "0.25"}, "elu": {"alpha": "1.0"}}
FROM_OUTPUT = {"sigmoid", "tanh", "relu", "leaky_relu", "prelu", "elu", "softplus", "identity"}


def sig(z: mp.mpf) -> mp.mpf:
    return 1 / (1 + mp.exp(-z))


def act(name: str, z: mp.mpf) -> mp.mpf:
    p = {k: mp.mpf(v) for k, v in PARAMS.get(name, {}).items()}
    return {"sigmoid": lambda: sig(z), "tanh": lambda: mp.tanh(z), "relu": lambda: max(z, mp.mpf(0)),
            "leaky_relu": lambda: z if z > 0 else p.get("alpha", 0) * z, "prelu": lambda: z if z > 0 else p.get("a", 0) * z,
            "elu": lambda: z if z > 0 else p.get("alpha", 0) * (mp.exp(z) - 1), "softplus": lambda: mp.log(1 + mp.exp(z)),
            "identity": lambda: z, "gelu": lambda: z * mp.ncdf(z), "silu": lambda: z * sig(z)}[name]()


def act_prime(name: str, z: mp.mpf, a: mp.mpf, from_output: bool) -> mp.mpf:
    """The derivative as a textbook writes it: in the output a (a(1-a), 1 - a^2, ...) or in z."""
    p = {k: mp.mpf(v) for k, v in PARAMS.get(name, {}).items()}
    slope = p.get("alpha", p.get("a", 0))
    if from_output and name in FROM_OUTPUT:
        return {"sigmoid": lambda: a * (1 - a), "tanh": lambda: 1 - a * a, "relu": lambda: mp.mpf(a > 0),
                "leaky_relu": lambda: 1 if a > 0 else slope, "prelu": lambda: 1 if a > 0 else slope,
                "elu": lambda: 1 if a > 0 else a + slope, "softplus": lambda: 1 - mp.exp(-a),
                "identity": lambda: mp.mpf(1)}[name]()
    return {"sigmoid": lambda: sig(z) * (1 - sig(z)), "tanh": lambda: 1 - mp.tanh(z) ** 2, "relu": lambda: mp.mpf(z > 0),
            "leaky_relu": lambda: 1 if z > 0 else slope, "prelu": lambda: 1 if z > 0 else slope,
            "elu": lambda: 1 if z > 0 else slope * mp.exp(z), "softplus": lambda: sig(z), "identity": lambda: mp.mpf(1),
            "gelu": lambda: mp.ncdf(z) + z * mp.npdf(z), "silu": lambda: sig(z) * (1 + z * (1 - sig(z)))}[name]()


def loss_terms(loss: str, a: list, y: list, z: list) -> list:
    n = len(a)
    if loss == "softmax_cross_entropy":
        lse = mp.log(sum(mp.exp(v) for v in z))
        return [-(yi * (zi - lse)) if yi else mp.mpf(0) for yi, zi in zip(y, z)]
    if loss == "multiclass_svm":
        c = y.index(1)
        return [mp.mpf(0) if j == c else max(mp.mpf(0), a[j] - a[c] + 1) for j in range(n)]
    out = []
    for ai, yi in zip(a, y):
        r = yi - ai
        out.append({"squared_error": lambda: r * r, "half_squared_error": lambda: r * r / 2,
                    "mean_squared_error": lambda: r * r / n,
                    "binary_cross_entropy": lambda: -((yi * mp.log(ai) if yi else 0) + ((1 - yi) * mp.log(1 - ai) if yi != 1 else 0)),
                    "cross_entropy": lambda: -(yi * mp.log(ai)) if yi else mp.mpf(0),
                    "hinge": lambda: max(mp.mpf(0), 1 - yi * ai), "l1": lambda: abs(r) / n,
                    "huber": lambda: r * r / 2 if abs(r) <= 1 else abs(r) - mp.mpf(1) / 2,
                    "huber_mean": lambda: (r * r / 2 if abs(r) <= 1 else abs(r) - mp.mpf(1) / 2) / n,
                    "cosine_similarity": lambda: -yi * ai / n, "none": lambda: ai}[loss]())
    return out


def loss_grad(loss: str, a: list, y: list) -> list:
    """dL/da per output, the textbook way, from the written a."""
    n = len(a)
    if loss == "multiclass_svm":
        c = y.index(1)
        act_ = [0 if j == c else int(a[j] - a[c] + 1 > 0) for j in range(n)]
        return [mp.mpf(-sum(act_)) if j == c else mp.mpf(act_[j]) for j in range(n)]
    out = []
    for ai, yi in zip(a, y):
        d = ai - yi
        out.append({"squared_error": lambda: 2 * d, "half_squared_error": lambda: d, "mean_squared_error": lambda: 2 * d / n,
                    "binary_cross_entropy": lambda: -(yi / ai) + (1 - yi) / (1 - ai),
                    "cross_entropy": lambda: -(yi / ai) if yi else mp.mpf(0), "softmax_cross_entropy": lambda: -(yi / ai) if yi else mp.mpf(0),
                    "hinge": lambda: -yi if yi * ai < 1 else mp.mpf(0), "l1": lambda: mp.sign(d) / n,
                    "huber": lambda: d if abs(d) <= 1 else mp.sign(d), "huber_mean": lambda: (d if abs(d) <= 1 else mp.sign(d)) / n,
                    "cosine_similarity": lambda: -yi / n, "none": lambda: mp.mpf(1)}[loss]())
    return out


@dataclass
class Style:
    """How the person prints numbers: significant digits or decimals, and how powers of ten look."""

    sig: int | None
    decimals: int | None
    power: str  # "e": 7.2e-3, "x": 7.2 x 10^-3, "times": 7.2 × 10^{-3}

    def text(self, v: mp.mpf) -> str:
        if abs(v) < mp.mpf("1e-30"):  # an exact cancellation, blurred only by 50-digit binary arithmetic
            v = mp.mpf(0)
        d = Decimal(mp.nstr(v, 45, strip_zeros=False, min_fixed=-10**6, max_fixed=10**6))
        if d == 0:
            return "0" if (self.decimals == 0) else "0." + "0" * ((self.decimals or self.sig or 2) - (0 if self.decimals else 1))
        if self.decimals is not None and abs(d) >= Decimal("0.001"):
            q = d.quantize(Decimal(1).scaleb(-self.decimals), rounding=ROUND_HALF_EVEN)
            if q != 0:
                return f"{q:f}"
        digits = self.sig or 2
        e = d.adjusted()
        q = d.quantize(Decimal(1).scaleb(e - digits + 1), rounding=ROUND_HALF_EVEN)
        if q.adjusted() != e:  # 9.99 -> 10.0: one digit more in front
            e = q.adjusted()
            q = d.quantize(Decimal(1).scaleb(e - digits + 1), rounding=ROUND_HALF_EVEN)
        if -3 <= e < 4:
            return f"{q:f}"
        mant = f"{q.scaleb(-e):f}"
        return {"e": f"{mant}e{e}", "x": f"{mant} x 10^{e}", "times": f"{mant} × 10^{{{e}}}"}[self.power]


def read(text: str) -> mp.mpf:
    """The value of a printed number exactly as written."""
    t = text.replace("×", "x").replace("{", "").replace("}", "").replace(" ", "")
    if "x10^" in t:
        m, e = t.split("x10^")
        return mp.mpf(m) * mp.mpf(10) ** int(e)
    return mp.mpf(t)


@dataclass
class Hand:
    """The file being written: its claims per step, in order, and what the person holds for each value."""

    style: Style
    rng: random.Random
    steps: list[dict[str, object]] = field(default_factory=list)

    def note(self, key: str, values, write: bool, shape_fn=None):
        """Write `values` (a number or nested lists) as the claim `key` when `write`; return what the
        person uses from now on: the written numbers, or the full values when not written."""
        if not write:
            return values
        texts = _map(self.style.text, values)
        self.steps[-1][key] = texts
        return _map(read, texts)


def _map(fn, v):
    return [_map(fn, e) for e in v] if isinstance(v, list) else fn(v)


@dataclass
class Config:
    """The network and conventions of one generated file."""

    sizes: list[int]
    acts: list[str]
    loss: str
    conv: dict[str, object]
    B: int
    lr: mp.mpf | None
    l2: mp.mpf
    labels: str
    n_steps: int
    from_output: bool  # act_prime written in the output (a(1-a)), else in z
    fused: bool  # delta of sigmoid+BCE or softmax+CE as a - y, else by the chain rule
    jacobian_on_a: bool  # softmax Jacobian on the written a, else on softmax(z) in full


def config(rng: random.Random) -> Config:
    out, loss = rng.choice(OUTPUTS)
    depth = rng.choice([1, 2, 2, 2, 3])
    n_out = rng.randint(2, 3) if out == "softmax" or loss == "multiclass_svm" else rng.randint(1, 3)
    sizes = [rng.randint(1, 3)] + [rng.randint(1, 3) for _ in range(depth - 1)] + [n_out]
    acts = [rng.choice(HIDDEN) for _ in range(depth - 1)] + [out]
    B = rng.choice([1, 1, 1, 2, 3])
    reduction = rng.choice(["mean", "sum"])
    conv = {
        "weights": rng.choice(["to_from", "from_to"]), "first_layer": rng.choice([0, 1]),
        "first_index": rng.choice([0, 1]), "batch": reduction,
        "batch_mean_at": rng.choice(["parameter_gradient", "output_gradient"]) if B > 1 and reduction == "mean" else "parameter_gradient",
        "bias": rng.choice(["per_neuron", "per_neuron", "shared", "frozen", "shared_frozen", "none"]),
        "error_sign": rng.choice(["gradient", "gradient", "negative"]),
        "weights_named_by": rng.choice(["to", "from"]), "biases_named_by": rng.choice(["to", "from"]),
    }
    n_steps = rng.choice([1, 2, 2])
    lr = mp.mpf(rng.choice(["0.1", "0.5", "1", "0.05"])) if n_steps > 1 or rng.random() < 0.5 else None
    l2 = mp.mpf(rng.choice(["0", "0", "0.01", "0.1"]))
    labels = "index" if loss in ("cross_entropy", "softmax_cross_entropy", "multiclass_svm") and rng.random() < 0.5 else "values"
    return Config(sizes, acts, loss, conv, B, lr, l2, labels, n_steps, rng.random() < 0.6, rng.random() < 0.5,
                  rng.random() < 0.6)


def _tenth(rng: random.Random, lo: float, hi: float) -> mp.mpf:
    v = 0
    while v == 0:
        v = round(rng.uniform(lo, hi), 1)
    return mp.mpf(str(v))


@dataclass
class Slip:
    """One way a hand departs from the textbook, and where (`kind` None: honest work). The injection
    harness (tests/reports/injection.py) plants one per file and carries it forward as a person would."""

    kind: str | None = None
    layer: int = 0  # the layer it happens in, where it happens in one layer
    element: tuple[int, int] = (0, 0)  # (j, i) of a weight read the other way round
    lr: mp.mpf | None = None  # the learning rate used instead of the stated one

    def at(self, kind: str, step: int | None = None, layer: int | None = None) -> bool:
        return self.kind == kind and (step is None or step == 1) and (layer is None or layer == self.layer)


def honest(seed: int) -> str:
    """A worked-example file of honest hand work (TOML text), drawn from `seed`."""
    return generate(seed)[0]


RECIPES = ("from_output", "fused", "jacobian_on_a")  # the choices where honest hands differ


def generate(seed: int, slip: Slip | None = None, recipes: dict[str, bool] | None = None,
             exact: bool = False) -> tuple[str, Hand, Config]:
    """The file drawn from `seed` as TOML text, with what the hand wrote (`Hand.steps`); with a
    `slip`, the same file worked with that one mistake carried forward (the same random draws);
    `recipes` overrides the honest recipe choices (RECIPES) the seed draws; `exact` writes every
    number at 25 digits (the exact chain, as nearly as printing allows)."""
    slip = slip or Slip()
    rng = random.Random(seed)
    cfg = config(rng)
    for name, value in (recipes or {}).items():  # the same file worked by another honest recipe
        setattr(cfg, name, value)
    style = rng.choice([Style(2, None, "e"), Style(3, None, "x"), Style(4, None, "times"), Style(3, None, "e"),
                        Style(None, 3, "x"), Style(None, 4, "e")])
    if exact:  # every number written at 25 digits: the exact chain, for comparisons
        style = Style(25, None, "e")
    hand = Hand(style, rng)
    sizes, L, B, c = cfg.sizes, len(cfg.sizes) - 1, cfg.B, cfg.conv
    W = [[[_tenth(rng, -0.9, 0.9) for _ in range(sizes[k])] for _ in range(sizes[k + 1])] for k in range(L)]
    bias = c["bias"]
    if bias == "none":
        b = [None] * L
    elif bias in ("shared", "shared_frozen"):
        b = [_tenth(rng, -0.5, 0.5) for _ in range(L)]
    else:
        b = [[_tenth(rng, -0.5, 0.5) for _ in range(sizes[k + 1])] for k in range(L)]
    x = [[_tenth(rng, -1, 1) for _ in range(sizes[0])] for _ in range(B)]
    y = _targets(rng, cfg)
    text = _header(cfg, W, b, x, y)
    sign = -1 if c["error_sign"] == "negative" else 1
    fl, named_w, named_b = c["first_layer"], c["weights_named_by"], c["biases_named_by"]
    lay = lambda k: fl + k + 1  # noqa: E731
    pnum = lambda k, named: lay(k) - (1 if named == "from" else 0)  # noqa: E731
    summed = (c["batch"] == "sum") != (slip.kind == "mean_vs_sum_batch")
    mean_here = not summed and c["batch_mean_at"] == "parameter_gradient"
    at_output = not summed and c["batch_mean_at"] == "output_gradient"
    red = lambda vals: sum(vals) / (B if mean_here else 1)  # noqa: E731
    frozen = bias in ("frozen", "shared_frozen")
    lr = slip.lr if slip.kind == "learning_rate" else cfg.lr
    l2 = cfg.l2 * {"l2_forgotten": 0, "l2_half": mp.mpf(1) / 2}.get(slip.kind or "", 1)
    flip = -1 if slip.kind == "update_sign" else 1

    def w(p: float) -> bool:
        return rng.random() < p

    def samples(values):  # per-sample arrays are written without the batch axis for one sample
        return values[0] if B == 1 else values

    def unsamples(held):
        return [held] if B == 1 else held

    def note_samples(key, values, p, write=None):
        drawn = w(p)
        return unsamples(hand.note(key, samples(values), drawn if write is None else write))

    def file_W(m):
        return m if c["weights"] == "to_from" else [list(r) for r in zip(*m)]

    def core_W(m):
        return m if c["weights"] == "to_from" else [list(r) for r in zip(*m)]

    def weight(k, j, i, s):  # the weight a hand reads for z_j from input i (the other way round: a slip)
        if s == 1 and slip.at("indices_swapped", layer=k) and (j, i) == slip.element:
            return W[k][i][j]
        return W[k][j][i]

    pending: dict[str, object] = {}
    first_zs: list = []
    for s in range(1, cfg.n_steps + 1):
        hand.steps.append(dict(pending))
        if s > 1:
            W, b = new_W, new_b
        if w(0.1):
            x = note_samples("x", x, 1.0)
        a_prev = x
        zs, as_ = [], []
        for k in range(L):
            no_b = b[k] is None or (s == 1 and slip.at("bias_forgotten", layer=k))
            z = [[sum(weight(k, j, i, s) * a_prev[n][i] for i in range(sizes[k])) + (0 if no_b else (
                b[k] if not isinstance(b[k], list) else b[k][j])) for j in range(sizes[k + 1])] for n in range(B)]
            if s == 2 and slip.kind == "copied_values":
                z = first_zs[k][0]
            z = note_samples(f"z{lay(k)}", z, 0.8)
            if cfg.acts[k] == "softmax":
                shifted = w(0.3)
                e = [[mp.exp(v - (max(row) if shifted else 0)) for v in row] for row in z]
                e = note_samples(f"exp_z{lay(k)}", e, 0.3)
                tot = [sum(row) for row in e]
                tot = note_samples(f"sum_exp_z{lay(k)}", tot, 0.3)
                a = [[ei / t for ei in row] for row, t in zip(e, tot)]
            else:
                a = [[act(cfg.acts[k], v) for v in row] for row in z]
            if s == 2 and slip.kind == "copied_values":
                a = first_zs[k][1]
            a = note_samples(f"a{lay(k)}", a, 0.85)
            if s == 1:
                first_zs.append((z, a))
            zs.append(z)
            as_.append(a)
            a_prev = a
        aL, zL = as_[-1], zs[-1]
        terms = [loss_terms(cfg.loss, aL[n], y[n], zL[n]) for n in range(B)]
        if cfg.loss != "softmax_cross_entropy" or w(0.5):  # the fused loss from the written probabilities
            terms = [loss_terms("cross_entropy" if cfg.loss == "softmax_cross_entropy" else cfg.loss, aL[n], y[n], zL[n])
                     for n in range(B)]
        terms = note_samples("loss_term", terms, 0.2)
        reg = cfg.l2 / 2 * sum(v * v for m in W for row in m for v in row)
        loss = red([sum(t) for t in terms]) + reg
        if w(0.8):
            hand.note("loss", loss, True)
            if w(0.15):  # printed a second time, with one digit more
                hand.steps[-1]["loss#2"] = Style(style.sig + 1 if style.sig else None,
                                                 style.decimals + 1 if style.decimals else None, style.power).text(loss)
        # backward, in the gradient sign; written in the file's sign
        scale = {"half_convention": mp.mpf(1) / 2, "mean_vs_sum_outputs": sizes[-1], "sign": -1}.get(slip.kind or "", 1)
        g = [[scale * v / (B if at_output else 1) for v in loss_grad(cfg.loss, aL[n], y[n])] for n in range(B)]
        if cfg.loss != "softmax_cross_entropy" and w(0.4):
            g = [[sign * v for v in row] for row in note_samples(f"dL_da{lay(L - 1)}", [[sign * v for v in row] for row in g], 1.0)]
        deltas: list = [None] * L
        dWs: list = [None] * L
        dbs: list = [None] * L
        for k in range(L - 1, -1, -1):
            name = cfg.acts[k]
            if k < L - 1:
                nxt = deltas[k + 1]
                Wn = W[k + 1]
                if s == 1 and slip.kind == "updated_weights_in_backprop" and lr is not None:
                    Wn = [[Wn[j][i] - lr * dWs[k + 1][j][i] for i in range(len(Wn[0]))] for j in range(len(Wn))]
                turned = slip.at("transposed", layer=k) and len(Wn) == len(Wn[0])
                parts = [[[(Wn[i][j] if turned else Wn[j][i]) * nxt[n][j] for j in range(sizes[k + 2])]
                          for i in range(sizes[k + 1])] for n in range(B)]
                if w(0.15):
                    parts = [[[sign * v for v in r] for r in m] for m in
                             note_samples(f"dL_da_part{lay(k)}", [[[sign * v for v in r] for r in m] for m in parts], 1.0)]
                g = [[sum(parts[n][i]) for i in range(sizes[k + 1])] for n in range(B)]
                if w(0.5):
                    g = [[sign * v for v in row] for row in note_samples(f"dL_da{lay(k)}", [[sign * v for v in row] for row in g], 1.0)]
            a, z = as_[k], zs[k]
            fused = k == L - 1 and ((name == "softmax" and cfg.loss in ("cross_entropy", "softmax_cross_entropy"))
                                    or (name == "sigmoid" and cfg.loss == "binary_cross_entropy"))
            if fused and (cfg.fused or cfg.loss == "softmax_cross_entropy"):
                d = [[scale * (a[n][i] - y[n][i]) / (B if at_output else 1) for i in range(sizes[k + 1])] for n in range(B)]
            elif name == "softmax":
                src = a if cfg.jacobian_on_a else [[ei / sum(mp.exp(v) for v in zrow) for ei in [mp.exp(v) for v in zrow]]
                                                  for zrow in z]
                d = [[src[n][i] * (g[n][i] - sum(g[n][j] * src[n][j] for j in range(sizes[k + 1])))
                      for i in range(sizes[k + 1])] for n in range(B)]
            else:
                at_z = slip.kind == "derivative_at_z" and name in ("sigmoid", "tanh")
                ap = [[act_prime(name, z[n][i], z[n][i] if at_z else a[n][i], cfg.from_output or at_z)
                       for i in range(sizes[k + 1])] for n in range(B)]
                early = s == 1 and slip.at("rounded_early", layer=k)
                ap = note_samples(f"act_prime{lay(k)}", ap, 0.35, write=False if early else None)
                if early:  # carried unwritten, rounded to two significant digits
                    ap = [[read(Style(2, None, "e").text(v)) for v in row] for row in ap]
                d = [[g[n][i] * ap[n][i] for i in range(sizes[k + 1])] for n in range(B)]
            d = [[sign * v for v in row] for row in note_samples(f"delta{lay(k)}", [[sign * v for v in row] for row in d], 0.8)]
            deltas[k] = d
            a_in = x if k == 0 else as_[k - 1]
            dW = [[red([d[n][j] * a_in[n][i] for n in range(B)]) + l2 * W[k][j][i] for i in range(sizes[k])]
                  for j in range(sizes[k + 1])]
            dW = core_W(hand.note(f"dW{pnum(k, named_w)}", file_W([[sign * v for v in r] for r in dW]), w(0.8)))
            dWs[k] = [[sign * v for v in r] for r in dW]
            if b[k] is not None:
                per = [red([d[n][j] for n in range(B)]) for j in range(sizes[k + 1])]
                db = sum(per) if not isinstance(b[k], list) else per
                dbs[k] = _map(lambda v: sign * v, hand.note(f"db{pnum(k, named_b)}", _map(lambda v: sign * v, db), w(0.6)))
        dx = [[sum(W[0][j][i] * deltas[0][n][j] for j in range(sizes[1])) for i in range(sizes[0])] for n in range(B)]
        note_samples("dx", [[sign * v for v in row] for row in dx], 0.15)
        new_W, new_b = [], []
        for k in range(L):
            if lr is None:
                continue
            step_W = [[lr * v for v in r] for r in dWs[k]]
            if w(0.3):
                step_W = [[sign * v for v in r] for r in core_W(hand.note(f"lr_dW{pnum(k, named_w)}",
                                                                          file_W([[sign * v for v in r] for r in step_W]), True))]
            new_W.append([[W[k][j][i] - flip * step_W[j][i] for i in range(sizes[k])] for j in range(sizes[k + 1])])
            if b[k] is None:
                new_b.append(None)
            elif frozen:
                new_b.append(b[k])
            else:
                new_b.append([bj - flip * lr * dj for bj, dj in zip(b[k], dbs[k])] if isinstance(b[k], list)
                             else b[k] - flip * lr * dbs[k])
        if s < cfg.n_steps:
            pending = _next_params(hand, cfg, new_W, new_b, W, pnum, file_W, core_W, rng)
    return text + _steps_toml(hand), hand, cfg


def _next_params(hand: Hand, cfg: Config, new_W, new_b, W, pnum, file_W, core_W, rng: random.Random) -> dict:
    """The updated parameters as the person writes them at the head of the next step (some as
    "old - lr x gradient = new"); what the person holds of them is updated in place."""
    out: dict[str, object] = {}
    c = cfg.conv
    for k in range(len(new_W)):
        if rng.random() < 0.8:
            if rng.random() < 0.3:  # one element with its working
                j, i = rng.randrange(len(new_W[k])), rng.randrange(len(new_W[k][0]))
                old, new = W[k][j][i], new_W[k][j][i]
                step = old - new
                idx = (j, i) if c["weights"] == "to_from" else (i, j)
                fi = c["first_index"]
                key = f"W{pnum(k, c['weights_named_by'])}[{idx[0] + fi},{idx[1] + fi}]"
                shown_step = hand.style.text(abs(step))
                if read(shown_step) == 0:
                    continue
                out[key] = f"{hand.style.text(old)} {'-' if step >= 0 else '+'} {shown_step} = {hand.style.text(new)}"
                new_W[k][j][i] = read(hand.style.text(new))
            else:
                texts = _map(hand.style.text, file_W(new_W[k]))
                out[f"W{pnum(k, c['weights_named_by'])}"] = texts
                new_W[k] = core_W(_map(read, texts))
        if new_b[k] is not None and rng.random() < 0.7:
            texts = _map(hand.style.text, new_b[k])
            out[f"b{pnum(k, c['biases_named_by'])}"] = texts
            new_b[k] = _map(read, texts)
    return out


def _targets(rng: random.Random, cfg: Config) -> list[list[mp.mpf]]:
    n, out, loss = cfg.sizes[-1], cfg.acts[-1], cfg.loss
    rows = []
    for _ in range(cfg.B):
        if loss in ("cross_entropy", "softmax_cross_entropy", "multiclass_svm") or out == "softmax":
            c = rng.randrange(n)
            rows.append([mp.mpf(int(i == c)) for i in range(n)])
        elif loss == "binary_cross_entropy":
            rows.append([mp.mpf(rng.choice([0, 1])) for _ in range(n)])
        elif loss == "hinge":
            rows.append([mp.mpf(rng.choice([-1, 1])) for _ in range(n)])
        elif loss == "none":
            rows.append([mp.mpf(0)] * n)
        else:
            lo = -0.9 if out in ("tanh", "identity") else 0.1
            rows.append([_tenth(rng, lo, 0.9) for _ in range(n)])
    return rows


def _lit(v) -> str:
    if isinstance(v, list):
        return "[" + ", ".join(_lit(e) for e in v) + "]"
    if isinstance(v, str):
        return '"' + v + '"'
    return repr(float(v) + 0.0)


def _header(cfg: Config, W, b, x, y) -> str:
    c, L = cfg.conv, len(cfg.sizes) - 1
    fl = c["first_layer"]
    acts = [a + ("(" + ", ".join(f"{k}={v}" for k, v in PARAMS[a].items()) + ")" if a in PARAMS else "") for a in cfg.acts]
    lines = [f'title = "honest hand work: {"-".join(map(str, cfg.sizes))} {cfg.acts[-1]} {cfg.loss}"', "", "[network]",
             f"sizes = {cfg.sizes}", f"activations = {_lit(acts)}", f'loss = "{cfg.loss}"']
    if cfg.lr is not None:
        lines.append(f"learning_rate = {mp.nstr(cfg.lr, 5)}")
    lines += [f"numbering = {{ first_layer = {fl}, first_index = {c['first_index']} }}"]
    lines += [f'{k} = "{c[k]}"' for k in ("weights", "weights_named_by", "biases_named_by", "bias", "error_sign", "batch",
                                          "batch_mean_at")]
    lines += [f"l2 = {mp.nstr(cfg.l2, 5)}", "", "[data]"]
    xs = x[0] if cfg.B == 1 else x
    lines.append(f"x = {_lit(xs)}")
    if cfg.loss != "none":
        if cfg.labels == "index":
            cls = [row.index(1) + c["first_index"] for row in y]
            lines += [f"y = {cls[0] if cfg.B == 1 else cls}", 'labels = "index"']
        else:
            lines.append(f"y = {_lit(y[0] if cfg.B == 1 else y)}")
    lines += ["", "[parameters]"]
    for k in range(L):
        wk = W[k] if c["weights"] == "to_from" else [list(r) for r in zip(*W[k])]
        lines.append(f"W{fl + k + 1 - (1 if c['weights_named_by'] == 'from' else 0)} = {_lit(wk)}")
        if b[k] is not None:
            lines.append(f"b{fl + k + 1 - (1 if c['biases_named_by'] == 'from' else 0)} = {_lit(b[k])}")
    return "\n".join(lines) + "\n"


def _steps_toml(hand: Hand) -> str:
    out = []
    for table in hand.steps:
        if not table:
            table = {}
        out += ["", "[[step]]"] + [f'"{k}" = {_lit(v)}' for k, v in table.items()]
    return "\n".join(out) + "\n"
