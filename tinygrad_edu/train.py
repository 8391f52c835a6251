"""The training loop: epochs of shuffled mini-batches, a loss, an optimiser and a history.

One step on a mini-batch B is the documents' stochastic gradient descent:

    E_B = (1/|B|) Σ_{m∈B} E_m        (``reduction="mean"``; ``"sum"`` drops the 1/|B|)
    p  ← p − η · ∂E_B/∂p             (or the optimiser you pass)
"""

from __future__ import annotations

import math
import random
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TextIO

from tinygrad_edu.engine import Value, no_grad
from tinygrad_edu.losses import Loss, get_loss, softmax_cross_entropy
from tinygrad_edu.nn import MLP
from tinygrad_edu.optim import SGD, Optimizer

Metric = Callable[[list[float], object], bool]


@dataclass
class History:
    """Per-epoch records of a training run (``accuracy`` is ``None`` for regression)."""

    loss: list[float] = field(default_factory=list)
    accuracy: list[float | None] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_accuracy: list[float | None] = field(default_factory=list)

    @property
    def epochs(self) -> int:
        return len(self.loss)


@dataclass(frozen=True)
class EpochEnd:
    """What a callback receives after each epoch."""

    epoch: int  # counted from 1
    epochs: int
    loss: float
    accuracy: float | None
    model: MLP
    history: History


def _argmax(xs: Sequence[float]) -> int:
    return max(range(len(xs)), key=xs.__getitem__)


def argmax_match(outputs: list[float], target: object) -> bool:
    """Correct when the largest output is the target class (an int label, or the position
    of the largest entry of a one-hot target vector)."""
    if isinstance(target, Sequence):
        target = _argmax(list(target))
    return _argmax(outputs) == target


def threshold_match(threshold: float) -> Metric:
    """Correct when a single output and its target fall on the same side of ``threshold``
    (0.5 for 0/1 targets and sigmoid outputs, 0 for −1/+1 targets and hinge scores)."""

    def match(outputs: list[float], target: object) -> bool:
        t = float(target[0] if isinstance(target, Sequence) else target)
        return (outputs[0] > threshold) == (t > threshold)

    return match


def auto_metric(Y: Sequence[object], loss: Loss) -> Metric | None:
    """The accuracy that fits the targets: argmax for class labels and one-hot vectors,
    a threshold for 0/1 or −1/+1 scalars, and none for regression targets."""
    if loss is softmax_cross_entropy:
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


def _floats(outputs: Value | list[Value]) -> list[float]:
    return [outputs.data] if isinstance(outputs, Value) else [o.data for o in outputs]


def check_dataset(model: MLP, X: Sequence[Sequence[float]], Y: Sequence[object], name: str = "X") -> None:
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
    for m, (x, y) in enumerate(zip(X, Y)):
        if isinstance(x, (str, bytes)) or not isinstance(x, Sequence):
            raise TypeError(f"{name}[{m}] must be a list of numbers, got {type(x).__name__}")
        if len(x) != model.nin:
            raise ValueError(f"{name}[{m}] has {len(x)} values, but the model expects {model.nin}")
        for i, v in enumerate(x):
            if isinstance(v, bool) or not isinstance(v, (int, float, Value)):
                raise TypeError(f"{name}[{m}][{i}] must be a number, got {type(v).__name__} {v!r}")
        if isinstance(y, Sequence) and not isinstance(y, (str, bytes)):
            if len(y) != nout:
                raise ValueError(f"target {m} has {len(y)} values, but the model has {nout} outputs")
        elif isinstance(y, bool) or not isinstance(y, (int, float)):
            raise TypeError(f"target {m} must be a number or a list, got {type(y).__name__} {y!r}")


def train(
    model: MLP,
    X: Sequence[Sequence[float]],
    Y: Sequence[object],
    *,
    loss: str | Loss = "mse",
    optimizer: Optimizer | None = None,
    lr: float = 0.1,
    epochs: int = 100,
    batch_size: int | None = None,
    shuffle: bool = True,
    seed: int | None = 0,
    reduction: str = "mean",
    metric: Metric | None | str = "auto",
    validation: tuple[Sequence[Sequence[float]], Sequence[object]] | None = None,
    callback: Callable[[EpochEnd], None] | None = None,
    print_every: int | None = None,
    file: TextIO | None = None,
) -> History:
    """Train ``model`` on examples ``X`` with targets ``Y``; return the per-epoch history.

    Args:
        loss: a name from ``losses.LOSSES`` (``"mse"``, ``"sse"``, ``"softmax_ce"``, ...) or a
            function ``(outputs, target) -> Value``.
        optimizer: defaults to ``SGD(model.parameters(), lr)``.
        batch_size: examples per step; ``None`` means the whole set (full-batch descent).
        shuffle, seed: shuffle the examples each epoch with ``random.Random(seed)``.
        reduction: ``"mean"`` or ``"sum"`` of the per-example losses in a mini-batch.
        metric: ``"auto"`` picks class accuracy for classification targets and none for
            regression; or pass ``f(outputs, target) -> bool``, or ``None``.
        validation: ``(X_val, Y_val)`` to evaluate (without a graph) after every epoch.
        callback: called with an :class:`EpochEnd` after every epoch (plots, early stops).
        print_every: print a progress line every this many epochs (``None``: about ten
            lines in all; ``0``: silent).
    """
    loss_fn = get_loss(loss)
    check_dataset(model, X, Y)
    if validation is not None:
        check_dataset(model, validation[0], validation[1], name="validation X")
    epochs = _positive_int("epochs", epochs)
    batch_size = len(X) if batch_size is None else _positive_int("batch_size", batch_size)
    if reduction not in ("mean", "sum"):
        raise ValueError(f"reduction must be 'mean' or 'sum', got {reduction!r}")
    if metric == "auto":
        metric = auto_metric(Y, loss_fn)
    elif metric is not None and not callable(metric):
        raise TypeError(f"metric must be 'auto', None or a function, got {metric!r}")
    if optimizer is None:
        optimizer = SGD(model.parameters(), lr)
    if print_every is None:
        print_every = max(1, epochs // 10)
    out = sys.stdout if file is None else file

    rng = random.Random(seed)
    order = list(range(len(X)))
    history = History()
    for epoch in range(1, epochs + 1):
        if shuffle:
            rng.shuffle(order)
        total_loss, correct = 0.0, 0
        for start in range(0, len(order), batch_size):
            batch = order[start : start + batch_size]
            batch_loss, batch_correct = _step(model, X, Y, batch, loss_fn, metric, reduction, optimizer)
            total_loss += batch_loss * (len(batch) if reduction == "mean" else 1.0)
            correct += batch_correct
        epoch_loss = total_loss / len(X)
        accuracy = correct / len(X) if metric is not None else None
        history.loss.append(epoch_loss)
        history.accuracy.append(accuracy)
        line = f"epoch {epoch:>{len(str(epochs))}}/{epochs}  loss {epoch_loss:.6f}"
        if accuracy is not None:
            line += f"  accuracy {accuracy:.3f}"
        if validation is not None:
            val_loss, val_accuracy = evaluate(model, validation[0], validation[1], loss_fn, metric)
            history.val_loss.append(val_loss)
            history.val_accuracy.append(val_accuracy)
            line += f"  val_loss {val_loss:.6f}"
            if val_accuracy is not None:
                line += f"  val_accuracy {val_accuracy:.3f}"
        if print_every and (epoch % print_every == 0 or epoch == 1 or epoch == epochs):
            print(line, file=out, flush=True)
        if callback is not None:
            callback(EpochEnd(epoch, epochs, epoch_loss, accuracy, model, history))
    return history


def _positive_int(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be a positive int, got {type(value).__name__} {value!r}")
    if value < 1:
        raise ValueError(f"{name} must be a positive int, got {value}")
    return value


def _step(
    model: MLP,
    X: Sequence[Sequence[float]],
    Y: Sequence[object],
    batch: list[int],
    loss_fn: Loss,
    metric: Metric | None,
    reduction: str,
    optimizer: Optimizer,
) -> tuple[float, int]:
    """One gradient step on the examples ``batch``; returns the batch loss and hits."""
    losses = []
    correct = 0
    for m in batch:
        outputs = model(X[m])
        losses.append(loss_fn(outputs, Y[m]))
        if metric is not None:
            correct += metric(_floats(outputs), Y[m])
    batch_loss = losses[0]
    for term in losses[1:]:
        batch_loss = batch_loss + term
    if reduction == "mean":
        batch_loss = batch_loss * (1.0 / len(batch))
    if not math.isfinite(batch_loss.data):
        raise FloatingPointError(
            f"the loss became {batch_loss.data!r}; lower the learning rate "
            f"(now {optimizer.lr}) or run under detect_anomaly() to find the op"
        )
    optimizer.zero_grad()
    batch_loss.backward()
    optimizer.step()
    return batch_loss.data, correct


def predict(model: MLP, X: Sequence[Sequence[float]]) -> list[list[float]]:
    """The model's outputs for each example, as floats, computed without building a graph."""
    with no_grad():
        return [_floats(model(x)) for x in X]


def evaluate(
    model: MLP,
    X: Sequence[Sequence[float]],
    Y: Sequence[object],
    loss: str | Loss = "mse",
    metric: Metric | None | str = "auto",
) -> tuple[float, float | None]:
    """Mean loss and accuracy (``None`` without a metric) over a dataset, without a graph."""
    loss_fn = get_loss(loss)
    check_dataset(model, X, Y)
    if metric == "auto":
        metric = auto_metric(Y, loss_fn)
    total, correct = 0.0, 0
    with no_grad():
        for x, y in zip(X, Y):
            outputs = model(x)
            total += loss_fn(outputs, y).data
            if metric is not None:
                correct += metric(_floats(outputs), y)
    return total / len(X), (correct / len(X) if metric is not None else None)


def accuracy(model: MLP, X: Sequence[Sequence[float]], Y: Sequence[object]) -> float:
    """Fraction of examples classified correctly: int labels or one-hot vectors by argmax,
    0/1 or −1/+1 scalar targets by threshold (see :func:`auto_metric`)."""
    check_dataset(model, X, Y)
    labels = all(isinstance(y, int) and not isinstance(y, bool) for y in Y)
    metric = auto_metric(Y, softmax_cross_entropy if labels and model.sizes[-1] > 1 else "mse")
    if metric is None:
        raise ValueError("accuracy needs class labels, one-hot vectors, or 0/1 or -1/+1 targets")
    hits = sum(metric(outputs, y) for outputs, y in zip(predict(model, X), Y))
    return hits / len(X)
