"""The training loop: epochs of shuffled mini-batches, a loss, an optimiser and a history.

One step on a mini-batch B is the documents' stochastic gradient descent:

    E_B = (1/|B|) Σ_{m∈B} E_m        (``reduction="mean"``; ``"sum"`` drops the 1/|B|)
    p  ← p − η · ∂E_B/∂p             (or the optimiser you pass)
"""

from __future__ import annotations

import math
import os
import sys
import warnings
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TextIO

from tinygrad_edu import checks
from tinygrad_edu.core import gc_paused
from tinygrad_edu.core.messages import describe
from tinygrad_edu.files.atomic import PathLike, check_writable
from tinygrad_edu.nn import LOSSES, MLP, SGD, Loss, Optimizer, get_loss
from tinygrad_edu.nn.losses import LossFunction
from tinygrad_edu.training.data import check_dataset, check_targets
from tinygrad_edu.training.evaluation import evaluate_checked
from tinygrad_edu.training.history import EpochEnd, History, Progress
from tinygrad_edu.training.metrics import Metric, chosen_metric, output_numbers
from tinygrad_edu.training.stall import TrainingStalledWarning, stalled_message
from tinygrad_edu.training.step_context import Schedule, StepContext, scheduled_rates

if TYPE_CHECKING:
    from tinygrad_edu.training.run_file import TrainingCheckpoint

DEFAULT_LR = 0.1  # of the SGD that train() makes when no optimiser is given


def train(
    model: MLP,
    X: Sequence[Sequence[float]],
    Y: Sequence[object],
    *,
    loss: str | Loss | LossFunction = "mse",
    optimizer: Optimizer | None = None,
    lr: float | None = None,
    lr_schedule: Schedule | None = None,
    epochs: int = 100,
    batch_size: int | None = None,
    shuffle: bool = True,
    seed: int | None = 0,
    reduction: str = "mean",
    metric: Metric | None | str = "auto",
    validation: tuple[Sequence[Sequence[float]], Sequence[object]] | None = None,
    callback: Callable[[EpochEnd], None] | None = None,
    progress: Callable[[Progress], None] | None = None,
    print_every: int | None = None,
    file: TextIO | None = None,
    checkpoint_every: int | None = None,
    checkpoint_path: str | os.PathLike[str] | None = None,
    resume_from: str | os.PathLike[str] | None = None,
) -> History:
    """Train ``model`` on examples ``X`` with targets ``Y``; return the per-epoch history.

    Args:
        loss: a name from ``losses.LOSSES`` (``"mse"``, ``"sse"``, ``"softmax_ce"``, ...) or a
            function ``(outputs, target) -> Value``.
        optimizer: an optimiser over exactly ``model.parameters()`` (one made for another
            model, say before a notebook cell rebuilt the model, is refused); defaults to
            ``SGD(model.parameters(), lr)``.
        lr: the learning rate of that default SGD (0.1 if not given). An optimiser you pass
            has its own, so ``lr`` together with ``optimizer`` is refused rather than ignored.
        lr_schedule: ``lr_schedule(epoch)`` gives the learning rate of each epoch (counted
            from 1), e.g. ``lambda epoch: 1.0 - 0.9 * (epoch - 1) / epochs``; with full-batch
            training an epoch is one step. It is called for every epoch before the first step,
            and sets the optimiser's ``lr`` only during that epoch's steps, so the optimiser
            keeps (and a checkpoint saves) its own ``lr``; a resumed run passes the same
            schedule and continues bit for bit.
        batch_size: examples per step; ``None`` means the whole set (full-batch descent).
        shuffle, seed: shuffle the examples each epoch with ``random.Random(seed)``.
        reduction: ``"mean"`` or ``"sum"`` of the per-example losses in a mini-batch.
        metric: ``"auto"`` picks class accuracy for classification targets and none for
            regression; or pass ``f(outputs, target) -> bool``, or ``None``.
        validation: ``(X_val, Y_val)`` to evaluate (without a graph) after every epoch.
        callback: called with an :class:`EpochEnd` after every epoch (plots, early stops).
        progress: called with a :class:`Progress` after every step inside an epoch (a long
            epoch's progress line; see ``tinygrad-edu train``).
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
    wrong sizes and values ValueError (naming expected and actual), a checkpoint file that
    cannot be written or read OSError. A step that fails (no op may make an inf or NaN)
    raises its error with the epoch and the batch, and, once parameters have been updated,
    the learning rate as the likely cause. A diverging run need not fail, though: sigmoid and
    tanh units saturate instead of overflowing, every gradient becomes exactly 0, and the
    run goes on doing nothing. The first epoch that changes no parameter warns with a
    :class:`TrainingStalledWarning` naming the likely cause. Ctrl-C (KeyboardInterrupt)
    stops the run with a note saying where, and what the checkpoint holds.
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
    epochs = checks.positive_int("epochs", epochs)
    batch_size = len(X) if batch_size is None else checks.positive_int("batch_size", batch_size)
    accuracy_of = chosen_metric(metric, Y, loss_fn)
    _check_options(reduction, callback, print_every, file, progress)
    optimizer = _optimizer_for(model, optimizer, lr)
    if print_every is None:
        print_every = max(1, epochs // 10)
    out = sys.stdout if file is None else file

    import random  # here, not at the top: a fifth of the package's import time

    rng = random.Random(seed)
    order = list(range(len(X)))
    history = History()
    start = 0
    run: dict[str, Any] = {}
    if checkpoint_every is not None or checkpoint_path is not None or resume_from is not None:
        checkpoint_every = _check_checkpointing(checkpoint_every, checkpoint_path, resume_from)
        from tinygrad_edu.training import run_file  # json and hashlib, for runs that need them

        run_file.check_checkpointable(model, optimizer)
        run = _run_settings(X, Y, validation, loss, loss_fn, batch_size, shuffle, seed, reduction)
    if resume_from is not None:
        saved = _resumable(resume_from, model, optimizer, run, epochs)
        saved.restore(model, optimizer)  # from here on, everything is as it was saved
        start = saved.state.epoch
        order = saved.state.order
        rng.setstate(saved.state.rng_state)
        history = saved.state.history
    rates = None if lr_schedule is None else scheduled_rates(lr_schedule, start + 1, epochs)
    steps = StepContext(optimizer, model.parameters(), batch_size, len(X), rates, start > 0)

    parameters = model.parameters()
    warned = False  # the stall warning is given once a run
    epoch = start
    same_file = (
        resume_from is not None
        and checkpoint_path is not None
        and os.fspath(resume_from) == os.fspath(checkpoint_path)
    )
    saved_epoch = start if same_file else 0  # the last epoch the checkpoint file holds
    try:
        for epoch in range(start + 1, epochs + 1):
            if shuffle:
                rng.shuffle(order)
            total_loss, correct = 0.0, 0
            before = [p.data for p in parameters]
            for begin in range(0, len(order), batch_size):
                batch = order[begin : begin + batch_size]
                # no cycles: refcounting frees each step's graph
                with gc_paused(), steps.step(epoch, begin, batch):
                    batch_loss, batch_correct = _step(
                        model, X, Y, batch, loss_fn, accuracy_of, reduction, optimizer
                    )
                total_loss += batch_loss * (len(batch) if reduction == "mean" else 1.0)
                correct += batch_correct
                if progress is not None:
                    done = min(begin + batch_size, len(order))
                    progress(Progress(epoch, epochs, done, len(X), total_loss / done))
            epoch_loss = total_loss / len(X)
            accuracy = correct / len(X) if accuracy_of is not None else None
            history.loss.append(epoch_loss)
            history.accuracy.append(accuracy)
            if not warned and all(p.data == b for p, b in zip(parameters, before, strict=True)):
                warned = True
                lr = rates[epoch] if rates is not None else getattr(optimizer, "lr", None)
                warnings.warn(
                    TrainingStalledWarning(stalled_message(model, X, epoch, epoch_loss, lr)),
                    stacklevel=2,
                )
            line = f"epoch {epoch:>{len(str(epochs))}}/{epochs}  loss {epoch_loss:.6f}"
            if accuracy is not None:
                line += f"  accuracy {accuracy:.3f}"
            if validation is not None:
                val_loss, val_accuracy = evaluate_checked(model, X_val, Y_val, loss_fn, accuracy_of)
                history.val_loss.append(val_loss)
                history.val_accuracy.append(val_accuracy)
                line += f"  val_loss {val_loss:.6f}"
                if val_accuracy is not None:
                    line += f"  val_accuracy {val_accuracy:.3f}"
            if print_every and (epoch % print_every == 0 or epoch == 1 or epoch == epochs):
                print(line, file=out, flush=True)
            if (
                checkpoint_path
                and checkpoint_every
                and (epoch % checkpoint_every == 0 or epoch == epochs)
            ):
                state = run_file.TrainingState(epoch, order, rng.getstate(), history, run)
                run_file.save_training(checkpoint_path, model, optimizer, state)
                saved_epoch = epoch
            if callback is not None:
                callback(EpochEnd(epoch, epochs, epoch_loss, accuracy, model, history))
    except KeyboardInterrupt as interrupt:
        interrupt.add_note(_interrupted_note(epoch, saved_epoch, checkpoint_path))
        raise
    return history


def _interrupted_note(epoch: int, saved: int, path: PathLike | None) -> str:
    """Where a run was stopped by Ctrl-C, and what its checkpoint holds (``saved``: the
    last epoch written to it, 0 for none)."""
    note = f"train() was interrupted in epoch {epoch}"
    if path is None:
        return note + "; no checkpoint is written without checkpoint_path"
    if saved == 0:
        return note + f"; no epoch of this run was saved in {os.fspath(path)!r} yet"
    return (
        f"{note}; {os.fspath(path)!r} holds the run after epoch {saved}: "
        f"train(..., resume_from={os.fspath(path)!r}) continues it from there"
    )


def _check_options(
    reduction: object, callback: object, print_every: object, file: object, progress: object
) -> None:
    """The plain options of ``train``: a TypeError or ValueError naming the one that is wrong."""
    if reduction not in ("mean", "sum"):
        raise ValueError(f"reduction must be 'mean' or 'sum', got {reduction!r}")
    if callback is not None and not callable(callback):
        raise TypeError(f"callback must be a function of an EpochEnd, got {callback!r}")
    if progress is not None and not callable(progress):
        raise TypeError(f"progress must be a function of a Progress, got {progress!r}")
    if print_every is not None:
        checks.integer("print_every", print_every, low=0)  # 0: silent
    if file is not None and not callable(getattr(file, "write", None)):
        raise TypeError(f"file must be a text stream with write(), got {type(file).__name__}")


def _optimizer_for(model: MLP, optimizer: object, lr: object) -> Optimizer:
    """The optimiser of the run: ``SGD(model.parameters(), lr)`` by default, or the one
    given, which must update exactly this model's parameters and brings its own ``lr``."""
    if optimizer is None:
        return SGD(model.parameters(), DEFAULT_LR if lr is None else lr)  # type: ignore[arg-type]
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"optimizer must be an Optimizer (SGD, Adam), got {describe(optimizer)}")
    if lr is not None:
        raise ValueError(
            f"lr={lr!r} was given with an optimizer, which has its own learning rate "
            f"(lr={optimizer.lr!r}); give the rate to the optimiser, e.g. "
            f"{type(optimizer).__name__}(model.parameters(), lr={lr!r}), and drop lr="
        )
    own = {id(p) for p in model.parameters()}
    updated = {id(p) for p in optimizer.params}
    if updated != own:
        shared = len(own & updated)
        if shared == 0:
            problem = (
                "none of this model's parameters: it was made for another model (was the "
                "model built again after the optimiser, as when a notebook cell is re-run?)"
            )
        else:
            problem = (
                f"{shared} of this model's {len(own)} parameters and {len(updated) - shared} others"
            )
        raise ValueError(
            f"the optimiser updates {problem}; train() needs an optimiser of exactly this "
            f"model's parameters: {type(optimizer).__name__}(model.parameters(), ...)"
        )
    return optimizer


def _resumable(
    path: str | os.PathLike[str], model: MLP, optimizer: Optimizer, run: dict[str, Any], epochs: int
) -> TrainingCheckpoint:
    """The checkpoint at ``path``, checked against this model, optimiser and run; nothing
    is changed yet, so a refusal leaves the user's model as it was."""
    from tinygrad_edu.training.run_file import read_training

    saved = read_training(path, model, optimizer)
    saved.check_run(run)
    if saved.state.epoch > epochs:
        raise ValueError(
            f"{os.fspath(path)}: the checkpoint is at epoch {saved.state.epoch}, "
            f"past epochs={epochs}; epochs is the total number of epochs of the run"
        )
    return saved


def _validation_pair(validation: object) -> tuple[Sequence[Sequence[float]], Sequence[object]]:
    if isinstance(validation, (str, bytes)) or not isinstance(validation, Sequence):
        raise TypeError(
            f"validation must be a pair (X_val, Y_val), got {type(validation).__name__}"
        )
    if len(validation) != 2:
        raise ValueError(f"validation must be a pair (X_val, Y_val), got {len(validation)} items")
    return validation[0], validation[1]


def _check_checkpointing(
    every: object, path: PathLike | None, resume_from: PathLike | None
) -> int | None:
    """Check the checkpoint arguments; return ``every`` (``None``: write no checkpoints)."""
    for name, value in (("checkpoint_path", path), ("resume_from", resume_from)):
        if value is not None and not isinstance(value, (str, os.PathLike)):
            raise TypeError(f"{name} must be a file path, got {type(value).__name__} {value!r}")
    if every is None:
        if path is not None:
            raise ValueError("checkpoint_path is set but checkpoint_every is None; say how often")
        return None
    every = checks.positive_int("checkpoint_every", every)
    if path is None:
        raise ValueError("checkpoint_every needs checkpoint_path, the file to write")
    check_writable(path)  # fails now, not after the first epochs have changed the model
    return every


def _run_settings(
    X: Sequence[Sequence[float]],
    Y: Sequence[object],
    validation: tuple[Sequence[Sequence[float]], Sequence[object]] | None,
    loss: str | Loss | LossFunction,
    loss_fn: Loss | LossFunction,
    batch_size: int,
    shuffle: bool,
    seed: object,
    reduction: str,
) -> dict[str, Any]:
    """What a resumed run must share with the checkpointed one, in JSON-safe form."""
    from tinygrad_edu.training.run_file import RunSettings, data_fingerprint

    own = f"{getattr(loss_fn, '__module__', '?')}.{getattr(loss_fn, '__qualname__', '?')}"
    loss_name = next((name for name, fn in LOSSES.items() if fn is loss_fn), own)
    return RunSettings(
        examples=len(X),
        data_sha256=data_fingerprint(X, Y),
        validation_sha256=None if validation is None else data_fingerprint(*validation),
        loss=loss_name,
        batch_size=batch_size,
        shuffle=bool(shuffle),
        seed=seed if seed is None or isinstance(seed, (int, str)) else repr(seed),
        reduction=reduction,
    )._asdict()


def _step(
    model: MLP,
    X: Sequence[Sequence[float]],
    Y: Sequence[object],
    batch: list[int],
    loss_fn: Loss | LossFunction,
    metric: Metric | None,
    reduction: str,
    optimizer: Optimizer,
) -> tuple[float, int]:
    """One gradient step on the examples ``batch``; returns the batch loss and hits."""
    losses = []
    correct = 0
    for m in batch:
        outputs = model(X[m], input_grads=False)  # nobody reads the gradient of the data
        losses.append(loss_fn(outputs, Y[m]))
        if metric is not None:
            correct += metric(output_numbers(outputs), Y[m])
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
