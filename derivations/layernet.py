"""A small network of any depth in 30-digit arithmetic, for checking layer-indexed formulas.

Layers k = 0..L (0 is the input); weights W[k][i][j] join neuron i of layer k to neuron j of
layer k + 1, z[k] = a[k] W[k] + b[k] feeds layer k + 1, hidden layers apply an activation and the
output head is the identity with squared error (regression) or softmax with cross-entropy. Every
derivative is taken by forward-mode differentiation (each elementary operation carries its
tangent), seeded at the quantity it is taken with respect to: the truth for a backpropagation
formula comes from the chain rule on the forward pass itself, not from backpropagation.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from functools import lru_cache

import mpmath

DIGITS = 30
ACTIVATIONS = ("sigmoid", "relu", "tanh")
HEADS = ("regression", "classification")

Ref = tuple  # ("a" | "z" | "W" | "b" | "x", layer, index...)


@dataclass(frozen=True)
class Dual:
    """A value and its tangent along one seeded direction."""

    v: mpmath.mpf
    d: mpmath.mpf

    def __add__(self, o: "Dual") -> "Dual":
        return Dual(self.v + o.v, self.d + o.d)

    def __mul__(self, o: "Dual") -> "Dual":
        return Dual(self.v * o.v, self.d * o.v + self.v * o.d)


def _act(name: str, u: Dual) -> Dual:
    if name == "sigmoid":
        s = 1 / (1 + mpmath.exp(-u.v))
        return Dual(s, s * (1 - s) * u.d)
    if name == "tanh":
        t = mpmath.tanh(u.v)
        return Dual(t, (1 - t * t) * u.d)
    return Dual(u.v, u.d) if u.v > 0 else Dual(mpmath.mpf(0), mpmath.mpf(0))


def act_prime(name: str, u: mpmath.mpf) -> mpmath.mpf:
    """The activation's derivative at u (relu'(0) = 0)."""
    return _act(name, Dual(u, mpmath.mpf(1))).d


@dataclass
class Net:
    """Widths, activation, head, parameters, input and target; values are computed on demand."""

    widths: tuple[int, ...]
    activation: str
    head: str
    W: list = field(default_factory=list)
    b: list = field(default_factory=list)
    x: list = field(default_factory=list)
    y: list = field(default_factory=list)

    @property
    def L(self) -> int:
        return len(self.widths) - 1

    def forward(self, seed: Ref | None = None) -> dict[Ref, Dual]:
        """Every quantity (a, z, W, b, loss) with its tangent along `seed` (a quantity whose
        tangent is 1; nothing when None)."""
        one, zero = mpmath.mpf(1), mpmath.mpf(0)
        val: dict[Ref, Dual] = {}

        def leaf(ref: Ref, v: mpmath.mpf) -> Dual:
            val[ref] = Dual(v, one if ref == seed else zero)
            return val[ref]

        a = [leaf(("a", 0, i), v) for i, v in enumerate(self.x)]
        for k in range(self.L):
            z = []
            for j in range(self.widths[k + 1]):
                acc = leaf(("b", k, j), self.b[k][j])
                for i in range(self.widths[k]):
                    acc = acc + a[i] * leaf(("W", k, i, j), self.W[k][i][j])
                z.append(self._bump(("z", k, j), acc, seed, val))
            if k < self.L - 1:
                a = [self._bump(("a", k + 1, j), _act(self.activation, u), seed, val) for j, u in enumerate(z)]
            elif self.head == "regression":
                a = [self._bump(("a", k + 1, j), u, seed, val) for j, u in enumerate(z)]
            else:
                m = max(u.v for u in z)
                e = [Dual(mpmath.exp(u.v - m), mpmath.exp(u.v - m) * u.d) for u in z]
                total = Dual(sum(t.v for t in e), sum(t.d for t in e))
                a = [self._bump(("a", k + 1, j), Dual(t.v / total.v, (t.d * total.v - t.v * total.d) / total.v**2),
                                seed, val) for j, t in enumerate(e)]
        if self.head == "regression":
            loss = Dual(zero, zero)
            for j, o in enumerate(a):
                r = Dual(self.y[j] - o.v, -o.d)
                loss = loss + r * r
        else:
            loss = Dual(-sum(t * mpmath.log(o.v) for t, o in zip(self.y, a)),
                        -sum(t * o.d / o.v for t, o in zip(self.y, a)))
        val[("loss",)] = loss
        return val

    @staticmethod
    def _bump(ref: Ref, u: Dual, seed: Ref | None, val: dict) -> Dual:
        """A computed quantity; seeding it adds 1 to its tangent (the derivative with respect to it)."""
        val[ref] = Dual(u.v, u.d + (1 if ref == seed else 0))
        return val[ref]

    def value(self, ref: Ref) -> mpmath.mpf:
        return _values(self)[ref].v

    def derivative(self, of: Ref, wrt: Ref) -> mpmath.mpf:
        """d of / d wrt, every other leaf held fixed (the total derivative through the network)."""
        return _seeded(self, wrt)[of].d

    def __hash__(self) -> int:
        return id(self)


@lru_cache(maxsize=4)
def _values(net: Net) -> dict[Ref, Dual]:
    with mpmath.workdps(DIGITS):
        return net.forward()


@lru_cache(maxsize=512)
def _seeded(net: Net, wrt: Ref) -> dict[Ref, Dual]:
    with mpmath.workdps(DIGITS):
        return net.forward(wrt)


def random_net(widths: tuple[int, ...], activation: str, head: str, seed: int = 17, biased: bool = True) -> Net:
    """A network with short random weights (4 decimals), a random input and a target: a one-hot
    label for classification. Unbiased networks have every bias 0 (still a quantity to
    differentiate by)."""
    rng = random.Random(seed)
    draw = lambda: mpmath.mpf(round(rng.uniform(-1.5, 1.5), 4))  # noqa: E731
    L = len(widths) - 1
    W = [[[draw() for _ in range(widths[k + 1])] for _ in range(widths[k])] for k in range(L)]
    b = [[draw() if biased else mpmath.mpf(0) for _ in range(widths[k + 1])] for k in range(L)]
    x = [draw() for _ in range(widths[0])]
    if head == "classification":
        hot = rng.randrange(widths[-1])
        y = [mpmath.mpf(1 if j == hot else 0) for j in range(widths[-1])]
    else:
        y = [draw() for _ in range(widths[-1])]
    return Net(tuple(widths), activation, head, W, b, x, y)
