"""Symbolic truth: the catalog of activations and losses, proofs of textbook forms, safe parsing.

Imports sympy; never imports `numeric` or `reports`.
"""
