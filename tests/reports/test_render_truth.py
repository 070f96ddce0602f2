"""Truth columns of a report: the engine's exact chain and SymPy's exact network agree, and both
reproduce the lead's seed-001 figures (losses 0.23014 -> 0.15388 with (y - a)^2, lr 1)."""

from __future__ import annotations

import numpy as np
import pytest

from gradverify.render import symbolic
from gradverify.render.truth import ExampleInfo, engine_steps


def seed001(loss: str = "squared_error") -> ExampleInfo:
    return ExampleInfo(
        sizes=[3, 2, 1], activations=["sigmoid", "sigmoid"], act_params=[{}, {}], loss=loss, loss_params={},
        weights=[[[0.2, 0.3, 0.4], [-0.2, 0.1, 0.5]], [[-0.3, 0.1]]], biases=[[-0.2, -0.2], [-0.2]],
        x=[0.8, 0.7, 0.1], y=[0.9], learning_rate=1.0,
        conventions={"weights": "to_from", "first_layer": 1, "first_index": 1, "reduction": "mean"}, steps=2,
    )


@pytest.mark.parametrize("loss, first, second", [("squared_error", 0.23014, 0.15388),
                                                 ("half_squared_error", 0.23014, 0.19029)])
def test_seed001_losses_of_both_steps(loss: str, first: float, second: float) -> None:
    """(y - a3)^2 before and after the update, as the hand prints it (0.2304 -> 0.1903 with the 1/2)."""
    engine = engine_steps(seed001(loss))
    exact = symbolic.steps(seed001(loss))
    for step, want in enumerate((first, second)):
        assert round(float((0.9 - engine[step][1]["a3"][0]) ** 2), 5) == want
    for step in range(2):
        assert float(exact[step]["loss"]) == pytest.approx(float(engine[step][1]["loss"]), rel=1e-12)


def test_every_quantity_agrees_between_sympy_and_the_engine() -> None:
    engine = engine_steps(seed001())
    exact = symbolic.steps(seed001())
    for step in range(2):
        named = engine[step][1]
        for key, value in exact[step].items():
            np.testing.assert_allclose(value, named[key], rtol=1e-10, atol=1e-15, err_msg=key)
    # the hand's z2 of seed 001 (0.210, -0.240) is exact; a3 = 0.42027
    assert exact[0]["z2"].tolist() == pytest.approx([0.21, -0.24], abs=1e-15)
    assert round(float(exact[0]["a3"][0]), 5) == 0.42027


def test_from_to_layout_and_negative_error_sign_are_named_in_the_users_terms() -> None:
    info = seed001()
    info.weights = [np.array(w).T.tolist() for w in info.weights]
    info.conventions = dict(info.conventions, weights="from_to", error_sign="negative")
    engine = engine_steps(info)[0][1]
    exact = symbolic.steps(info)[0]
    assert exact["W2"].shape == (3, 2) and engine["W2"].shape == (3, 2)
    np.testing.assert_allclose(exact["dW2"], engine["dW2"], rtol=1e-10)
    assert exact["delta3"][0] > 0  # Err = -dL/dz is positive when the output is too small
