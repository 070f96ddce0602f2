"""The judge's result: one `ClaimVerdict` per claimed number and the `CheckResult` of a file.

Renderers (terminal, JSON, HTML/LaTeX) read these field names; `to_json` is DESIGN.md's contract.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from gradverify.judge.numbers import shown

if TYPE_CHECKING:
    from gradverify.judge.judgeable import JudgedExample

VERDICTS = ("correct", "follows", "wrong")
CIRCUIT_QUANTITIES = ("value", "grad", "local")  # a circuit's claims: a node's value, a gradient, a local gradient


def _j(v: float | None) -> float | None:
    """A float for JSON at 15 significant digits (0.21, not 0.20999999999999996); NaN/inf as None."""
    if v is None or v != v or v in (float("inf"), float("-inf")):
        return None
    return float(f"{v:.15g}")


def circuit_name(quantity: str, node: str, of: str | None, wrt: str | None) -> str:
    """A circuit claim as its key writes it: "q", "df/dq", "dq/dx" ("\u2202f/\u2202q" on the output's
    own gate, whose local gradient is not its gradient)."""
    if quantity == "grad":
        return f"d{of}/d{node}"
    if quantity == "local":
        return f"\u2202{node}/\u2202{wrt}" if of else f"d{node}/d{wrt}"
    return node


@dataclass
class ClaimVerdict:
    """One claim judged: its position (file numbering), the three values, the verdict and why."""

    step: int
    quantity: str
    layer: int | None
    index: list[int]
    claimed: str
    exact: float | None
    from_claims: float | None
    verdict: str
    diagnosis: str = ""
    tolerance: float = 0.0
    key: str = ""
    line: int | None = None
    note: str = ""
    kind: str = ""  # the diagnosis kind of a wrong claim: typo, half_convention, sign, learning_rate, ...
    printing: int = 1  # 2, 3, ... for a number printed again in the same step ("loss#2")
    node: str | None = None  # a circuit's claim: the node it is about ("q", "c@2"); None for a network
    of: str | None = None  # a circuit's gradient (or the output gate's local one): the output
    wrt: str | None = None  # a circuit's local gradient: the input of the node's gate it is taken for

    @property
    def name(self) -> str:
        """"z2[1]", "loss", "W2[1,3]", "loss#2"; a circuit's "q", "df/dq", "dq/dx"."""
        if self.node is not None:
            return circuit_name(self.quantity, self.node, self.of, self.wrt)
        layer = "" if self.layer is None else str(self.layer)
        idx = f"[{','.join(map(str, self.index))}]" if self.index else ""
        return f"{self.quantity}{layer}{idx}" + (f"#{self.printing}" if self.printing > 1 else "")

    def to_json(self) -> dict[str, Any]:
        out = {
            "step": self.step, "quantity": self.quantity, "layer": self.layer, "index": list(self.index),
            "claimed": self.claimed, "exact": _j(self.exact), "from_claims": _j(self.from_claims),
            "verdict": self.verdict, "diagnosis": self.diagnosis, "kind": self.kind, "line": self.line,
        }
        if self.node is not None:
            out["node"] = self.node
            out.update({k: v for k, v in (("of", self.of), ("wrt", self.wrt)) if v is not None})
        return out


TABLE_ACCEPTED = ("equivalent", "equivalent on a domain")


def _printable(text: str) -> str:
    """A file's text as written, or its repr when it holds control characters (a summary reaches
    terminals)."""
    return text if text.isprintable() else repr(text)


@dataclass
class TableVerdict:
    """A judged `[[derivative]]` (or `[[formula]]`) table of the file: the verdict and why."""

    kind: str  # "derivative" | "formula" | "identity" | "graph" | "indexed"
    number: int  # 1-based among the tables of its kind
    claimed: str
    verdict: str  # equivalent | equivalent on a domain | not equivalent | undecided | unusable
    explanation: str = ""
    diagnoses: list[str] = field(default_factory=list)
    counterexample: Any = None
    of: str | None = None
    wrt: str | None = None
    layout: str | None = None  # formulas: whose notation (seed 000/003/004)
    lhs: str | None = None  # formulas: the gradient claimed (grad_W2, delta2, ...)
    syntax: str | None = None
    label: str | None = None
    note: str | None = None
    line: int | None = None
    domain: list[str] = field(default_factory=list)
    witness: Any = None
    stated: Any = None
    expect: str | None = None
    as_expected: bool | None = None  # the verdict (and the stated function's, when expected) as expected
    expect_stated: str | None = None  # the expected verdict against `stated`, the function as written
    reduction: str | None = None  # a loss's stated reduction over its outputs ("sum"/"mean")
    batch: str | None = None  # and over a batch
    grid: list | None = None  # a derivative written entry by entry: the rows (or entries) as written
    entries: list[dict[str, Any]] = field(default_factory=list)  # the verdict of each written entry
    sides: tuple[str, str] | None = None  # an identity: its left and right sides as written
    nodes: list[str] | None = None  # a computation graph: its nodes "name = expression" in order

    @property
    def accepted(self) -> bool:
        """Equivalent (possibly on a domain): not a reason for exit status 1."""
        return self.verdict in TABLE_ACCEPTED

    @property
    def name(self) -> str:
        """"d tanh/dx" for a derivative, "grad_W2 (layout 004)" for a formula."""
        if self.kind == "formula":
            return f"{self.lhs or 'formula'} (layout {self.layout or '004'})"
        if self.kind in ("identity", "graph", "indexed"):
            word = {"indexed": "indexed formula"}.get(self.kind, self.kind)
            return word + (f" of {self.of}" if self.of else "")
        if self.grid is not None:
            return f"{self.of} {'VJP' if self.wrt == 'vjp' else 'derivative'} written entry by entry"
        if self.wrt == "vjp":
            return f"{self.of} VJP"
        return f"d {self.of}/d{self.wrt or ''}"

    def _repr_html_(self) -> str:
        from gradverify.render.notebook import table_html

        return table_html(self)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"of": self.of, "wrt": self.wrt} if self.kind == "derivative" else {
            "layout": self.layout, "lhs": self.lhs} if self.kind == "formula" else {"kind": self.kind}
        if self.sides is not None:
            out["lhs"], out["rhs"] = self.sides
        out.update({"claimed": self.claimed, "verdict": self.verdict, "explanation": self.explanation,
                    "diagnoses": list(self.diagnoses), "counterexample": self.counterexample,
                    "label": self.label, "line": self.line, "note": self.note, "expect": self.expect,
                    "as_expected": self.as_expected})
        if self.kind == "derivative":
            out.update({"syntax": self.syntax, "domain": list(self.domain), "witness": self.witness,
                        "stated": self.stated, "expect_stated": self.expect_stated,
                        "reduction": self.reduction, "batch": self.batch})
        if self.entries:
            out["entries"] = list(self.entries)
        return out


@dataclass
class CheckResult:
    """All claims of one worked example, judged."""

    source: str
    title: str
    conventions: dict[str, Any]
    example: JudgedExample | None  # a network's WorkedExample or a CircuitExample (None: no file behind it)
    claims: list[ClaimVerdict] = field(default_factory=list)
    derivatives: list[TableVerdict] = field(default_factory=list)  # [[derivative]] and [[formula]] tables

    def summary(self) -> dict[str, int]:
        counts = {v: 0 for v in VERDICTS}
        for c in self.claims:
            counts[c.verdict] += 1
        return counts

    def wrong(self) -> list[ClaimVerdict]:
        return [c for c in self.claims if c.verdict == "wrong"]

    def summary_text(self) -> str:
        """Plain words: what is right, where the first mistake is, and what follows from it;
        then the derivative and formula claims, when the file has any."""
        text = self._numbers_text()
        return f"{text} {self._tables_text()}" if self.derivatives else text

    def _tables_text(self) -> str:
        tables = self.derivatives
        kinds = sorted({t.kind for t in tables})
        what = " and ".join(kinds) + (" claims" if len(tables) > 1 else " claim")
        bad = [t for t in tables if not t.accepted]
        domain = [t for t in tables if t.verdict == "equivalent on a domain"]
        if not bad:
            head = (f"The {what} {'is' if len(tables) == 1 else 'are all'} equivalent to the catalog's "
                    f"{'derivative' if kinds == ['derivative'] else 'truth'}")
            if domain:
                head += f" ({len(domain)} only on a domain: {'; '.join(d for t in domain for d in t.domain) or 'see the table'})"
            return head + "."
        parts = [f"Of {len(tables)} {what}, {len(tables) - len(bad)} "
                 f"{'is' if len(tables) - len(bad) == 1 else 'are'} equivalent and {len(bad)} "
                 f"{'is' if len(bad) == 1 else 'are'} not:"]
        for t in bad:
            why = _printable(t.diagnoses[0] if t.diagnoses else t.explanation.split("\n", 1)[0])
            claim = (_printable(t.claimed) if t.kind == "formula" else
                     f"The {t.name}" + (f" ({_printable(t.label)})" if t.label else f" number {t.number}")
                     if t.kind in ("identity", "graph", "indexed") or t.grid is not None else
                     f"{t.name} = {_printable(t.claimed)}")
            parts.append(f"{claim} is {t.verdict}" + (f" ({why})" if why else "") + ".")
        return " ".join(parts)

    def _numbers_text(self) -> str:
        s = self.summary()
        total = sum(s.values())
        if total == 0:
            return "No claims to check."
        head = (f"{total} claims: {s['correct']} correct, {s['follows']} follow from your own earlier numbers, "
                f"{s['wrong']} wrong.")
        if not s["wrong"]:
            tail = (" Where a value differs from the exact one, it is what your own rounded numbers give."
                    if s["follows"] else "")
            return head + tail
        parts = [head]
        for n, c in enumerate(self.wrong()):
            lead = "The first mistake is in" if n == 0 else "Also in"
            why = f": {c.diagnosis}" if c.diagnosis else f" (exact {shown(c.exact)})"
            parts.append(f"{lead} step {c.step}, {c.name} = {c.claimed}{why}.")
        later = [c for c in self.claims if c.verdict == "follows"]
        if later:
            parts.append(f"The {len(later)} claims that differ from the exact values only because of earlier "
                         "numbers follow from yours, so only the wrong claims need fixing.")
        return " ".join(parts)

    def exit_status(self) -> int:
        """1 when a number is wrong or a derivative/formula claim is not equivalent (or undecided,
        or unreadable) without the table expecting exactly that verdict; else 0. A file that records
        its expected verdicts (an `[expect]` table) exits 0 when every number's verdict is the one it
        expects (a seed's recorded mistakes included)."""
        tables_ok = all(t.accepted if t.expect is None else t.as_expected for t in self.derivatives)
        expect = self.example.expect if self.example is not None else {}
        if expect:
            from gradverify.grade.expect import compare

            return 0 if tables_ok and not compare(expect, self.claims) else 1
        if any(c.verdict == "wrong" for c in self.claims) or not tables_ok:
            return 1
        return 0

    def to_json(self) -> dict[str, Any]:
        """DESIGN.md's contract; "derivatives" / "formulas" are added only when the file has such tables."""
        out = {
            "title": self.title,
            "conventions": dict(self.conventions),
            "claims": [c.to_json() for c in self.claims],
            "summary": self.summary(),
        }
        for kind, key in (("derivative", "derivatives"), ("formula", "formulas"), ("identity", "identities"),
                          ("graph", "graphs"), ("indexed", "indexed")):
            rows = [t.to_json() for t in self.derivatives if t.kind == kind]
            if rows:
                out[key] = rows
        return out

    def _repr_html_(self) -> str:
        """Jupyter's display: the verdict table (the full report: gradverify.render.render_html)."""
        from gradverify.render.notebook import check_html

        return check_html(self)
