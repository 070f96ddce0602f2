"""The judge's graph of named quantities, and its evaluation over a person's claims.

A worked example (a network's step, a circuit of gates) compiles into nodes, each a named scalar,
vector or matrix computed from its parents by one or more recipes. The first recipe is the stated
computation; the others are the other ways a careful hand legitimately computes the same number
(sigma'(z) as a(1-a) from the written a, the loss from the logits, ...). Evaluated over the person's
claims, a node holds every value its recipes give from the person's own numbers, and its children read
the claim where the person wrote one. Conventions, corrections and diagnoses are changes of the graph
or of the claims, evaluated again only where they change what a node's children read.
"""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass
from typing import Callable, Collection, Hashable, Iterable, Mapping

import numpy as np

Key = Hashable
MAX_REMEMBERED = 4096  # sets of nodes whose descendants a graph remembers
MAX_VALUES = 8  # values kept per node: recipes x the values of its parents, the stated one first


@dataclass(frozen=True, eq=False)  # compared by identity: a memo keys results by the recipe object
class Recipe:
    """One way of computing a node: a function of its parents' values."""

    parents: tuple[Key, ...]
    fn: Callable[..., np.ndarray]
    label: str = ""  # "" for the stated computation; else a few words: "a(1-a) from your a"
    needs: tuple[Key, ...] = ()  # parents whose claims (or other values) it reads; without them it repeats the stated one


@dataclass(frozen=True)
class Node:
    """A named quantity: its recipes (the stated one first) and how a claim reads it."""

    key: Key
    recipes: tuple[Recipe, ...]
    sign: float = 1.0  # a claimed number is sign * the node's value (-1: the negative error sign)

    @functools.cached_property
    def parents(self) -> tuple[Key, ...]:
        return tuple(dict.fromkeys(p for r in self.recipes for p in r.parents))


class Graph:
    """Nodes in computation order (every parent before its children)."""

    def __init__(self, nodes: Iterable[Node]):
        self.nodes: tuple[Node, ...] = tuple(nodes)
        self.index = {n.key: i for i, n in enumerate(self.nodes)}
        if len(self.index) != len(self.nodes):
            raise ValueError("two nodes share a name")
        children: dict[Key, list[Key]] = {n.key: [] for n in self.nodes}
        for n in self.nodes:
            for p in n.parents:
                if p not in self.index or self.index[p] >= self.index[n.key]:
                    raise ValueError(f"{n.key!r} reads {p!r}, which is not computed before it")
                children[p].append(n.key)
        self.children = {k: tuple(v) for k, v in children.items()}
        self._downstream: dict[frozenset[Key], frozenset[Key]] = {}

    def __getitem__(self, key: Key) -> Node:
        return self.nodes[self.index[key]]

    def __contains__(self, key: object) -> bool:
        return key in self.index

    def downstream(self, keys: Iterable[Key]) -> frozenset[Key]:
        """The nodes `keys` and every node computed from them (remembered: a class's submissions
        ask for the same few sets again and again)."""
        start = frozenset(keys)
        found = self._downstream.get(start)
        if found is None:
            seen, todo = set(start), list(start)
            while todo:
                for child in self.children[todo.pop()]:
                    if child not in seen:
                        seen.add(child)
                        todo.append(child)
            if len(self._downstream) >= MAX_REMEMBERED:
                self._downstream.clear()
            found = self._downstream[start] = frozenset(seen)
        return found

    def with_nodes(self, changed: Iterable[Node]) -> Graph:
        """The same graph with some nodes replaced (same keys, same order)."""
        new, same = list(self.nodes), True
        for n in changed:
            same = same and set(n.parents) == set(new[self.index[n.key]].parents)
            new[self.index[n.key]] = n
        if not same:
            return Graph(new)
        out = object.__new__(Graph)  # the same edges: the index and the children are shared
        out.nodes, out.index, out.children, out._downstream = tuple(new), self.index, self.children, self._downstream
        return out


@dataclass(frozen=True)
class Value:
    """One value of a node, and the non-stated recipes it was computed by (empty: the stated way)."""

    array: np.ndarray
    how: tuple[str, ...] = ()


# key -> (claimed numbers in the file's sign, mask of the elements claimed)
Claims = Mapping[Key, tuple[np.ndarray, np.ndarray]]
Memo = dict[Recipe, dict[tuple[bytes, ...], np.ndarray]]


class Evaluation:
    """A graph evaluated over claims: each node's values by its recipes (`computed_of`, the stated
    recipe on the first value of every parent first) and what its children read (`taken_of`).

    Nodes are computed when first asked for, with their parents first. Over a `base` evaluation (of a
    graph with the same keys), a node is taken from the base unless it is `changed`, its claims differ,
    or a parent's values differ: a variant or a corrected claim costs only the nodes it reaches."""

    def __init__(self, graph: Graph, claims: Claims, alternatives: bool = True, base: Evaluation | None = None,
                 changed: Collection[Key] = (), memo: Memo | None = None, reclaimed: Collection[Key] | None = None):
        self.graph, self.claims, self.alternatives, self.base, self.memo = graph, claims, alternatives, base, memo
        self._computed: dict[Key, list[Value]] = {}
        self._taken: dict[Key, list[Value]] = {}
        self._signed: dict[Key, np.ndarray] = {}
        self.recomputed = 0  # nodes computed (not taken from the base)
        self.roots: set[Key] = set(changed)
        self.first = 0  # nodes before the first changed one are the base's
        if base is not None:  # and the nodes whose claims differ from the base's (when not told which)
            self.roots |= set(reclaimed) if reclaimed is not None else {
                k for k in set(claims) | set(base.claims) if claims.get(k) is not base.claims.get(k)}
            self.first = min((graph.index[k] for k in self.roots), default=len(graph.nodes))

    # --- reading -------------------------------------------------------------------------------
    def computed_of(self, key: Key) -> list[Value]:
        if key not in self._computed:
            self._ensure(key)
        return self._computed[key]

    def taken_of(self, key: Key) -> list[Value]:
        if key not in self._taken:
            self._ensure(key)
        return self._taken[key]

    @property
    def computed(self) -> dict[Key, list[Value]]:
        """Every node's values (computes the whole graph)."""
        self.complete()
        return self._computed

    @property
    def taken(self) -> dict[Key, list[Value]]:
        self.complete()
        return self._taken

    def complete(self) -> Evaluation:
        """Compute every node now, in computation order (every parent before its children)."""
        with np.errstate(all="ignore"):
            for pos, node in enumerate(self.graph.nodes):
                if node.key not in self._taken:
                    self._node(node, pos)
        return self

    def value(self, key: Key) -> np.ndarray:
        """The node's value by the stated recipes, in the file's sign."""
        found = self._signed.get(key)
        if found is None:
            found = self._signed[key] = self.graph[key].sign * self.computed_of(key)[0].array
        return found

    def values(self, key: Key) -> list[Value]:
        """Every value of the node, in the file's sign."""
        s, vals = self.graph[key].sign, self.computed_of(key)
        return vals if s == 1.0 else [Value(s * v.array, v.how) for v in vals]

    # --- computing -----------------------------------------------------------------------------
    def _ensure(self, key: Key) -> None:
        """Compute `key` and whatever of its ancestors is not computed yet."""
        stack, index, taken = [key], self.graph.index, self._taken
        with np.errstate(all="ignore"):
            while stack:
                k = stack[-1]
                if k in taken:
                    stack.pop()
                    continue
                pos = index[k]
                node = self.graph.nodes[pos]
                if self.base is None or pos >= self.first:
                    missing = [p for p in node.parents if p not in taken]
                    if missing:
                        stack.extend(missing)
                        continue
                stack.pop()
                self._node(node, pos)

    def _node(self, node: Node, pos: int) -> None:
        """Compute one node whose parents are computed (or take it from the base)."""
        k, base = node.key, self.base
        if base is not None and (pos < self.first or (k not in self.roots and all(
                self._taken[p] is base.taken_of(p) for p in node.parents))):
            self._computed[k], self._taken[k] = base.computed_of(k), base.taken_of(k)
            return
        vals = _compute(node, self._taken, self.claims, self.alternatives, self.memo)
        taken = _take(node, vals, self.claims.get(k))
        if base is not None and k not in self.roots and _same(taken, base.taken_of(k)):
            taken = base.taken_of(k)  # the same values: what reads them is not computed again
        self._computed[k], self._taken[k] = vals, taken
        self.recomputed += 1


def evaluate(graph: Graph, claims: Claims | None = None, *, alternatives: bool = True,
             base: Evaluation | None = None, changed: Collection[Key] = (), memo: Memo | None = None,
             lazy: bool = False, reclaimed: Collection[Key] | None = None) -> Evaluation:
    """Evaluate `graph` over `claims`; with `alternatives` False, only the stated recipes.

    With a `base` evaluation (of a graph with the same keys), only the nodes in `changed`, the nodes
    whose claims differ from the base's (`reclaimed`, found by comparing when not given), and the
    nodes below them whose inputs changed are computed. `lazy`: each node only when first asked for."""
    out = Evaluation(graph, claims if claims is not None else {}, alternatives, base, changed, memo, reclaimed)
    return out if lazy else out.complete()


def _compute(node: Node, taken: Mapping[Key, list[Value]], claims: Claims, alternatives: bool,
             memo: Memo | None) -> list[Value]:
    out: list[Value] = []
    seen: set[bytes] = set()
    for recipe in (node.recipes if alternatives else node.recipes[:1]):
        if recipe.needs and not all(n in claims or len(taken[n]) > 1 for n in recipe.needs):
            continue
        pools = [taken[p] if alternatives else taken[p][:1] for p in recipe.parents]
        for combo in itertools.product(*pools):
            arr = _apply(recipe, [v.array for v in combo], memo)
            b = arr.tobytes()
            if b in seen:
                continue
            seen.add(b)
            how = tuple(dict.fromkeys(h for v in combo for h in v.how))
            out.append(Value(arr, how + (recipe.label,) if recipe.label else how))
            if len(out) >= MAX_VALUES:
                return out
    return out


def _apply(recipe: Recipe, args: list[np.ndarray], memo: Memo | None) -> np.ndarray:
    if memo is None:
        return np.asarray(recipe.fn(*args), dtype=float)
    table = memo.setdefault(recipe, {})
    fp = tuple(a.tobytes() for a in args)
    found = table.get(fp)
    if found is None:
        found = np.asarray(recipe.fn(*args), dtype=float)
        found.flags.writeable = False  # shared by every evaluation that finds it
        table[fp] = found
    return found


def _take(node: Node, vals: list[Value], claim: tuple[np.ndarray, np.ndarray] | None) -> list[Value]:
    """What the children read: the claimed elements, the computed values elsewhere."""
    if claim is None:
        return vals
    numbers, mask = claim
    mine = numbers if node.sign == 1.0 else node.sign * numbers
    if mask.all():
        return [Value(np.asarray(mine, dtype=float))]
    merged, seen = [], set()
    for v in vals:
        arr = np.where(mask, mine, v.array)
        if arr.tobytes() not in seen:
            seen.add(arr.tobytes())
            merged.append(Value(arr, v.how))
    return merged


def _same(a: list[Value], b: list[Value]) -> bool:
    return len(a) == len(b) and all(x.array.tobytes() == y.array.tobytes() for x, y in zip(a, b))


# --- changes of recipes, shared by the transformations of every kind of graph ------------------------
def scaled(node: Node, factor: float) -> Node:
    """The node with every recipe's result multiplied by `factor`."""
    return Node(node.key, tuple(Recipe(r.parents, _times(r.fn, factor), r.label, r.needs) for r in node.recipes),
                node.sign)


def _times(fn: Callable[..., np.ndarray], factor: float) -> Callable[..., np.ndarray]:
    return lambda *a: factor * np.asarray(fn(*a), dtype=float)


def rounding_inputs(node: Node, digits: int) -> Node:
    """The node computed from its parents' values rounded to `digits` significant digits."""
    return Node(node.key, tuple(Recipe(r.parents, _rounded(r.fn, digits), r.label, r.needs) for r in node.recipes),
                node.sign)


def _rounded(fn: Callable[..., np.ndarray], digits: int) -> Callable[..., np.ndarray]:
    return lambda *a: fn(*(round_sig(x, digits) for x in a))


def round_sig(a: np.ndarray, digits: int) -> np.ndarray:
    """Every element rounded to `digits` significant digits (0 stays 0)."""
    a = np.asarray(a, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        mag = np.where(a == 0, 0.0, np.floor(np.log10(np.abs(np.where(a == 0, 1.0, a)))))
        scale = 10.0 ** (digits - 1 - mag)
        out = np.where(a == 0, 0.0, np.round(a * scale) / scale)
    tiny = np.isinf(scale) & np.isfinite(a)  # below about 1e-290 the scale overflows: round in decimal text
    if tiny.any():
        out = np.array(out, dtype=float)
        out[tiny] = [float(f"{v:.{digits - 1}e}") for v in a[tiny]]
    return out
