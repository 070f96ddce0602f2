"""The float engine: stable activations and losses, MLP forward/backward/update, finite differences.

Imports numpy only (never sympy), so it starts fast and can be used alone.

Public API: ``get_activation``/``ACTIVATIONS`` and ``get_loss``/``LOSSES`` (one signature per kind),
``Conventions`` (a worked example's layout, numbering, bias, batch and sign conventions), ``MLP``
(forward, backward, updated, step, named), ``check_grads`` (per-element central differences) and
``fd_witness`` (the difference behind one named number).
"""

from gradverify.numeric.activations import ACTIVATIONS, get_activation
from gradverify.numeric.conventions import Conventions
from gradverify.numeric.gradcheck import check_grads, fd_witness
from gradverify.numeric.losses import LOSSES, get_loss
from gradverify.numeric.mlp import MLP

__all__ = ["ACTIVATIONS", "LOSSES", "MLP", "Conventions", "check_grads", "fd_witness", "get_activation", "get_loss"]
