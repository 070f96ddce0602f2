"""A Jacobian or gradient claimed entry by entry, as the hand writes it with dots: every written
entry gets its own verdict, and the message names exactly the wrong ones. Seed 002's table (its
first row writes sigma_N sigma_1 without the minus) is the reference; the truth is checked against
central differences of softmax itself."""

from __future__ import annotations

import math

import pytest

from gradverify.derivations import cells
from gradverify.derivations.entrywise import judge
from gradverify.judge import claimtables

SEED_002 = [[r"\sigma_1(x)(1 - \sigma_1(x))", r"\cdots", r"\sigma_N(x)\sigma_1(x)"],
            [r"-\sigma_1(x)\sigma_2(x)", r"\cdots", r"-\sigma_N(x)\sigma_2(x)"],
            [r"\vdots", r"\ddots", r"\vdots"],
            [r"-\sigma_1(x)\sigma_N(x)", r"\cdots", r"\sigma_N(x)(1 - \sigma_N(x))"]]


def run(claimed, of="softmax", n=None, **kw):
    grid = cells.request(cells.read(claimed, n))
    return judge(grid, of, **kw)


def test_the_grid_reads_rows_1_2_N_and_columns_1_N_with_the_gap_not_empty():
    g = cells.read(SEED_002)
    assert g.n == 4 and g.rows == (1, 2, 4) and g.cols == (1, 4)
    assert g.labels == (("1", "2", "N"), ("1", "N"))
    g5 = cells.read(SEED_002, n=6)
    assert g5.rows == (1, 2, 6) and g5.cols == (1, 6)


def test_seed_002s_table_is_wrong_in_exactly_one_entry_the_missing_minus():
    r = run(SEED_002, layout="denominator")
    assert r["verdict"] == "not equivalent"
    wrong = [e for e in r["entries"] if e["verdict"] != "equivalent"]
    assert [(e["entry"], e["meaning"]) for e in wrong] == [("(1, N)", "d s_N/d x_1")]
    assert "sign is flipped" in wrong[0]["diagnoses"][0]
    assert "the other 5 written entries are right" in r["explanation"]


def test_the_corrected_table_is_equivalent_entry_by_entry():
    fixed = [row[:] for row in SEED_002]
    fixed[0][2] = r"-\sigma_N(x)\sigma_1(x)"
    r = run(fixed, layout="denominator")
    assert r["verdict"] == "equivalent"
    assert len(r["entries"]) == 6


def test_the_written_entry_has_the_opposite_sign_of_the_finite_difference():
    x = [0.3, -1.2, 0.5, 0.9]
    def soft(v):
        e = [math.exp(t) for t in v]
        return [t / sum(e) for t in e]
    h = 1e-6
    up, down = soft([x[0] + h] + x[1:]), soft([x[0] - h] + x[1:])
    d_sN_dx1 = (up[3] - down[3]) / (2 * h)
    s = soft(x)
    written = s[3] * s[0]  # sigma_N sigma_1, as seed 002 writes entry (1, N)
    assert d_sN_dx1 < 0 < written and math.isclose(-written, d_sN_dx1, rel_tol=1e-6)


def test_a_gradient_vector_names_its_wrong_entry():
    assert run(["s_1 - y_1", "s_2 - y_2", "s_3 - y_3"], "softmax_cross_entropy")["verdict"] == "equivalent on a domain"
    r = run(["s_1 - y_1", "y_2 - s_2", "s_3 - y_3"], "softmax_cross_entropy")
    assert r["verdict"] == "not equivalent"
    assert r["explanation"].startswith("entry 2 (dL/dx_2) is wrong")


def test_a_vjp_vector_with_dots():
    r = run([r"s_1 (v_1 - \sum_{j=1}^{N} v_j s_j)", r"\vdots", r"s_N (v_N - \sum_{j=1}^{N} v_j s_j)"],
            "softmax", wrt="vjp")
    assert r["verdict"] == "equivalent" and r["n"] == 3


@pytest.mark.parametrize("claimed, fragment", [
    ([["s_1", "s_2"], ["s_3"]], "rows of different lengths"),
    ([["a", r"\cdots"], [r"\vdots", r"\ddots"], [r"\vdots", r"\ddots"]], "at most one row of dots"),
    ([["s_1 (", "0"], ["0", "1"]], "entry (1, 1)"),
])
def test_unreadable_grids_say_where(claimed, fragment):
    with pytest.raises(cells.GridError) as exc:
        cells.read(claimed)
    assert fragment in str(exc.value)


def test_a_worked_example_file_validates_a_grid_and_its_keys():
    doc = {"derivative": [{"of": "softmax", "claimed": SEED_002, "layout": "denominator", "n": 5}]}
    d, _f = claimtables.validate(doc, "f.toml", "")
    assert d[0].table["layout"] == "denominator" and d[0].table["n"] == 5
    with pytest.raises(Exception) as exc:
        claimtables.validate({"derivative": [{"of": "softmax", "claimed": "s_i", "layout": "denominator"}]}, "f", "")
    assert "list of rows" in str(exc.value)


def test_the_grid_limits_match_the_judge():
    from gradverify.derivations import entrywise

    assert claimtables.MAX_GRID == cells.MAX_SIZE
    assert set(claimtables.GRID_LAYOUTS) == set(entrywise.LAYOUTS)
