"""From what was read to a draft: the network's sizes from the indices written, the last layer `L`
resolved, the forward sums turned into starting parameters and inputs (or later steps' claims), and
the settings chosen where the write-up states several."""

from __future__ import annotations

from collections import defaultdict

from gradverify.draft import forward
from gradverify.draft.detect import Numbering
from gradverify.draft.model import Draft, DraftClaim, Grid, Setting, Unmapped
from gradverify.draft.notation import Notation
from gradverify.draft.reader import Read, Reading
from gradverify.draft.refs import Ref
from gradverify.draft.values import value
from gradverify.judge.claimkeys import BIAS_LIKE, WEIGHT_LIKE

NEURON_QUANTITIES = ("z", "a", "delta", "act_prime", "dL_da")


class _Network:
    """Layer arithmetic of the notation: which layer a W or b feeds, and the file shapes."""

    def __init__(self, notation: Notation, numbering: Numbering):
        self.n, self.fl, self.fi = notation, numbering.first_layer, numbering.first_index

    def fed(self, qty: str, layer: int) -> int:
        """The layer whose neurons a W, dW or lr_dW (b, db, lr_db) of this written number feeds."""
        named = self.n.weights_named_by if qty in WEIGHT_LIKE else self.n.biases_named_by
        return layer + 1 if named == "from" else layer

    def name_of(self, qty: str, fed: int) -> int:
        """The written number of the W/b that feeds layer `fed`."""
        named = self.n.weights_named_by if qty in WEIGHT_LIKE else self.n.biases_named_by
        return fed - 1 if named == "from" else fed

    def neurons(self, ref: Ref, last: int) -> list[tuple[int, int]]:
        """(layer, index) pairs a numeric element tells about the sizes."""
        idx = ref.index or ()
        if not all(isinstance(i, int) for i in idx) or not idx:
            return []
        layer = last if ref.layer == "L" else ref.layer
        if ref.qty == "x":
            return [(self.fl, int(idx[0]))]
        if ref.qty == "y":
            return [(last, int(idx[0]))]
        if not isinstance(layer, int):
            return []
        if ref.qty in NEURON_QUANTITIES:
            return [(layer, int(idx[0]))]
        fed = self.fed(ref.qty, layer)
        if ref.qty in BIAS_LIKE:
            return [(fed, int(idx[0]))]
        if ref.qty in WEIGHT_LIKE and len(idx) == 2:
            j, k = (idx[0], idx[1]) if self.n.weights == "to_from" else (idx[1], idx[0])
            return [(fed, int(j)), (fed - 1, int(k))]
        return []

    def weight_index(self, j: int, k: int) -> tuple[int, int]:
        """The file index of the weight into neuron j from neuron k."""
        return (j, k) if self.n.weights == "to_from" else (k, j)

    def shape(self, qty: str, fed: int, sizes: dict[int, int]) -> tuple[int | None, ...]:
        """The file shape of the W (or b) that feeds layer `fed`; None where a size is unknown."""
        n_out, n_in = sizes.get(fed), sizes.get(fed - 1)
        if qty == "b":
            return (n_out,)
        return (n_out, n_in) if self.n.weights == "to_from" else (n_in, n_out)


def assemble(reading: Reading, notation: Notation, numbering: Numbering, *, source: str, title: str,
             notation_why: str, learning_rate_words: Setting | None) -> Draft:
    """The draft of everything read."""
    net = _Network(notation, numbering)
    fl, fi = numbering.first_layer, numbering.first_index
    draft = Draft(source=source, title=title, notation=notation, notation_why=notation_why, numbering=numbering)
    draft.unmapped = list(reading.unmapped)
    reads = [r for _, r in reading.claims] + reading.starting + reading.data
    layers = [net.fed(r.ref.qty, r.ref.layer) if r.ref.qty in WEIGHT_LIKE + BIAS_LIKE else r.ref.layer
              for r in reads if isinstance(r.ref.layer, int)] + [s.layer for s in reading.sums]
    last = max(layers, default=fl + 1)
    sizes: dict[int, int] = {}

    def grow(layer: int, index: int) -> None:
        sizes[layer] = max(sizes.get(layer, 0), index - fi + 1)

    for r in reads:
        for layer, index in net.neurons(r.ref, last):
            grow(layer, index)
    for s in reading.sums:
        grow(s.layer, s.neuron)
        grow(s.layer - 1, len(s.sum.products) + fi - 1)
    claims, starting, data = _resolved(reading, net, sizes, last, draft.unmapped)
    _forward(reading.sums, net, fl, claims, starting, data, draft.notes)
    draft.sizes = [sizes.get(layer) for layer in range(fl, last + 1)]
    found = {(last if k == "L" else k): v for k, v in reading.activations.items()}
    draft.activations = [found.get(layer) or found.get("all") for layer in range(fl + 1, last + 1)]
    draft.loss = _loss(reading.losses, [r.line for s, r in reading.claims if r.ref.qty == "loss"],
                       draft.activations[-1] if draft.activations else None)
    draft.learning_rate = reading.learning_rate or learning_rate_words
    draft.l2 = reading.l2
    draft.x, draft.data_lines["x"] = _vector(data, "x", sizes.get(fl), fi)
    draft.y, draft.data_lines["y"] = _vector(data, "y", sizes.get(last), fi)
    for layer in range(fl + 1, last + 1):
        for qty in ("W", "b"):
            number = net.name_of(qty, layer)
            known = {tuple(int(i) for i in r.ref.index): r.text for r in starting
                     if r.ref.qty == qty and r.ref.layer == number and r.ref.index}
            draft.parameters[f"{qty}{number}"] = _grid(net.shape(qty, layer, sizes), fi, known)
    draft.unmapped = sorted(dict.fromkeys(draft.unmapped), key=lambda u: u.line)
    draft.claims = [DraftClaim(step, r.ref.qty, None if r.ref.layer is None else int(r.ref.layer),
                               tuple(int(i) for i in (r.ref.index or ())), r.text, r.line, r.working)
                   for step, r in claims]
    return draft


def _resolved(reading: Reading, net: _Network, sizes: dict[int, int], last: int,
              unmapped: list[Unmapped]) -> tuple[list[tuple[int, Read]], list[Read], list[Read]]:
    """The reads with "L" replaced by the last layer and a one-neuron quantity's missing index filled."""

    def fix(r: Read) -> Read | None:
        ref = r.ref
        layer = last if ref.layer == "L" else ref.layer
        index = ref.index
        if index is None and ref.qty != "loss":
            spots = net.neurons(Ref(ref.qty, layer, (net.fi,)), last)
            n = sizes.get(spots[0][0], 0) if len(spots) == 1 else 0
            if n != 1:
                what = f"{ref.qty}{'' if layer is None else layer}"
                unmapped.append(Unmapped(r.line, r.said or r.text, f"{what} = {r.text} without an index, but "
                                         f"{what} has {n or 'several'} numbers: write which one, or all of them"))
                return None
            index = (net.fi,)
        return Read(Ref(ref.qty, layer, index), r.text, r.line, r.said, r.working)

    claims = [(s, f) for s, r in reading.claims if (f := fix(r)) is not None]
    starting = [f for r in reading.starting if (f := fix(r)) is not None]
    data = [f for r in reading.data if (f := fix(r)) is not None]
    return claims, starting, data


def _forward(sums: list[forward.Sum], net: _Network, fl: int, claims: list[tuple[int, Read]],
             starting: list[Read], data: list[Read], notes: list[str]) -> None:
    """What each layer's written sums state: starting parameters and inputs in step 1, the parameters
    a later step uses (a claim, unless the write-up already claimed that element)."""
    groups: dict[tuple[int, int], list[forward.Sum]] = defaultdict(list)
    for s in sums:
        groups[(s.step, s.layer)].append(s)
    first = _Known(starting, notes, "the starting parameter")
    inputs = _Known(data, notes, "the input")
    later = {(step, r.ref): r for step, r in claims}
    for (step, layer), group in sorted(groups.items()):
        if layer - 1 == fl:
            previous = {int(r.ref.index[0]): r.text for r in data if r.ref.qty == "x" and r.ref.index}
        else:
            previous = {int(r.ref.index[0]): r.text for (s, ref), r in later.items()
                        if s == step and ref.qty == "a" and ref.layer == layer - 1 and ref.index}
        stated, why = forward.read_layer(group, previous, net.fi)
        notes.extend(why)
        for st in stated:
            if st.kind == "input":
                if layer - 1 == fl:
                    inputs.add(Read(Ref("x", None, st.index), st.text, st.line))
                continue
            index = net.weight_index(*st.index) if st.kind == "W" else st.index
            read = Read(Ref(st.kind, net.name_of(st.kind, layer), index), st.text, st.line)
            if step <= 1:
                first.add(read)
            elif (step, read.ref) not in later:
                later[(step, read.ref)] = read
                claims.append((step, read))
            elif _differs(later[(step, read.ref)].text, st.text):
                same = later[(step, read.ref)]
                notes.append(f"line {st.line} uses {read.ref.name} = {st.text} in step {step}'s sum; "
                             f"line {same.line} wrote {same.text}")


class _Known:
    """Reads of one kind (starting parameters, inputs) by element: a second, different number for
    an element is a note, not a second read."""

    def __init__(self, reads: list[Read], notes: list[str], what: str):
        self.reads, self.notes, self.what = reads, notes, what
        self.by_ref = {r.ref: r for r in reversed(reads)}

    def add(self, read: Read) -> None:
        same = self.by_ref.get(read.ref)
        if same is None:
            self.reads.append(read)
            self.by_ref[read.ref] = read
        elif _differs(same.text, read.text):
            self.notes.append(f"line {read.line} uses {read.ref.name} = {read.text} for {self.what}; "
                              f"line {same.line} wrote {same.text}")


def _differs(a: str, b: str) -> bool:
    try:
        return value(a) != value(b)
    except ValueError:
        return a != b


def _loss(statements: list[Setting], claim_lines: list[int], output: Setting | None) -> Setting | None:
    """The loss stated last before the first loss number (else the first stated); cross-entropy on a
    softmax output is the fused softmax_cross_entropy."""
    if not statements:
        return None
    first = min(claim_lines, default=None)
    before = [s for s in statements if first is None or (s.line or 0) <= first]
    chosen = before[-1] if before else statements[0]
    if chosen.value == "cross_entropy" and output is not None and output.value == "softmax":
        return Setting("softmax_cross_entropy", chosen.line, chosen.said)
    return chosen


def _vector(data: list[Read], qty: str, size: int | None, fi: int) -> tuple[list[str | None] | None, list[int]]:
    """The data vector x or y as read (None where an element is not stated), and the lines read from."""
    if size is None:
        return None, []
    out: list[str | None] = [None] * size
    lines: set[int] = set()
    for r in data:
        position = int(r.ref.index[0]) - fi if r.ref.qty == qty and r.ref.index else -1
        if 0 <= position < size and out[position] is None:
            out[position] = r.text
            lines.add(r.line)
    return out, sorted(lines)


def _grid(shape: tuple[int | None, ...], fi: int, known: dict[tuple[int, ...], str]) -> Grid | None:
    """A starting parameter as rows of printed numbers (None where not stated); None: shape unknown."""
    dims = [n for n in shape if n is not None]
    if len(dims) != len(shape):
        return None
    if len(dims) == 1:
        return [known.get((i + fi,)) for i in range(dims[0])]
    return [[known.get((r + fi, c + fi)) for c in range(dims[1])] for r in range(dims[0])]
