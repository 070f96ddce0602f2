"""The one registry of activations and losses: definition, parameters, hand forms, kink conventions.

Adding an activation or loss is one `register(Entry(...))` call in `activations.py`, `losses.py`
or `softmax.py`. Everything else (proofs, commands, reports) reads entries through `get`/`entries`.
"""

from __future__ import annotations

import difflib
import importlib
from dataclasses import dataclass, field
from typing import Callable, Iterator, Mapping

import sympy as sp

from gradverify.derivations.prose import Prose

Expr = sp.Expr
Value = sp.Expr | sp.MatrixBase

EXPECTED = ("proved", "refuted", "equal except at kink")


@dataclass(frozen=True)
class Param:
    """A parameter of an entry (alpha of leaky_relu, delta of huber, lambda of l2_regularization)."""

    name: str
    symbol: sp.Symbol
    default: sp.Rational
    doc: str = ""


@dataclass(frozen=True)
class Kink:
    """A point where the derivative does not exist, and the value gradverify uses there.

    `condition` is the equation locating the kink (e.g. Eq(x, 0)); `values` maps a variable name
    to the derivative value used there; `reason` says why (PyTorch's choice, the seed's statement),
    in words and formulas, so a report typesets its mathematics.
    """

    where: str
    condition: sp.Basic
    values: Mapping[str, Expr]
    reason: Prose


@dataclass(frozen=True)
class Form:
    """A textbook hand form of a derivative, with the seed it comes from and its expected verdict.

    `definition`, when set, is the (possibly mistaken) function the hand differentiated instead of
    the entry's own; `reduction` ("sum"/"mean") is the reduction over outputs the form assumes;
    `n` is the vector size for vector entries (softmax) and None for scalar forms; `batch`
    ("sum"/"mean") is the reduction over a batch of m examples the form assumes.
    """

    label: str
    expr: Value
    seed: str | None
    expected: str
    wrt: str | None = None
    n: int | None = None
    reduction: str | None = None
    definition: Value | None = None
    note: str = ""
    batch: str = "sum"

    def __post_init__(self) -> None:
        if self.expected not in EXPECTED:
            raise ValueError(f"form {self.label!r}: expected must be one of {EXPECTED}")


@dataclass(frozen=True)
class Sized:
    """A vector entry built at one size n: its symbols, definition and derivatives."""

    n: int
    symbols: Mapping[str, tuple[sp.Symbol, ...] | sp.Symbol]
    definition: Value
    derivatives: Mapping[str, Value]
    abbreviations: Mapping[sp.Symbol, Expr] = field(default_factory=dict)
    cases: tuple[Mapping[sp.Symbol, Expr], ...] = ({},)


@dataclass(frozen=True)
class Entry:
    """One activation or loss.

    Scalar entries hold a SymPy `definition` in `symbols`; separable losses are written per output
    (one summand) and `reduction` says whether the whole loss sums ("sum") or averages ("mean",
    a factor 1/n) over outputs. Vector entries (softmax, fused softmax + CE, general cosine) build
    through `sized(n)` at the sizes in `sizes`.
    """

    name: str
    kind: str  # "activation" | "loss"
    summary: str
    symbols: Mapping[str, sp.Symbol]
    definition: Value
    variables: tuple[str, ...]
    params: tuple[Param, ...] = ()
    assumptions: tuple[str, ...] = ()
    cases: tuple[Mapping[sp.Symbol, Expr], ...] = ({},)
    ranges: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    forms: tuple[Form, ...] = ()
    kinks: tuple[Kink, ...] = ()
    reduction: str | None = None
    split: str | None = None
    sized: Callable[[int], Sized] | None = None
    sizes: tuple[int, ...] = ()
    aliases: tuple[str, ...] = ()

    # -- symbols -------------------------------------------------------------------------------
    def sym(self, name: str) -> sp.Symbol:
        """The SymPy symbol called `name` in this entry (KeyError lists the known ones)."""
        try:
            return self.symbols[name]
        except KeyError:
            raise KeyError(f"{self.name} has no symbol {name!r}; it has {', '.join(sorted(self.symbols))}") from None

    @property
    def is_vector(self) -> bool:
        return self.sized is not None

    @property
    def n(self) -> sp.Symbol:
        """The number of outputs n of a separable loss (the 1/n of mean reductions)."""
        return N_OUTPUTS

    # -- derivatives ---------------------------------------------------------------------------
    def derivative(
        self,
        wrt: str | None = None,
        *,
        n: int | None = None,
        reduction: str | None = None,
        batch: str = "sum",
        params: Mapping[str, object] | None = None,
        full: bool = False,
    ) -> Value:
        """The derivative SymPy takes of the definition, with the kink convention at each kink.

        For separable losses it is dL/da_i for one output; `reduction` overrides the entry's own
        (sum or mean over the n outputs) and `batch="mean"` divides by the batch size m.
        `params` substitutes parameter values (numbers or strings like "0.1"). Vector entries
        keep the sum of exponentials (and norms) as the symbol S (|a|, |y|) unless `full=True`.
        """
        var = self._wrt(wrt)
        if batch not in ("sum", "mean"):
            raise ValueError(f"batch must be 'sum' or 'mean', not {batch!r}")
        key = (self.name, var, n, reduction or self.reduction, batch, full)
        if key not in _DERIVATIVES:
            if self.sized is not None:
                built = self.sized(n or self.sizes[0])
                result: Value = built.derivatives[var]
                if full:
                    result = result.xreplace(dict(built.abbreviations))
            else:
                result = _with_kinks(sp.diff(self.definition, self.symbols[var]), self.kinks, var)
                result = result * self.scale(reduction)
            if batch == "mean":
                result = result / N_BATCH
            _DERIVATIVES[key] = result
        return self.substitute(_DERIVATIVES[key], params)

    def scale(self, reduction: str | None = None) -> Expr:
        """The factor a per-output summand carries: 1 for a sum, 1/n for a mean over n outputs."""
        red = reduction or self.reduction or "sum"
        if red == "sum":
            return sp.Integer(1)
        if red == "mean":
            return 1 / N_OUTPUTS
        raise ValueError(f"reduction must be 'sum' or 'mean', not {red!r}")

    def value(self, params: Mapping[str, object] | None = None, *, n: int | None = None) -> Value:
        """The definition (at size n for vector entries), with parameters substituted."""
        if self.sized is not None:
            return self.substitute(self.sized(n or self.sizes[0]).definition, params)
        return self.substitute(self.definition * self.scale(), params)

    def substitute(self, expr: Value, params: Mapping[str, object] | None) -> Value:
        """Replace parameter symbols by given values; unknown names raise KeyError with suggestions."""
        if not params:
            return expr
        known = {p.name: p.symbol for p in self.params}
        subs = {}
        for key, val in params.items():
            if key not in known:
                hint = difflib.get_close_matches(key, list(known), n=3)
                raise KeyError(
                    f"{self.name} has no parameter {key!r}"
                    + (f"; did you mean {', '.join(hint)}?" if hint else f"; parameters: {', '.join(sorted(known)) or 'none'}")
                )
            subs[known[key]] = sp.Rational(str(val)) if isinstance(val, (str, float)) else sp.sympify(val)
        return expr.subs(subs)

    def defaults(self) -> dict[sp.Symbol, sp.Rational]:
        """Parameter symbol -> default value."""
        return {p.symbol: p.default for p in self.params}

    def _wrt(self, wrt: str | None) -> str:
        if wrt is None:
            return self.variables[0]
        if wrt not in self.variables:
            raise KeyError(f"{self.name} is differentiated with respect to {' or '.join(self.variables)}, not {wrt!r}")
        return wrt

    def forms_for(self, wrt: str | None = None, reduction: str | None = None,
                  batch: str | None = None) -> tuple[Form, ...]:
        """The hand forms of the derivative with respect to `wrt` (default: the first variable);
        given a `reduction` or `batch`, only the forms that assume it (a form written for the sum
        over outputs says nothing about the derivative of the mean)."""
        var = self._wrt(wrt)
        return tuple(f for f in self.forms if (f.wrt or self.variables[0]) == var
                     and (reduction is None or (f.reduction or self.reduction) == reduction)
                     and (batch is None or f.batch == batch))


def _with_kinks(raw: Expr, kinks: tuple[Kink, ...], var: str) -> Expr:
    """Pin SymPy's derivative to the stated kink convention (SymPy's Heaviside(0) = 1/2 must not leak).

    Heaviside(u) gets the second argument that makes its value at the kink the stated one; if the
    derivative still disagrees at the kink, an explicit branch for the kink point is added.
    """
    out = raw
    for kink in kinks:
        if var not in kink.values:
            continue
        want = kink.values[var]
        heavisides = sorted(out.atoms(sp.Heaviside), key=sp.default_sort_key)
        if heavisides:
            h = sp.Dummy("h")
            trial = out.replace(sp.Heaviside, lambda arg, *rest: sp.Heaviside(arg, h))
            at = _at_kink(trial, kink)
            if at is not None:
                sol = _linear_root(at - want, h)
                if sol is not None:
                    out = trial.subs(h, sol)
        at = _at_kink(out, kink)
        if at is None or sp.cancel(at - want) != 0:
            out = sp.Piecewise((want, kink.condition), (out, True))
    return out


def _at_kink(expr: Expr, kink: Kink) -> Expr | None:
    """The value of expr on the kink, solving the kink equation for one of its symbols."""
    eq = kink.condition
    if not isinstance(eq, sp.Equality):
        return None
    syms = sorted((eq.lhs - eq.rhs).free_symbols, key=lambda s: s.name)
    for s in reversed(syms):
        sol = _linear_root(eq.lhs - eq.rhs, s)
        if sol is not None:
            return sp.piecewise_fold(expr.subs(s, sol))
    return None


def _linear_root(expr: Expr, s: sp.Symbol) -> Expr | None:
    """The root of expr = 0 in s when expr is linear in s, else None."""
    try:
        poly = sp.Poly(expr, s)
    except sp.PolynomialError:
        return None
    if poly.degree() != 1:
        return None
    c1, c0 = poly.all_coeffs()
    return sp.cancel(-c0 / c1)


N_OUTPUTS = sp.Symbol("n", positive=True, integer=True)
N_BATCH = sp.Symbol("m", positive=True, integer=True)

_REGISTRY: dict[str, Entry] = {}
_DERIVATIVES: dict[tuple, Value] = {}  # SymPy objects are immutable, so a derivative is shared
_ALIASES: dict[str, str] = {}
_MODULES = ("activations", "losses", "softmax")  # the modules that register entries, cheapest first
_LOADED: set[str] = set()


def register(entry: Entry) -> Entry:
    """Add an entry to the registry (one call per activation or loss)."""
    if entry.name in _REGISTRY:
        raise ValueError(f"catalog entry {entry.name!r} registered twice")
    if entry.kind not in ("activation", "loss"):
        raise ValueError(f"{entry.name}: kind must be 'activation' or 'loss'")
    _REGISTRY[entry.name] = entry
    for alias in entry.aliases:
        _ALIASES[alias] = entry.name
    return entry


def _load(key: str | None = None) -> None:
    """Import the registering modules: all, or for one name only until it is registered (the proof
    worker answers a tanh claim without building softmax's 10 x 10 Jacobian forms)."""
    for module in _MODULES:
        if key is not None and _ALIASES.get(key, key) in _REGISTRY:
            return
        if module not in _LOADED:
            _LOADED.add(module)
            importlib.import_module(f"gradverify.derivations.{module}")


def get(name: str) -> Entry:
    """The entry called `name` (or an alias such as "swish"); KeyError suggests the closest names."""
    key = name.strip().lower().replace("-", "_").replace(" ", "_")
    _load(key)
    key = _ALIASES.get(key, key)
    if key in _REGISTRY:
        return _REGISTRY[key]
    close = difflib.get_close_matches(key, list(_REGISTRY) + list(_ALIASES), n=3, cutoff=0.5)
    close = [_ALIASES.get(c, c) for c in close]
    hint = f"; did you mean {', '.join(dict.fromkeys(close))}?" if close else ""
    raise KeyError(f"no activation or loss called {name!r} in the catalog{hint}")


def entries(kind: str | None = None) -> Iterator[Entry]:
    """Every entry in registration order, optionally only activations or only losses."""
    _load()
    for entry in _REGISTRY.values():
        if kind is None or entry.kind == kind:
            yield entry


def names() -> list[str]:
    """The names of all entries."""
    return [e.name for e in entries()]
