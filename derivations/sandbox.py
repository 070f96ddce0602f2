"""Equivalence under a time limit: a persistent worker process, killed and restarted on timeout.

The parent parses claims (no SymPy) and sends the neutral tree as one JSON line; the worker
(`python -m gradverify.derivations.sandbox`) builds SymPy, proves and diagnoses (`equivalence.judge`), and
answers with one JSON line. A runaway simplification cannot hang the parent: past the deadline
the worker is killed (SIGKILL) and the claim is "undecided: timed out". The worker also runs with
a memory limit. Verdicts are cached in the parent, so a repeated claim costs a dict lookup.
"""

from __future__ import annotations

import json
import os
import sys
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import subprocess

DEFAULT_TIMEOUT = 20.0
STARTUP_TIMEOUT = 60.0  # importing SymPy and the catalog; not counted against a claim's time
MEMORY_LIMIT = 2 * 1024**3  # bytes of address space for the worker


_STAMP_FILES = ("catalog", "activations", "losses", "softmax", "proofs", "regions", "witness", "equivalence",
                "parse", "latex", "matrix", "slips", "entrywise", "valuenames", "readable")


def _stamp() -> str:
    """Checksums of the modules a verdict depends on: a changed prover invalidates the disk cache.

    CRC-32 per file (zlib is loaded with Python itself; hashlib's OpenSSL costs a `check` a few
    milliseconds at every start): a stamp only has to change when a file does."""
    import zlib

    here = os.path.dirname(os.path.abspath(__file__))
    parts = []
    for name in _STAMP_FILES:
        try:
            with open(os.path.join(here, f"{name}.py"), "rb") as fh:
                parts.append(f"{zlib.crc32(fh.read()):08x}")
        except OSError:
            parts.append(name)
    return "".join(parts)


class DiskCache:
    """Verdicts kept between runs (JSON in $GRADVERIFY_CACHE_DIR or ~/.cache/gradverify), so a
    claim judged once costs no SymPy import the next time. GRADVERIFY_CACHE_DIR=off disables it."""

    def __init__(self, directory: str | None = None) -> None:
        d = directory or os.environ.get("GRADVERIFY_CACHE_DIR") or os.path.join(
            os.path.expanduser("~"), ".cache", "gradverify")
        self.enabled = d != "off"
        self.path = os.path.join(d, "claims.json")
        self._data: dict[str, dict[str, Any]] | None = None
        self._stamp: str | None = None

    def _load(self) -> dict[str, dict[str, Any]]:
        if self._data is None:
            self._stamp = _stamp()
            self._data = {}
            try:
                with open(self.path, encoding="utf-8") as fh:
                    raw = json.load(fh)
                if raw.get("stamp") == self._stamp:
                    self._data = dict(raw.get("verdicts", {}))
            except (OSError, ValueError, AttributeError):
                pass
        return self._data

    def get(self, key: str) -> dict[str, Any] | None:
        return self._load().get(key) if self.enabled else None

    def put(self, key: str, value: dict[str, Any]) -> None:
        if not self.enabled:
            return
        data = self._load()
        data[key] = value
        try:
            os.makedirs(os.path.dirname(self.path), exist_ok=True)
            tmp = f"{self.path}.{os.getpid()}.tmp"
            with open(tmp, "w", encoding="utf-8") as fh:
                json.dump({"stamp": self._stamp, "verdicts": data}, fh)
            os.replace(tmp, self.path)
        except OSError:
            pass


class Sandbox:
    """One worker process answering judge requests; `judge` waits at most `timeout` seconds."""

    def __init__(self, timeout: float = DEFAULT_TIMEOUT, disk: DiskCache | None = None) -> None:
        self.timeout = timeout
        self.proc: subprocess.Popen | None = None
        self.cache: dict[str, dict[str, Any]] = {}
        self.disk = disk if disk is not None else DiskCache()
        self._buffer = b""
        self._ready = False

    # -- process ---------------------------------------------------------------------------------
    def start(self, preload: str | None = None) -> None:
        """Start the worker now (it imports SymPy, and the catalog entry `preload` is for, before it
        says it is ready: that time is not counted against the first claim's limit)."""
        import subprocess

        if self.proc is not None and self.proc.poll() is None:
            return
        env = dict(os.environ)
        root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gradverify.derivations.sandbox", *([preload] if preload else [])],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, env=env, preexec_fn=_limit_memory if os.name == "posix" else None)
        self._buffer = b""
        self._ready = False

    def stop(self) -> None:
        """Kill the worker (if running) and reap it."""
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.kill()
            self.proc.wait()
            for stream in (self.proc.stdin, self.proc.stdout):
                if stream is not None:
                    stream.close()
            self.proc = None

    def __enter__(self) -> "Sandbox":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- requests --------------------------------------------------------------------------------
    def judge(self, tree: tuple, of: str, wrt: str | None = None, params: dict[str, str] | None = None,
              timeout: float | None = None, stated: tuple | None = None,
              counts: dict[str, str] | None = None) -> dict[str, Any]:
        """The worker's verdict dict; {"verdict": "undecided", "timed_out": True} past the deadline.
        `counts` holds the loss's stated `reduction` and `batch` ("sum"/"mean") when given."""
        request = {"tree": tree, "of": of, "wrt": wrt, "params": params or {}, "stated": stated}
        return self.ask({**request, **(counts or {})}, timeout)

    def prove_formula(self, lhs: str, tree: tuple, layout: str, timeout: float | None = None) -> dict[str, Any]:
        """`gradverify.derivations.matrix.prove` of a vectorized formula, in the worker under the same deadline
        (expanding products of symbolic matrices can take minutes): its {verdict, method, sizes}."""
        return self.ask({"kind": "formula", "lhs": lhs, "tree": tree, "layout": layout}, timeout)

    def ask(self, request: dict[str, Any], timeout: float | None = None) -> dict[str, Any]:
        """Send one request to the worker (or answer it from the caches) and wait at most `timeout`."""
        key = json.dumps(request, sort_keys=True)
        stored = self.recall(key)
        if stored is not None:
            return stored
        limit = self.timeout if timeout is None else timeout
        self.start(request.get("of"))
        assert self.proc is not None and self.proc.stdin is not None
        if not self._ready:
            hello = self._readline(time.monotonic() + STARTUP_TIMEOUT)
            if hello is None:
                self.stop()
                return {"verdict": "undecided", "error": "the checking process did not start",
                        "explanation": f"the checking process did not start within {STARTUP_TIMEOUT:g} s"}
            self._ready = True
        start = time.monotonic()
        try:
            self.proc.stdin.write(key.encode() + b"\n")
            self.proc.stdin.flush()
            line = self._readline(start + limit)
        except (BrokenPipeError, OSError):
            line = None
        if line is None:
            died = self.proc.poll() is not None
            self.stop()
            if died:
                return {"verdict": "undecided", "error": "the checking process died (memory limit?)",
                        "explanation": "the checking process stopped before a verdict (memory limit)"}
            return {"verdict": "undecided", "timed_out": True, "seconds": round(time.monotonic() - start, 2),
                    "explanation": f"no verdict within {limit:g} s: the checking process was stopped"}
        result = json.loads(line)
        self.remember(key, result)
        return dict(result)

    def recall(self, key: str) -> dict[str, Any] | None:
        """A verdict kept under `key` in this process or on disk (a copy), or None."""
        if key in self.cache:
            return dict(self.cache[key])
        stored = self.disk.get(key)
        if stored is None:
            return None
        self.cache[key] = stored
        return dict(stored)

    def remember(self, key: str, result: dict[str, Any]) -> None:
        """Keep a verdict (not an unusable request, nor a failure or a timeout) in both caches."""
        if result.get("verdict") != "unusable" and "error" not in result and not result.get("timed_out"):
            self.cache[key] = result
            self.disk.put(key, result)

    def _readline(self, deadline: float) -> bytes | None:
        import select

        assert self.proc is not None and self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        while b"\n" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                return None
            chunk = os.read(fd, 65536)
            if not chunk:
                return None
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        return line


def _limit_memory() -> None:
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    except (ImportError, ValueError, OSError):
        pass


_SHARED: Sandbox | None = None


def shared(timeout: float | None = None) -> Sandbox:
    """The process-wide sandbox (started on first use)."""
    global _SHARED
    if _SHARED is None:
        import atexit

        _SHARED = Sandbox(timeout or DEFAULT_TIMEOUT)
        atexit.register(_SHARED.stop)  # no worker outlives its parent (it also exits on EOF)
    elif timeout is not None:
        _SHARED.timeout = timeout
    return _SHARED


def judge_claim(text: str, of: str, wrt: str | None = None, params: dict[str, str] | None = None,
                syntax: str = "auto", timeout: float | None = None, box: Sandbox | None = None,
                stated: str | None = None, reduction: str | None = None, batch: str | None = None) -> dict[str, Any]:
    """Parse (never eval) and judge one claimed derivative; a parse error gives verdict "unusable"
    with the message, the caret position and what is allowed. `stated` is the function as the
    person wrote it, when it differs from the catalog's (the claim is judged against both);
    `reduction`/`batch` ("sum"/"mean") say how the loss reduces over its outputs and a batch."""
    box = box or shared()
    # the claim as written is a key too: a verdict judged before needs no parser and no worker
    written = "claim:" + json.dumps({"text": text, "of": of, "wrt": wrt, "params": params or {}, "syntax": syntax,
                                     "stated": stated, "reduction": reduction, "batch": batch}, sort_keys=True)
    known = box.recall(written)
    if known is not None:
        return known
    from gradverify.derivations.parse import ClaimSyntaxError, detect, parse

    used = detect(text) if syntax == "auto" else syntax
    base = {"claimed": text, "of": of, "wrt": wrt, "syntax": used}
    try:
        tree = parse(text, syntax)
    except ClaimSyntaxError as exc:
        return {**base, "verdict": "unusable", "error": exc.render(), "position": exc.pos}
    stated_tree = None
    if stated:
        try:
            stated_tree = parse(stated, syntax)
        except ClaimSyntaxError as exc:
            return {**base, "verdict": "unusable", "error": "the stated function: " + exc.render(),
                    "position": exc.pos}
    counts = {k: v for k, v in (("reduction", reduction), ("batch", batch)) if v}
    result = box.judge(tree, of, wrt, params, timeout, stated_tree, counts)
    judged = {**base, **{k: v for k, v in result.items() if k != "wrt" or v}}
    box.remember(written, judged)
    return judged


def judge_grid(claimed: list, of: str, wrt: str | None = None, params: dict[str, str] | None = None,
               syntax: str = "auto", timeout: float | None = None, box: Sandbox | None = None,
               layout: str = "numerator", n: int | None = None, batch: str | None = None) -> dict[str, Any]:
    """Judge a derivative written entry by entry (a vector, or a matrix with `layout` "numerator"
    or "denominator"); every written entry gets its verdict (`entries`) and the message names the
    wrong ones. An unreadable grid gives verdict "unusable" with the entry and the reason."""
    from gradverify.derivations import cells

    base = {"claimed": cells.shown(claimed), "of": of, "wrt": wrt, "syntax": syntax}
    try:
        grid = cells.read(claimed, n, syntax)
    except cells.GridError as exc:
        return {**base, "verdict": "unusable", "error": str(exc)}
    request = {"kind": "entries", "grid": cells.request(grid), "of": of, "wrt": wrt, "params": params or {},
               "layout": layout, "batch": batch or "sum"}
    return {**base, **(box or shared()).ask(request, timeout)}


def judge_derivative_claims(tables: list[dict[str, Any]], timeout: float | None = None) -> list[dict[str, Any]]:
    """Judge the `[[derivative]]` tables of a worked-example file: each has `of`, `claimed`, and
    optionally `wrt`, `params` (a table), `syntax` ("latex"/"sympy"/"auto"), `expect` (a verdict).
    Returns one dict per table: the table's keys plus verdict, explanation, diagnoses,
    counterexample/witness/domain, and `as_expected` when `expect` was given."""
    out = []
    for k, table in enumerate(tables):
        missing = [key for key in ("of", "claimed") if key not in table]
        if missing:
            out.append({**table, "index": k, "verdict": "unusable",
                        "error": f"[[derivative]] number {k + 1} lacks {', '.join(missing)}: write "
                                 "of = \"tanh\", claimed = \"1 - tanh(x)^2\""})
            continue
        params = {str(p): str(v) for p, v in dict(table.get("params") or {}).items()}
        if isinstance(table["claimed"], list):
            res = judge_grid(table["claimed"], str(table["of"]), table.get("wrt"), params,
                             str(table.get("syntax", "auto")), timeout, layout=str(table.get("layout", "numerator")),
                             n=table.get("n"), batch=table.get("batch"))
            res = {**{key: v for key, v in table.items() if key not in res}, **res, "index": k}
            if "expect" in table:
                res["as_expected"] = res["verdict"] == table["expect"]
            out.append(res)
            continue
        res = judge_claim(str(table["claimed"]), str(table["of"]), table.get("wrt"), params,
                          str(table.get("syntax", "auto")), timeout,
                          stated=str(table["stated"]) if table.get("stated") else None,
                          reduction=table.get("reduction"), batch=table.get("batch"))
        res = {**{key: v for key, v in table.items() if key not in res}, **res, "index": k}
        if "expect" in table:
            res["as_expected"] = res["verdict"] == table["expect"]
        out.append(res)
    return out


def _as_tuple(x: Any) -> Any:
    if isinstance(x, list):
        return tuple(_as_tuple(i) for i in x)
    return x


def _serve() -> None:
    """Worker loop: one JSON request per line in, one JSON verdict per line out."""
    from gradverify.derivations import equivalence
    from gradverify.derivations.catalog import get

    for name in sys.argv[1:] or ["sigmoid"]:  # the entry the first request is about, before "ready"
        try:
            get(name)
        except KeyError:
            pass  # an unknown name is reported with the request itself
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    for raw in sys.stdin:
        try:
            req = json.loads(raw)
            if req.get("kind") == "formula":
                from gradverify.derivations import matrix

                out = matrix.prove(req["lhs"], _as_tuple(req["tree"]), matrix.layout(req["layout"]))
            elif req.get("kind") == "entries":
                from gradverify.derivations import entrywise

                grid = {**req["grid"], "cells": [[_as_tuple(c) for c in r] for r in req["grid"]["cells"]]}
                out = entrywise.judge(grid, req["of"], req.get("wrt"), req.get("params"), req["layout"], req["batch"])
            else:
                stated = _as_tuple(req["stated"]) if req.get("stated") else None
                out = equivalence.judge(_as_tuple(req["tree"]), req["of"], req.get("wrt"), req.get("params"), stated,
                                        req.get("reduction"), req.get("batch"))
        except (equivalence.ClaimError, KeyError, ValueError) as exc:
            msg = exc.args[0] if exc.args else str(exc)
            out = {"verdict": "unusable", "error": str(msg)}
        except Exception as exc:  # a failure inside SymPy is reported, never a crash of the worker
            out = {"verdict": "undecided", "error": f"{type(exc).__name__}: {exc}"[:500],
                   "explanation": "the proof failed inside SymPy"}
        sys.stdout.write(json.dumps(out, default=str) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    _serve()
