"""The exact symbolic network for small worked examples (the "symbolic" truth column of reports).

Parameters and data enter as exact rationals ("0.2" -> 1/5). The whole loss is built with SymPy
and every gradient (dL/dW, dL/db, dL/dz, dL/dx) comes from differentiating that loss itself, not
from backprop formulas, so it is an independent check of the numeric engine and of hand work.
Layout is "to_from" (W[l][j][k] joins neuron k of layer l to neuron j of layer l + 1); lists are
0-based over weight layers: W[0] maps the input to the first hidden layer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

import sympy as sp

from gradverify.derivations import catalog
from gradverify.derivations import witness

Number = str | int | float | sp.Rational
BIAS_MODES = ("per_neuron", "shared", "frozen", "none")


def exact(value: Number) -> sp.Rational:
    """A number as an exact rational: "0.2" -> 1/5, "7.2e-3" -> 9/1250 (floats go through str)."""
    if isinstance(value, sp.Basic):
        return sp.nsimplify(value) if isinstance(value, sp.Float) else value
    if isinstance(value, float):
        value = repr(value)
    return sp.Rational(str(value).strip())


def matrix(rows: Sequence[Sequence[Number]] | Sequence[Number], column: bool = False) -> sp.Matrix:
    """Nested lists of numbers as an exact Matrix (a flat list becomes a column when column=True)."""
    if rows and not isinstance(rows[0], (list, tuple)):
        vals = [exact(v) for v in rows]  # type: ignore[arg-type]
        return sp.Matrix(vals) if column else sp.Matrix([vals])
    return sp.Matrix([[exact(v) for v in row] for row in rows])  # type: ignore[union-attr]


def activate(name: str, z: sp.Matrix, params: dict[str, Any] | None = None) -> sp.Matrix:
    """Apply a catalog activation elementwise (softmax on the whole vector)."""
    entry = catalog.get(name)
    if entry.kind != "activation":
        raise KeyError(f"{name!r} is a loss, not an activation")
    if entry.name == "softmax":
        e = [sp.exp(v) for v in z]
        total = sp.Add(*e)
        return sp.Matrix([v / total for v in e])
    f = entry.substitute(entry.definition, _with_defaults(entry, params))
    x = entry.sym("x")
    if entry.name == "relu":  # same function; its derivative then carries relu'(0) = 0
        f = sp.Piecewise((x, x > 0), (0, True))
    return z.applyfunc(lambda v: f.xreplace({x: v}))


def loss_of(name: str, a: sp.Matrix, y: sp.Matrix, z: sp.Matrix | None = None,
            params: dict[str, Any] | None = None) -> sp.Expr:
    """A catalog loss of the output a against the target y (fused softmax + CE uses the logits z)."""
    entry = catalog.get(name)
    if entry.kind != "loss":
        raise KeyError(f"{name!r} is an activation, not a loss")
    n = len(a)
    if entry.name == "softmax_cross_entropy":
        logits = z if z is not None else a
        lse = sp.log(sp.Add(*[sp.exp(v) for v in logits]))
        return -sp.Add(*[yi * (zi - lse) for yi, zi in zip(y, logits)])
    if entry.name == "cosine_similarity_general":
        dot = sum(ai * yi for ai, yi in zip(a, y))
        return -dot / (sp.sqrt(sum(yi**2 for yi in y)) * sp.sqrt(sum(ai**2 for ai in a)))
    if entry.name == "l2_regularization":
        raise KeyError("l2_regularization is added with l2=lambda, not used as the loss")
    term = entry.substitute(entry.definition, _with_defaults(entry, params)) * entry.scale()
    ys, as_ = entry.sym("y"), entry.sym("a")
    term = term.xreplace({catalog.N_OUTPUTS: sp.Integer(n)})
    return sp.Add(*[term.xreplace({ys: yi, as_: ai}) for yi, ai in zip(y, a)])


def _with_defaults(entry: catalog.Entry, params: dict[str, Any] | None) -> dict[str, Any]:
    out: dict[str, Any] = {p.name: p.default for p in entry.params}
    for k, v in (params or {}).items():
        if k in out:
            out[k] = v
    return out


def _pin_kinks(expr: sp.Expr) -> sp.Expr:
    """Heaviside(u) -> Heaviside(u, 0): relu'(0) = 0 and the hinge's 0 at the margin, never 1/2."""
    return expr.replace(lambda e: isinstance(e, sp.Heaviside), lambda e: sp.Heaviside(e.args[0], 0))


@dataclass
class ExactNetwork:
    """Exact values of one forward pass and the loss gradients (0-based lists over layers).

    z[l], a[l + 1] are the pre-activation and activation of weight layer l (a[0] is the input),
    for example 0 of the batch; zs/as_ hold every example. dz[l] = dL/dz of layer l, example 0.
    """

    W: list[sp.Matrix]
    b: list[sp.Matrix]
    z: list[sp.Matrix]
    a: list[sp.Matrix]
    loss: sp.Expr
    dW: list[sp.Matrix]
    db: list[sp.Matrix]
    dz: list[sp.Matrix]
    dx: sp.Matrix
    zs: list[list[sp.Matrix]] = field(default_factory=list)
    as_: list[list[sp.Matrix]] = field(default_factory=list)
    dzs: list[list[sp.Matrix]] = field(default_factory=list)

    def float(self, value: Any, digits: int = 30) -> Any:
        """A value (scalar or Matrix or list of them) evaluated to `digits` significant digits."""
        if isinstance(value, list):
            return [self.float(v, digits) for v in value]
        if isinstance(value, sp.MatrixBase):
            return value.applyfunc(lambda v: _number(v, digits))
        return _number(value, digits)

    def to_floats(self) -> dict[str, Any]:
        """Every quantity as Python floats (nested lists), for JSON and the judge."""
        def conv(v: Any) -> Any:
            if isinstance(v, list):
                return [conv(u) for u in v]
            if isinstance(v, sp.MatrixBase):
                return [[float(_number(e, 20)) for e in row] for row in v.tolist()]
            return float(_number(v, 20))
        return {k: conv(getattr(self, k)) for k in ("z", "a", "loss", "dW", "db", "dz", "dx")}


def _number(expr: sp.Expr, digits: int) -> sp.Float:
    """An exact expression to `digits` digits (mpmath tree walk; SymPy's evalf as the fallback)."""
    if expr.is_Rational:
        return sp.Float(expr, digits)
    out = witness.value(expr, {})
    return sp.Float(out, digits)


def build(
    sizes: Sequence[int],
    activations: Sequence[str],
    loss: str,
    W: Sequence[Sequence[Sequence[Number]]],
    b: Sequence[Sequence[Number]] | None,
    x: Sequence[Number] | Sequence[Sequence[Number]],
    y: Sequence[Number] | Sequence[Sequence[Number]],
    *,
    bias: str = "per_neuron",
    batch: str = "mean",
    l2: Number | None = None,
    loss_params: dict[str, Any] | None = None,
    activation_params: Sequence[dict[str, Any] | None] | None = None,
    max_params: int = 64,
) -> ExactNetwork:
    """Forward pass, loss and exact gradients of a small network (to_from weights).

    `x`, `y` are one example (flat lists) or a batch (lists of lists); `batch` says whether the
    batch loss is the "mean" or the "sum" of the examples' losses. `bias="shared"` takes one
    number per layer (b[l] = [value]); "none" ignores b; "frozen" keeps b but it is still
    differentiated (reports decide not to update it). `l2` adds l2/2 * sum W^2 (weights only).
    Networks with more than `max_params` weights and biases are refused (the exact expressions
    grow with depth and width; this is the truth column for hand-sized examples).
    """
    L = len(sizes) - 1
    count = sum(sizes[l] * sizes[l + 1] + sizes[l + 1] for l in range(L))
    if count > max_params:
        raise ValueError(f"the exact symbolic network is for small worked examples: {count} parameters "
                         f"(more than max_params = {max_params}); a 3-2-1 network takes about 0.5 s and a "
                         f"4-5-3 one about 4 s. Raise max_params to insist, or use the numeric engine.")
    if len(activations) != L:
        raise ValueError(f"{L} weight layers need {L} activations, got {len(activations)}")
    if bias not in BIAS_MODES:
        raise ValueError(f"bias must be one of {BIAS_MODES}, not {bias!r}")
    if batch not in ("mean", "sum"):
        raise ValueError(f"batch must be 'mean' or 'sum', not {batch!r}")
    Wv = [matrix(w) for w in W]
    for l, w in enumerate(Wv):
        if w.shape != (sizes[l + 1], sizes[l]):
            raise ValueError(f"W[{l}] must be {sizes[l + 1]}x{sizes[l]} (to_from), got {w.shape[0]}x{w.shape[1]}")
    bv = _biases(sizes, b, bias)
    X = [matrix(row, column=True) for row in _rows(x)]
    Y = [matrix(row, column=True) for row in _rows(y)]
    if len(X) != len(Y):
        raise ValueError(f"{len(X)} inputs but {len(Y)} targets")
    acts = list(activation_params or [None] * L)

    lam = exact(l2) if l2 is not None else None
    # Exact values that are not rationals (the parameters of a second step: W - lr dW) stand in
    # as opaque symbols while the loss is built and differentiated, and are put back at the end;
    # differentiating in eps commutes with that substitution, and the trees stay small meanwhile.
    opaque: dict[sp.Symbol, sp.Expr] = {}

    def hide(M: sp.Matrix) -> sp.Matrix:
        def one(v: sp.Expr) -> sp.Expr:
            if v.is_Rational:
                return v
            s = sp.Symbol(f"_exact{len(opaque)}", real=True)
            opaque[s] = v
            return s
        return M.applyfunc(one)

    Wv_exact, bv_exact = Wv, bv
    Wv, bv = [hide(w) for w in Wv], [hide(v) for v in bv]
    X, Y = [hide(v) for v in X], [hide(v) for v in Y]

    def reveal(v: Any) -> Any:
        if isinstance(v, list):
            return [reveal(u) for u in v]
        return v.xreplace(opaque) if opaque else v

    def forward(inp: sp.Matrix, start: int, Wm: list, bm: list) -> tuple[list, list]:
        zs, as_ = [], [inp]
        for l in range(start, L):
            zl = Wm[l] * as_[-1] + bm[l]
            zs.append(zl)
            as_.append(activate(activations[l], zl, acts[l]))
        return zs, as_

    def example_loss(zL: sp.Matrix, aL: sp.Matrix, target: sp.Matrix) -> sp.Expr:
        return loss_of(loss, aL, target, z=zL, params=loss_params)

    scale = sp.Rational(1, len(X)) if batch == "mean" else sp.Integer(1)

    def total_loss(Wm: list, bm: list) -> sp.Expr:
        total = sp.Integer(0)
        for inp, target in zip(X, Y):
            zs, as_ = forward(inp, 0, Wm, bm)
            total += scale * example_loss(zs[-1], as_[-1], target)
        if lam is not None:
            total += lam / 2 * sum(sp.Add(*[w**2 for w in Wl]) for Wl in Wm)
        return total

    # Each derivative is d/d eps of the whole loss with one input moved by eps, at eps = 0:
    # the loss itself is differentiated (no backprop formula), one small expression at a time.
    eps = sp.Dummy("eps")

    def slope(expr: sp.Expr) -> sp.Expr:
        return _pin_kinks(sp.diff(expr, eps)).xreplace({eps: sp.Integer(0)})

    def moved(M: sp.Matrix, j: int, k: int) -> sp.Matrix:
        out = M.copy()
        out[j, k] = out[j, k] + eps
        return out

    dW = []
    for l, w in enumerate(Wv):
        g = sp.zeros(w.rows, w.cols)
        for j in range(w.rows):
            for k in range(w.cols):
                Wp = list(Wv)
                Wp[l] = moved(w, j, k)
                g[j, k] = slope(total_loss(Wp, bv))
        dW.append(g)
    db = []
    for l, v in enumerate(bv):
        if bias == "none":
            db.append(sp.zeros(len(v), 1))
            continue
        if bias == "shared":
            bp = list(bv)
            bp[l] = v + sp.Matrix([eps] * len(v))
            db.append(sp.Matrix([slope(total_loss(Wv, bp))]))
            continue
        bp_grad = sp.zeros(len(v), 1)
        for j in range(len(v)):
            bp = list(bv)
            bp[l] = moved(v, j, 0)
            bp_grad[j] = slope(total_loss(Wv, bp))
        db.append(bp_grad)

    zs_all, as_all = [], []
    for inp in X:
        zv, av = forward(inp, 0, Wv, bv)
        zs_all.append(zv)
        as_all.append(av)

    dzs_all, dx = [], None
    for k, (inp, target) in enumerate(zip(X, Y)):
        per_layer = []
        for l in range(L):
            zl = zs_all[k][l]
            g = sp.zeros(len(zl), 1)
            for j in range(len(zl)):
                zp = moved(zl, j, 0)
                zs, as_ = [zp], [activate(activations[l], zp, acts[l])]
                for m in range(l + 1, L):
                    zm = Wv[m] * as_[-1] + bv[m]
                    zs.append(zm)
                    as_.append(activate(activations[m], zm, acts[m]))
                g[j] = slope(scale * example_loss(zs[-1], as_[-1], target))
            per_layer.append(g)
        dzs_all.append(per_layer)
        if k == 0:
            g = sp.zeros(len(inp), 1)
            for j in range(len(inp)):
                zx, ax = forward(moved(inp, j, 0), 0, Wv, bv)
                g[j] = slope(scale * example_loss(zx[-1], ax[-1], target))
            dx = g

    loss_value = total_loss(Wv, bv)
    zs_all, as_all, dzs_all = reveal(zs_all), reveal(as_all), reveal(dzs_all)
    return ExactNetwork(Wv_exact, bv_exact, zs_all[0], as_all[0], reveal(loss_value), reveal(dW), reveal(db),
                        dzs_all[0], reveal(dx), zs_all, as_all, dzs_all)


def sgd_step(net: ExactNetwork, lr: Number, *, update_bias: bool = True) -> tuple[list[sp.Matrix], list[sp.Matrix]]:
    """Exact parameters after one gradient step W - lr dW (biases too unless frozen)."""
    eta = exact(lr)
    W = [w - eta * d for w, d in zip(net.W, net.dW)]
    # a shared bias has one gradient for the layer: every neuron's copy moves by it
    b = [v - eta * (d if d.shape == v.shape else sp.Matrix([d[0]] * len(v)))
         for v, d in zip(net.b, net.db)] if update_bias else list(net.b)
    return W, b


def _rows(v: Sequence[Any]) -> list[Sequence[Number]]:
    if v and isinstance(v[0], (list, tuple)):
        return list(v)  # type: ignore[return-value]
    return [v]  # type: ignore[list-item]


def _biases(sizes: Sequence[int], b: Sequence[Sequence[Number]] | None, mode: str) -> list[sp.Matrix]:
    L = len(sizes) - 1
    if mode == "none" or b is None:
        return [sp.zeros(sizes[l + 1], 1) for l in range(L)]
    if len(b) != L:
        raise ValueError(f"{L} weight layers need {L} bias vectors, got {len(b)}")
    out = []
    for l, row in enumerate(b):
        vals = [exact(v) for v in (row if isinstance(row, (list, tuple)) else [row])]
        if mode == "shared":
            if len(vals) == sizes[l + 1] and len(set(vals)) == 1:
                vals = vals[:1]  # the layer's one value repeated per neuron (as sgd_step returns it)
            if len(vals) != 1:
                raise ValueError(f"shared bias: b[{l}] must hold one number, got {len(vals)}")
            vals = vals * sizes[l + 1]
        elif len(vals) != sizes[l + 1]:
            raise ValueError(f"b[{l}] must hold {sizes[l + 1]} numbers, got {len(vals)}")
        out.append(sp.Matrix(vals))
    return out
