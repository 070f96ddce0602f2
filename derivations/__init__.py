"""Symbolic truth: the catalog of activations and losses, proofs of textbook forms, safe parsing.

Imports sympy; never imports `numeric` or `reports`. The public pieces:

- `gradverify.derivations.catalog`: `get(name) -> Entry` (KeyError suggests close names), `entries(kind=None)`,
  `Entry.definition / .symbols / .sym(name) / .params / .variables / .forms / .kinks`,
  `Entry.derivative(wrt=None, *, n=None, reduction=None, batch="sum", params=None)`.
- `gradverify.derivations.proofs`: `prove(form, truth, *, assumptions=Assumptions(...)) -> Proof` with verdict
  "proved" | "refuted" | "equal except at kink" | "unproved", counterexample, kinks, regions.
- `gradverify.derivations.checks`: `prove_claim(entry, expr, wrt=..., params=...)` (a person's formula against the
  derivative; symbols matched by name), `check(entry, form)`, `check_catalog()`, `assumptions_for`.
- `gradverify.derivations.network`: `build(...) -> ExactNetwork` (exact z, a, loss, dW, db, dz, dx), `sgd_step`.
"""
