"""Mistake injection on honest hand work: one typical mistake planted where a student makes it, then
carried forward as a student would (every later number from the mistaken ones), independently of the
engine (tests/reports/handwork.py, 50-digit arithmetic).

`plant(seed, kind)` gives the file and the place: the first number the mistake changes. The judge
must flag exactly that number with the diagnosis kind `KINDS[kind]`, and nothing after it.
"""

from __future__ import annotations

import functools
import itertools
import random
import re
from dataclasses import dataclass

import mpmath as mp

from handwork import RECIPES, Config, Slip, _steps_toml, generate, read

# mistake planted -> the diagnosis kind the judge must give
KINDS: dict[str, str] = {
    "half_convention": "half_convention", "sign": "sign", "transposed": "transposed",
    "learning_rate": "learning_rate", "update_sign": "update_sign", "derivative_at_z": "derivative_at_z",
    "mean_vs_sum_batch": "mean_vs_sum_batch", "mean_vs_sum_outputs": "mean_vs_sum_outputs",
    "rounded_early": "rounded_early", "bias_forgotten": "bias_forgotten", "l2_forgotten": "l2_forgotten",
    "l2_half": "l2_half", "updated_weights_in_backprop": "updated_weights_in_backprop",
    "copied_values": "copied_values", "indices_swapped": "indices_swapped",
    "typo_dropped_digit": "typo_dropped_digit", "typo_doubled_digit": "typo_doubled_digit",
    "typo_swapped_digits": "typo_swapped_digits", "typo_wrong_digit": "typo_wrong_digit",
}


@dataclass
class Planted:
    """A file with one planted mistake, the place it first shows, and what the judge must say."""

    text: str
    kind: str
    place: tuple[int, str]  # (step, claim name) of the first number the mistake changes
    after: list[tuple[int, str]]  # every claim written after the place
    changed: set[tuple[int, str]]  # every number the mistake changes


def applicable(kind: str, cfg: Config) -> bool:
    """Whether the mistake exists in this network (a 1/2 needs a squared error, a batch mean needs a batch, ...)."""
    L, acts, loss = len(cfg.sizes) - 1, cfg.acts, cfg.loss
    return {
        "half_convention": loss == "squared_error",
        "mean_vs_sum_outputs": loss == "mean_squared_error" and cfg.sizes[-1] > 1,
        "mean_vs_sum_batch": cfg.B > 1,
        "transposed": any(cfg.sizes[k + 1] == cfg.sizes[k + 2] for k in range(L - 1)),
        "learning_rate": cfg.lr is not None and cfg.n_steps > 1,
        "update_sign": cfg.lr is not None and cfg.n_steps > 1,
        "derivative_at_z": any(a in ("sigmoid", "tanh") for a in acts),
        "rounded_early": any(a not in ("softmax", "identity", "relu", "leaky_relu", "prelu") for a in acts),
        "bias_forgotten": cfg.conv["bias"] != "none",
        "l2_forgotten": cfg.l2 > 0, "l2_half": cfg.l2 > 0,
        "updated_weights_in_backprop": L > 1 and cfg.lr is not None,
        "copied_values": cfg.n_steps > 1,
        "indices_swapped": any(min(cfg.sizes[k], cfg.sizes[k + 1]) > 1 for k in range(L)),
    }.get(kind, True)


def _slip(kind: str, seed: int, cfg: Config) -> Slip:
    rng = random.Random(seed * 7919 + len(kind))
    L, sizes = len(cfg.sizes) - 1, cfg.sizes
    if kind == "transposed":
        return Slip(kind, layer=rng.choice([k for k in range(L - 1) if sizes[k + 1] == sizes[k + 2]]))
    if kind == "indices_swapped":
        k = rng.choice([k for k in range(L) if min(sizes[k], sizes[k + 1]) > 1])
        j, i = rng.sample(range(min(sizes[k], sizes[k + 1])), 2)
        return Slip(kind, layer=k, element=(j, i))
    if kind == "learning_rate":
        assert cfg.lr is not None
        other = cfg.lr
        while other == cfg.lr:
            other = mp.mpf(rng.choice(["0.01", "0.02", "0.03", "0.2", "0.25", "0.3", "0.4", "0.6", "0.7", "0.8", "1.5", "2"]))
        return Slip(kind, lr=other)
    if kind in ("bias_forgotten", "rounded_early"):
        ok = [k for k in range(L) if kind == "bias_forgotten" or cfg.acts[k] not in
              ("softmax", "identity", "relu", "leaky_relu", "prelu")]
        return Slip(kind, layer=rng.choice(ok))
    return Slip(kind)


def _elements(hand_steps: list[dict], fi: int) -> list[tuple[int, str, str]]:
    """(step number, claim name, text) of every number written, in the order written."""
    out = []
    for step, table in enumerate(hand_steps, start=1):
        for key, value in table.items():
            base, _, again = key.partition("#")
            tail = f"#{again}" if again else ""

            def walk(v, path):
                if isinstance(v, list):
                    for i, e in enumerate(v):
                        walk(e, path + (i,))
                elif path:
                    out.append((step, f"{base}[{','.join(str(p + fi) for p in path)}]{tail}", v))
                else:
                    out.append((step, key, v))

            walk(value, ())
    return out


def plant(seed: int, kind: str) -> Planted | None:
    """The file of `seed` worked with the mistake `kind`; None where the mistake does not apply or
    does not change any written number."""
    _, _, cfg = generate(seed)
    if not applicable(kind, cfg):
        return None
    if kind.startswith("typo_"):
        return _typo(seed, kind)
    text, hand, _ = generate(seed, _slip(kind, seed, cfg))
    fi = cfg.conv["first_index"]
    after = _elements(hand.steps, fi)
    honest = _honest_ways(seed)
    if any([(s, n) for s, n, _ in h] != [(s, n) for s, n, _ in after] for h in honest):
        return None  # the mistake changed what was written, not only the numbers: not a clean plant
    # the first number no honest recipe gives (beyond what rounding explains): where the mistake shows
    exact = _exact(seed)
    changed = [pos for pos, (_, _, t1) in enumerate(after)
               if all(abs(_value(h[pos][2]) - _value(t1)) > 2 * _half_unit(t1) * (1 + 1e-9) for h in honest)
               and abs(_value(exact[pos][2]) - _value(t1)) > _half_unit(t1) * (1 + 1e-9)]
    if not changed:
        return None
    pos = changed[0]
    touched = {e[:2] for q, e in enumerate(after) if any(h[q][2] != e[2] for h in honest)}
    return Planted(text, kind, after[pos][:2], [(e[0], e[1]) for e in after[pos + 1:]], touched)


@functools.lru_cache(maxsize=64)
def _exact(seed: int) -> list[tuple[int, str, str]]:
    """Every number of the seed's file at 25 digits: a slip that lands on the exact value is no mistake."""
    _, hand, cfg = generate(seed, exact=True)
    return _elements(hand.steps, cfg.conv["first_index"])


@functools.lru_cache(maxsize=64)
def _honest_ways(seed: int) -> tuple[list[tuple[int, str, str]], ...]:
    """What the hand writes for `seed` under every combination of the honest recipe choices."""
    out = []
    for choice in itertools.product((False, True), repeat=len(RECIPES)):
        _, hand, cfg = generate(seed, recipes=dict(zip(RECIPES, choice)))
        out.append(_elements(hand.steps, cfg.conv["first_index"]))
    return tuple(out)


def _value(text: str) -> mp.mpf:
    return read(text.split("=")[-1].strip())


_DIGIT = re.compile(r"\d")


def _typo(seed: int, kind: str) -> Planted | None:
    """One written number with a digit dropped, doubled, swapped or changed; the hand carried the
    right number on (only the writing slipped)."""
    text, hand, cfg = generate(seed)
    fi = cfg.conv["first_index"]
    rng = random.Random(seed * 104729 + len(kind))
    order = _elements(hand.steps, fi)
    for step, name, t in rng.sample(order, len(order)):
        bad = _mistype(t, kind, rng) if "=" not in t else None
        if bad is None or abs(_value(bad) - _value(t)) <= 3 * _half_unit(bad):
            continue  # within a unit or so of its own last digit it reads as rounding: not a typo anyone can name
        pos = next(i for i, e in enumerate(order) if e[0] == step and e[1] == name)
        if any(abs(_value(w[pos][2]) - _value(bad)) <= _half_unit(bad) for w in (*_honest_ways(seed), _exact(seed))):
            continue  # what an honest recipe or the exact value gives: no mistake to name
        _set(hand.steps[step - 1], name, fi, bad)
        head = text[:text.index("\n[[step]]")]
        return Planted(head + "\n" + _steps_toml(hand), kind, (step, name), [(e[0], e[1]) for e in order[pos + 1:]],
                       {(step, name)})
    return None


def _set(table: dict, name: str, fi: int, new: str) -> None:
    """Write `new` for the element `name` of a step's table."""
    if name in table:
        table[name] = new
        return
    base, _, again = name.partition("#")
    key, idx = base.split("[")[0] + (f"#{again}" if again else ""), base.split("[")[1].rstrip("]")
    path = [int(p) - fi for p in idx.split(",")]
    cur = table[key]
    for p in path[:-1]:
        cur = cur[p]
    cur[path[-1]] = new


def _half_unit(text: str) -> mp.mpf:
    t = text.split("=")[-1].replace("×", "x").replace("{", "").replace("}", "").replace(" ", "")
    mant, exp = (t.split("x10^") + ["0"])[:2] if "x10^" in t else (t.split("e") + ["0"])[:2]
    decimals = len(mant.split(".")[1]) if "." in mant else 0
    return mp.mpf(10) ** (int(exp) - decimals) / 2


def _mistype(text: str, kind: str, rng: random.Random) -> str | None:
    """The text with one inner digit dropped, doubled, swapped with its neighbour, or changed."""
    cut = re.search(r"(e|\s*[x×])", text)
    mant, rest = (text[:cut.start()], text[cut.start():]) if cut else (text, "")
    pos = [m.start() for m in _DIGIT.finditer(mant)]
    first = next((i for i in pos if mant[i] != "0"), None)
    if first is None:
        return None
    inner = [i for i in pos if first < i < pos[-1]] or ([pos[-1]] if kind == "typo_wrong_digit" and pos[-1] > first else [])
    if not inner:
        return None
    i = rng.choice(inner)
    if kind == "typo_dropped_digit":
        new = mant[:i] + mant[i + 1:]
    elif kind == "typo_doubled_digit":
        new = mant[:i] + mant[i] + mant[i:]
    elif kind == "typo_swapped_digits":
        j = i + 1
        if j >= len(mant) or not mant[j].isdigit() or mant[i] == mant[j]:
            return None
        new = mant[:i] + mant[j] + mant[i] + mant[j + 1:]
    else:
        new = mant[:i] + str((int(mant[i]) + rng.randint(2, 8)) % 10) + mant[i + 1:]
    return new + rest
