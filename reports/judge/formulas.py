"""Vectorized backprop formula claims checked against the numeric engine on random networks.

A `[[formula]]` table: `claimed = "grad_W2 = delta3 a2^T"`, `layout = "004"` (whose names: seed
004, 000 or 003; see `gradverify.derivations.matrix.LAYOUTS`), optional `sizes = [3, 4, 2]`, `expect`.
The right-hand side runs with the engine's own values on three random networks and is compared
with the engine's gradient: equivalent, transposed, a sign or constant factor off, or wrong with
the first differing element. Correct formulas are then proved symbolically at small sizes, in the
sandbox's worker under the claim time limit (a proof that runs away leaves the numeric verdict).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from gradverify.derivations import matrix
from gradverify.derivations import readable
from gradverify.derivations.parse import ClaimSyntaxError
from gradverify.numeric.activations import get_activation
from gradverify.numeric.conventions import Conventions
from gradverify.numeric.mlp import MLP

SEEDS = (11, 12, 13)
MAX_LAYER = 200  # seed 004's own network is 150-100-5
LAMBDA = 0.1
GRADIENT_KINDS = ("dW", "db", "dx", "delta")


class FormulaError(ValueError):
    """An unusable [[formula]] table (the message says which and what to write)."""


def numpy_backend() -> matrix.Backend:
    def apply(name: str, deriv: bool, m: np.ndarray) -> np.ndarray:
        act = get_activation("sigmoid" if name == "sigma" else name)
        return act.df(m) if deriv else act.f(m)

    # np.transpose keeps a scalar (lambda, 0.5) a scalar: lambda^T is lambda
    return matrix.Backend(lambda a, b: a @ b, lambda a, b: a * b, np.transpose,
                          lambda a: np.shape(a), apply, float)


def _network(lay: matrix.Layout, sizes: tuple[int, int, int], seed: int, l2: float) -> dict[str, Any]:
    """Values of every name of the layout (column vectors, user-layout weights) and the truths."""
    rng = np.random.default_rng(seed)
    net = MLP.random(list(sizes), list(lay.activations), lay.loss, seed=seed,
                     conventions=Conventions(reduction="sum", l2=l2))
    x = rng.standard_normal((1, sizes[0]))
    if lay.loss == "cross_entropy":
        y = np.zeros((1, sizes[2]))
        y[0, rng.integers(sizes[2])] = 1.0
    else:
        y = rng.standard_normal((1, sizes[2]))
    fwd = net.forward(x)
    grads = net.backward(fwd, y)
    col = lambda v: np.asarray(v).reshape(-1, 1)  # noqa: E731
    from_to = lay.weights == "from_to"
    user_w = lambda m: m.T.copy() if from_to else m.copy()  # noqa: E731
    values: dict[str, Any] = {"lambda": l2}
    truths: dict[str, Any] = {}
    for name, (kind, k) in lay.names.items():
        if kind == "x":
            values[name] = col(x)
        elif kind == "W":
            values[name] = user_w(net.W[k])
        elif kind == "b":
            values[name] = col(net.b[k])
        elif kind == "z":
            values[name] = col(fwd.z[k])
        elif kind == "a":
            values[name] = col(fwd.a[k])
        elif kind == "y":
            values[name] = col(y)
        elif kind == "delta":
            values[name] = truths[name] = col(grads.delta[k])
        elif kind == "dW":
            truths[name] = user_w(grads.dW[k])
        elif kind == "db":
            truths[name] = col(grads.db[k])
        elif kind == "dx":
            truths[name] = col(grads.dx)
    return {"values": values, "truths": truths}


def judge_formula(text: str, layout: str = "004", sizes: tuple[int, int, int] = (3, 4, 2),
                  timeout: float | None = None) -> dict[str, Any]:
    """The verdict on one formula claim (see module docstring); the symbolic proof runs in the
    sandbox's worker, at most `timeout` seconds."""
    try:
        lay = matrix.layout(layout)
    except KeyError as exc:
        raise FormulaError(exc.args[0]) from None
    try:
        lhs, tree = matrix.parse_formula(text)
    except ClaimSyntaxError as exc:
        raise FormulaError(exc.render()) from None
    if lhs not in lay.names or lay.names[lhs][0] not in GRADIENT_KINDS:
        known = sorted(n for n, (kind, _k) in lay.names.items() if kind in GRADIENT_KINDS)
        raise FormulaError(f"{lhs!r} is not a gradient or error of layout {lay.name}; write one of {', '.join(known)}")
    unknown = sorted(matrix.names_of(tree) - set(lay.names) - {"lambda"})
    if unknown:
        raise FormulaError(f"unknown name(s) {', '.join(unknown)} in layout {lay.name}; its names: "
                           f"{', '.join(sorted(lay.names))}")
    if lay.names[lhs][0] == "delta" and lhs in matrix.names_of(tree):
        raise FormulaError(f"{lhs} appears on both sides")
    l2 = LAMBDA if "lambda" in matrix.names_of(tree) else 0.0
    out: dict[str, Any] = {"claimed": text, "layout": lay.name, "sizes": list(sizes), "lhs": lhs, "diagnoses": []}
    backend = numpy_backend()
    for seed in SEEDS:
        net = _network(lay, sizes, seed, l2)
        truth = net["truths"][lhs]
        ev = matrix.Evaluator(backend, net["values"], lay.functions)
        try:
            got = ev.run(tree)
        except matrix.FormulaShapeError as exc:
            out.update(verdict="not equivalent", explanation=f"the shapes do not fit: {exc} (sizes {'-'.join(map(str, sizes))})")
            out["diagnoses"] += _transposed_fix(tree, ev, truth)
            return out
        got = np.asarray(got, dtype=float)
        if got.shape != truth.shape:
            if got.T.shape == truth.shape and np.allclose(got.T, truth, rtol=1e-9, atol=1e-12):
                out["diagnoses"].append("the result is transposed: it has the right entries in the wrong layout")
            else:
                out["diagnoses"] += _transposed_fix(tree, ev, truth)
            out.update(verdict="not equivalent",
                       explanation=f"{lhs} has shape {truth.shape} but the formula gives {got.shape}")
            return out
        if not np.allclose(got, truth, rtol=1e-9, atol=1e-12):
            idx = tuple(int(i) for i in np.unravel_index(np.argmax(np.abs(got - truth)), truth.shape))
            out.update(verdict="not equivalent", counterexample={
                "network_seed": seed, "element": [i + 1 for i in idx], "claimed": float(got[idx]),
                "engine": float(truth[idx])},
                explanation=f"on a random {'-'.join(map(str, sizes))} network, element "
                            f"({', '.join(str(i + 1) for i in idx)}): formula {readable.number(got[idx])}, "
                            f"engine {readable.number(truth[idx])}")
            out["diagnoses"] += _ratio(got, truth, lay) + _transposed_fix(tree, ev, truth) + _derivative_fix(tree, ev, truth, lay)
            return out
    out["verdict"] = "equivalent"
    out["explanation"] = f"equals the engine's {lhs} on {len(SEEDS)} random networks of sizes {'-'.join(map(str, sizes))}"
    from gradverify.derivations import sandbox

    sym = sandbox.shared().prove_formula(lhs, tree, lay.name, timeout)
    if "method" not in sym:  # timed out, or the worker failed: the numeric verdict stands alone
        sym = {"verdict": "undecided", "method": str(sym.get("explanation") or sym.get("error"))}
    out["symbolic"] = sym
    if out["symbolic"]["verdict"] == "refuted":
        out["verdict"] = "undecided"
        out["explanation"] += "; but the symbolic check disagrees: " + out["symbolic"]["method"]
    return out


def _ratio(got: np.ndarray, truth: np.ndarray, lay: matrix.Layout) -> list[str]:
    mask = np.abs(truth) > 1e-9
    if not mask.any():
        return []
    r = got[mask] / truth[mask]
    if np.allclose(r, r[0], rtol=1e-9):
        k = float(r[0])
        if np.isclose(k, -1):
            return ["the sign is flipped (an error_sign 'negative' quantity where the gradient is meant?)"]
        if np.isclose(k, 0.5) and lay.loss == "squared_error":
            return ["off by a constant factor 0.5: the gradient of 1/2 (y - a)^2, half that of the layout's "
                    "loss (y - a)^2"]
        return [f"off by a constant factor {k:.6g}"]
    return []


def _transposed_fix(tree: tuple, ev: matrix.Evaluator, truth: np.ndarray) -> list[str]:
    """Names whose transpose (or un-transpose) makes the formula right."""
    found = []
    for name in sorted(matrix.names_of(tree)):
        fixed = _flip(tree, name)
        try:
            got = np.asarray(ev.run(fixed), dtype=float)
        except (matrix.FormulaShapeError, KeyError, ValueError):
            continue
        if got.shape == truth.shape and np.allclose(got, truth, rtol=1e-9, atol=1e-12):
            found.append(f"transpose {name}: with {name}^T (or without the ^T on it) the formula is right")
    return found


def _derivative_fix(tree: tuple, ev: matrix.Evaluator, truth: np.ndarray, lay: matrix.Layout) -> list[str]:
    """Pre-activations written where the activation's derivative at them belongs (seed 001 writes
    z^2 where sigma'(z^2) is meant): each z name replaced by f'(z) in turn."""
    found = []
    for name in sorted(matrix.names_of(tree)):
        kind, k = lay.names.get(name, ("", 0))
        if kind != "z":
            continue
        f = lay.activations[k]
        fixed = _swap(tree, ("name", name), ("fn", f, True, ("name", name)))
        try:
            got = np.asarray(ev.run(fixed), dtype=float)
        except (matrix.FormulaShapeError, KeyError, ValueError):
            continue
        if got.shape == truth.shape and np.allclose(got, truth, rtol=1e-9, atol=1e-12):
            found.append(f"{name} where {f}'({name}) belongs: with {f}'({name}) in its place the formula is right")
    return found


def _swap(tree: tuple, old: tuple, new: tuple) -> tuple:
    """The tree with every `old` node outside function arguments replaced by `new`."""
    if tree == old:
        return new
    if tree[0] in ("num", "name", "fn"):
        return tree
    return (tree[0], *[_swap(c, old, new) if isinstance(c, tuple) else c for c in tree[1:]])


def _flip(tree: tuple, name: str) -> tuple:
    if tree == ("name", name):
        return ("T", tree)
    if tree[0] == "T" and tree[1] == ("name", name):
        return tree[1]
    if tree[0] in ("num", "name"):
        return tree
    if tree[0] == "fn":
        return ("fn", tree[1], tree[2], _flip(tree[3], name))
    return (tree[0], *[_flip(c, name) if isinstance(c, tuple) else c for c in tree[1:]])


def judge_formula_tables(tables: list[dict[str, Any]], timeout: float | None = None) -> list[dict[str, Any]]:
    """Judge each [[formula]] table; FormulaError names the table that is unusable."""
    out = []
    for k, t in enumerate(tables):
        if "claimed" not in t:
            raise FormulaError(f"[[formula]] number {k + 1} lacks claimed: write claimed = \"grad_W2 = delta3 a2^T\"")
        sizes = tuple(int(v) for v in t.get("sizes", (3, 4, 2)))
        if len(sizes) != 3 or min(sizes) < 1 or max(sizes) > MAX_LAYER:
            raise FormulaError(f"[[formula]] number {k + 1}: sizes is three layer sizes 1..{MAX_LAYER}, e.g. [3, 4, 2]")
        try:
            res = judge_formula(str(t["claimed"]), str(t.get("layout", "004")), sizes, timeout)
        except FormulaError as exc:
            raise FormulaError(f"[[formula]] number {k + 1} ({t['claimed']!r}): {exc}") from None
        res = {**{key: v for key, v in t.items() if key not in res}, **res, "index": k}
        if "expect" in t:
            res["as_expected"] = res["verdict"] == t["expect"]
        out.append(res)
    return out
