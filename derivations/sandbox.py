"""Equivalence under a time limit: a persistent worker process, killed and restarted on timeout.

The parent parses claims (no SymPy) and sends the neutral tree as one JSON line; the worker
(`python -m gradverify.derivations.sandbox`) builds SymPy, proves and diagnoses (`equivalence.judge`), and
answers with one JSON line. A runaway simplification cannot hang the parent: past the deadline
the worker is killed (SIGKILL) and the claim is "undecided: timed out". The worker also runs with
a memory limit. Verdicts are cached in the parent, so a repeated claim costs a dict lookup.

No worker outlives the process that started it: each runs in its own process group, which is
killed on timeout, at exit, and on SIGTERM/SIGINT/SIGHUP (the handlers then hand the signal to
whatever handled it before); the kernel kills it when its parent dies (Linux), and the worker
itself exits when it finds its parent gone.
"""

from __future__ import annotations

import atexit
import json
import os
import signal
import sys
import time
from contextlib import AbstractContextManager, contextmanager
from typing import TYPE_CHECKING, Any, Callable, Iterator

if TYPE_CHECKING:
    import subprocess

DEFAULT_TIMEOUT = 20.0
STARTUP_TIMEOUT = 60.0  # importing SymPy and the catalog; not counted against a claim's time
MAX_WAIT = 86400.0  # one select() at most a day: an infinite time limit loops instead of overflowing
MEMORY_LIMIT = 2 * 1024**3  # bytes of address space for the worker


_STAMP_FILES = ("catalog", "activations", "losses", "softmax", "proofs", "regions", "witness", "equivalence",
                "parse", "latex", "matrix", "slips", "entrywise", "valuenames", "readable", "cells", "kinds",
                "identities", "graphs", "layernet", "indexparse", "indexed", "indexcheck")


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
    """One worker process answering judge requests; `judge` waits at most `timeout` seconds.

    `deadline` (a time.monotonic() value, set by `budget`) bounds everything asked, the worker's
    start-up included: past it a claim is undecided without being sent."""

    def __init__(self, timeout: float = DEFAULT_TIMEOUT, disk: DiskCache | None = None) -> None:
        self.timeout = timeout
        self.proc: subprocess.Popen | None = None
        self.cache: dict[str, dict[str, Any]] = {}
        self.disk = disk if disk is not None else DiskCache()
        self.deadline: float | None = None
        self._budget = 0.0
        self._buffer = b""
        self._ready = False

    # -- process ---------------------------------------------------------------------------------
    def start(self, preload: str | None = None) -> None:
        """Start the worker now (it imports SymPy, and the catalog entry `preload` is for, before it
        says it is ready: that time is not counted against the first claim's limit)."""
        import functools
        import subprocess
        import threading

        if self.proc is not None:
            if self.proc.poll() is None:
                return
            self.stop()  # died on its own: reap it before starting the next
        env = dict(os.environ)
        root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
        env[_PARENT_ENV] = str(os.getpid())
        _guard_signals()
        # the kernel's "die with your parent" follows the starting thread: only the main thread lives as long
        setup = functools.partial(_child_setup, threading.current_thread() is threading.main_thread()
                                  and preexec_die_with_parent() is not None)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gradverify.derivations.sandbox", *([preload] if preload else [])],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env,
            start_new_session=True, preexec_fn=setup if os.name == "posix" else None)
        _LIVE.add(self.proc)
        self._buffer = b""
        self._ready = False

    def stop(self) -> None:
        """Kill the worker's process group (if running) and reap it."""
        if self.proc is not None:
            _kill(self.proc)
            self.proc.wait()
            _LIVE.discard(self.proc)
            for stream in (self.proc.stdin, self.proc.stdout):
                if stream is not None:
                    stream.close()
            self.proc = None
        if not _LIVE:
            _restore_signals()

    def __enter__(self) -> "Sandbox":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @contextmanager
    def budget(self, seconds: float | None) -> Iterator[None]:
        """Everything asked inside shares `seconds` in all, counted from now and including the
        worker's start-up; a claim asked after they are spent is undecided, never sent."""
        saved = self.deadline, self._budget
        if seconds is not None:
            self.deadline, self._budget = time.monotonic() + seconds, seconds
        try:
            yield
        finally:
            self.deadline, self._budget = saved

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
        if not limit > 0:  # NaN too
            raise ValueError(f"a time limit is a number of seconds > 0, not {limit!r}")
        if self.deadline is not None and time.monotonic() >= self.deadline:
            return self._spent()
        self.start(request.get("of"))
        assert self.proc is not None and self.proc.stdin is not None
        if not self._ready:
            hello = self._readline(self._cut(time.monotonic() + STARTUP_TIMEOUT))
            if hello is None:
                self.stop()
                if self.deadline is not None and time.monotonic() >= self.deadline:
                    return self._spent()
                return {"verdict": "undecided", "error": "the checking process did not start",
                        "explanation": f"the checking process did not start within {STARTUP_TIMEOUT:g} s"}
            self._ready = True
        start = time.monotonic()
        end = start + limit
        try:
            self.proc.stdin.write(key.encode() + b"\n")
            self.proc.stdin.flush()
            line = self._readline(self._cut(end))
        except (BrokenPipeError, OSError):
            line = None
        if line is None:
            died = self.proc.poll() is not None
            self.stop()
            if died:
                return {"verdict": "undecided", "error": "the checking process died (memory limit?)",
                        "explanation": "the checking process stopped before a verdict (memory limit)"}
            seconds = round(time.monotonic() - start, 2)
            if self._cut(end) < end:
                return {**self._spent(), "timed_out": True, "seconds": seconds}
            return {"verdict": "undecided", "timed_out": True, "seconds": seconds,
                    "explanation": f"no verdict within {limit:g} s: the checking process was stopped"}
        result = json.loads(line)
        self.remember(key, result)
        return dict(result)

    def _cut(self, end: float) -> float:
        """`end`, or the budget's deadline when that comes first."""
        return end if self.deadline is None else min(end, self.deadline)

    def _spent(self) -> dict[str, Any]:
        return {"verdict": "undecided", "budget_spent": True,
                "explanation": f"not judged within the time budget of {self._budget:g} s for the whole "
                               "file (--budget): the checking process's start and the claims before used it up"}

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
        """Keep a verdict (not an unusable request, a failure, a timeout or a spent budget) in both caches."""
        if result.get("verdict") != "unusable" and "error" not in result and not (
                result.get("timed_out") or result.get("budget_spent")):
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
            ready, _, _ = select.select([fd], [], [], min(left, MAX_WAIT))
            if not ready:
                continue
            chunk = os.read(fd, 65536)
            if not chunk:
                return None
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        return line


# -- no worker outlives its parent ------------------------------------------------------------------
_PARENT_ENV = "GRADVERIFY_SANDBOX_PARENT"  # the parent's pid: a worker whose parent is gone exits
_LIVE: set[subprocess.Popen] = set()  # every running worker of this process
_GUARDED = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
_PREVIOUS: dict[int, Any] = {}  # signal -> the handler ours replaced
_LIBC: Any = None  # for prctl, loaded in the parent: the child between fork and exec only calls it
_PR_SET_PDEATHSIG = 1


def _kill(proc: subprocess.Popen) -> None:
    """SIGKILL the worker's process group (its session, started for it alone)."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    except AttributeError:  # no process groups (Windows)
        proc.kill()


def running() -> int:
    """How many workers this process has running (0 after every command)."""
    return sum(1 for proc in _LIVE if proc.poll() is None)


def stop_all() -> None:
    """Kill every worker this process started (at exit, on a signal, when a grading worker ends)."""
    if not _LIVE:
        return
    import subprocess

    for proc in list(_LIVE):
        _kill(proc)
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        _LIVE.discard(proc)


def _on_signal(signum: int, frame: Any) -> None:
    """Kill the workers, put the previous handler back and let it have the signal."""
    stop_all()
    previous = _PREVIOUS.pop(signum, signal.SIG_DFL)
    signal.signal(signum, previous)
    if callable(previous):
        previous(signum, frame)  # e.g. Python's SIGINT handler raises KeyboardInterrupt
    else:  # SIG_DFL: end the process as the signal would have
        os.kill(os.getpid(), signum)


def _guard_signals() -> None:
    """Install `_on_signal` for SIGTERM/SIGINT/SIGHUP (main thread only; a signal the program
    ignores or handles outside Python is left alone)."""
    import threading

    if threading.current_thread() is not threading.main_thread():
        return
    for sig in _GUARDED:
        if sig in _PREVIOUS:
            continue
        previous = signal.getsignal(sig)
        if previous in (signal.SIG_IGN, None):
            continue
        signal.signal(sig, _on_signal)
        _PREVIOUS[sig] = previous


def _restore_signals() -> None:
    """Hand the signals back once no worker runs (only those still ours)."""
    import threading

    if threading.current_thread() is not threading.main_thread():
        return
    for sig, previous in list(_PREVIOUS.items()):
        if signal.getsignal(sig) is _on_signal:
            signal.signal(sig, previous)
        del _PREVIOUS[sig]


def _libc() -> Any:
    """The C library, for prctl (Linux); None elsewhere."""
    global _LIBC
    if _LIBC is None:
        _LIBC = False
        if sys.platform.startswith("linux"):
            try:
                import ctypes

                _LIBC = ctypes.CDLL(None, use_errno=True)
            except OSError:
                pass
    return _LIBC or None


def die_with_parent() -> None:
    """Have the kernel kill this process when its parent ends, however it ends (Linux; nothing
    elsewhere): called in a forked child, or as a subprocess's preexec_fn (`preexec_die_with_parent`)."""
    libc = _libc()
    if libc:
        libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL))


def preexec_die_with_parent() -> Callable[[], None] | None:
    """`die_with_parent` as a subprocess's preexec_fn (pdflatex, this worker), the C library loaded
    here in the parent so the child between fork and exec only calls it; None where it does nothing."""
    return die_with_parent if _libc() else None


def _child_setup(die: bool) -> None:
    """In the worker before exec: die with the parent (when started by the main thread), and a memory limit."""
    if die:
        die_with_parent()
    _limit_memory()


def _after_fork_in_child() -> None:
    """A forked child (a grading worker) does not own its parent's workers: it forgets them, so
    its signal handlers and exit never kill them (its copies of their pipes close with them)."""
    _LIVE.clear()
    if _SHARED is not None:
        _SHARED.proc, _SHARED._ready, _SHARED._buffer = None, False, b""


def _watch_parent() -> None:
    """In the worker: exit as soon as the process that started it is gone (any platform)."""
    parent = int(os.environ.get(_PARENT_ENV) or 0)
    if not parent:
        return

    import threading

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=watch, daemon=True, name="parent-watch").start()


def _limit_memory() -> None:
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    except (ImportError, ValueError, OSError):
        pass


atexit.register(stop_all)  # once, for every Sandbox of the process
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)

_SHARED: Sandbox | None = None


def shared(timeout: float | None = None) -> Sandbox:
    """The process-wide sandbox (started on first use)."""
    global _SHARED
    if _SHARED is None:
        _SHARED = Sandbox(timeout or DEFAULT_TIMEOUT)
    elif timeout is not None:
        _SHARED.timeout = timeout
    return _SHARED


def budget(seconds: float | None) -> AbstractContextManager[None]:
    """`Sandbox.budget` of the process-wide sandbox: what `check`, `claim` and a grading worker
    give one file's [[derivative]] and [[formula]] claims in all."""
    return shared().budget(seconds)


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
            from gradverify.derivations.kinds import judge_grid

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
    """JSON lists back to the parser's tuples (a request's dicts keep their keys)."""
    if isinstance(x, list):
        return tuple(_as_tuple(i) for i in x)
    if isinstance(x, dict):
        return {k: _as_tuple(v) for k, v in x.items()}
    return x


# SymPy's and Python's wording of a claim it cannot evaluate -> what the person wrote that caused it.
_NOT_REAL = ("the claim compares a value that is not a real number (such as 1/0, which has no value): write a "
             "formula that has a value at every point")
_USERS_TERMS = (
    ("integer string conversion", "the claim's constants grow to thousands of digits (e.g. a large power of a "
                                  "factorial); write the derivative with small constants"),
    ("is not comparable", _NOT_REAL),  # Max(x, 1/0)
    ("Invalid comparison of non-real", _NOT_REAL),  # Heaviside(1/0), a Piecewise condition x > 1/0
)


def _in_users_terms(exc: Exception) -> str | None:
    """What the person wrote that made SymPy or Python fail this way, when it is a known way."""
    text = str(exc.args[0] if exc.args else exc)
    return next((words for marker, words in _USERS_TERMS if marker in text), None)


def _serve() -> None:
    """Worker loop: one JSON request per line in, one JSON verdict per line out."""
    _watch_parent()
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
            elif req.get("kind") in ("entries", "identity", "graph", "indexed"):
                from gradverify.derivations import kinds

                out = kinds.serve(_as_tuple(req))
            else:
                stated = _as_tuple(req["stated"]) if req.get("stated") else None
                out = equivalence.judge(_as_tuple(req["tree"]), req["of"], req.get("wrt"), req.get("params"), stated,
                                        req.get("reduction"), req.get("batch"))
        except (equivalence.ClaimError, KeyError, ValueError) as exc:
            out = {"verdict": "unusable", "error": _in_users_terms(exc) or str(exc.args[0] if exc.args else exc)}
        except Exception as exc:  # a failure inside SymPy is reported, never a crash of the worker
            words = _in_users_terms(exc)
            out = {"verdict": "unusable", "error": words} if words else {
                "verdict": "undecided", "error": f"{type(exc).__name__}: {exc}"[:500],
                "explanation": "the proof failed inside SymPy"}
        sys.stdout.write(json.dumps(out, default=str) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    _serve()
