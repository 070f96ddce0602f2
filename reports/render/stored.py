"""The report's computed pieces as JSON data and back, for `cache`: printed mathematics, derivation
sections, plots, formula trees and the textbook forms made of them."""

from __future__ import annotations

import dataclasses
from fractions import Fraction
from typing import Any

from gradverify.render import formula as F
from gradverify.render.model import Derivation, DerivationLine, Form
from gradverify.render.notation import Printed
from gradverify.render.plotpicture import Plot, Series
from gradverify.render.rowformula import TextbookForms

_NODES = {cls.__name__: cls for cls in (F.Elem, F.Num, F.Var, F.Add, F.Neg, F.Mul, F.Frac, F.Pow, F.Call, F.Rel,
                                        F.Cases, F.Sum, F.Eq)}


def printed_json(p: Printed | None) -> Any:
    return None if p is None else [p.html, p.latex, p.text]


def printed_of(data: Any) -> Printed | None:
    return None if data is None else Printed(*data)


def plot_json(plot: Plot | None) -> Any:
    return None if plot is None else dataclasses.asdict(plot)


def plot_of(data: Any) -> Plot | None:
    if data is None:
        return None
    series = [Series(**s) for s in data["series"]]
    return Plot(data["title"], series, [tuple(k) for k in data["kinks"]], data["x_label"])


def derivation_json(d: Derivation) -> Any:
    return {"name": d.name, "kind": d.kind, "definition": printed_json(d.definition),
            "derivative": printed_json(d.derivative),
            "steps": [[s.depth, s.kind, printed_json(s.rule), printed_json(s.math)] for s in d.steps],
            "forms": [[f.name, printed_json(f.maths), f.status] for f in d.forms],
            "kinks": [printed_json(k) for k in d.kinks], "plot": plot_json(d.plot)}


def derivation_of(data: Any) -> Derivation:
    return Derivation(
        name=data["name"], kind=data["kind"], definition=printed_of(data["definition"]),
        derivative=printed_of(data["derivative"]),
        steps=[DerivationLine(depth, kind, printed_of(rule), printed_of(math)) for depth, kind, rule, math in data["steps"]],
        forms=[Form(name, printed_of(maths), status) for name, maths, status in data["forms"]],
        kinks=[printed_of(k) for k in data["kinks"]], plot=plot_of(data["plot"]))


def node_json(x: Any) -> Any:
    """A formula tree (or a part of one) as JSON data."""
    if isinstance(x, Fraction):
        return {"q": [x.numerator, x.denominator]}
    if isinstance(x, tuple):
        return [node_json(v) for v in x]
    if dataclasses.is_dataclass(x):
        return {"_": type(x).__name__, **{f.name: node_json(getattr(x, f.name)) for f in dataclasses.fields(x)}}
    return x


def node_of(data: Any) -> Any:
    if isinstance(data, list):
        return tuple(node_of(v) for v in data)
    if isinstance(data, dict) and "q" in data:
        return Fraction(*data["q"])
    if isinstance(data, dict):
        cls = _NODES[data["_"]]
        return cls(**{k: node_of(v) for k, v in data.items() if k != "_"})
    return data


def forms_json(forms: TextbookForms) -> Any:
    return {"act_prime": {k: node_json(v) for k, v in forms.act_prime.items()},
            "loss_term": node_json(forms.loss_term), "loss_grad": node_json(forms.loss_grad)}


def forms_of(data: Any) -> TextbookForms:
    return TextbookForms({k: node_of(v) for k, v in data["act_prime"].items()},
                         node_of(data["loss_term"]), node_of(data["loss_grad"]))
