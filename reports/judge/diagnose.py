"""Why a claim is wrong: test it against transformed truths at its own printed precision.

Each test is a mistake people make by hand: the 1/2 convention of squared error, a sign, transposed
weights, another learning rate, the derivative at the wrong point, mean vs sum, a typo, rounding too
early. Convention mistakes come with the `Variant` that reproduces them, so the judge can accept
what follows from them without condemning it again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Hashable

from gradverify.judge.mlp import BACKWARD, Variant
from gradverify.judge.numbers import Printed, format_like, shown


@dataclass(frozen=True)
class Diagnosis:
    """A sentence saying what went wrong, the kind of mistake, and the variant that reproduces it."""

    text: str
    kind: str
    variant: Hashable | None = None  # a network's Variant, a circuit's CircuitVariant
    label: str = ""  # short name of a convention variant: "1/2 convention"
    intended: float | None = None  # for a typo: the number the person meant to write


@dataclass(frozen=True)
class Candidate:
    """A mistake to try: the variant its problem replays, what it is called, and the sentence for it."""

    variant: Hashable  # a network's Variant, a circuit's CircuitVariant
    kind: str
    label: str
    sentence: str
    quantities: tuple[str, ...] | None = None  # only claims of these quantities may start it


def variants(loss: str, lr: float | None, batch: int, n_out: int, has_square_w: bool, act_names: list[str]) -> list[Candidate]:
    """Every convention variant worth trying for a network."""
    out: list[Candidate] = []
    if loss == "squared_error":
        out.append(Candidate(Variant(grad_scale=0.5), "half_convention", "1/2 convention",
                             "the gradient of 1/2 (y-a)^2, half that of the stated loss (y-a)^2"))
        if n_out > 1:
            out.append(Candidate(Variant(grad_scale=1.0 / n_out), "mean_vs_sum_outputs", "mean over the outputs",
                                 f"the gradient of the mean over the {n_out} outputs, 1/{n_out} of the stated sum"))
    if loss == "half_squared_error":
        out.append(Candidate(Variant(grad_scale=2.0), "half_convention", "(y-a)^2 gradient",
                             "the gradient of (y-a)^2, twice that of the stated loss 1/2 (y-a)^2"))
    if loss == "mean_squared_error":
        out.append(Candidate(Variant(grad_scale=float(n_out)), "mean_vs_sum_outputs", "sum over the outputs",
                             f"the gradient of the sum over the {n_out} outputs, {n_out} times the stated mean"))
        out.append(Candidate(Variant(grad_scale=0.5 * n_out), "half_convention", "1/2 convention",
                             "the gradient of 1/2 sum (y-a)^2 instead of the stated mean"))
    if batch > 1:
        out.append(Candidate(Variant(reduction="sum"), "mean_vs_sum_batch", "sum over the batch",
                             f"the sum over the {batch} samples of the batch instead of the stated mean"))
        out.append(Candidate(Variant(reduction="mean"), "mean_vs_sum_batch", "mean over the batch",
                             f"the mean over the {batch} samples of the batch instead of the stated sum"))
    out.append(Candidate(Variant(sign_back=-1.0), "sign", "opposite sign",
                         "the opposite sign (dL/d of the other error-sign convention)", BACKWARD))
    if lr is not None:
        out.append(Candidate(Variant(update_sign=-1.0), "update_sign", "update with the wrong sign",
                             "an update with the wrong sign (W + lr*dW instead of W - lr*dW)", ("W", "b")))
        for alt in sorted({lr * 10, lr / 10, lr * 2, lr / 2, 1.0, 0.1, 0.01, 0.5, 0.05, 0.001} - {lr}):
            out.append(Candidate(Variant(lr=alt), "learning_rate", f"learning rate {alt:g}",
                                 f"an update with learning rate {alt:g} instead of the stated {lr:g}",
                                 ("W", "b", "lr_dW", "lr_db")))
    if any(a in ("sigmoid", "tanh") for a in act_names):
        out.append(Candidate(Variant(act_prime="output_at_z"), "wrong_point", "derivative at the wrong point",
                             "the derivative written in the output (a(1-a)) applied to z instead of a",
                             ("act_prime", "delta")))
    out.append(Candidate(Variant(act_prime="at_a"), "wrong_point", "derivative at the wrong point",
                         "f' evaluated at the output a instead of at z", ("act_prime", "delta")))
    if has_square_w:
        out.append(Candidate(Variant(transpose_back=True), "transposed", "W instead of W^T",
                             "W delta instead of W^T delta (the weights not transposed)", ("dL_da", "delta")))
    out.append(Candidate(Variant(round_sig=1), "rounded_early", "rounded too early",
                         "a recomputation from inputs rounded to 1 significant figure (rounded too early)"))
    out.append(Candidate(Variant(round_sig=2), "rounded_early", "rounded too early",
                         "a recomputation from inputs rounded to 2 significant figures (rounded too early)"))
    return out


def _digits(text: str) -> str:
    return text.lstrip("+-")


def typo(printed: Printed, value: float) -> str:
    """A sentence when the claim is `value` with a digit dropped, doubled, swapped or changed; else ""."""
    return typo_intended(printed, value)[0]


def typo_intended(printed: Printed, value: float) -> tuple[str, float | None]:
    """(sentence, the number the person meant to write) for a typo of `value`; ("", None) if none."""
    s, meant = _typo(printed, value)
    return s, (float(meant) if meant else None)


def _typo(printed: Printed, value: float) -> tuple[str, str]:
    claim = printed.text.strip().replace("\u2212", "-")
    csign = "-" if claim.startswith("-") else ""
    if (csign == "-") != (value < 0) or value == 0:
        return "", ""
    c = _digits(claim)
    same = format_like(value, printed, 0).plain()
    longer = format_like(value, printed, 1).plain()
    shorter = format_like(value, printed, -1).plain() if printed.last_place < 0 or printed.sig_digits > 1 else ""
    same_d, long_d, short_d = _digits(same), _digits(longer), _digits(shorter)
    what = f"{printed.text.strip()} looks like {{}} with {{}}"
    if printed.sig_digits < 2:
        return "", ""  # a single printed digit differing is not a typo we can name
    unit = 2 * printed.tolerance
    if abs(printed.value - value) < 1.5 * unit:
        return f"off by one in the last digit: {value:.12g} rounds to {same}", same
    for i in range(len(long_d)):
        if long_d[i] != "." and long_d[:i] + long_d[i + 1:] == c:
            return what.format(longer, "a digit dropped"), longer
    for i in range(len(c)):
        if c[i] != "." and c[:i] + c[i + 1:] == short_d and (i > 0 and c[i - 1] == c[i] or i + 1 < len(c) and c[i + 1] == c[i]):
            return what.format(shorter, "a digit doubled"), shorter
    for i in range(len(c)):
        if c[i] != "." and c[:i] + c[i + 1:] == same_d and (i > 0 and c[i - 1] == c[i] or i + 1 < len(c) and c[i + 1] == c[i]):
            return what.format(same, "a digit doubled"), same
    if len(c) == len(same_d) and c != same_d:
        diff = [i for i in range(len(c)) if c[i] != same_d[i]]
        if len(diff) == 2 and diff[1] == diff[0] + 1 and c[diff[0]] == same_d[diff[1]] and c[diff[1]] == same_d[diff[0]] and "." not in (c[diff[0]], c[diff[1]]):
            return what.format(same, "two digits swapped"), same
        if len(diff) == 1 and c[diff[0]] != "." and same_d[diff[0]] != ".":
            return what.format(same, "one digit wrong"), same
    return "", ""


def factors(printed: Printed, value: float, batch: int, n_out: int) -> str:
    """A sentence when the claim is a simple multiple of `value` (2, 1/2, -1, B, n); else ""."""
    if value == 0:
        return ""
    tests = [(-1.0, "the right size with the wrong sign"), (2.0, "twice the value (a factor of 2)"),
             (0.5, "half the value (a factor of 2)")]
    if batch > 1:
        tests += [(float(batch), f"{batch} times the value: a sum over the batch where the mean belongs"),
                  (1.0 / batch, f"1/{batch} of the value: a mean over the batch where the sum belongs")]
    if n_out > 1:
        tests += [(float(n_out), f"{n_out} times the value: sum vs mean over the {n_out} outputs"),
                  (1.0 / n_out, f"1/{n_out} of the value: mean vs sum over the {n_out} outputs")]
    for f, words in tests:
        if printed.matches(f * value):
            return f"{words}; expected {shown(value)}"
    return ""


def transposed(printed: Printed, swapped_value: float | None, name: str) -> str:
    """A sentence when an element claim equals the transposed element (layout confusion)."""
    if swapped_value is not None and printed.matches(swapped_value):
        return (f"transposed: {printed.text} is the value of {name} (rows and columns swapped: "
                "from_to vs to_from layout)")
    return ""


def first_of(tests: list[Callable[[], str]]) -> str:
    """The first non-empty sentence of lazily evaluated tests."""
    for t in tests:
        s = t()
        if s:
            return s
    return ""
