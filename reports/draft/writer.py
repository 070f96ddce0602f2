"""The drafted worked-example file as TOML text.

Claims keep the text the write-up printed ('7.2 \\times 10^{-3}' stays two significant digits), each
with the write-up line it came from. What the write-up does not state is a commented `# TODO` line
with `?` where a value is missing; the lines with numbers that were not read as claims are listed
at the end with the reason, so the file can be finished by hand.
"""

from __future__ import annotations

import re
from collections import defaultdict

from gradverify.draft.model import Draft, DraftClaim, Grid, Setting
from gradverify.judge.claimkeys import BIAS_LIKE, WEIGHT_LIKE
from gradverify.judge.netspec import LOSS_NAMES

_TOML_NUMBER = re.compile(r"^-?(0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?$")
TODO = "# TODO "


def to_toml(draft: Draft, working: bool = False) -> str:
    """The worked-example file of a draft; `working` keeps the arithmetic written before each
    number in its claim ("0.2 - 1 x 7.2 x 10^{-3} = 0.1928"), so the judge checks it too."""
    out = [f"# Drafted by `gradverify draft` from {_comment(draft.source)}, in the {draft.notation.name} notation",
           f"# ({_comment(draft.notation_why)}). Claims keep the text the write-up printed; `# line N` is where.",
           "# Lines starting with `# TODO` are what the write-up does not state: replace each ? and remove `# TODO `.",
           f"title = {_string(draft.title or draft.source)}", "", "[network]"]
    out += _network(draft)
    out += ["", "[data]"]
    for name, values in (("x", draft.x), ("y", draft.y)):
        lines = draft.data_lines.get(name, [])
        why = f"line{'s' if len(lines) > 1 else ''} {', '.join(map(str, lines))}" if lines else "not stated"
        out.append(_line(name, _array(values), why))
    out += ["", "[parameters]"]
    for name, grid in draft.parameters.items():
        out.append(_line(name, _array(grid), "not stated" if grid is None else ""))
    for step in range(1, draft.n_steps + 1):
        out += ["", "[[step]]"]
        out += _step(draft, [c for c in draft.claims if c.step == step], working)
    if draft.unmapped:
        out += ["", "# Lines with numbers that are not in this file (add them by hand where they are claims):"]
        out += [f"#   line {u.line}: {_comment(_short(u.text))}  -- {_comment(u.reason)}" for u in draft.unmapped]
    if draft.notes:
        out += ["", "# Notes:"] + [f"#   {_comment(n)}" for n in draft.notes]
    return "\n".join(out) + "\n"


def _network(draft: Draft) -> list[str]:
    sizes = draft.sizes
    out = [_line("sizes", "[" + ", ".join("?" if s is None else str(s) for s in sizes) + "]" if sizes else None,
                 "" if sizes and None not in sizes else "neurons per layer, input first")]
    acts = draft.activations
    known = [a for a in acts if a is not None]
    act_text = "[" + ", ".join("?" if a is None else _string(a.value) for a in acts) + "]" if acts else None
    out.append(_line("activations", act_text, _said(known[0]) if known and None not in acts else
                     "one per layer after the input: sigmoid, tanh, relu, softmax, ..."))
    out.append(_line("loss", _string(draft.loss.value) if draft.loss else None,
                     _said(draft.loss) if draft.loss else "one of " + ", ".join(LOSS_NAMES)))
    lr = draft.learning_rate
    if lr is not None or draft.updates:  # without an update the format needs no learning rate
        out.append(_line("learning_rate", _number(lr.value) if lr else None, _said(lr) if lr else "the step size eta"))
    if draft.l2 is not None:
        out.append(_line("l2", _number(draft.l2.value), _said(draft.l2)))
    num = draft.numbering
    out.append(f"numbering = {{ first_layer = {num.first_layer}, first_index = {num.first_index} }}")
    out.append(f"weights = {_string(draft.notation.weights)}")
    if draft.notation.weights_named_by != "to":
        out.append(f"weights_named_by = {_string(draft.notation.weights_named_by)}")
    if draft.notation.biases_named_by != "to":
        out.append(f"biases_named_by = {_string(draft.notation.biases_named_by)}")
    return out


def _step(draft: Draft, claims: list[DraftClaim], working: bool) -> list[str]:
    """Whole quantities where every element was read from one line, else one key per element."""
    groups: dict[tuple[str, int | None], list[DraftClaim]] = defaultdict(list)
    for c in claims:
        groups[(c.qty, c.layer)].append(c)
    out: list[str] = []
    done: set[tuple[str, int | None]] = set()
    for c in claims:
        group_key = (c.qty, c.layer)
        if group_key in done:
            continue
        group = groups[group_key]
        grid = None if working and any(g.working for g in group) else _whole(draft, group)
        if grid is not None:
            done.add(group_key)
            out.append(_line(f"{c.qty}{'' if c.layer is None else c.layer}", _array(grid, quoted=True),
                             f"line {group[0].line}"))
            continue
        text = f"{c.working} = {c.text}" if working and c.working else c.text
        out.append(_line(_key(c.name), _string(text), f"line {c.line}"))
    return out


def _whole(draft: Draft, group: list[DraftClaim]) -> Grid | None:
    """The quantity as one array, when every element is claimed once from the same line."""
    first = group[0]
    if first.qty == "loss" or len({c.line for c in group}) != 1 or len(group) < 2:
        return None
    rows = {c.index[0] for c in group}
    cols = {c.index[1] for c in group} if len(first.index) == 2 else None
    fi = draft.numbering.first_index
    if rows != set(range(fi, fi + len(rows))) or (cols is not None and cols != set(range(fi, fi + len(cols)))):
        return None
    expected = len(rows) * (len(cols) if cols is not None else 1)
    if len(group) != expected or not _full(draft, first, len(rows), None if cols is None else len(cols)):
        return None
    text = {c.index: c.text for c in group}
    if cols is None:
        return [text[(r,)] for r in sorted(rows)]
    return [[text[(r, k)] for k in sorted(cols)] for r in sorted(rows)]


def _full(draft: Draft, claim: DraftClaim, rows: int, cols: int | None) -> bool:
    """Does the claimed block cover the whole quantity (so the array has the file's shape)?"""
    fl = draft.numbering.first_layer
    sizes = draft.sizes
    if claim.layer is None or not sizes:
        return False
    named_from = (draft.notation.weights_named_by if claim.qty in WEIGHT_LIKE else draft.notation.biases_named_by) == "from"
    fed = claim.layer + (1 if named_from and claim.qty in WEIGHT_LIKE + BIAS_LIKE else 0)
    if not 0 < fed - fl < len(sizes) or sizes[fed - fl] is None:
        return False
    n_out = sizes[fed - fl]
    if cols is None:
        return rows == n_out
    n_in = sizes[fed - fl - 1]
    shape = (n_out, n_in) if draft.notation.weights == "to_from" else (n_in, n_out)
    return (rows, cols) == shape


def _line(key: str, value: str | None, why: str) -> str:
    """`key = value  # why`, or a TODO line when the value (or part of it) is unknown."""
    if value is None:
        return f"{TODO}{key} = ?" + (f"    # {_comment(why)}" if why else "")
    head = f"{TODO if '?' in _unquoted(value) else ''}{key} = {value}"
    return f"{head:<40}  # {_comment(why)}" if why else head


def _unquoted(value: str) -> str:
    return re.sub(r"'[^']*'|\"(?:[^\"\\]|\\.)*\"", "", value)


def _array(grid: Grid | None, quoted: bool = False) -> str | None:
    if grid is None:
        return None
    if isinstance(grid, list):
        return "[" + ", ".join(_array(g, quoted) or "?" for g in grid) + "]"
    return _string(grid) if quoted else _number(grid)


def _number(text: str) -> str:
    """A parameter or data number: bare when TOML reads it as written, else quoted."""
    return text if _TOML_NUMBER.match(text) else _string(text)


def _string(text: str) -> str:
    """A TOML string: literal ('...') when it holds a backslash (LaTeX), else basic."""
    if "\\" in text and "'" not in text and "\n" not in text:
        return f"'{text}'"
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    escaped = "".join(c if c.isprintable() else "\ufffd" if 0xD800 <= ord(c) <= 0xDFFF else f"\\u{ord(c):04x}"
                      for c in escaped)  # a lone surrogate cannot be written in TOML (or UTF-8) at all
    return f'"{escaped}"'


def _key(name: str) -> str:
    return name if re.fullmatch(r"[A-Za-z0-9_]+", name) else f'"{name}"'


def _said(s: Setting) -> str:
    return f"line {s.line}: {_short(s.said)}" if s.line and s.said else (f"line {s.line}" if s.line else "")


def _short(text: str, width: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[:width - 3] + "..."


def _comment(text: str) -> str:
    """Text safe inside a TOML comment: one line, no control characters."""
    return "".join(c if c.isprintable() else " " for c in " ".join(str(text).split()))
