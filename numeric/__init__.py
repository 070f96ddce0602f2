"""The float engine: stable activations and losses, MLP forward/backward/update, finite differences.

Imports numpy only (never sympy), so it starts fast and can be used alone.

Public API: ``get_activation``/``ACTIVATIONS`` and ``get_loss``/``LOSSES`` (one signature per kind),
``Conventions`` (a worked example's layout, numbering, bias, batch and sign conventions), ``MLP``
(forward, backward, updated, step, named), ``check_grads`` (per-element central differences) and
``fd_witness`` (the difference behind one named number). Each is imported on first use, so a
module that needs only the replay (``gradverify check``) never loads the MLP or the check.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gradverify.numeric.activations import ACTIVATIONS, get_activation
    from gradverify.numeric.conventions import Conventions
    from gradverify.numeric.gradcheck import check_grads, fd_witness
    from gradverify.numeric.losses import LOSSES, get_loss
    from gradverify.numeric.mlp import MLP

_HOME = {
    "ACTIVATIONS": "activations", "get_activation": "activations", "Conventions": "conventions",
    "check_grads": "gradcheck", "fd_witness": "gradcheck", "LOSSES": "losses", "get_loss": "losses", "MLP": "mlp",
}

__all__ = ["ACTIVATIONS", "LOSSES", "MLP", "Conventions", "check_grads", "fd_witness", "get_activation", "get_loss"]


def __getattr__(name: str) -> object:
    if name not in _HOME:
        raise AttributeError(f"module 'gradverify.numeric' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"gradverify.numeric.{_HOME[name]}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
