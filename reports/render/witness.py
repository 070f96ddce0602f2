"""The finite-difference witness column: `gradverify.numeric.gradcheck.fd_witness` for each gradient claim.

Claims name gradients (dW2[1,1], db3, delta3[1], dL_da2[1], dx[2]); the witness perturbs the
parameter or the mid-network value itself (W2[1,1], b3[1], z, a, x[2]) and takes central
differences of the engine's loss: forward passes only, independent of backpropagation.
"""

from __future__ import annotations

from typing import Any, Iterable, Sequence

PROBE = {"dW": "W", "db": "b", "dx": "x", "delta": "delta", "dL_da": "dL_da"}


def probe_name(quantity: str, layer: int | None, index: Sequence[int], first_index: int) -> str | None:
    """The element gradcheck perturbs for a claimed gradient (None if it has no witness)."""
    kind = PROBE.get(quantity)
    if kind is None:
        return None
    idx = list(index) or [first_index]
    label = "x" if kind == "x" else f"{kind}{layer}"
    return f"{label}[{','.join(str(int(i)) for i in idx)}]"


def values(net: Any, info: Any, claims: Iterable[tuple[int, str, int | None, Sequence[int]]]) -> dict[int, float]:
    """Witness values keyed by claim number, for (number, quantity, layer, index) of one step."""
    from gradverify.numeric.gradcheck import fd_witness

    names: dict[int, str] = {}
    for number, quantity, layer, index in claims:
        name = probe_name(quantity, layer, index, info.first_index)
        if name is not None:
            names[number] = name
    if not names:
        return {}
    out: dict[int, float] = {}
    try:
        found = fd_witness(net, info.x, info.y, sorted(set(names.values())))
    except (KeyError, IndexError, ValueError):
        # one unreadable name must not cost the others their witness
        found = {}
        for name in set(names.values()):
            try:
                found.update(fd_witness(net, info.x, info.y, [name]))
            except (KeyError, IndexError, ValueError):
                continue
    for number, name in names.items():
        if name in found:
            out[number] = float(found[name].numeric)
    return out
