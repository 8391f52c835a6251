"""Accuracy: whether one example's outputs count as right for its target."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from tinygrad_edu import checks
from tinygrad_edu.core import Value
from tinygrad_edu.nn import Loss

Metric = Callable[[list[float], Any], bool]


def _argmax(xs: Sequence[float]) -> int:
    return max(range(len(xs)), key=xs.__getitem__)


def argmax_match(outputs: list[float], target: Any) -> bool:
    """Correct when the largest output is the target class (an int label, or the position
    of the largest entry of a one-hot target vector)."""
    if isinstance(target, Sequence):
        target = _argmax(list(target))
    return bool(_argmax(outputs) == target)


def threshold_match(threshold: float) -> Metric:
    """Correct when a single output and its target fall on the same side of ``threshold``
    (0.5 for 0/1 targets and sigmoid outputs, 0 for −1/+1 targets and hinge scores)."""

    def match(outputs: list[float], target: Any) -> bool:
        t = checks.data_of(target[0] if isinstance(target, Sequence) else target)
        return (outputs[0] > threshold) == (t > threshold)

    return match


def auto_metric(Y: Sequence[Any], loss: object) -> Metric | None:
    """The accuracy that fits the targets: argmax for class labels and one-hot vectors,
    a threshold for 0/1 or −1/+1 scalars, and none for regression targets."""
    if isinstance(loss, Loss) and loss.targets_are_labels:
        return argmax_match
    values: set[float] = set()
    for y in Y:
        values.update(y if isinstance(y, Sequence) else [y])
        if len(values) > 2:
            return None
    vector = isinstance(Y[0], Sequence) and len(Y[0]) > 1
    if values <= {0.0, 1.0}:
        return argmax_match if vector else threshold_match(0.5)
    if values <= {-1.0, 1.0} and not vector:
        return threshold_match(0.0)
    return None


def chosen_metric(metric: object, Y: Sequence[Any], loss: object) -> Metric | None:
    """The metric that ``metric`` asks for: ``"auto"`` (see :func:`auto_metric`), ``None``
    (no accuracy) or a function ``f(outputs, target) -> bool``."""
    if metric == "auto":
        return auto_metric(Y, loss)
    if metric is None:
        return None
    if isinstance(metric, str) or not callable(metric):
        raise TypeError(f"metric must be 'auto', None or a function, got {metric!r}")
    chosen: Metric = metric
    return chosen


def output_numbers(outputs: Value | list[Value]) -> list[float]:
    """A model's outputs for one example as floats (one output is a list of one)."""
    return [outputs.data] if isinstance(outputs, Value) else [o.data for o in outputs]
