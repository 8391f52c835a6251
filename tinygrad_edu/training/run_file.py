"""Training checkpoints: a run in progress, saved so that ``train(resume_from=...)`` continues
it bit for bit (JSON, in the format and with the safety rules of ``files.json_file``).

A training checkpoint (``"kind": "training"``) holds the model (as a model file does, under
``"model"``), the optimiser's hyperparameters and state, the epoch counter, the shuffle order
and random state, the history, and the settings of the run.
"""

from __future__ import annotations

import hashlib
import math
import random
from collections.abc import Sequence
from typing import Any, NamedTuple

from tinygrad_edu.files import model_file
from tinygrad_edu.files.atomic import PathLike
from tinygrad_edu.files.json_file import (
    FORMAT,
    VERSION,
    CheckpointError,
    Reader,
    finite,
    write_json,
)
from tinygrad_edu.model_data import ModelData
from tinygrad_edu.nn import ACTIVATIONS, MLP
from tinygrad_edu.nn.optim import Optimizer, State
from tinygrad_edu.training.history import History

TRAINING_FIELDS = ("format", "version", "kind", "epoch", "run", "history", "order",
                   "rng_state", "optimizer", "model")  # fmt: skip


class RunSettings(NamedTuple):
    """The settings of a training run that a resumed run must share, as the checkpoint's
    ``run`` field holds them (JSON-safe): the one place their names are written."""

    examples: int
    data_sha256: str
    validation_sha256: str | None  # None: no validation data
    loss: str  # a name of LOSSES, or module.qualname of the user's own function
    batch_size: int
    shuffle: bool
    seed: int | str | None  # another seed is kept as its repr
    reduction: str


RUN_FIELDS = RunSettings._fields
RNG_WORDS = 625  # random.Random.getstate(): 624 Mersenne Twister words and a position
# An optimiser's step count above this is no run's: a float counts steps exactly up to 2⁵³,
# and β**t of Adam's bias correction cannot even be computed for t beyond the float range.
MAX_STEPS = 2**53


class TrainingState(NamedTuple):
    """Where a training run stands after ``epoch`` epochs: enough to continue it exactly.

    Attributes:
        epoch: epochs completed.
        order: the example order after the latest shuffle (shuffles permute it in place).
        rng_state: ``random.Random.getstate()`` of the shuffling generator.
        history: the run's :class:`History`.
        run: the settings that must be the same to resume (data fingerprint, loss, ...).
    """

    epoch: int
    order: list[int]
    rng_state: tuple[Any, ...]
    history: History
    run: dict[str, Any]


class TrainingCheckpoint(NamedTuple):
    """A training checkpoint read and checked against a model and an optimiser, not yet
    applied: :meth:`restore` is the only step that changes anything, and it cannot fail."""

    path: str
    state: TrainingState
    parameters: ModelData
    optimizer_state: State

    def check_run(self, run: dict[str, Any]) -> None:
        """Raise :class:`CheckpointError` if ``run`` differs from the checkpoint's settings."""
        for key, saved in self.state.run.items():
            current = run.get(key)
            if current != saved:
                raise CheckpointError(
                    f"{self.path}: field 'run.{key}': the checkpoint was made with {saved!r}, "
                    f"but this call has {current!r}; resume with the same settings and data"
                )

    def restore(self, model: MLP, optimizer: Optimizer) -> None:
        """Put the saved parameters and optimiser state into ``model`` and ``optimizer``."""
        model.set_parameters(self.parameters)
        optimizer.load_state(self.optimizer_state)


def check_checkpointable(model: MLP, optimizer: Optimizer) -> None:
    """Raise now, before any training, if this model and optimiser cannot be checkpointed."""
    if not isinstance(model, MLP):
        raise TypeError(f"expected an MLP, got {type(model).__name__}")
    if not isinstance(optimizer, Optimizer) or type(optimizer).step is Optimizer.step:
        raise TypeError(f"checkpoints can save an Optimizer's state, not {optimizer!r}")
    _positions(optimizer, model)


def save_training(path: PathLike, model: MLP, optimizer: Optimizer, state: TrainingState) -> None:
    """Write a training checkpoint atomically (see :class:`TrainingState`)."""
    check_checkpointable(model, optimizer)
    version, internal, gauss_next = state.rng_state
    optimizer_fields: dict[str, Any] = {"type": type(optimizer).__name__}
    optimizer_fields["parameters"] = _positions(optimizer, model)
    for name in optimizer.hyperparameters:
        optimizer_fields[name] = float(getattr(optimizer, name))
    for name, value in optimizer.state().items():
        optimizer_fields[name] = (
            value
            if isinstance(value, int)
            else [finite(v, f"the optimiser's {name}[{k}]") for k, v in enumerate(value)]
        )
    document = {
        "format": FORMAT,
        "version": VERSION,
        "kind": "training",
        "epoch": state.epoch,
        "run": state.run,
        "history": {
            name: [
                None if v is None else finite(v, f"history.{name}[{k}]")
                for k, v in enumerate(values)
            ]
            for name, values in state.history.as_lists().items()
        },
        "order": list(state.order),
        "rng_state": {
            "version": version,
            "internal": list(internal),
            "gauss_next": gauss_next,
        },
        "optimizer": optimizer_fields,
        "model": model_file.fields(model.to_data()),
    }
    write_json(path, document)


def read_training(path: PathLike, model: MLP, optimizer: Optimizer) -> TrainingCheckpoint:
    """Read and check a training checkpoint against ``model`` and ``optimizer``, changing
    neither; call :meth:`TrainingCheckpoint.restore` to apply it."""
    check_checkpointable(model, optimizer)
    reader = Reader(path)
    document = reader.document()
    if document["kind"] != "training":
        reader.fail(
            "kind",
            "this is a model file, not a training checkpoint; load it with "
            "MLP.load() or load_into() and start a new run",
        )
    reader.keys(document, "", set(TRAINING_FIELDS))
    data = model_file.read(reader, document["model"], "model", tuple(ACTIVATIONS))
    model_file.check_architecture(reader, data.architecture, model.to_data().architecture, "model")
    epoch = reader.integer(document["epoch"], "epoch", low=0)
    run = _run(reader, document["run"])
    state = TrainingState(
        epoch=epoch,
        order=_order(reader, document["order"], run["examples"]),
        rng_state=_rng_state(reader, document["rng_state"]),
        history=_history(reader, document["history"], epoch),
        run=run,
    )
    optimizer_state = _optimizer(reader, document["optimizer"], optimizer, model)
    return TrainingCheckpoint(reader.name, state, data, optimizer_state)


def data_fingerprint(X: Sequence[Sequence[float]], Y: Sequence[Any]) -> str:
    """SHA-256 of the exact bits of a dataset, to tell whether a resumed run has its data."""
    digest = hashlib.sha256()
    for rows in (X, Y):
        for row in rows:
            items = row if isinstance(row, Sequence) else (row,)
            digest.update((",".join(float(v).hex() for v in items) + ";").encode())
        digest.update(b"|")
    return digest.hexdigest()


def _positions(optimizer: Optimizer, model: MLP) -> list[int]:
    """Where each parameter of the optimiser sits in ``model.parameters()``."""
    index = {id(p): k for k, p in enumerate(model.parameters())}
    positions = []
    for p in optimizer.params:
        if id(p) not in index:
            raise ValueError(
                f"the optimiser updates {p!r}, which is not a parameter of this model; "
                f"build it from model.parameters()"
            )
        positions.append(index[id(p)])
    return positions


# ----- reading the fields of a run --------------------------------------------------------


def _run(reader: Reader, run: object) -> dict[str, Any]:
    run = reader.mapping(run, "run")
    reader.keys(run, "run", set(RUN_FIELDS))
    reader.integer(run["examples"], "run.examples", low=1)
    return run


def _order(reader: Reader, order: object, examples: int) -> list[int]:
    order = reader.sequence(order, "order", examples)
    for k, m in enumerate(order):
        reader.integer(m, f"order[{k}]", low=0)
    if sorted(order) != list(range(examples)):
        reader.fail("order", f"expected each of the {examples} example indices once")
    return list(order)


def _rng_state(reader: Reader, state: object) -> tuple[Any, ...]:
    state = reader.mapping(state, "rng_state")
    reader.keys(state, "rng_state", {"version", "internal", "gauss_next"})
    internal = reader.sequence(state["internal"], "rng_state.internal", RNG_WORDS)
    for k, word in enumerate(internal):
        reader.integer(word, f"rng_state.internal[{k}]", low=0, high=2**32 - 1)
    gauss_next = state["gauss_next"]
    if gauss_next is not None:
        gauss_next = reader.number(gauss_next, "rng_state.gauss_next")
    result = (state["version"], tuple(internal), gauss_next)
    try:
        random.Random().setstate(result)
    except (ValueError, TypeError) as error:
        reader.fail("rng_state", f"not a state of Python's random generator ({error})")
    return result


def _history(reader: Reader, history: object, epoch: int) -> History:
    history = reader.mapping(history, "history")
    reader.keys(history, "history", set(History.field_names()))
    parsed: dict[str, list[float | None]] = {}
    for name in History.field_names():
        values = reader.sequence(history[name], f"history.{name}")
        lengths = (0, epoch) if History.is_validation(name) else (epoch,)
        if len(values) not in lengths:
            reader.fail(
                f"history.{name}", f"expected {epoch} entries (one per epoch), got {len(values)}"
            )
        optional = History.may_be_none(name)  # an accuracy is None where there is no metric
        high = 1.0 if name.endswith("accuracy") else math.inf  # a fraction of the examples
        low = 0.0 if name.endswith("accuracy") else -math.inf
        parsed[name] = [
            None
            if (v is None and optional)
            else reader.number_in(v, f"history.{name}[{k}]", low, high)
            for k, v in enumerate(values)
        ]
    return History.from_lists(parsed)


def _optimizer(reader: Reader, fields: object, optimizer: Optimizer, model: MLP) -> State:
    """The optimiser's saved state, after checking it was the same kind of optimiser with the
    same hyperparameters, updating the same parameters."""
    fields = reader.mapping(fields, "optimizer")
    kind = type(optimizer).__name__
    if fields.get("type") != kind:
        reader.fail(
            "optimizer.type",
            f"the checkpoint was made with {fields.get('type')!r}, but this call uses {kind!r}",
        )
    current = optimizer.state()
    reader.keys(fields, "optimizer", {"type", "parameters", *optimizer.hyperparameters, *current})
    if fields["parameters"] != _positions(optimizer, model):
        reader.fail(
            "optimizer.parameters",
            "the checkpoint's optimiser updated other parameters of the model than this one does",
        )
    for name in optimizer.hyperparameters:
        saved = reader.number(fields[name], f"optimizer.{name}")
        if saved != float(getattr(optimizer, name)):
            reader.fail(
                f"optimizer.{name}",
                f"the checkpoint was made with {saved!r}, but "
                f"this call has {getattr(optimizer, name)!r}",
            )
    restored: State = {}
    for name, value in current.items():
        field = f"optimizer.{name}"
        if isinstance(value, int):
            restored[name] = reader.integer(fields[name], field, low=0, high=MAX_STEPS)
        elif name in optimizer.nonnegative_state:
            values = reader.sequence(fields[name], field, len(value))
            why = f" ({type(optimizer).__name__}'s {name} is a running mean of squares)"
            restored[name] = [
                reader.number_in(v, f"{field}[{k}]", 0.0, why=why) for k, v in enumerate(values)
            ]
        else:
            restored[name] = reader.numbers(fields[name], field, len(value))
    return restored
