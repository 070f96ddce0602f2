"""The symbolic truth column: exact values from `gradverify.derivations.network`, named like the engine's.

Every step is rebuilt from exact rationals; parameters after an update are exact expressions
evaluated to 40 digits and taken as rationals again (an exact chain to 40 digits, so the loss
expression of later steps stays small).
"""

from __future__ import annotations

from typing import Any

import numpy as np

DIGITS = 40


def _floats(m: Any) -> np.ndarray:
    import sympy as sp

    return np.array([[float(sp.N(v, 20)) for v in row] for row in m.tolist()], dtype=float)


def _rational(v: Any) -> Any:
    import sympy as sp

    return sp.Rational(str(sp.N(v, DIGITS)))


def steps(info: Any) -> list[dict[str, np.ndarray]]:
    """Exact quantities per step under the user's names (z2, a2, delta2, dW2, W2, loss, dx ...)."""
    import sympy as sp

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
    out = []
    for _ in range(info.steps):
        net = network.build(
            sizes, info.activations, info.loss, W, b, x, y, bias=conv.bias, batch=conv.reduction,
            l2=str(conv.l2) if conv.l2 else None, loss_params=info.loss_params or None,
            activation_params=info.act_params or None,
        )
        named: dict[str, np.ndarray] = {}
        sign = -1.0 if conv.error_sign == "negative" else 1.0
        single = len(net.zs) == 1
        for k in range(len(sizes) - 1):
            lay, wn, bn = conv.layer_number(k), conv.param_number("W", k), conv.param_number("b", k)
            if single:
                named[f"z{lay}"] = _floats(net.z[k].T)[0]
                named[f"a{lay}"] = _floats(net.a[k + 1].T)[0]
                named[f"delta{lay}"] = sign * _floats(net.dz[k].T)[0]
                entry = catalog.get(info.activations[k])
                if not entry.is_vector:
                    d = entry.derivative(params=info.act_params[k] if info.act_params else None)
                    d = d.subs(entry.defaults())
                    xs = entry.sym("x")
                    primes = [d.subs(xs, v) for v in net.z[k]]
                    named[f"act_prime{lay}"] = np.array([float(sp.N(p, 20)) for p in primes])
                    # dL/da = (dL/dz) / f'(z) elementwise, exact, wherever f'(z) is not 0
                    if all(p != 0 for p in primes):
                        named[f"dL_da{lay}"] = sign * np.array([float(sp.N(g / p, 20)) for g, p in zip(net.dz[k], primes)])
            w_user = _floats(net.W[k])
            dw_user = _floats(net.dW[k])
            if conv.weights == "from_to":
                w_user, dw_user = w_user.T, dw_user.T
            named[f"W{wn}"] = w_user
            named[f"dW{wn}"] = sign * dw_user
            if conv.bias != "none":
                named[f"b{bn}"] = _floats(net.b[k].T)[0] if conv.bias != "shared" else _floats(net.b[k].T)[0][:1]
                named[f"db{bn}"] = sign * _floats(net.db[k].T)[0]
        named["loss"] = np.asarray(float(sp.N(net.loss, 20)))
        if single:
            named["dx"] = sign * _floats(net.dx.T)[0]
        out.append(named)
        newW, newb = network.sgd_step(net, str(info.learning_rate), update_bias=conv.bias != "frozen")
        W = [[[_rational(v) for v in row] for row in m.tolist()] for m in newW]
        if b is not None:
            b = [[_rational(v) for v in m] for m in newb]
    return out
