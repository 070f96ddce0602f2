"""A peer library timed in its own process: `python bench/peers.py jax|jax1|torch`.

Speaks one JSON line per request on stdin ({"case": ..., "number": N}) and answers
{"seconds": per-call}. The first line out is {"ready": KIND} or {"missing": why}. `jax1` is JAX
pinned to one thread (XLA's Eigen pool off), `jax` its default. Cases:
  step:B:dtype      one SGD step of 150-100-5 (tanh, softmax + cross-entropy, batch mean), the
                    same parameters and batch as the gradverify engine's case (bench/cases.py)
  check:SIZES       the library's own gradient check of that network at one sample
                    (jax.test_util.check_grads: one random direction, reverse mode)
"""

from __future__ import annotations

import json
import os
import sys
import timeit
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import cases  # noqa: E402

LR = cases.LR


def _jax() -> object:
    import jax

    jax.config.update("jax_enable_x64", True)
    return jax


def jax_step(B: int, dtype: str) -> Callable[[], object]:
    jax = _jax()
    jnp = jax.numpy
    W, b, x, y = cases.network_data([150, 100, 5], B, dtype)

    def loss(p, x, y):
        (W1, W2), (b1, b2) = p
        z = jnp.tanh(x @ W1.T + b1) @ W2.T + b2
        return -jnp.mean(jnp.sum(y * jax.nn.log_softmax(z), axis=1))

    @jax.jit
    def step(p, x, y):
        value, g = jax.value_and_grad(loss)(p, x, y)
        return jax.tree_util.tree_map(lambda a, d: a - LR * d, p, g), value

    state = {"p": ((jnp.asarray(W[0]), jnp.asarray(W[1])), (jnp.asarray(b[0]), jnp.asarray(b[1])))}
    xj, yj = jnp.asarray(x), jnp.asarray(y)

    def run() -> object:
        state["p"], value = step(state["p"], xj, yj)
        return value.block_until_ready()

    return run


def jax_check(sizes: list[int]) -> Callable[[], object]:
    jax = _jax()
    jnp = jax.numpy
    from jax.test_util import check_grads

    W, b, x, y = cases.network_data(sizes, 1, "float64")
    xj, yj = jnp.asarray(x), jnp.asarray(y)

    def loss(p):
        Ws, bs = p
        a = xj
        for k, (w, bb) in enumerate(zip(Ws, bs)):
            z = a @ w.T + bb
            a = jnp.tanh(z) if k + 1 < len(Ws) else z
        return -jnp.mean(jnp.sum(yj * jax.nn.log_softmax(a), axis=1))

    p = ([jnp.asarray(w) for w in W], [jnp.asarray(v) for v in b])
    return lambda: check_grads(loss, (p,), order=1, modes=["rev"], eps=1e-5)


def torch_step(B: int, dtype: str) -> Callable[[], object]:
    import torch

    torch.set_num_threads(1 if os.environ.get("PEER_THREADS") == "1" else torch.get_num_threads())
    W, b, x, y = cases.network_data([150, 100, 5], B, dtype)
    model = torch.nn.Sequential(torch.nn.Linear(150, 100), torch.nn.Tanh(), torch.nn.Linear(100, 5))
    tdt = getattr(torch, dtype)
    with torch.no_grad():
        for layer, w, v in zip((model[0], model[2]), W, b):
            layer.weight.copy_(torch.from_numpy(w))
            layer.bias.copy_(torch.from_numpy(v))
    model = model.to(tdt)
    opt = torch.optim.SGD(model.parameters(), lr=LR)
    lossf = torch.nn.CrossEntropyLoss()
    tx, ty = torch.from_numpy(x).to(tdt), torch.from_numpy(y.argmax(axis=1))

    def run() -> float:
        opt.zero_grad(set_to_none=True)
        loss = lossf(model(tx), ty)
        loss.backward()
        opt.step()
        return loss.item()

    return run


BUILDERS: dict[str, dict[str, Callable[..., Callable[[], object]]]] = {
    "jax": {"step": jax_step, "check": jax_check},
    "jax1": {"step": jax_step, "check": jax_check},
    "torch": {"step": torch_step},
}


def build(kind: str, case: str) -> Callable[[], object]:
    what, *args = case.split(":")
    builder = BUILDERS[kind][what]
    if what == "step":
        return builder(int(args[0]), args[1])
    return builder([int(s) for s in args[0].split("-")])


def main(kind: str) -> int:
    module = {"jax": "jax", "jax1": "jax", "torch": "torch"}[kind]
    try:
        __import__(module)
    except ImportError:
        hint = "pip install jax jaxlib" if module == "jax" else "pip install torch==2.13.0"
        print(json.dumps({"missing": f"{module} is not installed ({hint} to compare)"}), flush=True)
        return 0
    print(json.dumps({"ready": kind}), flush=True)
    built: dict[str, Callable[[], object]] = {}
    for line in sys.stdin:
        req = json.loads(line)
        try:
            fn = built.get(req["case"])
            if fn is None:
                fn = built[req["case"]] = build(kind, req["case"])
                fn()  # compile / warm up
            answer = {"seconds": timeit.timeit(fn, number=int(req["number"])) / int(req["number"])}
        except Exception as exc:  # reported to the bench, which names the case
            answer = {"error": f"{type(exc).__name__}: {exc}"}
        print(json.dumps(answer), flush=True)
    return 0


if __name__ == "__main__":
    if sys.argv[1] == "jax1":
        os.environ["XLA_FLAGS"] = "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
    raise SystemExit(main(sys.argv[1]))
