"""The float engine: stable activations and losses, MLP forward/backward/update, finite differences.

Imports numpy only (never sympy), so it starts fast and can be used alone.
"""
