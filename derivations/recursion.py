"""Seed 000's backpropagation recursion at any depth, stated and proved symbolically.

The network has layers 0..L (L = depth), weights omega^l_ij from node i of layer l to node j of
layer l + 1, biases b^l_j, s^l_j = sum_i O^l_i omega^l_ij + b^l_j, and O^{l+1} = sigma(s^l) on the
hidden layers, sigma any differentiable function (its derivative sigma' is a function of its
own). The output is O^L = s^{L-1} with E = sum_i (y_i - O^L_i)^2 (regression) or O^L =
softmax(s^{L-1}) with E = -sum_i l_i log O^L_i (classification); over a batch of B samples E sums
or averages. The recursion

    Delta^1_i = -2 (y_i - O^L_i)                       (regression)
    Delta^1_i = -sum_j l_j (1{i=j} - O^L_i)             (classification)
    Delta^l_i = sigma'(s^{L-l}_i) sum_j omega^{L-l+1}_ij Delta^{l-1}_j     (l = 2..L)
    dE/domega^{L-n}_ij = sum_b O^{L-n}_i Delta^n_j,     dE/db^{L-n}_j = sum_b Delta^n_j

(Delta^1 divided by B for a batch mean, as the seed divides dE/dO^L) is proved exactly: SymPy
differentiates the head's loss for Delta^1, then the network below the output with every weight
and bias symbolic, and each difference from the recursion expands to 0.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import sympy as sp

from gradverify.derivations.steps import Step

HEADS = ("regression", "classification")
MAX_DEPTH = 6
MAX_WIDTH = 3
MAX_SAMPLES = 3
MAX_SIZE = 24  # depth x width x samples: depth 6, width 2, 2 samples expands in seconds


class sigma_prime(sp.Function):  # noqa: N801 (printed as the hand writes it)
    """The activation's derivative, a function of its own: the proof holds for any sigma."""


class sigma(sp.Function):  # noqa: N801
    """Any differentiable activation."""

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return sigma_prime(self.args[0])


@dataclass
class Proof:
    """What was proved: how many gradients, at which sizes, and any that failed."""

    depth: int
    head: str
    batch: str
    samples: int
    width: int
    checked: int = 0
    failed: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def proved(self) -> bool:
        return self.checked > 0 and not self.failed


def step(W: list, S: list, previous: list, L: int, k: int) -> list:
    """Delta^k from Delta^{k-1}: sigma'(s^{L-k}_i) sum_j omega^{L-k+1}_ij Delta^{k-1}_j."""
    width = len(previous)
    return [sigma_prime(S[L - k][i]) * sum(W[L - k + 1][i][j] * previous[j] for j in range(width))
            for i in range(width)]


def _head(head: str, width: int) -> list[str]:
    """The output error Delta^1 = dE/ds^{L-1} of one sample, by differentiating the loss of free
    pre-activations u: the names of the outputs where it fails (none when proved)."""
    u = [sp.Symbol(f"u{i}", real=True) for i in range(width)]
    y = [sp.Symbol(f"y{i}", real=True) for i in range(width)]
    if head == "regression":
        out = list(u)
        loss = sum((y[i] - out[i]) ** 2 for i in range(width))
        delta = [-2 * (y[i] - out[i]) for i in range(width)]
    else:
        e = [sp.exp(v) for v in u]
        out = [v / sp.Add(*e) for v in e]
        loss = -sum(y[i] * sp.log(out[i]) for i in range(width))
        delta = [-sum(y[j] * ((1 if i == j else 0) - out[i]) for j in range(width)) for i in range(width)]
    return [f"Delta^1_{i}" for i in range(width) if not _zero(sp.diff(loss, u[i]) - delta[i])]


def _zero(e: sp.Expr) -> bool:
    e = sp.expand(e)
    if e == 0:
        return True
    num, _den = sp.fraction(sp.together(e))
    return sp.expand(num) == 0 or sp.simplify(e) == 0


def prove(depth: int = 3, head: str = "regression", batch: str = "sum", samples: int = 1, width: int = 2) -> Proof:
    """Every dE/domega and dE/db of the network against the recursion's, exactly, in two parts:
    the output error Delta^1 = dE/ds^{L-1} for the head's loss, then the chain below it with the
    output errors left free (E depends on the parameters only through s^{L-1}, so dE/dtheta =
    sum_i dE/ds^{L-1}_i ds^{L-1}_i/dtheta: the recursion must give that for every output error)."""
    if head not in HEADS:
        raise ValueError(f"head must be one of {HEADS}, not {head!r}")
    if not (1 <= depth <= MAX_DEPTH and 1 <= width <= MAX_WIDTH and 1 <= samples <= MAX_SAMPLES
            and depth * width * samples <= MAX_SIZE):
        raise ValueError(f"depth 1..{MAX_DEPTH}, width 1..{MAX_WIDTH}, samples 1..{MAX_SAMPLES}, and depth x width "
                         f"x samples at most {MAX_SIZE} (the expansion grows fast)")
    start = time.perf_counter()
    out = Proof(depth, head, batch, samples, width)
    out.failed += _head(head, width)
    out.checked += width
    L = depth
    W = [[[sp.Symbol(f"omega^{l}_{i}{j}", real=True) for j in range(width)] for i in range(width)] for l in range(L)]
    b = [[sp.Symbol(f"b^{l}_{j}", real=True) for j in range(width)] for l in range(L)]
    scale = sp.Rational(1, samples) if batch == "mean" else sp.Integer(1)
    E = sp.Integer(0)
    per_sample = []
    for n_s in range(samples):
        O = [[sp.Symbol(f"x_{n_s}{i}", real=True) for i in range(width)]]
        S = []
        for l in range(L):
            S.append([sum(O[l][i] * W[l][i][j] for i in range(width)) + b[l][j] for j in range(width)])
            O.append([sigma(v) for v in S[l]])
        g = [sp.Symbol(f"g_{n_s}{i}", real=True) for i in range(width)]  # dE_sample/ds^{L-1}, any head
        E += scale * sum(g[i] * S[L - 1][i] for i in range(width))
        D = {1: [scale * v for v in g]}
        for k in range(2, L + 1):
            D[k] = step(W, S, D[k - 1], L, k)
        per_sample.append((O, D))
    for n in range(1, depth + 1):
        layer = depth - n
        for j in range(width):
            out.checked += 1
            if not _zero(sp.diff(E, b[layer][j]) - sum(D[n][j] for _O, D in per_sample)):
                out.failed.append(f"dE/db^{layer}_{j}")
            for i in range(width):
                out.checked += 1
                if not _zero(sp.diff(E, W[layer][i][j]) - sum(O[layer][i] * D[n][j] for O, D in per_sample)):
                    out.failed.append(f"dE/domega^{layer}_{i}{j}")
    out.seconds = time.perf_counter() - start
    return out


def derivation(depth: int = 3, head: str = "regression", batch: str = "sum", samples: int = 1,
               width: int = 2) -> Step:
    """The recursion as a derivation tree (for `derive backprop --steps` and the reports), with its proof."""
    l, i, j, n, k, L, B = sp.symbols("l i j n k L B", integer=True)
    Delta, O, s, omega, y, lab, nn = (sp.IndexedBase(t) for t in ("Delta", "O", "s", "omega", "y", "l", "n"))
    b = sp.IndexedBase("b")
    forward = Step("rule", "forward pass", s[l, j], sp.Sum(O[l, i] * omega[l, i, j], (i, 0, nn[l] - 1)) + b[l, j],
                   note="s^l_j feeds node j of layer l + 1; O^{l+1} = sigma(s^l) on hidden layers")
    if head == "regression":
        first = sp.Mul(-2, y[i] - O[L, i], evaluate=False)
        why = "O^L = s^{L-1} (no activation) and E = sum_i (y_i - O^L_i)^2: dE/dO^L_i = -2(y_i - O^L_i)"
    else:
        first = -sp.Sum(lab[j] * (sp.KroneckerDelta(i, j) - O[L, i]), (j, 0, nn[L] - 1))
        why = ("O^L = softmax(s^{L-1}), E = -sum_i l_i log O^L_i: dO^L_j/ds^{L-1}_k = O^L_j(1{j=k} - O^L_k), "
               "and -l_j/O^L_j times it summed over j")
    if batch == "mean":
        first = sp.Mul(first, 1 / B, evaluate=False)
        why += "; a batch mean divides by B (the seed divides dE/dO^L by the number of samples)"
    out_error = Step("rule", "output error", Delta[1, i], first, note=why)
    step = Step("rule", "recursion", Delta[l, i],
                sp.Function("sigma_prime")(s[L - l, i]) * sp.Sum(omega[L - l + 1, i, j] * Delta[l - 1, j],
                                                                  (j, 0, nn[L - l + 2] - 1)),
                note="for l = 2..L: Delta^l lives on layer L - l + 1 and sums over layer L - l + 2")
    grads = [Step("rule", "weight gradient", sp.Symbol("dE/domega^{L-n}_ij"),
                  sp.Sum(O[L - n, i] * Delta[n, j], (k, 1, B)) if samples > 1 else O[L - n, i] * Delta[n, j],
                  note="over a batch the per-sample products are summed"),
             Step("rule", "bias gradient", sp.Symbol("dE/db^{L-n}_j"), Delta[n, j])]
    proof = prove(depth, head, batch, samples, width)
    verdict = (f"proved: the output errors and all {proof.checked - width} weight and bias gradients of a "
               f"depth-{depth} network (widths {width}, {samples} sample{'s' if samples > 1 else ''}, {batch}) "
               f"equal the recursion's, each difference expanding to 0 for any activation sigma" if proof.proved else
               f"refuted: {', '.join(proof.failed[:4])} differ from the recursion's")
    check = Step("simplify", "proof", sp.Symbol("dE/dtheta - recursion"), sp.Integer(0) if proof.proved else None,
                 note=verdict)
    title = f"backprop recursion, depth {depth}, {head}, batch {batch}"
    return Step("derivation", title, None, None, [forward, out_error, step, *grads, check],
                note="seed 000's notation: layers 0..L, omega^l_ij from node i of layer l to node j of layer l + 1")
