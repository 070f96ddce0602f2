"""The symbolic truth column: the exact network of `gradverify.derivations.network`, named like the engine's.

The network's loss is written and differentiated by SymPy once per file (`CompiledNetwork`); every
step is an evaluation at that step's parameters to 40 digits, and the update W - lr dW is carried
at the same precision, so later steps continue the exact chain.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def _floats(rows: Any) -> np.ndarray:
    return np.array([[float(v) for v in row] for row in rows], dtype=float)


def steps(info: Any) -> list[dict[str, np.ndarray]]:
    """Exact quantities per step under the user's names (z2, a2, delta2, dW2, W2, loss, dx ...)."""
    import mpmath

    from gradverify.derivations import catalog
    from gradverify.derivations import network
    from gradverify.numeric.conventions import Conventions

    fields = set(Conventions.__dataclass_fields__)
    conv = Conventions(**{k: v for k, v in info.conventions.items() if k in fields})
    sizes = list(info.sizes)
    W = [np.asarray(w, dtype=object).tolist() for w in info.weights]
    if conv.weights == "from_to":
        W = [[list(r) for r in zip(*w)] for w in W]
    W = [[[network.exact(str(v)) for v in row] for row in w] for w in W]
    b = None
    if info.biases is not None and conv.bias != "none":
        b = [[network.exact(str(v)) for v in np.asarray(bb, dtype=object).reshape(-1)] for bb in info.biases]
    x = np.asarray(info.x, dtype=object).tolist()
    y = np.asarray(info.y, dtype=object).tolist()
    x = [[str(v) for v in r] for r in x] if isinstance(x[0], list) else [str(v) for v in x]
    y = [[str(v) for v in r] for r in y] if isinstance(y[0], list) else [str(v) for v in y]
    net = network.CompiledNetwork(
        sizes, info.activations, info.loss, x, y, bias=conv.bias, batch=conv.reduction,
        l2=str(conv.l2) if conv.l2 else None, loss_params=info.loss_params or None,
        activation_params=info.act_params or None)
    primes = [_act_prime(catalog.get(name), info.act_params[k] if info.act_params else None)
              for k, name in enumerate(info.activations)]
    sign = -1.0 if conv.error_sign == "negative" else 1.0
    lr = network.exact(str(info.learning_rate))
    out = []
    with mpmath.workdps(network.CompiledNetwork.DIGITS):
        eta = mpmath.mpf(int(lr.p)) / int(lr.q)
        for _ in range(info.steps):
            v = net.evaluate(W, b)
            named: dict[str, np.ndarray] = {}
            single = len(v["z"]) == 1
            for k in range(len(sizes) - 1):
                lay, wn, bn = conv.layer_number(k), conv.param_number("W", k), conv.param_number("b", k)
                if single:
                    z, dz = v["z"][0][k], v["dz"][0][k]
                    named[f"z{lay}"] = np.array([float(t) for t in z])
                    named[f"a{lay}"] = np.array([float(t) for t in v["a"][0][k]])
                    named[f"delta{lay}"] = sign * np.array([float(t) for t in dz])
                    if primes[k] is not None:
                        fp = [primes[k](t) for t in z]
                        named[f"act_prime{lay}"] = np.array([float(t) for t in fp])
                        if all(p != 0 for p in fp):  # dL/da = (dL/dz) / f'(z) elementwise wherever f'(z) is not 0
                            named[f"dL_da{lay}"] = sign * np.array([float(g / p) for g, p in zip(dz, fp)])
                w_user, dw_user = _floats(W[k]), _floats(v["dW"][k])
                if conv.weights == "from_to":
                    w_user, dw_user = w_user.T, dw_user.T
                named[f"W{wn}"], named[f"dW{wn}"] = w_user, sign * dw_user
                if conv.bias != "none" and b is not None:
                    named[f"b{bn}"] = np.array([float(t) for t in (b[k][:1] if conv.bias == "shared" else b[k])])
                    named[f"db{bn}"] = sign * np.array([float(t) for t in v["db"][k]])
            named["loss"] = np.asarray(float(v["loss"]))
            if single:
                named["dx"] = sign * np.array([float(t) for t in v["dx"]])
            out.append(named)
            W = [[[w - eta * g for w, g in zip(row, grow)] for row, grow in zip(Wk, dWk)] for Wk, dWk in zip(W, v["dW"])]
            if b is not None and conv.bias != "frozen":
                b = [[bj - eta * (v["db"][k][0] if conv.bias == "shared" else v["db"][k][j]) for j, bj in enumerate(bk)]
                     for k, bk in enumerate(b)]
    return out


def _act_prime(entry: Any, params: dict[str, Any] | None) -> Any:
    """f'(z) of an elementwise activation as an mpmath function (None for softmax)."""
    if entry.is_vector:
        return None
    from gradverify.derivations.network import mpmath_function

    d = entry.derivative(params=params or None).subs(entry.defaults())
    return lambda z, fn=mpmath_function([entry.sym("x")], [d]): fn(z)[0]
