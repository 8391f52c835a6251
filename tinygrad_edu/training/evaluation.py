"""Predictions and evaluation, computed without building a graph."""

from __future__ import annotations

from collections.abc import Sequence

from tinygrad_edu.core import no_grad
from tinygrad_edu.nn import MLP, Loss, get_loss
from tinygrad_edu.nn.losses import LossFunction
from tinygrad_edu.training.data import check_dataset, check_targets
from tinygrad_edu.training.metrics import Metric, chosen_metric, output_numbers


def predict(model: MLP, X: Sequence[Sequence[float]]) -> list[list[float]]:
    """The model's outputs for each example, as floats, computed without building a graph."""
    with no_grad():
        return [output_numbers(model(x)) for x in X]


def evaluate(
    model: MLP,
    X: Sequence[Sequence[float]],
    Y: Sequence[object],
    loss: str | Loss | LossFunction = "mse",
    metric: Metric | None | str = "auto",
) -> tuple[float, float | None]:
    """Mean loss and accuracy (``None`` without a metric) over a dataset, without a graph."""
    loss_fn = get_loss(loss)
    check_dataset(model, X, Y)
    check_targets(model, Y, loss_fn)
    return evaluate_checked(model, X, Y, loss_fn, chosen_metric(metric, Y, loss_fn))


def evaluate_checked(
    model: MLP,
    X: Sequence[Sequence[float]],
    Y: Sequence[object],
    loss_fn: Loss | LossFunction,
    metric: Metric | None,
) -> tuple[float, float | None]:
    """:func:`evaluate` on a dataset already checked (``train`` checks its validation set once)."""
    total, correct = 0.0, 0
    with no_grad():
        for x, y in zip(X, Y, strict=True):
            outputs = model(x)
            total += loss_fn(outputs, y).data
            if metric is not None:
                correct += metric(output_numbers(outputs), y)
    return total / len(X), (correct / len(X) if metric is not None else None)
