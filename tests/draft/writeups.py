"""Write-ups generated from known worked examples, the way a person writes them by hand: the
notation's formulas, the forward pass's arithmetic with every weight and input, each claimed number
at the end of its equation, the update's results; in Markdown ($$...$$) or LaTeX (align*), in
Nielsen's, the from-to or seed 004's notation, optionally with OCR-like noise.

The expected draft is the example itself: its claims (text as printed), data, parameters, network.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from gradverify.judge.claimkeys import ClaimSpec
from gradverify.judge.worked import WorkedExample

SIGMA = {"nielsen": {"sigmoid": "\\sigma", "tanh": "\\tanh", "relu": "\\mathrm{ReLU}"},
         "from_to": {"sigmoid": "\\sigma", "tanh": "\\tanh", "relu": "\\mathrm{ReLU}"},
         "seed004": {"sigmoid": "\\sigma", "tanh": "\\tau", "relu": "\\mathrm{ReLU}"}}
LOSS_LINE = {
    "squared_error": "{L} = (y - a^{{{last}}})^2",
    "half_squared_error": "{L} = \\frac{{1}}{{2}}(y - a^{{{last}}})^2",
    "cross_entropy": "{L} = -\\sum_k y_k \\log(a_k^{{{last}}})",
    "softmax_cross_entropy": "{L} = -\\sum_k y_k \\log(a_k^{{{last}}})",
}
GENERIC = {
    "nielsen": ["z_j^l = \\sum_k w_{jk}^l a_k^{l-1} + b_j^l",
                "\\delta^l = ((w^{l+1})^T \\delta^{l+1}) \\odot \\sigma'(z^l)"],
    "from_to": ["z_j^l = \\sum_i w_{ij}^l a_i^{l-1} + b_j^l",
                "\\delta^l = ((w^{l+1}) \\delta^{l+1}) \\odot \\sigma'(z^l)"],
    "seed004": ["z_i^{(l+1)} = \\sum_j W_{ij}^{(l)} a_j^{(l)} + b_i^{(l+1)}",
                "\\delta^{(l)} = \\tau'(z^{(l)}) \\circ ((W^{(l)})^T \\delta^{(l+1)})"],
}


@dataclass
class Writeup:
    """A generated write-up and what it was generated from."""

    text: str
    latex: bool
    example: WorkedExample


def symbol(notation: str, name: str, layer: int | str | None, index: tuple[int, ...] = ()) -> str:
    """z_{1}^{2} (Nielsen, from-to) or z_{1}^{(2)} (seed 004); W for seed 004's weights."""
    if notation == "seed004" and name == "w":
        name = "W"
    sub = f"_{{{''.join(map(str, index))}}}" if index else ""
    if layer is None:
        return f"{name}{sub}"
    sup = f"^{{({layer})}}" if notation == "seed004" else f"^{{{layer}}}"
    return f"{name}{sub}{sup}"


def claim_lhs(notation: str, c: ClaimSpec, loss_letter: str, act: str) -> str:
    """The left side a person writes for a claim."""
    idx = c.index
    if c.quantity == "loss":
        return loss_letter
    named = {"z": "z", "a": "a", "delta": "\\delta", "W": "w", "b": "b"}
    if c.quantity in named:
        return symbol(notation, named[c.quantity], c.layer, idx)
    inner = {"dW": "w", "db": "b", "dL_da": "a"}
    if c.quantity in inner:
        return f"\\frac{{\\partial {loss_letter}}}{{\\partial {symbol(notation, inner[c.quantity], c.layer, idx)}}}"
    if c.quantity == "act_prime":
        return f"{act}'({symbol(notation, 'z', c.layer, idx)})"
    if c.quantity == "dx":
        return f"\\frac{{\\partial {loss_letter}}}{{\\partial x_{{{idx[0]}}}}}"
    raise ValueError(c.quantity)


def _fmt(v: float) -> str:
    return repr(float(v) + 0.0)


def generate(ex: WorkedExample, notation: str, latex: bool, seed: int = 0, noise: bool = False) -> Writeup:
    """A write-up of `ex` in `notation`; `noise` adds underlines, x for \\times, stray marks."""
    rng = random.Random(seed)
    fl, fi = ex.conventions["first_layer"], ex.conventions["first_index"]
    last = fl + len(ex.sizes) - 1
    loss_letter = "J" if notation == "seed004" else "L"
    acts = [a for a, _ in ex.activations]
    sig = SIGMA[notation]
    eqs: list[str] = list(GENERIC[notation])
    prose: list[str] = []
    for k, act in enumerate(acts):
        layer = fl + 1 + k
        if act == "softmax":
            eqs.append(f"{symbol(notation, 'a', layer, ('j',))} = \\frac{{e^{{{symbol(notation, 'z', layer, ('j',))}}}}}"
                       f"{{\\sum_k e^{{{symbol(notation, 'z', layer, ('k',))}}}}}")
        else:
            eqs.append(f"{symbol(notation, 'a', layer, ('j',))} = {sig[act]}({symbol(notation, 'z', layer, ('j',))})")
    eqs.append(LOSS_LINE[ex.loss[0]].format(L=loss_letter, last=f"({last})" if notation == "seed004" else last))
    eqs.append(f"\\eta = {_fmt(ex.learning_rate)}")
    if ex.conventions["l2"]:
        eqs.append(f"\\lambda = {_fmt(ex.conventions['l2'])}")
    for j, yv in enumerate(ex.y[0]):
        eqs.append(f"y_{{{j + fi}}} = {_fmt(yv)}")
    by_step: dict[int, list[ClaimSpec]] = {}
    for c in ex.claims:
        by_step.setdefault(c.step, []).append(c)
    params = _starting(ex, notation)
    for step in sorted(by_step):
        claims = by_step[step]
        texts = {(c.quantity, c.layer, c.index): c.text for c in claims}
        if step > 1:
            params = {k: v for k, v in texts.items() if k[0] in ("W", "b")} or params
        else:
            eqs.extend(f"{symbol(notation, 'w' if q == 'W' else 'b', layer, idx)} = {text}"
                       for (q, layer, idx), text in params.items() if rng.random() < 0.15)
        prose.append(f"Step {step}")
        sums = _sums(ex, notation, step, texts, params, rng)
        written: set[tuple[str, int | None]] = set()
        decided: set[tuple[str, int | None]] = set()
        for c in claims:
            if step == 1 and c.quantity in ("W", "b"):
                continue
            key = (c.quantity, c.layer, c.index)
            group = (c.quantity, c.layer)
            if group in written:
                continue
            if group not in decided:
                decided.add(group)
                whole = _whole_line(ex, notation, claims, c, loss_letter, sig, rng)
                if whole is not None and key not in sums:
                    eqs.append(whole[0])
                    written.update(whole[1])
                    continue
            lhs = claim_lhs(notation, c, loss_letter, sig.get(acts[0], "\\sigma"))
            if key in sums:
                eqs.append(f"{lhs} = {sums[key]}")
                eqs.append(f"{lhs} = {c.text}" if not latex else f"&= {c.text}")
            elif c.quantity == "a" and (c.layer - fl - 1) < len(acts) and acts[c.layer - fl - 1] != "softmax":
                eqs.append(f"{lhs} = {sig[acts[c.layer - fl - 1]]}({symbol(notation, 'z', c.layer, c.index)}) = {c.text}")
            else:
                eqs.append(f"{lhs} = {c.text}")
    body = [_noisy(e, rng) if noise else e for e in eqs]
    return Writeup(_latex(body, ex.title) if latex else _markdown(body, ex.title, prose), latex, ex)


def _bmatrix(rows: list[list[str]]) -> str:
    return "\\begin{bmatrix} " + " \\\\ ".join(" & ".join(r) for r in rows) + " \\end{bmatrix}"


def _whole_line(ex: WorkedExample, notation: str, claims: list[ClaimSpec], c: ClaimSpec, loss_letter: str,
                sig: dict[str, str], rng: random.Random) -> tuple[str, set] | None:
    """Sometimes a whole vector or matrix on one line (`\\delta^2 = [..] \\odot [..] = [..]`), when
    every element of it is claimed in this step."""
    if c.quantity in ("loss", "dx") or rng.random() < 0.5:
        return None
    fi = ex.conventions["first_index"]

    def grid(q: str) -> list[list[str]] | None:
        cells = {x.index: x.text for x in claims if x.quantity == q and x.layer == c.layer}
        if not cells:
            return None
        n_rows = max(i[0] for i in cells) - fi + 1
        if len(next(iter(cells))) == 1:
            rows = [[cells.get((r + fi,))] for r in range(n_rows)]
        else:
            n_cols = max(i[1] for i in cells) - fi + 1
            rows = [[cells.get((r + fi, k + fi)) for k in range(n_cols)] for r in range(n_rows)]
        full = all(v is not None for row in rows for v in row) and sum(map(len, rows)) == len(cells)
        return rows if full else None  # type: ignore[return-value]

    mine = grid(c.quantity)
    if mine is None or len(mine) * len(mine[0]) < 2:
        return None
    name = {"z": "z", "a": "a", "delta": "\\delta", "W": "w", "b": "b", "act_prime": None}.get(c.quantity)
    if c.quantity in ("dW", "db", "dL_da"):
        inner = symbol(notation, {"dW": "w", "db": "b", "dL_da": "a"}[c.quantity], c.layer)
        lhs = f"\\nabla_{{{inner}}} {loss_letter}" if notation == "seed004" else \
            f"\\frac{{\\partial {loss_letter}}}{{\\partial {inner}}}"
    elif name is None:
        return None
    else:
        lhs = symbol(notation, name, c.layer)
    if c.quantity == "delta":
        factors = [grid("dL_da"), grid("act_prime")]
        if all(f is not None for f in factors):
            first, second = factors if notation != "seed004" else factors[::-1]
            op = "\\circ" if notation == "seed004" else "\\odot"
            return (f"{lhs} = {_bmatrix(first)} {op} {_bmatrix(second)} = {_bmatrix(mine)}",
                    {("delta", c.layer), ("dL_da", c.layer), ("act_prime", c.layer)})
    return f"{lhs} = {_bmatrix(mine)}", {(c.quantity, c.layer)}


def _starting(ex: WorkedExample, notation: str) -> dict[tuple[str, int, tuple[int, ...]], str]:
    """The starting parameters as claim-like keys (file numbering) -> printed number."""
    out = {}
    fi = ex.conventions["first_index"]
    for k, (w, b) in enumerate(zip(ex.weights, ex.biases)):
        wl = ex.conventions["first_layer"] + k + 1 - (1 if ex.conventions["weights_named_by"] == "from" else 0)
        bl = ex.conventions["first_layer"] + k + 1 - (1 if ex.conventions["biases_named_by"] == "from" else 0)
        for r, row in enumerate(w):
            for cidx, v in enumerate(row):
                out[("W", wl, (r + fi, cidx + fi))] = _fmt(v)
        for r, v in enumerate(b):
            out[("b", bl, (r + fi,))] = _fmt(v)
    return out


def _sums(ex: WorkedExample, notation: str, step: int, texts: dict, params: dict, rng: random.Random) -> dict:
    """z key -> the written arithmetic `w a + w a + b`, for every z whose inputs and parameters are known."""
    fl, fi = ex.conventions["first_layer"], ex.conventions["first_index"]
    from_to = ex.conventions["weights"] == "from_to"
    named_from = ex.conventions["weights_named_by"] == "from"
    out = {}
    for k in range(len(ex.sizes) - 1):
        layer = fl + k + 1
        if k == 0:
            prev = {i + fi: _fmt(v) for i, v in enumerate(ex.x[0])}
        else:
            prev = {i + fi: texts.get(("a", layer - 1, (i + fi,))) for i in range(ex.sizes[k])}
        wl = layer - 1 if named_from else layer
        swap = k > 0 and rng.random() < 0.5  # a person may write a x w
        for j in range(fi, fi + ex.sizes[k + 1]):
            key = ("z", layer, (j,))
            terms = []
            for i in sorted(prev):
                w = params.get(("W", wl, (i, j) if from_to else (j, i)))
                if w is None or prev[i] is None:
                    break
                pair = (prev[i], w) if swap else (w, prev[i])
                sign = "-" if pair[0].startswith("-") and terms else ("+" if terms else "")
                first = pair[0][1:] if sign == "-" else pair[0]
                terms.append(f"{sign} {first} \\times {pair[1]}".strip())
            b = params.get(("b", layer, (j,)))
            if len(terms) == len(prev) and b is not None and key in texts:
                terms.append(f"- {b[1:]}" if b.startswith("-") else f"+ {b}")
                out[key] = " ".join(terms)
    return out


def _noisy(eq: str, rng: random.Random) -> str:
    """OCR-like noise that a reader of hand work must survive."""
    times = ("x", "x", "\u00d7", "\\times", "*")
    eq = re.sub(r"(\d) \\times (-?\d)", lambda m: m.group(1) + " " + rng.choice(times) + " " + m.group(2), eq)
    if re.search(r"= -?[\d.]+$", eq) and rng.random() < 0.5:
        eq = re.sub(r"= (-?[\d.]+)$", lambda m: "= \\underline{" + m.group(1) + "}", eq)
    if rng.random() < 0.3:
        eq = eq + rng.choice([" //", ".", " \\checkmark", " \\quad (1)"])
    if rng.random() < 0.3:
        eq = re.sub(r"= -(\d)", "= \u2212\\1", eq, count=1)
    if rng.random() < 0.2 and "\\times" not in eq and " = " in eq:
        eq = eq.replace(" = ", "  =\u00a0", 1)
    return eq


def _markdown(eqs: list[str], title: str, prose: list[str]) -> str:
    lines = [f"# {title}", "", "Worked by hand; every number below is mine.", ""]
    for n, e in enumerate(eqs):
        lines += [f"$${e}$$" if n % 5 else f"Then ${e}$, as in the notes.", ""]
    return "\n".join(lines)


def _latex(eqs: list[str], title: str) -> str:
    lines = ["\\documentclass{article}", "\\usepackage{amsmath} % for align*", f"\\title{{{title}}}",
             "\\begin{document}", "\\maketitle", "\\begin{align*}"]
    for e in eqs:
        lines.append(f"{e.replace(' = ', ' &= ', 1) if not e.startswith('&=') else e} \\\\")
    lines += ["\\end{align*}", "\\end{document}"]
    return "\n".join(lines) + "\n"
