"""Why a claim is wrong: test it against transformed truths at its own printed precision.

Each test is a mistake people make by hand: the 1/2 convention of squared error, a sign, transposed
weights, another learning rate, the derivative at the wrong point, mean vs sum, a typo, rounding too
early. Convention mistakes come with the `Variant` that reproduces them, so the judge can accept
what follows from them without condemning it again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Hashable

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
    held: tuple[Any, Any] | None = None  # an unwritten number as the person held it: (node, value in the file's sign)


@dataclass(frozen=True)
class Candidate:
    """A mistake to try: the variant its problem replays, what it is called, and the sentence for it."""

    variant: Hashable  # a network's Variant, a circuit's CircuitVariant
    kind: str
    label: str
    sentence: str
    quantities: tuple[str, ...] | None = None  # only claims of these quantities may start it


@dataclass(frozen=True)
class NetFacts:
    """What decides which mistakes a network admits (a 1/2 needs a squared error, ...)."""

    loss: str
    lr: float | None
    batch: int
    n_out: int
    square: tuple[int, ...]  # layers k whose next weights are square (W and W^T both fit)
    acts: tuple[str, ...]
    biased: tuple[int, ...]  # layers with a bias
    l2: float
    steps: int


FORWARD = ("z", "exp_z", "sum_exp_z", "a", "act_prime", "loss_term", "loss")
AFTER_UPDATE = ("W", "b") + FORWARD + BACKWARD  # what an update's mistake reaches in the next step

# Every diagnosis kind, with what it names (docs/diagnoses.md shows an example of each).
KINDS: dict[str, str] = {
    "half_convention": "the gradient of 1/2 (y-a)^2 for the stated (y-a)^2, or the other way round",
    "mean_vs_sum_outputs": "a sum over the outputs where the loss averages them, or the other way round",
    "mean_vs_sum_batch": "a sum over the batch where the mean belongs, or the other way round",
    "sign": "the opposite sign of every backward number (dL/d. for -dL/d., y - a for a - y)",
    "update_sign": "the update W + lr dW instead of W - lr dW",
    "learning_rate": "an update with another learning rate (solved from the numbers)",
    "derivative_at_z": "the derivative written in the output (a(1-a), 1 - a^2) applied to z",
    "derivative_at_a": "f' evaluated at the output a instead of at z",
    "transposed": "W delta instead of W^T delta in one layer, or a weight written in the other layout",
    "bias_forgotten": "z = W a without the layer's bias",
    "l2_forgotten": "dW without the L2 term lambda W",
    "l2_half": "dW with (lambda/2) W instead of lambda W",
    "updated_weights_in_backprop": "a hidden dL/da from the next layer's already-updated weights",
    "copied_values": "a step's z copied from the step before instead of recomputed",
    "indices_swapped": "one weight read with its two indices swapped (w_ij for w_ji)",
    "rounded_early": "a number not written down, rounded to one or two digits before it was used",
    "typo_dropped_digit": "the right number with a digit dropped",
    "typo_doubled_digit": "the right number with a digit doubled",
    "typo_swapped_digits": "the right number with two neighbouring digits swapped",
    "typo_wrong_digit": "the right number with one digit changed",
    "factor": "a simple multiple of the right number (2, 1/2, -1, the batch size, the outputs)",
    "last_digit": "the right number rounded one unit off in its last digit",
    "working": "a working that does not give the written result",
    "working_power_of_ten": "a working with one power of ten off by one",
    "forgot_path": "a circuit: a node feeds several gates and one path was left out of its gradient",
    "paths_multiplied": "a circuit: the gradients of a node's paths multiplied instead of added",
    "chain_added": "a circuit: a local gradient added to the gradient arriving from the gate instead of multiplied",
    "local_dropped": "a circuit: the gradient arriving from a gate passed on without the gate's local gradient",
    "chain_factor": "a circuit: the chain factor of an inner expression left out of a local gradient",
    "power_factor": "a circuit: the exponent left out of a power's derivative",
    "constant_factor": "a circuit: a constant factor left out of a local gradient",
    "swapped_factors": "a circuit: d(x y)/dx taken as x instead of y",
    "wrong_branch": "a circuit: max or min sending the gradient to the wrong input, relu passing it on the wrong side of 0",
    "unknown": "no explanation found: the message says what was expected",
}


# Conventions tried only after the local slips (an unwritten number rounded early, swapped indices):
# they explain one number as readily as a slip does, and a slip is the likelier.
WEAK = ("derivative_at_a", "updated_weights_in_backprop")


def variants(f: NetFacts) -> list[Candidate]:
    """Every convention variant worth trying for a network, the likeliest first."""
    out: list[Candidate] = []
    loss, n_out, batch = f.loss, f.n_out, f.batch
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
                         "the opposite sign (dL/d of the other error-sign convention, or y - a for a - y)", BACKWARD))
    out.append(Candidate(Variant(grad_scale=-1.0), "sign", "opposite sign of the loss gradient",
                         "the loss gradient with the opposite sign (y - a for a - y), carried through", BACKWARD))
    if f.steps > 1:
        out.append(Candidate(Variant(copied=True), "copied_values", "values copied",
                             "the step before's z copied instead of recomputed", FORWARD + BACKWARD))
    if f.lr is not None:
        out.append(Candidate(Variant(update_sign=-1.0), "update_sign", "update with the wrong sign",
                             "an update with the wrong sign (W + lr*dW instead of W - lr*dW)", AFTER_UPDATE))
    if any(a in ("sigmoid", "tanh") for a in f.acts):
        out.append(Candidate(Variant(act_prime="output_at_z"), "derivative_at_z", "derivative at the wrong point",
                             "the derivative written in the output (a(1-a), 1 - a^2) applied to z instead of a",
                             BACKWARD + ("act_prime",) + AFTER_UPDATE))
    out.append(Candidate(Variant(act_prime="at_a"), "derivative_at_a", "derivative at the wrong point",
                         "f' evaluated at the output a instead of at z", BACKWARD + ("act_prime",)))
    for k in f.square:
        out.append(Candidate(Variant(transpose=frozenset({k})), "transposed", "W instead of W^T",
                             "W delta instead of W^T delta (the weights not transposed)", BACKWARD))
    for k in f.biased:
        out.append(Candidate(Variant(no_bias=frozenset({k})), "bias_forgotten", "bias forgotten",
                             "z = W a without the bias b", FORWARD + BACKWARD))
    if f.l2:
        out.append(Candidate(Variant(l2_scale=0.0), "l2_forgotten", "L2 term forgotten",
                             "dW without the L2 term lambda W", ("dW", "lr_dW") + AFTER_UPDATE))
        out.append(Candidate(Variant(l2_scale=0.5), "l2_half", "(lambda/2) W",
                             "dW with (lambda/2) W where the L2 term's gradient is lambda W",
                             ("dW", "lr_dW") + AFTER_UPDATE))
    if len(f.acts) > 1 and f.lr is not None:
        out.append(Candidate(Variant(updated_back=True), "updated_weights_in_backprop", "updated weights in backprop",
                             "the next layer's weights already updated (W - lr dW) used to backpropagate",
                             BACKWARD))
    return out


def _digits(text: str) -> str:
    return text.lstrip("+-")


def typo(printed: Printed, value: float) -> str:
    """A sentence when the claim is `value` with a digit dropped, doubled, swapped or changed; else ""."""
    return typo_intended(printed, value)[0]


def typo_intended(printed: Printed, value: float, length: int = 0) -> tuple[str, float | None]:
    """(sentence, the number the person meant to write) for a typo of `value`; ("", None) if none."""
    s, meant, _ = typo_kind(printed, value, length)
    return s, (float(meant) if meant else None)


def typo_kind(printed: Printed, value: float, length: int = 0) -> tuple[str, str, str]:
    """(sentence, the number meant, kind) when the claim is `value` mistyped; ("", "", "") if not.

    `length` says how the claim's digits compare with the numbers printed around it: -1 fewer (a
    digit dropped is the likeliest reading), 1 more (doubled), 0 as many (swapped, one changed)."""
    claim = printed.text.strip().replace("\u2212", "-")
    if (claim.startswith("-")) != (value < 0) or value == 0 or printed.sig_digits < 2:
        return "", "", ""  # a single printed digit differing is not a typo anyone can name
    if abs(printed.value - value) < 3 * printed.tolerance:
        same = format_like(value, printed, 0).plain()
        return f"{format_like(value, printed, 2).plain()} rounds to {same}", same, "last_digit"
    readings = [_same_length, _dropped, _doubled]
    if length < 0:
        readings = [_dropped, _same_length, _doubled]
    elif length > 0:
        readings = [_doubled, _same_length, _dropped]
    c = _digits(claim)
    for read in readings:
        found = read(c, printed, value)
        if found:
            words, meant, kind = found
            return f"{printed.text.strip()} looks like {meant} with {words}", meant, kind
    return "", "", ""


def _same_length(c: str, printed: Printed, value: float) -> tuple[str, str, str] | None:
    same = format_like(value, printed, 0).plain()
    d = _digits(same)
    if len(c) != len(d) or c == d:
        return None
    diff = [i for i in range(len(c)) if c[i] != d[i]]
    if len(diff) == 2 and diff[1] == diff[0] + 1 and c[diff[0]] == d[diff[1]] and c[diff[1]] == d[diff[0]] \
            and "." not in (c[diff[0]], c[diff[1]]):
        return "two digits swapped", same, "typo_swapped_digits"
    if len(diff) == 1 and c[diff[0]] != "." and d[diff[0]] != ".":
        return "one digit wrong", same, "typo_wrong_digit"
    return None


def _dropped(c: str, printed: Printed, value: float) -> tuple[str, str, str] | None:
    longer = format_like(value, printed, 1).plain()
    d = _digits(longer)
    if any(d[i] != "." and d[:i] + d[i + 1:] == c for i in range(len(d))):
        return "a digit dropped", longer, "typo_dropped_digit"
    return None


def _doubled(c: str, printed: Printed, value: float) -> tuple[str, str, str] | None:
    for extra in (-1, 0):
        if extra == -1 and not (printed.last_place < 0 or printed.sig_digits > 1):
            continue
        meant = format_like(value, printed, extra).plain()
        d = _digits(meant)
        if any(c[i] != "." and c[:i] + c[i + 1:] == d and (i > 0 and c[i - 1] == c[i] or i + 1 < len(c) and c[i + 1] == c[i])
               for i in range(len(c))):
            return "a digit doubled", meant, "typo_doubled_digit"
    return None


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


