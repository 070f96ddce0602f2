"""The exact symbolic network for small worked examples (the "symbolic" truth column of reports).

Parameters and data enter as exact rationals ("0.2" -> 1/5). The whole loss is built with SymPy
and every gradient (dL/dW, dL/db, dL/dz, dL/dx) comes from differentiating that loss itself, not
from backprop formulas, so it is an independent check of the numeric engine and of hand work.
Layout is "to_from" (W[l][j][k] joins neuron k of layer l to neuron j of layer l + 1); lists are
0-based over weight layers: W[0] maps the input to the first hidden layer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
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


# -- the same network built once per file, evaluated at every step's parameters ----------------------
class CompiledNetwork:
    """The loss of a worked example's network written in symbols for its weights and biases, with
    every derivative taken once by SymPy (the loss itself differentiated, no backprop formula) and
    compiled: each step of the file is then an evaluation at that step's parameters. Where the
    network is rational (piecewise-linear activations, polynomial losses) the evaluation is exact
    in `Fraction`s; otherwise it is mpmath at `DIGITS` digits, and the update W - lr dW is carried
    in the same arithmetic."""

    DIGITS = 40

    def __init__(self, sizes: Sequence[int], activations: Sequence[str], loss: str,
                 x: Sequence[Number] | Sequence[Sequence[Number]], y: Sequence[Number] | Sequence[Sequence[Number]], *,
                 bias: str = "per_neuron", batch: str = "mean", l2: Number | None = None,
                 loss_params: dict[str, Any] | None = None,
                 activation_params: Sequence[dict[str, Any] | None] | None = None, max_params: int = 64) -> None:
        L = len(sizes) - 1
        count = sum(sizes[l] * sizes[l + 1] + sizes[l + 1] for l in range(L))
        if count > max_params:
            raise ValueError(f"the exact symbolic network is for small worked examples: {count} parameters "
                             f"(more than max_params = {max_params})")
        if bias not in BIAS_MODES:
            raise ValueError(f"bias must be one of {BIAS_MODES}, not {bias!r}")
        self.sizes, self.bias, self.L = list(sizes), bias, L
        acts = list(activation_params or [None] * L)
        self.X = [matrix(row, column=True) for row in _rows(x)]
        self.Y = [matrix(row, column=True) for row in _rows(y)]
        scale = sp.Rational(1, len(self.X)) if batch == "mean" else sp.Integer(1)
        self.W = [sp.Matrix(sizes[l + 1], sizes[l], lambda j, k, l=l: sp.Symbol(f"w{l}_{j}_{k}")) for l in range(L)]
        if bias == "none":
            self.b = [sp.zeros(sizes[l + 1], 1) for l in range(L)]
        elif bias == "shared":
            self.b = [sp.Matrix([sp.Symbol(f"b{l}")] * sizes[l + 1]) for l in range(L)]
        else:
            self.b = [sp.Matrix(sizes[l + 1], 1, lambda j, _k, l=l: sp.Symbol(f"b{l}_{j}")) for l in range(L)]
        self.params = [s for w in self.W for s in w] + self.bias_symbols()

        def forward(a: sp.Matrix) -> tuple[list[sp.Matrix], list[sp.Matrix]]:
            zs, as_ = [], [a]
            for l in range(L):
                zs.append(self.W[l] * as_[-1] + self.b[l])
                as_.append(activate(activations[l], zs[-1], acts[l]))
            return zs, as_

        def example(zL: sp.Matrix, aL: sp.Matrix, target: sp.Matrix) -> sp.Expr:
            return scale * loss_of(loss, aL, target, z=zL, params=loss_params)

        runs = [forward(inp) for inp in self.X]
        total = sp.Add(*[example(zs[-1], as_[-1], t) for (zs, as_), t in zip(runs, self.Y)])
        if l2 is not None:
            total += exact(l2) / 2 * sp.Add(*[w**2 for Wl in self.W for w in Wl])
        grads = [_pin_kinks(sp.diff(total, p)) for p in self.params]
        forward_values = [v for zs, as_ in runs for l in range(L) for v in list(zs[l]) + list(as_[l + 1])]
        main = [total, *grads, *forward_values]
        self.exact = all(_rational_only(e) for e in main)
        compiled = rational_function if self.exact else mpmath_function
        self._main = compiled(self.params, main)
        # dL/dz of layer l for one example: the tail of the network from symbols standing for z^l
        self._tails = []
        Yk = sp.Matrix(sp.symbols(f"y0:{sizes[-1]}"))
        for l in range(L):
            Z = sp.Matrix(sp.symbols(f"z0:{sizes[l + 1]}"))
            zs, as_ = [Z], [activate(activations[l], Z, acts[l])]
            for m in range(l + 1, L):
                zs.append(self.W[m] * as_[-1] + self.b[m])
                as_.append(activate(activations[m], zs[-1], acts[m]))
            tail = example(zs[-1], as_[-1], Yk)
            self._tails.append(compiled([*self.params, *Z, *Yk], [_pin_kinks(sp.diff(tail, v)) for v in Z]))
        Xs = sp.Matrix(sp.symbols(f"x0:{sizes[0]}"))
        zx, ax = forward(Xs)
        self._dx = compiled([*self.params, *Xs, *Yk], [_pin_kinks(sp.diff(example(zx[-1], ax[-1], Yk), v)) for v in Xs])

    def bias_symbols(self) -> list[sp.Symbol]:
        if self.bias == "none":
            return []
        if self.bias == "shared":
            return [b[0] for b in self.b]
        return [s for b in self.b for s in b]

    def number(self, v: Any) -> Any:
        """A value in this network's arithmetic: a Fraction when exact, else an mpmath number."""
        if self.exact:
            return v if isinstance(v, Fraction) else Fraction(str(v)) if not isinstance(v, sp.Rational) \
                else Fraction(int(v.p), int(v.q))
        return _mp(v)

    def evaluate(self, W: Sequence[Any], b: Sequence[Any] | None) -> dict[str, Any]:
        """Every quantity at these parameters (Fractions, or mpmath numbers at `DIGITS` digits):
        loss, dW, db (per layer), z, a, dz (per example and layer) and dx (example 0)."""
        import mpmath

        num = self.number
        with mpmath.workdps(self.DIGITS):
            values = [num(v) for w in W for row in w for v in row]
            if self.bias == "shared":
                values += [num(bl[0]) for bl in (b or [])]
            elif self.bias != "none":
                values += [num(v) for bl in (b or []) for v in bl]
            out = self._main(*values)
            n_p = len(self.params)
            loss, grads, fwd = out[0], out[1:1 + n_p], out[1 + n_p:]
            dW, at = [], 0
            for w in self.W:
                dW.append([[grads[at + j * w.cols + k] for k in range(w.cols)] for j in range(w.rows)])
                at += w.rows * w.cols
            if self.bias == "shared":  # one number per layer: its gradient sums over the neurons
                db = [[g] for g in grads[at:]]
            else:
                db = []
                for bl in (self.b if self.bias != "none" else []):
                    db.append(list(grads[at:at + len(bl)]))
                    at += len(bl)
            z, a, pos = [], [], 0
            for _k in self.X:
                zk, ak = [], []
                for l in range(self.L):
                    n = self.sizes[l + 1]
                    zk.append(list(fwd[pos:pos + n]))
                    ak.append(list(fwd[pos + n:pos + 2 * n]))
                    pos += 2 * n
                z.append(zk)
                a.append(ak)
            dz = [[list(self._tails[l](*values, *z[k][l], *[num(v) for v in self.Y[k]])) for l in range(self.L)]
                  for k in range(len(self.X))]
            dx = list(self._dx(*values, *[num(v) for v in self.X[0]], *[num(v) for v in self.Y[0]]))
        return {"loss": loss, "dW": dW, "db": db, "z": z, "a": a, "dz": dz, "dx": dx}


def _mp(v: Any) -> Any:
    """An exact rational (or an mpmath number) as an mpmath number at the working precision."""
    import mpmath

    if isinstance(v, sp.Rational):
        return mpmath.mpf(int(v.p)) / int(v.q)
    if isinstance(v, (int, str)):
        return mpmath.mpf(sp.Rational(str(v)).p) / sp.Rational(str(v)).q
    return mpmath.mpf(v)


_RATIONAL = (sp.Add, sp.Mul, sp.Symbol, sp.Rational, sp.Piecewise, sp.functions.elementary.piecewise.ExprCondPair,
             sp.Max, sp.Min, sp.Abs, sp.sign, sp.Heaviside, sp.core.relational.Relational,
             sp.logic.boolalg.BooleanAtom, sp.And, sp.Or)


def _rational_only(e: sp.Basic) -> bool:
    """True when the expression is rational at rational points: no exp, log, roots or powers but integers."""
    for node in sp.preorder_traversal(e):
        if isinstance(node, sp.Pow):
            if not node.exp.is_Integer:
                return False
        elif not isinstance(node, _RATIONAL):
            return False
    return True


def rational_function(args: Sequence[sp.Symbol], exprs: Sequence[sp.Expr]) -> Any:
    """Rational expressions as one Python function of `args`, exact on `Fraction`s."""
    from fractions import Fraction as F

    def heaviside(u: F, h0: F = F(1, 2)) -> F:
        return F(1) if u > 0 else (h0 if u == 0 else F(0))

    def sign(u: F) -> F:
        return F((u > 0) - (u < 0))

    # every rational constant becomes an argument holding its Fraction: printed as 1/2 it would be a float
    constants = sorted({r for e in exprs for r in e.atoms(sp.Rational) if not r.is_Integer}, key=sp.default_sort_key)
    names = [sp.Symbol(f"_c{i}") for i in range(len(constants))]
    exprs = [e.xreplace(dict(zip(constants, names))) for e in exprs]
    values = [F(int(r.p), int(r.q)) for r in constants]
    module = {"Heaviside": heaviside, "sign": sign, "Max": max, "Min": min, "Abs": abs}
    fn = sp.lambdify([*args, *names], list(exprs), modules=[module], cse=True)
    return lambda *given: [v if isinstance(v, F) else F(v) for v in fn(*given, *values)]


def mpmath_function(args: Sequence[sp.Symbol], exprs: Sequence[sp.Expr]) -> Any:
    """The expressions as one mpmath function of `args` (common subexpressions computed once)."""
    import mpmath

    heaviside = {"Heaviside": lambda u, h0=mpmath.mpf(1) / 2: mpmath.mpf(1) if u > 0 else (h0 if u == 0 else mpmath.mpf(0))}
    return sp.lambdify(list(args), list(exprs), modules=[heaviside, "mpmath"], cse=True)
