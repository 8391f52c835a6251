"""Data and targets given as Values train like numbers: the checks read their ``.data``
(``float()`` of a Value raises, so that ``math.tanh(v)`` cannot cut a graph silently)."""

from __future__ import annotations

import io

import pytest

from tinygrad_edu import MLP, Value, train


@pytest.mark.parametrize("loss", ["mse", "bce"])
def test_values_among_the_inputs_and_targets_are_read_by_their_data(loss):
    X = [[Value(0.1), 0.2], [0.3, 0.4]]
    Y = [Value(1.0), 0.0]
    as_numbers = MLP(2, [1], activation="sigmoid", seed=0)
    as_values = MLP(2, [1], activation="sigmoid", seed=0)
    options = {"epochs": 2, "lr": 0.1, "loss": loss, "file": io.StringIO()}
    train(as_numbers, [[0.1, 0.2], [0.3, 0.4]], [1.0, 0.0], **options)
    history = train(as_values, X, Y, **options)
    assert history.loss and [p.data for p in as_values.parameters()] == [
        p.data for p in as_numbers.parameters()
    ]
    assert history.accuracy  # the threshold metric reads a Value target's data
