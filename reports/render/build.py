"""Builds a `ReportModel` from a judged worked example (`CheckResult`) or from a catalog entry.

This is where reports compose the other packages: the judge's verdicts (reports), the exact
symbolic network and the catalog (derivations), the engine and its finite-difference witness
(numeric). Each truth column is filled by `truth`; figures come from `figures`.
"""

from __future__ import annotations

import math
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

from gradverify.render.model import ClaimRow, ReportModel, StepSection
from gradverify.render.netpicture import NetworkPicture
from gradverify.render.progress import Progress, Silent
from gradverify.render.rowformula import TextbookForms
from gradverify.render.truth import ExampleInfo

if TYPE_CHECKING:
    from gradverify.judge.numbers import Number
    from gradverify.judge.result import CheckResult, ClaimVerdict

TRUTH_DIGITS = 6  # significant digits shown for the truth columns


class InputError(Exception):
    """Unusable input: the message names the file (line/key where known) and what to write."""


def check(file: Path | None, example: str | None) -> CheckResult:
    """Load and judge a worked example (a file or a bundled example) with the project's judge."""
    from gradverify.render import adapters

    return adapters.check(file, example)


def fmt(value: float | None, digits: int = TRUTH_DIGITS) -> Number | str | None:
    """A truth value as a structured number (the project's one formatter), None stays None."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return None if value is None else _nonfinite(value)
    from gradverify.render import adapters

    return adapters.format_number(float(value), digits)


def _nonfinite(value: float) -> str:
    return "inf" if value > 0 else ("-inf" if value < 0 else "nan")


def relative_disagreement(values: Iterable[float | None]) -> float | None:
    """max |u - v| / max(|u|, |v|) over the pairs of available truth values (0 if identical)."""
    vals = [float(v) for v in values if v is not None and math.isfinite(float(v))]
    if len(vals) < 2:
        return None
    worst = 0.0
    for i, u in enumerate(vals):
        for v in vals[i + 1:]:
            scale = max(abs(u), abs(v))
            if scale > 0:
                worst = max(worst, abs(u - v) / scale)
    return worst


def rows_from_claims(claims: Iterable[ClaimVerdict], truth: dict[int, dict[str, float | None]] | None = None) -> list[ClaimRow]:
    """One row per judged claim; `truth[i]` holds the symbolic/numeric/witness values of claim i."""
    from gradverify.render import adapters

    rows = []
    for i, c in enumerate(claims):
        t = (truth or {}).get(i, {})
        analytic = c.exact
        symbolic, numeric, witness = t.get("symbolic"), t.get("numeric"), t.get("witness")
        rows.append(ClaimRow(
            step=c.step,
            quantity=c.quantity,
            layer=c.layer,
            index=tuple(c.index),
            claimed=c.claimed,
            verdict=c.verdict,
            diagnosis=c.diagnosis,
            note=c.note,
            key=c.key,
            line=c.line,
            claimed_number=adapters.claimed_number(c.claimed),
            from_claims=_from_claims(c.from_claims, c.claimed),
            symbolic=fmt(symbolic),
            analytic=fmt(analytic),
            numeric=fmt(numeric),
            witness=fmt(witness),
            disagreement=relative_disagreement([symbolic, analytic, numeric]),
        ))
    return rows


def _from_claims(value: float | None, claimed: str) -> Number | str | None:
    """The value recomputed from the person's numbers, at the claim's precision plus two digits."""
    from gradverify.render import adapters

    if value is None or not math.isfinite(float(value)):
        return fmt(value)
    return adapters.like_claim(float(value), claimed) or fmt(value)


def _words(value: Any) -> str:
    """A convention's value as a reader writes it: lists joined by commas, no Python brackets."""
    if isinstance(value, (list, tuple)):
        return ", ".join(_words(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k} = {_words(v)}" for k, v in value.items()) or "none"
    return str(value)


def _short(value: float) -> str:
    """Four significant digits for text inside a picture."""
    return f"{value:.4g}"


def network_picture(sizes: list[int], first_layer: int, first_index: int, rows: list[ClaimRow],
                    weights: dict[tuple[int, int, int], float], inputs: list[float] | None,
                    exact: dict[tuple[str, int, int], float]) -> NetworkPicture:
    """The network of one step: inputs, z and a on neurons, weights on edges; wrong claims marked.

    `exact[(quantity, layer_position, neuron_position)]` holds z and a values (0-based positions);
    `weights[(layer_position, j, k)]` the weights used by this step's forward pass.
    """
    names = [f"layer {first_layer + i}" for i in range(len(sizes))]
    neuron_text: dict[tuple[int, int], list[str]] = {}
    if inputs:
        for k, v in enumerate(inputs):
            neuron_text[(0, k)] = [f"x {_short(v)}"]
    for l in range(1, len(sizes)):
        for j in range(sizes[l]):
            lines = []
            for q in ("z", "a"):
                if (q, l, j) in exact:
                    lines.append(f"{q} {_short(exact[(q, l, j)])}")
            if lines:
                neuron_text[(l, j)] = lines
    highlight = set()
    for r in rows:
        if r.verdict == "wrong" and r.layer is not None and r.quantity in ("z", "a", "delta", "act_prime", "dL_da", "db", "b"):
            pos = r.layer - first_layer
            if 0 <= pos < len(sizes) and r.index:
                highlight.add((pos, r.index[0] - first_index))
            elif 0 <= pos < len(sizes):
                highlight.update((pos, j) for j in range(sizes[pos]))
    return NetworkPicture(
        sizes=sizes, layer_names=names, neuron_text=neuron_text,
        weight_text={key: _short(v) for key, v in weights.items()}, highlight=highlight,
        title=f"{'-'.join(map(str, sizes))} network",
    )


def kept_forms(info: ExampleInfo) -> TextbookForms:
    """The catalog's textbook forms for this example's functions, kept between runs (`cache`)."""
    import json

    from gradverify.render import cache, stored

    def compute() -> TextbookForms:
        from gradverify.render.fromsympy import textbook_forms

        return textbook_forms(info)

    key = json.dumps([info.activations, info.act_params, info.loss, info.loss_params], sort_keys=True, default=str)
    return cache.cached("forms", key, compute, stored.forms_json, stored.forms_of)


def add_formulas(rows: list[ClaimRow], info: ExampleInfo) -> None:
    """Each row's analytic formula, written in the row's own elements (None where none applies)."""
    from gradverify.render.rowformula import RowFormulas

    claimed = {(r.step, r.quantity, r.layer, tuple(r.index)) for r in rows}
    formulas = RowFormulas(info, kept_forms(info), claimed)
    for r in rows:
        try:
            r.formula = formulas.formula(r.quantity, r.layer, r.index, r.step)
        except ValueError:  # an index of another shape than the quantity has: shown without a formula
            r.formula = None


def model_from_result(result: CheckResult, progress: Progress | None = None) -> ReportModel:
    """The whole report of a judged worked example, a network or a circuit of gates (`progress` is
    told each stage of a network's)."""
    from gradverify.judge.circuitfile import CircuitExample

    if isinstance(result.example, CircuitExample):
        from gradverify.render import circuitreport

        return circuitreport.model(result, result.example)
    from gradverify.render import adapters
    from gradverify.render import claimed
    from gradverify.render import figures
    from gradverify.render import truth

    progress = progress or Silent()
    claims = list(result.claims)
    info = adapters.example_info(result)
    progress.stage("the truth columns (the engine, finite differences, the exact network)")
    columns = truth.columns(result, info)
    rows = rows_from_claims(claims, columns.values)
    if info is not None:
        progress.stage("each claim's formula")
        add_formulas(rows, info)
    by_step: dict[int, list[ClaimRow]] = defaultdict(list)
    for r in rows:
        by_step[r.step].append(r)
    steps = []
    for number in sorted(by_step):
        pic = None
        if info is not None:
            pic = network_picture(info.sizes, info.first_layer, info.first_index, by_step[number],
                                  columns.weights.get(number, {}), info.inputs, columns.neurons.get(number, {}))
        steps.append(StepSection(number, by_step[number], pic))
    derivations = []
    for name, kind, params in info.functions if info is not None else ():
        progress.stage(f"the derivation of {name}")
        derivations.append(figures.section(name, kind, params, y=info.targets if kind == "loss" else None))
    counts = dict(result.summary())
    disagreements = [r.disagreement for r in rows if r.disagreement is not None]
    conventions = [(k.replace("_", " "), _words(v)) for k, v in result.conventions.items()]
    return ReportModel(
        title=result.title or "Worked example",
        source=result.source,
        summary_text=result.summary_text(),
        counts={k: int(counts.get(k, 0)) for k in ("correct", "follows", "wrong")},
        conventions=conventions,
        steps=steps,
        derivations=derivations,
        truth_agreement=max(disagreements) if disagreements else None,
        notes=columns.notes + ([] if info is None or info.inputs is not None else
                               ["With a batch, the network pictures show the first sample's values."]),
        error_sign=info.error_sign if info is not None else "gradient",
        table_claims=claimed.rows(result),
    )


def model_for_derive(name: str, params: dict[str, str]) -> ReportModel:
    """The report of one catalog entry: its derivation, textbook forms and plot."""
    from gradverify.render import figures

    d = figures.section_for_name(name, params)
    n_forms = len(d.forms)
    proved = sum(1 for f in d.forms if f.status.startswith("proved"))
    return ReportModel(
        title=f"{d.name}: definition, derivative and textbook forms",
        source=f"gradverify catalog entry {d.name}",
        summary_text=(f"{d.name} ({d.kind}): {proved} of {n_forms} textbook forms proved equal to "
                      "SymPy's derivative of the definition." if n_forms else
                      f"{d.name} ({d.kind}): definition and derivative from the catalog."),
        counts={}, conventions=[(k, v) for k, v in params.items()], steps=[], derivations=[d], kind="catalog",
    )
