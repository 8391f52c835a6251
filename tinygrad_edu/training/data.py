"""Checking a dataset before training touches any parameter."""

from __future__ import annotations

import math
from collections.abc import Sequence

from tinygrad_edu import checks
from tinygrad_edu.core import Value
from tinygrad_edu.nn import MLP, Loss


def check_dataset(
    model: MLP, X: Sequence[Sequence[float]], Y: Sequence[object], name: str = "X"
) -> None:
    """Raise a ValueError or TypeError naming the first problem in a dataset, before any
    parameter is touched."""
    if isinstance(X, (str, bytes)) or not isinstance(X, Sequence):
        raise TypeError(f"{name} must be a list of examples, got {type(X).__name__}")
    if isinstance(Y, (str, bytes)) or not isinstance(Y, Sequence):
        raise TypeError(f"the targets must be a list, got {type(Y).__name__}")
    if len(X) == 0:
        raise ValueError(f"{name} is empty: training needs at least one example")
    if len(X) != len(Y):
        raise ValueError(f"{name} has {len(X)} examples but the targets have {len(Y)}")
    nout = model.sizes[-1]
    for m, (x, y) in enumerate(zip(X, Y, strict=True)):
        if isinstance(x, (str, bytes)) or not isinstance(x, Sequence):
            raise TypeError(f"{name}[{m}] must be a list of numbers, got {type(x).__name__}")
        if len(x) != model.nin:
            raise ValueError(f"{name}[{m}] has {len(x)} values, but the model expects {model.nin}")
        if not _finite_floats(x):  # then find the number that is wrong, to name it
            for i, v in enumerate(x):
                if isinstance(v, bool) or not isinstance(v, (int, float, Value)):
                    raise TypeError(
                        f"{name}[{m}][{i}] must be a number, got {type(v).__name__} {v!r}"
                    )
                _check_finite(v, f"{name}[{m}][{i}]")
        if isinstance(y, Sequence) and not isinstance(y, (str, bytes)):
            if len(y) != nout:
                raise ValueError(
                    f"target {m} has {len(y)} values, but the model has {nout} outputs"
                )
            for k, t in enumerate(y):
                if isinstance(t, bool) or not isinstance(t, (int, float, Value)):
                    raise TypeError(
                        f"target {m}[{k}] must be a number, got {type(t).__name__} {t!r}"
                    )
                _check_finite(t, f"target {m}[{k}]")
        elif isinstance(y, bool) or not isinstance(y, (int, float, Value)):
            raise TypeError(f"target {m} must be a number or a list, got {type(y).__name__} {y!r}")
        else:
            _check_finite(y, f"target {m}")


def _finite_floats(row: Sequence[object]) -> bool:
    """The fast check of one example (an MNIST image has 784 numbers): every entry a float
    and their sum finite, which no inf or NaN allows (a sum that overflows falls back to
    the slow check)."""
    return all(type(v) is float for v in row) and math.isfinite(sum(row))  # type: ignore[arg-type]


def _check_finite(v: float | Value, where: str) -> None:
    try:
        number = checks.data_of(v)
    except OverflowError:  # an int too large for a float
        number = math.inf
    if not math.isfinite(number):
        raise ValueError(f"{where} is {number!r}: training data must be finite numbers")


def check_targets(model: MLP, Y: Sequence[object], loss: object, name: str = "target") -> None:
    """Raise before any parameter changes if a target cannot go with the model under
    ``loss``: each built-in loss states its own rules (:meth:`Loss.check_targets`), and
    ``bce`` also needs probabilities, a sigmoid output layer. A loss function of your own
    checks its targets itself."""
    if not isinstance(loss, Loss):
        return
    if loss.needs_probabilities and model.output_activation != "sigmoid":
        raise ValueError(
            f"{loss.name} needs probabilities, but the output activation is "
            f"{model.output_activation!r}; use output_activation='sigmoid' or loss='bce_logits'"
        )
    loss.check_targets(Y, model.sizes[-1], name)
