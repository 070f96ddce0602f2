"""Computation graphs as seed 001 and 002 draw them (`[[graph]]`): the graph computes the catalog
function, each edge carries the local partial derivative, the total derivative sums the paths,
and the decomposition names each node's parents. The seeds' graph slips are named: PReLU's
z(a) for z = x, softmax's t = sum a_i and -a_i/t^2 where u_i = e^{a_i} is meant, seed 002's E
written on p2 but differentiated through z, the tanh graph's lost 4."""

from __future__ import annotations

import math

from gradverify.derivations import graphs
from gradverify.derivations.kinds import split_relation
from gradverify.derivations.parse import parse


def judge(nodes, n=3, of=None, edges=None, totals=None, decomposition=None):
    parsed = tuple((("name", a), parse(b), t) for t in nodes for a, _r, b in [split_relation(t)])
    pairs = lambda d: tuple((k, parse(v)) for k, v in (d or {}).items())  # noqa: E731
    return graphs.judge(parsed, n, of, pairs(edges), pairs(totals), decomposition)


SIGMOID = ["u = -x", "v = e^{u}", "w = 1 + v", "f = 1/w"]
SOFTMAX = ["u_i = e^{a_i}", r"t = \sum_{k=1}^{N} u_k", r"s_i = \frac{u_i}{t}"]
TANH = ["u = e^{x}", "v = e^{-x}", "z = u - v", "w = u + v", "y = z/w"]
PRELU = ["z = x", "c = a z", r"y = \begin{cases} z & z > 0 \\ c & \text{otherwise} \end{cases}"]


def test_seed_001s_sigmoid_graph_holds_edge_by_edge():
    r = judge(SIGMOID, of="sigmoid", edges={"du/dx": "-1", "dv/du": "e^{u}", "dw/dv": "1", "df/dw": "-1/w^2"},
              totals={"df/dx": r"\frac{e^{-x}}{w^2}"}, decomposition="f(w(v(u(x))))")
    assert r["verdict"] == "equivalent", r["explanation"]
    assert [c["check"] for c in r["checks"]] == ["function", "edge", "edge", "edge", "edge", "total", "decomposition"]


def test_a_wrong_edge_is_named_with_the_values_at_a_point():
    r = judge(SIGMOID, edges={"df/dw": "-1"})
    assert r["verdict"] == "not equivalent"
    ce = r["checks"][0]["counterexample"]
    w = 1 + math.exp(-float(ce["point"]["x"]))
    assert math.isclose(float(ce["truth"]), -1 / w**2, rel_tol=1e-12)


def test_softmax_graph_t_summing_the_logits_is_named():
    r = judge(["u_i = e^{a_i}", r"t = \sum_{k=1}^{N} a_k", r"s_i = \frac{e^{a_i}}{t}"], of="softmax")
    assert r["verdict"] == "not equivalent"
    assert r["diagnoses"] == ["node t uses a_k where the node u_k (made from a_k) is meant"]


def test_softmax_graph_edge_minus_a_over_t_squared_and_the_a_label_are_named():
    r = judge(SOFTMAX, of="softmax", edges={"ds_i/du_i": "1/t", "dt/du_i": "1", "ds_i/dt": "-a_i/t^2",
                                            "ds_i/da_i": "1/t"},
              totals={"ds_1/da_1": "s_1(1 - s_1)", "ds_3/da_2": "-s_3 s_2"})
    by = {c.get("edge") or c.get("total") or c["check"]: c for c in r["checks"]}
    assert by["function"]["verdict"] == "equivalent"
    assert by["ds_i/du_i"]["verdict"] == "equivalent" and by["dt/du_i"]["verdict"] == "equivalent"
    assert by["ds_i/dt"]["verdict"] == "not equivalent"
    assert "a_i where the node u_i (made from a_i) is meant" in by["ds_i/dt"]["diagnoses"]
    assert by["ds_i/da_i"]["explanation"].startswith("no edge joins a_1 to s_1")
    assert by["ds_1/da_1"]["verdict"] == by["ds_3/da_2"]["verdict"] == "equivalent"


def test_prelu_decomposed_as_z_of_a_is_named():
    r = judge(PRELU, of="prelu", decomposition="y(z(a), c(z(a), a))")
    assert r["verdict"] == "not equivalent"
    assert "z(a): z is made from x, not a" in r["explanation"]
    assert judge(PRELU, of="prelu", decomposition="y(z(x), c(z(x), a))")["verdict"] == "equivalent"


def test_seed_002s_error_written_on_p2_has_no_edge_from_z():
    nodes = ["p_1 = w_1 x", r"y = \sigma(p_1)", "p_2 = w_2 y", r"z = \sigma(p_2)", r"E = \frac{1}{2}(d - p_2)^2"]
    r = judge(nodes, edges={"dE/dz": "d - z", "dz/dp_2": "z(1 - z)", "dp_2/dy": "w_2", "dy/dp_1": "y(1 - y)",
                            "dp_1/dw_1": "x"})
    bad = [c for c in r["checks"] if c["verdict"] != "equivalent"]
    assert [c["edge"] for c in bad] == ["dE/dz"]
    assert bad[0]["explanation"] == "no edge joins z to E: E is made from d and p_2"


def test_the_tanh_graph_sum_over_paths_and_its_lost_4():
    assert judge(TANH, of="tanh", totals={"dy/dx": r"\frac{e^x \cdot 2e^{-x} + e^{-x} \cdot 2e^x}{(e^{-x} + e^x)^2}"},
                 decomposition="y(z(u(x), v(x)), w(u(x), v(x)))")["verdict"] == "equivalent"
    r = judge(TANH, totals={"dy/dx": r"\frac{1}{(e^{-x} + e^x)^2}"})
    assert r["diagnoses"] == ["the claim is 1/4 times the derivative"]


def test_a_per_output_loss_graph_sums_over_its_outputs():
    nodes = [r"u_i = y_i - a_i", r"v_i = u_i^2", r"S = \frac{1}{N} \sum_{k=1}^{N} v_k"]  # seed 001's L2 loss
    r = judge(nodes, of="mean_squared_error", edges={"dv_i/du_i": "2u_i", "dS/dv_i": "1/N"},
              totals={"dS/da_i": r"-\frac{2 u_i}{N}"})
    assert r["verdict"] == "equivalent", r["explanation"]
