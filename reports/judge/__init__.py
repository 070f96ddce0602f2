"""The judge: a worked-example file, its claims judged against the exact chain and against the
person's own numbers, the diagnoses of wrong claims, printed numbers, and the typed results."""
