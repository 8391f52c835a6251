"""The training loop: epochs of shuffled mini-batches, a loss, an optimiser and a history.

One step on a mini-batch B is the documents' stochastic gradient descent:

    E_B = (1/|B|) Σ_{m∈B} E_m        (``reduction="mean"``; ``"sum"`` drops the 1/|B|)
    p  ← p − η · ∂E_B/∂p             (or the optimiser you pass)
"""

from __future__ import annotations

import math
import os
import random
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, TextIO

from tinygrad_edu.checkpoint import (
    TrainingCheckpoint,
    TrainingState,
    check_checkpointable,
    data_fingerprint,
    read_training,
    save_training,
)
from tinygrad_edu.engine import Value, gc_paused, no_grad
from tinygrad_edu.losses import (
    LOSSES,
    Loss,
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    get_loss,
    hinge,
    mean_squared_error,
    softmax_cross_entropy,
)
from tinygrad_edu.nn import MLP, positive_int
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
        for i, v in enumerate(x):
            if isinstance(v, bool) or not isinstance(v, (int, float, Value)):
                raise TypeError(f"{name}[{m}][{i}] must be a number, got {type(v).__name__} {v!r}")
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


def _check_finite(v: float | Value, where: str) -> None:
    try:
        number = float(v)
    except OverflowError:  # an int too large for a float
        number = math.inf
    if not math.isfinite(number):
        raise ValueError(f"{where} is {number!r}: training data must be finite numbers")


def check_targets(model: MLP, Y: Sequence[object], loss: Loss, name: str = "target") -> None:
    """Raise before any parameter changes if a target cannot go with the model under ``loss``.

    ``softmax_ce`` needs int class labels in 0…n_out−1 (and n_out ≥ 2); the other built-in
    losses need one number per output, ``hinge`` needs −1 or +1, and the cross-entropies
    targets in [0, 1] (``bce`` also needs sigmoid outputs, probabilities in (0, 1)). A loss
    function of your own checks its targets itself.
    """
    nout = model.sizes[-1]
    if loss is softmax_cross_entropy:
        if nout < 2:
            raise ValueError(
                f"softmax_ce needs one output per class, at least 2; this model has {nout}"
            )
        for m, y in enumerate(Y):
            if isinstance(y, bool) or not isinstance(y, int):
                raise TypeError(
                    f"{name} {m} must be an int class label for softmax_ce, "
                    f"got {type(y).__name__} {y!r}"
                )
            if not 0 <= y < nout:
                raise ValueError(
                    f"{name} {m} is class {y}, but the model has {nout} outputs: "
                    f"labels must be in 0..{nout - 1}"
                )
        return
    if loss not in LOSSES.values():
        return
    if loss is binary_cross_entropy and model.output_activation != "sigmoid":
        raise ValueError(
            f"bce needs probabilities, but the output activation is "
            f"{model.output_activation!r}; use output_activation='sigmoid' or loss='bce_logits'"
        )
    for m, y in enumerate(Y):
        targets = list(y) if isinstance(y, Sequence) else [y]
        if len(targets) != nout:
            raise ValueError(
                f"{name} {m} is a single number, but the model has {nout} outputs; "
                f"give a list of {nout} targets (or use loss='softmax_ce' for class labels)"
            )
        for t in map(float, targets):
            if loss is hinge and t not in (-1.0, 1.0):
                raise ValueError(f"{name} {m} is {t!r}, but hinge needs targets -1 or +1")
            if loss in (binary_cross_entropy, binary_cross_entropy_with_logits) and not 0 <= t <= 1:
                raise ValueError(f"{name} {m} is {t!r}, but cross-entropy needs targets in [0, 1]")


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
    checkpoint_every: int | None = None,
    checkpoint_path: str | os.PathLike | None = None,
    resume_from: str | os.PathLike | None = None,
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
        checkpoint_every, checkpoint_path: write a training checkpoint (model, optimiser
            state, epoch, shuffle state, history) to ``checkpoint_path`` every this many
            epochs and after the last one. Each write is atomic: a crash keeps the last one.
        resume_from: a training checkpoint to continue. ``epochs`` stays the total, so a run
            checkpointed at epoch 4 and resumed with ``epochs=10`` trains epochs 5 to 10 and
            ends bit for bit where an uninterrupted run would. The data and the settings
            (loss, optimiser and its hyperparameters, batch size, shuffle, seed, reduction,
            validation set) must be those of the checkpoint, or ValueError says which differs.

    Every argument is checked before any parameter changes: wrong types raise TypeError,
    wrong sizes and values ValueError (naming expected and actual), a missing checkpoint
    folder or file OSError.
    """
    if not isinstance(model, MLP):
        raise TypeError(f"train needs an MLP, got {type(model).__name__}")
    loss_fn = get_loss(loss)
    check_dataset(model, X, Y)
    check_targets(model, Y, loss_fn)
    if validation is not None:
        X_val, Y_val = _validation_pair(validation)
        check_dataset(model, X_val, Y_val, name="validation X")
        check_targets(model, Y_val, loss_fn, name="validation target")
    epochs = positive_int("epochs", epochs)
    batch_size = len(X) if batch_size is None else positive_int("batch_size", batch_size)
    if metric == "auto":
        metric = auto_metric(Y, loss_fn)
    _check_options(reduction, metric, callback, print_every, file)
    if optimizer is None:
        optimizer = SGD(model.parameters(), lr)
    elif not isinstance(optimizer, Optimizer):
        raise TypeError(f"optimizer must be an Optimizer (SGD, Adam), got {optimizer!r}")
    if print_every is None:
        print_every = max(1, epochs // 10)
    out = sys.stdout if file is None else file

    rng = random.Random(seed)
    order = list(range(len(X)))
    history = History()
    start = 0
    run: dict[str, Any] = {}
    if checkpoint_every is not None or checkpoint_path is not None or resume_from is not None:
        checkpoint_every = _check_checkpointing(checkpoint_every, checkpoint_path, resume_from)
        check_checkpointable(model, optimizer)
        run = _run_settings(X, Y, validation, loss, loss_fn, batch_size, shuffle, seed, reduction)
    if resume_from is not None:
        saved = _resumable(resume_from, model, optimizer, run, epochs)
        saved.restore(model, optimizer)  # from here on, everything is as it was saved
        start = saved.state.epoch
        order = saved.state.order
        rng.setstate(saved.state.rng_state)
        history = History(**saved.state.history)

    for epoch in range(start + 1, epochs + 1):
        if shuffle:
            rng.shuffle(order)
        total_loss, correct = 0.0, 0
        for begin in range(0, len(order), batch_size):
            batch = order[begin : begin + batch_size]
            with gc_paused():  # the step's graph has no cycles: refcounting frees it
                batch_loss, batch_correct = _step(
                    model, X, Y, batch, loss_fn, metric, reduction, optimizer
                )
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
            val_loss, val_accuracy = _evaluate(model, X_val, Y_val, loss_fn, metric)
            history.val_loss.append(val_loss)
            history.val_accuracy.append(val_accuracy)
            line += f"  val_loss {val_loss:.6f}"
            if val_accuracy is not None:
                line += f"  val_accuracy {val_accuracy:.3f}"
        if print_every and (epoch % print_every == 0 or epoch == 1 or epoch == epochs):
            print(line, file=out, flush=True)
        if checkpoint_every and (epoch % checkpoint_every == 0 or epoch == epochs):
            state = TrainingState(epoch, order, rng.getstate(), asdict(history), run)
            save_training(checkpoint_path, model, optimizer, state)
        if callback is not None:
            callback(EpochEnd(epoch, epochs, epoch_loss, accuracy, model, history))
    return history


def _check_options(
    reduction: object, metric: object, callback: object, print_every: object, file: object
) -> None:
    """The plain options of ``train``: a TypeError or ValueError naming the one that is wrong."""
    if reduction not in ("mean", "sum"):
        raise ValueError(f"reduction must be 'mean' or 'sum', got {reduction!r}")
    if metric is not None and not callable(metric):
        raise TypeError(f"metric must be 'auto', None or a function, got {metric!r}")
    if callback is not None and not callable(callback):
        raise TypeError(f"callback must be a function of an EpochEnd, got {callback!r}")
    if print_every is not None:
        if isinstance(print_every, bool) or not isinstance(print_every, int):
            raise TypeError(f"print_every must be an int or None, got {print_every!r}")
        if print_every < 0:
            raise ValueError(f"print_every must be 0 (silent) or more, got {print_every}")
    if file is not None and not callable(getattr(file, "write", None)):
        raise TypeError(f"file must be a text stream with write(), got {type(file).__name__}")


def _resumable(
    path: str | os.PathLike, model: MLP, optimizer: Optimizer, run: dict[str, Any], epochs: int
) -> TrainingCheckpoint:
    """The checkpoint at ``path``, checked against this model, optimiser and run; nothing
    is changed yet, so a refusal leaves the user's model as it was."""
    saved = read_training(path, model, optimizer)
    saved.check_run(run)
    if saved.state.epoch > epochs:
        raise ValueError(
            f"{os.fspath(path)}: the checkpoint is at epoch {saved.state.epoch}, "
            f"past epochs={epochs}; epochs is the total number of epochs of the run"
        )
    return saved


def _validation_pair(validation: object) -> tuple[Sequence, Sequence]:
    if isinstance(validation, (str, bytes)) or not isinstance(validation, Sequence):
        raise TypeError(
            f"validation must be a pair (X_val, Y_val), got {type(validation).__name__}"
        )
    if len(validation) != 2:
        raise ValueError(f"validation must be a pair (X_val, Y_val), got {len(validation)} items")
    return validation[0], validation[1]


def _check_checkpointing(every: object, path: object, resume_from: object) -> int | None:
    """Check the checkpoint arguments; return ``every`` (``None``: write no checkpoints)."""
    for name, value in (("checkpoint_path", path), ("resume_from", resume_from)):
        if value is not None and not isinstance(value, (str, os.PathLike)):
            raise TypeError(f"{name} must be a file path, got {type(value).__name__} {value!r}")
    if every is None:
        if path is not None:
            raise ValueError("checkpoint_path is set but checkpoint_every is None; say how often")
        return None
    every = positive_int("checkpoint_every", every)
    if path is None:
        raise ValueError("checkpoint_every needs checkpoint_path, the file to write")
    if os.path.isdir(path):  # caught now, not after the first epochs have changed the model
        raise IsADirectoryError(f"checkpoint_path {os.fspath(path)!r} is a folder, not a file")
    folder = os.path.dirname(os.path.abspath(os.fspath(path)))
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"checkpoint_path {os.fspath(path)!r}: no folder {folder!r}")
    return every


def _run_settings(
    X: Sequence[Sequence[float]],
    Y: Sequence[object],
    validation: tuple[Sequence, Sequence] | None,
    loss: str | Loss,
    loss_fn: Loss,
    batch_size: int,
    shuffle: bool,
    seed: object,
    reduction: str,
) -> dict[str, Any]:
    """What a resumed run must share with the checkpointed one, in JSON-safe form."""
    own = f"{getattr(loss_fn, '__module__', '?')}.{getattr(loss_fn, '__qualname__', '?')}"
    loss_name = next((name for name, fn in LOSSES.items() if fn is loss_fn), own)
    return {
        "examples": len(X),
        "data_sha256": data_fingerprint(X, Y),
        "validation_sha256": None if validation is None else data_fingerprint(*validation),
        "loss": loss_name,
        "batch_size": batch_size,
        "shuffle": bool(shuffle),
        "seed": seed if seed is None or isinstance(seed, (int, str)) else repr(seed),
        "reduction": reduction,
    }


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
    check_targets(model, Y, loss_fn)
    if metric == "auto":
        metric = auto_metric(Y, loss_fn)
    return _evaluate(model, X, Y, loss_fn, metric)


def _evaluate(
    model: MLP,
    X: Sequence[Sequence[float]],
    Y: Sequence[object],
    loss_fn: Loss,
    metric: Metric | None,
) -> tuple[float, float | None]:
    """:func:`evaluate` on a dataset already checked (``train`` checks its validation set once)."""
    total, correct = 0.0, 0
    with no_grad():
        for x, y in zip(X, Y, strict=True):
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
    as_if = softmax_cross_entropy if labels and model.sizes[-1] > 1 else mean_squared_error
    metric = auto_metric(Y, as_if)
    if metric is None:
        raise ValueError("accuracy needs class labels, one-hot vectors, or 0/1 or -1/+1 targets")
    hits = sum(metric(outputs, y) for outputs, y in zip(predict(model, X), Y, strict=True))
    return hits / len(X)
