"""The analytic formula of each claimed element, written for its own layer, index and conventions.

`z^2_1 = W^2_11 x_1 + W^2_12 x_2 + W^2_13 x_3 + b^2_1`, `delta^3_1 = a^3_1 - y_1` for a fused softmax +
cross-entropy output, `dL/da^2_1 = W^3_11 delta^3_1` with the weights in the file's layout, the update
with the file's sign: each formula is a `formula` tree in the row's own elements, so the report
prints exactly what a test evaluates on the row's numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from gradverify.render import formula as F
from gradverify.render.truth import ExampleInfo

FUSED = "softmax_cross_entropy"


@dataclass(frozen=True)
class TextbookForms:
    """Textbook forms from the catalog as formula templates: the activation derivative per
    activation (in @z and @a: f'(z) and the output a = f(z)), the loss's term per output and its
    derivative (in @a and @y). A name missing here is shown as f'(z) or left without a formula."""

    act_prime: dict[str, F.Node] = field(default_factory=dict)
    loss_term: F.Node | None = None
    loss_grad: F.Node | None = None


Key = tuple[int, str, "int | None", tuple[int, ...]]  # (step, quantity, layer, index) of a claim


class RowFormulas:
    """Formulas for the claims of one worked example (its sizes, numbering and conventions).

    A formula names the elements the reader can find in the report: the forward values (z, a, in
    the network picture), the data and parameters, and the backward quantities claimed in the same
    step; a backward quantity nobody claimed is written out (delta^3_1 = 2(a^3_1 - y_1) a^3_1(1 - a^3_1)).
    """

    def __init__(self, info: ExampleInfo, forms: TextbookForms, claimed: set[Key] | None = None) -> None:
        self.info, self.forms = info, forms
        self.claimed = claimed if claimed is not None else set()
        c = info.conventions
        self.sizes = list(info.sizes)
        self.first_layer, self.first = info.first_layer, info.first_index
        self.output = self.first_layer + len(self.sizes) - 1
        self.from_to = c.get("weights", "to_from") == "from_to"
        self.w_by, self.b_by = c.get("weights_named_by", "to"), c.get("biases_named_by", "to")
        self.bias = c.get("bias", "per_neuron")
        self.negative = info.error_sign == "negative"
        self.mean = c.get("reduction", "mean") == "mean"
        self.l2 = float(c.get("l2", 0.0) or 0.0) > 0
        import numpy as np

        x = np.asarray(info.x, dtype=float)
        self.batch = int(x.shape[0]) if x.ndim == 2 and x.shape[0] > 1 else 0  # 0: one sample
        self.fused = info.loss == FUSED and info.activations[-1] == "softmax"

    # --- names ------------------------------------------------------------------------------------
    def size(self, layer: int) -> int:
        return self.sizes[layer - self.first_layer]

    def act(self, layer: int) -> str:
        return self.info.activations[layer - self.first_layer - 1]

    def params(self, layer: int) -> tuple[tuple[str, float], ...]:
        acts = self.info.act_params
        return tuple(sorted(acts[layer - self.first_layer - 1].items())) if acts else ()

    def w_number(self, layer: int) -> int:
        """The superscript of the weights into `layer` (named by the layer they enter or leave)."""
        return layer - (1 if self.w_by == "from" else 0)

    def b_number(self, layer: int) -> int:
        return layer - (1 if self.b_by == "from" else 0)

    def sample(self, b: int | str | None, *index: int | str) -> tuple[int | str, ...]:
        return ((b,) if b is not None else ()) + index

    def elem(self, quantity: str, layer: int | None, b: int | str | None, *index: int | str, step: int = 0) -> F.Elem:
        return F.Elem(quantity, layer, self.sample(b, *index), step)

    def activation_in(self, layer: int, b: int | str | None, k: int | str) -> F.Elem:
        """a^{layer}_k, or x_k for the input layer."""
        if layer == self.first_layer:
            return self.elem("x", None, b, k)
        return self.elem("a", layer, b, k)

    def weight(self, layer: int, j: int | str, k: int | str, step: int = 0) -> F.Elem:
        """The weight from neuron k of layer - 1 to neuron j of `layer`, in the file's layout."""
        idx = (k, j) if self.from_to else (j, k)
        return F.Elem("W", self.w_number(layer), idx, step)

    def bias_of(self, layer: int, j: int | str, step: int = 0) -> F.Elem:
        return F.Elem("b", self.b_number(layer), () if self.bias == "shared" else (j,), step)

    def ref(self, quantity: str, layer: int, b: int | str | None, j: int | str, step: int) -> F.Node:
        """A backward element of this step: its name when claimed (or a summation runs over it),
        else its own formula."""
        idx = self.sample(b, j)
        if not isinstance(j, str) and not isinstance(b, str) and (step, quantity, layer, idx) not in self.claimed:
            rhs = getattr(self, f"_{quantity}")(layer, b, (j,), step)
            if rhs is not None:
                return rhs
        return F.Elem(quantity, layer, idx)

    def sign(self, x: F.Node) -> F.Node:
        """A gradient in the file's sign convention (negated when it reports -dL/d.)."""
        return F.neg(x) if self.negative else x

    def over_batch(self, one: Callable[[int | str | None], F.Node]) -> F.Node:
        """A parameter's gradient from every sample's share: (1/B) sum_b for a batch mean, sum_b for a
        sum; the per-sample quantities (delta, dL/da) are each sample's own, without 1/B."""
        if not self.batch:
            return one(None)
        total = F.total("b", self.first, self.first + self.batch - 1, one, spell_out=3)
        return F.mul(F.Frac(F.num(1), F.Var("B")), total) if self.mean else total

    # --- one formula per quantity -------------------------------------------------------------------
    def formula(self, quantity: str, layer: int | None, index: tuple[int, ...], step: int) -> F.Eq | None:
        """The formula for the claimed element, or None where no textbook formula applies."""
        b, idx = (index[0], index[1:]) if self.batch and quantity in ("z", "a", "act_prime", "dL_da", "delta", "dx") \
            and len(index) >= 2 else (None, index)
        lhs = F.Elem(quantity, layer, tuple(index))
        method = getattr(self, f"_{quantity}", None)
        if method is None:
            return None
        rhs = method(layer, b, idx, step)
        if rhs is None:
            return None
        return F.Eq(lhs, rhs, "\u2190" if quantity in ("W", "b") else "=")

    def _z(self, layer: int, b: int | str | None, idx: tuple[int, ...], step: int) -> F.Node:
        (j,) = idx
        prev = layer - 1
        terms = F.total("k", self.first, self.first + self.size(prev) - 1,
                        lambda k: F.mul(self.weight(layer, j, k), self.activation_in(prev, b, k)))
        return terms if self.bias == "none" else F.add(terms, self.bias_of(layer, j))

    def _a(self, layer: int, b: int | str | None, idx: tuple[int, ...], step: int) -> F.Node:
        (j,) = idx
        name = self.act(layer)
        if name == "softmax":
            den = F.total("k", self.first, self.first + self.size(layer) - 1,
                          lambda k: F.Call("exp", (self.elem("z", layer, b, k),)))
            return F.Frac(F.Call("exp", (self.elem("z", layer, b, j),)), den)
        if name == "identity":
            return self.elem("z", layer, b, j)
        return F.Call(name, (self.elem("z", layer, b, j),), params=self.params(layer))

    def _act_prime(self, layer: int, b: int | str | None, idx: tuple[int, ...], step: int) -> F.Node | None:
        (j,) = idx
        name = self.act(layer)
        if name == "softmax":
            return None  # a Jacobian, not one number per neuron
        z, a = self.elem("z", layer, b, j), self.elem("a", layer, b, j)
        form = self.forms.act_prime.get(name)
        if form is None:
            return F.Call(name, (z,), prime=True, params=self.params(layer))
        return F.replace(form, {"@z": z, "@a": a})

    def _loss(self, layer: int | None, b: int | str | None, idx: tuple[int, ...], step: int) -> F.Node | None:
        out, n = self.output, self.size(self.output)
        term = self._term()
        if term is None:
            return None

        def one(s: int | str | None) -> F.Node:
            return F.total("j", self.first, self.first + n - 1, lambda j: F.replace(
                term, {"@a": self.elem("a", out, s, j), "@y": self.elem("y", None, s, j), "n": F.num(n)}))

        body = one(None) if not self.batch else F.total(
            "b", self.first, self.first + self.batch - 1, lambda s: one(s), spell_out=2)
        if self.batch and self.mean:
            body = F.mul(F.Frac(F.num(1), F.Var("B")), body)
        if self.l2:
            body = F.add(body, F.mul(F.Frac(F.Var("lambda"), F.num(2)), F.Var("\u2016W\u2016\u00b2")))
        return body

    def _term(self) -> F.Node | None:
        if self.fused:
            return F.neg(F.mul(F.Var("@y"), F.Call("log", (F.Var("@a"),))))
        return self.forms.loss_term

    def _dL_da(self, layer: int, b: int | str | None, idx: tuple[int, ...], step: int) -> F.Node | None:
        (j,) = idx
        if layer == self.output:
            grad = F.neg(F.Frac(F.Var("@y"), F.Var("@a"))) if self.fused else self.forms.loss_grad
            if grad is None:
                return None
            n = self.size(layer)
            g = F.replace(grad, {"@a": self.elem("a", layer, b, j), "@y": self.elem("y", None, b, j), "n": F.num(n)})
            return self.sign(g)
        nxt = layer + 1
        return F.total("k", self.first, self.first + self.size(nxt) - 1,
                       lambda k: F.mul(self.weight(nxt, k, j), self.ref("delta", nxt, b, k, step)))

    def _delta(self, layer: int, b: int | str | None, idx: tuple[int, ...], step: int) -> F.Node | None:
        (j,) = idx
        a = self.elem("a", layer, b, j)
        if layer == self.output and self.fused:
            return self.sign(F.add(a, F.neg(self.elem("y", None, b, j))))
        g = self.ref("dL_da", layer, b, j, step)
        if self.act(layer) == "softmax":  # the Jacobian-vector product a_j (g_j - sum_k a_k g_k)
            mix = F.total("k", self.first, self.first + self.size(layer) - 1,
                          lambda k: F.mul(self.elem("a", layer, b, k), self.ref("dL_da", layer, b, k, step)))
            return F.mul(a, F.add(g, F.neg(mix)))
        return F.mul(g, self.ref("act_prime", layer, b, j, step))

    def _dW(self, number: int, b: int | str | None, idx: tuple[int, ...], step: int) -> F.Node:
        layer = number + (1 if self.w_by == "from" else 0)
        k, j = idx if self.from_to else idx[::-1]

        def one(s: int | str | None) -> F.Node:
            return F.mul(self.ref("delta", layer, s, j, step), self.activation_in(layer - 1, s, k))

        grad = self.over_batch(one)
        if self.l2:
            grad = F.add(grad, self.sign(F.mul(F.Var("lambda"), self.weight(layer, j, k))))
        return grad

    def _db(self, number: int, b: int | str | None, idx: tuple[int, ...], step: int) -> F.Node:
        layer = number + (1 if self.b_by == "from" else 0)

        def one(s: int | str | None) -> F.Node:
            if self.bias == "shared":
                return F.total("j", self.first, self.first + self.size(layer) - 1,
                               lambda j: self.ref("delta", layer, s, j, step))
            return self.ref("delta", layer, s, idx[0], step)

        return self.over_batch(one)

    def _dx(self, layer: int | None, b: int | str | None, idx: tuple[int, ...], step: int) -> F.Node:
        (k,) = idx
        nxt = self.first_layer + 1
        return F.total("j", self.first, self.first + self.size(nxt) - 1,
                       lambda j: F.mul(self.weight(nxt, j, k), self.ref("delta", nxt, b, j, step)))

    def _W(self, number: int, b: int | str | None, idx: tuple[int, ...], step: int) -> F.Node | None:
        if step < 2:
            return None  # the stated parameters: nothing to compute them from
        old = F.Elem("W", number, idx, -1)
        return self._update(old, F.Elem("dW", number, idx, -1))

    def _b(self, number: int, b: int | str | None, idx: tuple[int, ...], step: int) -> F.Node | None:
        if step < 2:
            return None
        old = F.Elem("b", number, idx, -1)
        if self.bias == "frozen":
            return old
        return self._update(old, F.Elem("db", number, idx, -1))

    def _update(self, old: F.Elem, grad: F.Elem) -> F.Node:
        """old - eta dL/d(old); with negative gradients reported, old + eta (-dL/d(old))."""
        step = F.mul(F.Var("eta"), grad)
        return F.add(old, step) if self.negative else F.add(old, F.neg(step))
