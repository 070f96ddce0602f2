"""The worked-example file (TOML): load it, validate every key, and hold it as a `WorkedExample`.

Errors are `WorkedExampleError`s naming the file, the key, the line, and what to write instead; the
CLI prints them and exits 2. The format is documented in docs/worked-example-format.md; the
network's tables are read in `netspec`, the claim keys in `claimkeys`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gradverify.judge import arith, netspec, numbers, tomltext
from gradverify.judge.claimkeys import QUANTITIES, ClaimSpec, Layout, parse_claim_key
from gradverify.judge.where import Context, WorkedExampleError, closest, step_lines

if TYPE_CHECKING:
    from gradverify.judge.circuitfile import CircuitExample
    from gradverify.judge.problems import Problem

__all__ = ["WorkedExample", "WorkedExampleError", "from_dict", "load", "loads", "load_example",
           "example_names", "example_text"]

TABLE_KINDS = ("derivative", "identity", "graph", "indexed", "formula")  # gradverify.judge.claimtables.KINDS (import-light here)
TOP_KEYS = ("title", "student", "network", "data", "parameters", "step", "expect", "grading", *TABLE_KINDS)
VERDICTS = ("correct", "follows", "wrong")
MAX_FILE_BYTES = 1_000_000
MAX_TITLE = 2000  # characters: a report heading (210,000 overflowed pdflatex's line buffer: unrelated font warnings)
MAX_STEPS = 50  # printed steps: hand-worked examples show one to a few; the judge's work grows with them
MAX_STEP_NUMBER = 100_000  # steps run between printed ones (thousands of updates, only the last printed)


@dataclass
class WorkedExample:
    """A validated worked example: the network, data, starting parameters and the steps of claims."""

    source: str
    text: str
    title: str
    sizes: list[int]
    activations: list[tuple[str, dict[str, float]]]
    loss: tuple[str, dict[str, float]]
    learning_rate: float | None  # None: nothing is updated (a loss or gradient evaluation only)
    conventions: dict[str, Any]
    x: list[list[float]]  # (B, n0)
    y: list[list[float]]  # (B, nL); labels given as class numbers are one-hot rows
    weights: list[list[list[float]]]  # file layout, one per weight layer (core order)
    biases: list[Any]  # per layer: list (per neuron), float (shared) or None (none)
    claims: list[ClaimSpec]
    n_steps: int  # the last step's number
    expect: dict[str, str] = field(default_factory=dict)
    student: str | None = None
    derivatives: list[Any] = field(default_factory=list)  # claimtables.TableClaim of [[derivative]], [[identity]], ...
    formulas: list[Any] = field(default_factory=list)  # claimtables.TableClaim of [[formula]] tables
    labels: str = "values"  # how y was written: "values" or "index" (class numbers)
    step_numbers: list[int] = field(default_factory=list)  # the step number of each [[step]] table
    unusable: list[tuple[int, str, str]] = field(default_factory=list)  # (step, key, why) left out, when lenient

    @property
    def batch_size(self) -> int:
        return len(self.x)

    @property
    def n_layers(self) -> int:
        """Weight layers (activated layers after the input)."""
        return len(self.sizes) - 1

    @property
    def layout(self) -> Layout:
        return Layout(self.sizes, self.conventions, self.batch_size, [a for a, _ in self.activations])

    def conventions_json(self) -> dict[str, Any]:
        """The loss, learning rate, activations and every convention, as --json shows them."""
        conv: dict[str, Any] = {"loss": self.loss[0], "learning_rate": self.learning_rate}
        if self.loss[1]:
            conv["loss_params"] = dict(self.loss[1])
        conv["activations"] = [a if not p else {"name": a, **p} for a, p in self.activations]
        conv.update(self.conventions)
        return conv

    def problem_key(self) -> tuple:
        from gradverify.judge.problems import fingerprint

        return fingerprint(self)

    def problem(self, remember: bool) -> Problem:
        from gradverify.judge.problems import Problem

        return Problem(self, remember)


def from_dict(doc: dict[str, Any], source: str = "<worked example>", text: str = "",
              lenient: bool = False) -> WorkedExample | CircuitExample:
    """Validate a parsed TOML document: a network's `WorkedExample`, or a `CircuitExample` when it
    has a [graph] table. `lenient` (grading a submission): a network's claim that cannot be read is
    left out and listed in `unusable`, instead of refusing the file."""
    if "graph" in doc:
        from gradverify.judge.circuitfile import circuit_from_dict

        return circuit_from_dict(doc, source, text)
    ctx = Context(source, text)
    unusable: list[tuple[int, str, str]] = []
    for k in doc:
        if k not in TOP_KEYS:
            raise ctx.err(f"unknown key{closest(k, TOP_KEYS)}", k)
    spec = netspec.network(ctx, doc)
    x, y, labels = netspec.data(ctx, doc, spec)
    layout = Layout(spec.sizes, spec.conventions, len(x), [a for a, _ in spec.activations])
    weights, biases = netspec.parameters(ctx, doc, spec, layout)
    steps = doc.get("step")
    if steps is None:
        raise ctx.err("no claims: add [[step]] tables with your numbers, e.g. z2 = [\"0.210\", \"-0.240\"]")
    if not isinstance(steps, list) or not all(isinstance(s, dict) for s in steps):
        raise ctx.err("write each step as a [[step]] table", "step")
    if len(steps) > MAX_STEPS:
        heads = [n for n, raw in enumerate(ctx.text.splitlines(), start=1) if raw.strip().startswith("[[step]]")]
        where = f"{ctx.source}, line {heads[MAX_STEPS]}" if len(heads) > MAX_STEPS else ctx.source
        raise WorkedExampleError(f"{where}: {len(steps)} [[step]] tables; a worked example prints at most {MAX_STEPS} "
                                 "steps (every printed step is judged claim by claim): split it into several "
                                 "files, or leave steps unprinted with step = N")
    claims: list[ClaimSpec] = []
    numbers_of: list[int] = []
    for table, st in enumerate(steps, start=1):
        if not st:
            raise ctx.err(f"step {table} is empty: write its claims, e.g. loss = \"0.2304\"", "step")
        s = _step_number(ctx, st, table, numbers_of[-1] if numbers_of else 0)
        numbers_of.append(s)
        for key, val in st.items():
            if key == "step":
                continue
            try:
                claims.extend(_claims_of(ctx, layout, table, s, key, val))
            except WorkedExampleError as exc:
                if not lenient:
                    raise
                unusable.append((s, key, str(exc)))
    if not claims:
        if unusable:
            raise WorkedExampleError(unusable[0][2])
        raise ctx.err("no claims to check")
    if spec.learning_rate is None:
        _needs_no_update(ctx, claims, numbers_of)
    expect = expect_table(ctx, doc.get("expect"))
    title = doc.get("title", Path(source).stem if source else "worked example")
    if not isinstance(title, str):
        raise ctx.err("write a quoted title, e.g. title = \"One SGD step\"", "title")
    if len(title) > MAX_TITLE:
        raise ctx.err(f"is {len(title):,} characters long; a title is one line (at most {MAX_TITLE}) that a "
                      "report can typeset: put the rest in a # comment", "title")
    student = doc.get("student")
    derivatives: list[Any] = []
    formulas: list[Any] = []
    if any(kind in doc for kind in TABLE_KINDS):
        from gradverify.judge import claimtables

        derivatives, formulas = claimtables.validate(doc, source, text)
    return WorkedExample(
        source=source, text=text, title=title, sizes=spec.sizes, activations=spec.activations, loss=spec.loss,
        learning_rate=spec.learning_rate, conventions=spec.conventions, x=x, y=y, weights=weights,
        biases=biases, claims=claims, n_steps=numbers_of[-1], expect=expect,
        student=student if isinstance(student, str) else None, derivatives=derivatives, formulas=formulas,
        labels=labels, step_numbers=numbers_of, unusable=unusable,
    )


def _step_number(ctx: Context, st: dict[str, Any], table: int, previous: int) -> int:
    """The step a [[step]] table prints: `step = N`, or the one after the previous table's."""
    if "step" not in st:
        return previous + 1
    s = st["step"]
    if not isinstance(s, int) or isinstance(s, bool) or s <= previous or s > MAX_STEP_NUMBER:
        raise ctx.err(f"step = {s!r}: write the number of the step this table prints, a whole number after "
                      f"the previous table's step {previous} and at most {MAX_STEP_NUMBER:,}", "step", "step", table)
    return s


def _needs_no_update(ctx: Context, claims: list[ClaimSpec], steps: list[int]) -> None:
    """Without a learning rate nothing may be updated: one step only, and no update terms."""
    for c in claims:
        if c.step > 1 or c.quantity in ("lr_dW", "lr_db"):
            what = "an update term" if c.step == 1 else f"step {c.step}, which follows an update"
            raise ctx.err(f"{c.key} is {what}: add learning_rate to [network], e.g. learning_rate = 0.1",
                          "learning_rate", "network")


def claim_text(ctx: Context, v: Any, key: str, table: int) -> tuple[str, numbers.Printed, str | None]:
    """A claim's text, its printed result, and the working written before the result (or None)."""
    if isinstance(v, bool) or isinstance(v, (int, float)):
        raise ctx.err(f"{v!r} is unquoted: write claims in quotes as printed, e.g. \"{v}\" "
                      "(TOML would drop a trailing zero such as 0.210's)", key, "step", table)
    if not isinstance(v, str):
        raise ctx.err(f"{v!r} is not a claim; write a quoted number, e.g. \"0.210\"", key, "step", table)
    if not v.strip():
        raise ctx.err("is empty; write the number you computed, in quotes", key, "step", table)
    result, working = v, None
    if "=" in v:
        parts = v.split("=")
        result, working = parts[-1], parts[-2].strip()
        try:
            arith.read(working)
        except arith.WorkingError as exc:
            raise ctx.err(f"{v!r}: {exc}", key, "step", table) from None
    try:
        p = numbers.parse(result)
    except numbers.NumberError as exc:
        raise ctx.err(str(exc), key, "step", table) from None
    if not math.isfinite(p.value):
        raise ctx.err(f"{v!r} is not finite", key, "step", table)
    return v, p, working


def _claims_of(ctx: Context, layout: Layout, table: int, step: int, key: str, val: Any) -> list[ClaimSpec]:
    """Validate one claim key of a step and expand it into per-element claims."""
    try:
        ck = parse_claim_key(key)
        core, shape, why = layout.claim_shape(ck.quantity, ck.layer)
    except ValueError as exc:
        raise ctx.err(str(exc), key, "step", table) from None
    qty, layer, index = ck.quantity, ck.layer, ck.index
    line = step_lines(ctx.text).get((table, key)) if ctx.text else None

    def spec(fidx: tuple[int, ...], v: Any) -> ClaimSpec:
        t, p, working = claim_text(ctx, v, key, table)
        return ClaimSpec(step, qty, layer, core, fidx, layout.core_index(qty, fidx), t, p, key, line,
                         working, ck.printing)

    if index is not None:
        if len(index) != len(shape) or any(not (layout.fi <= i < layout.fi + n) for i, n in zip(index, shape)):
            rng = ", ".join(f"{layout.fi}..{layout.fi + n - 1}" for n in shape)
            raise ctx.err(f"index {list(index)} is out of range; {qty}{layer if layer is not None else ''} has shape "
                          f"{list(shape)} ({why}), indices {rng}", key, "step", table)
        return [spec(tuple(index), val)]
    if shape == () and isinstance(val, list) and len(val) == 1 and not isinstance(val[0], list):
        val = val[0]
    got = netspec.shape_of(val)
    if QUANTITIES[qty].per_sample and layout.B == 1 and got == (1, *shape):  # one sample written as a batch of one
        val, got = val[0], shape
    if got != shape:
        raise ctx.err(f"has shape {list(got) or 'scalar'}, expected {list(shape) or 'a single quoted number'} ({why})",
                      key, "step", table)
    out: list[ClaimSpec] = []

    def walk(v: Any, prefix: tuple[int, ...]) -> None:
        if isinstance(v, list):
            for i, e in enumerate(v):
                walk(e, prefix + (i + layout.fi,))
        else:
            out.append(spec(prefix, v))

    walk(val, ())
    return out


def expect_table(ctx: Context, table: Any) -> dict[str, str]:
    if table is None:
        return {}
    if not isinstance(table, dict):
        raise ctx.err("write [expect] then lines like \"step1.delta3\" = \"wrong\"", "expect")
    for k, v in table.items():
        if v not in VERDICTS:
            raise ctx.err(f"{v!r} is not a verdict; write one of {', '.join(VERDICTS)}", k, "expect")
    return dict(table)


def loads(text: str, source: str = "<text>") -> WorkedExample | CircuitExample:
    """Parse and validate worked-example TOML text."""
    try:
        doc = tomltext.loads(text, source, "a worked example needs at most a matrix per key, "
                             "e.g. W2 = [[0.2, 0.3], [-0.2, 0.1]]")
    except tomltext.TomlError as exc:
        raise WorkedExampleError(str(exc)) from None
    return from_dict(doc, source=source, text=text)


def load(path: str | Path) -> WorkedExample | CircuitExample:
    """Load and validate a worked-example file."""
    p = Path(path)
    try:
        size = p.stat().st_size if p.is_file() else 0
    except OSError:
        size = 0
    if size > MAX_FILE_BYTES:  # refused before parsing: a hand-worked network is never this large
        raise WorkedExampleError(f"{p}: {size:,} bytes; a worked example is at most {MAX_FILE_BYTES:,} bytes "
                                 "(a network small enough to work by hand): check that this is the right file")
    try:
        text = p.read_text(encoding="utf-8-sig")  # a byte-order mark (Windows 'UTF-8 with BOM') is dropped
    except FileNotFoundError:
        raise WorkedExampleError(f"{p}: no such file; give the path of a .toml worked example "
                                 "(or --example NAME for a bundled one)") from None
    except (UnicodeDecodeError, IsADirectoryError, PermissionError) as exc:
        raise WorkedExampleError(f"{p}: cannot read it as UTF-8 text ({exc.__class__.__name__})") from None
    return loads(text, str(p))


# the package is a folder wherever it is installed (importlib.resources would add 5 ms to every start)
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def example_names() -> list[str]:
    """Names of the bundled examples (reports/examples/*.toml)."""
    return sorted(f.stem for f in EXAMPLES.glob("*.toml"))


def example_text(name: str) -> str:
    """The TOML text of a bundled example."""
    names = example_names()
    if name not in names:
        raise WorkedExampleError(f"--example {name}: no such bundled example{closest(name, names)}")
    return (EXAMPLES / f"{name}.toml").read_text(encoding="utf-8")


def load_example(name: str) -> WorkedExample | CircuitExample:
    """Load a bundled example by name, e.g. "cs7015-q3"."""
    return loads(example_text(name), f"example:{name}")
