"""Claims-only submissions made from a worked example's text, as the grading tests hand them in."""

from __future__ import annotations


def steps_text(text: str) -> str:
    """The [[step]] tables of a worked example's text, and nothing else."""
    out, inside = [], False
    for line in text.splitlines(keepends=True):
        if line.startswith("["):  # a table header (an array's continuation line is indented)
            inside = line.startswith("[[step]]")
        if inside:
            out.append(line)
    return "".join(out)


def claims_only(key_text: str, student: str) -> str:
    """What a student hands in: the key's [[step]] tables under a student name, nothing else."""
    return f'student = "{student}"\n\n' + steps_text(key_text)
