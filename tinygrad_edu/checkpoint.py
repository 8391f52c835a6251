"""Checkpoints: a model, or a training run in progress, saved as JSON that loads back bit for bit.

A model file reads like this (``weights[i][j]`` is the weight from input i to neuron j, the
layout of :meth:`MLP.from_weights` and of the documents' matrices)::

    {
     "format": "tinygrad_edu checkpoint",
     "version": 1,
     "kind": "model",
     "architecture": {"sizes": [3, 4, 1], "activation": "sigmoid",
                      "output_activation": "sigmoid", "init": "xavier", "fused": true},
     "layers": [{"weights": [[0.12, -0.5, ...], ...], "biases": [0.0, ...]}, ...]
    }

A training checkpoint (``"kind": "training"``) holds such a model under ``"model"``, plus the
optimiser's state, the epoch counter, the shuffle order and random state, the history, and
the settings of the run, so that :func:`tinygrad_edu.train.train` can resume it exactly.

Numbers are written with ``repr``, the shortest decimal that reads back as the same float, so
every parameter round-trips bit for bit. Standard JSON has no NaN or infinity; those are the
strings ``"nan"``, ``"-nan"``, ``"inf"`` and ``"-inf"``. (A NaN keeps its sign bit; the
other bits of a NaN's payload, which Python's arithmetic never sets, are not kept.)

Safety: files are read with ``json`` only (no pickle: nothing in a file is ever executed);
every field is checked before anything is built or changed, so a bad file raises
:class:`CheckpointError` (a ``ValueError`` naming the file and the field) and leaves your
model as it was; and files are replaced atomically (a temporary file in the same folder,
then ``os.replace``), so a crash in the middle of a save leaves the previous file intact.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NoReturn

from tinygrad_edu.atomic_file import PathLike, checked_path, write_atomically
from tinygrad_edu.nn import ACTIVATIONS, MLP
from tinygrad_edu.optim import SGD, Adam, Optimizer

FORMAT = "tinygrad_edu checkpoint"
VERSION = 1

TRAINING_FIELDS = ("format", "version", "kind", "epoch", "run", "history", "order",
                   "rng_state", "optimizer", "model")  # fmt: skip
ARCHITECTURE_FIELDS = ("sizes", "activation", "output_activation", "init", "fused")
# The settings of a training run that a resumed run must share.
RUN_FIELDS = (
    "examples",
    "data_sha256",
    "validation_sha256",
    "loss",
    "batch_size",
    "shuffle",
    "seed",
    "reduction",
)

# The values standard JSON cannot write. The sign of a NaN is kept too: x86 makes inf − inf a
# NaN with the sign bit set, and "bit for bit" includes that bit.
_SPECIAL = {
    "nan": math.nan,
    "-nan": math.copysign(math.nan, -1.0),
    "inf": math.inf,
    "-inf": -math.inf,
}
_RNG_WORDS = 625  # random.Random.getstate(): 624 Mersenne Twister words and a position


class CheckpointError(ValueError):
    """A file that is not a usable checkpoint; the message names the file and the field."""


# ----- models -------------------------------------------------------------------------------


def save_model(model: MLP, path: PathLike) -> None:
    """Write ``model`` to ``path`` as JSON: architecture and every parameter, exactly.

    The file is replaced atomically: if anything fails, the previous file is untouched.
    """
    _check_model(model)
    document = {"format": FORMAT, "version": VERSION, "kind": "model", **_model_fields(model)}
    _write_json(path, document)


def load_model(path: PathLike) -> MLP:
    """A new :class:`MLP` from a model file (or from the model inside a training checkpoint)."""
    reader = _Reader(path)
    architecture, layers = reader.model(*reader.model_document(reader.document()))
    model = MLP.from_weights(
        [layer[0] for layer in layers],
        [layer[1] for layer in layers],
        architecture["activation"],
        architecture["output_activation"],
        architecture["fused"],
    )
    model.init = architecture["init"]
    return model


def load_into(model: MLP, path: PathLike) -> None:
    """Overwrite the parameters of ``model`` with those saved in ``path``: all or nothing.

    The file's sizes and activations must be the model's. Gradients are left alone, as in
    PyTorch's ``load_state_dict``.
    """
    _check_model(model)
    reader = _Reader(path)
    model_document, prefix = reader.model_document(reader.document())
    architecture, layers = reader.model(model_document, prefix)
    reader.check_architecture(architecture, model, prefix)
    _assign(model, _flatten(layers))


# ----- training runs --------------------------------------------------------------------------


@dataclass
class TrainingState:
    """Where a training run stands after ``epoch`` epochs: enough to continue it exactly.

    Attributes:
        epoch: epochs completed.
        order: the example order after the latest shuffle (shuffles permute it in place).
        rng_state: ``random.Random.getstate()`` of the shuffling generator.
        history: the :class:`~tinygrad_edu.train.History` fields, as lists.
        run: the settings that must be the same to resume (data fingerprint, loss, ...).
    """

    epoch: int
    order: list[int]
    rng_state: tuple
    history: dict[str, list]
    run: dict[str, Any]


@dataclass
class TrainingCheckpoint:
    """A training checkpoint read and checked against a model and an optimiser, not yet
    applied: :meth:`restore` is the only step that changes anything, and it cannot fail."""

    path: str
    state: TrainingState
    parameters: list[float]
    optimizer_state: dict[str, Any]

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
        _assign(model, self.parameters)
        for name, values in self.optimizer_state.items():
            setattr(optimizer, name, list(values) if isinstance(values, list) else values)


def check_checkpointable(model: MLP, optimizer: Optimizer) -> None:
    """Raise now, before any training, if this model and optimiser cannot be checkpointed."""
    _check_model(model)
    if type(optimizer) not in _OPTIMIZER_STATE:
        raise TypeError(
            f"checkpoints can save the state of SGD and Adam, not {type(optimizer).__name__}"
        )
    _positions(optimizer, model)


def save_training(path: PathLike, model: MLP, optimizer: Optimizer, state: TrainingState) -> None:
    """Write a training checkpoint atomically (see :class:`TrainingState`)."""
    check_checkpointable(model, optimizer)
    version, internal, gauss_next = state.rng_state
    document = {
        "format": FORMAT,
        "version": VERSION,
        "kind": "training",
        "epoch": state.epoch,
        "run": state.run,
        "history": {key: [_encode(v) for v in values] for key, values in state.history.items()},
        "order": list(state.order),
        "rng_state": {
            "version": version,
            "internal": list(internal),
            "gauss_next": _encode(gauss_next),
        },
        "optimizer": _optimizer_fields(optimizer, model),
        "model": _model_fields(model),
    }
    _write_json(path, document)


def read_training(path: PathLike, model: MLP, optimizer: Optimizer) -> TrainingCheckpoint:
    """Read and check a training checkpoint against ``model`` and ``optimizer``, changing
    neither; call :meth:`TrainingCheckpoint.restore` to apply it."""
    check_checkpointable(model, optimizer)
    reader = _Reader(path)
    document = reader.document()
    if document["kind"] != "training":
        reader.fail(
            "kind",
            "this is a model file, not a training checkpoint; load it with "
            "MLP.load() or load_into() and start a new run",
        )
    reader.keys(document, "", set(TRAINING_FIELDS))
    architecture, layers = reader.model(document["model"], "model")
    reader.check_architecture(architecture, model, "model")
    epoch = reader.integer(document["epoch"], "epoch", low=0)
    run = reader.run(document["run"])
    state = TrainingState(
        epoch=epoch,
        order=reader.order(document["order"], run["examples"]),
        rng_state=reader.rng_state(document["rng_state"]),
        history=reader.history(document["history"], epoch),
        run=run,
    )
    optimizer_state = reader.optimizer(document["optimizer"], optimizer, model)
    return TrainingCheckpoint(reader.name, state, _flatten(layers), optimizer_state)


def data_fingerprint(X: Sequence[Sequence[float]], Y: Sequence[object]) -> str:
    """SHA-256 of the exact bits of a dataset, to tell whether a resumed run has its data."""
    digest = hashlib.sha256()
    for rows in (X, Y):
        for row in rows:
            items = row if isinstance(row, Sequence) else (row,)
            digest.update((",".join(float(v).hex() for v in items) + ";").encode())
        digest.update(b"|")
    return digest.hexdigest()


# ----- writing --------------------------------------------------------------------------------


def _check_model(model: object) -> None:
    if not isinstance(model, MLP):
        raise TypeError(f"expected an MLP, got {type(model).__name__}")


def _encode(x: float | None) -> float | str | None:
    """A float as JSON: itself when finite, else "nan", "-nan", "inf" or "-inf"."""
    if x is None or math.isfinite(x):
        return x
    sign = "-" if math.copysign(1.0, x) < 0 else ""
    return sign + ("nan" if math.isnan(x) else "inf")


def _model_fields(model: MLP) -> dict[str, Any]:
    return {
        "architecture": {
            "sizes": model.sizes,
            "activation": model.activation,
            "output_activation": model.output_activation,
            "init": model.init,
            "fused": model.layers[0].neurons[0].fused,
        },
        "layers": [
            {
                "weights": [[_encode(w) for w in row] for row in layer.weight_matrix()],
                "biases": [_encode(b) for b in layer.biases()],
            }
            for layer in model.layers
        ],
    }


# Per optimiser class: hyperparameters that must match on resume, and state to save.
_OPTIMIZER_STATE: dict[type, tuple[tuple[str, ...], tuple[str, ...]]] = {
    SGD: (("lr", "momentum"), ("velocity",)),
    Adam: (("lr", "beta1", "beta2", "eps"), ("t", "m", "v")),
}


def _optimizer_fields(optimizer: Optimizer, model: MLP) -> dict[str, Any]:
    settings, state = _OPTIMIZER_STATE[type(optimizer)]
    fields: dict[str, Any] = {"type": type(optimizer).__name__}
    fields["parameters"] = _positions(optimizer, model)
    for name in settings:
        fields[name] = _encode(float(getattr(optimizer, name)))
    for name in state:
        value = getattr(optimizer, name)
        fields[name] = value if isinstance(value, int) else [_encode(v) for v in value]
    return fields


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


def _write_json(path: PathLike, document: dict[str, Any]) -> None:
    text = json.dumps(document, indent=1, allow_nan=False)
    # one line per innermost list of numbers: a weight matrix reads as a matrix
    text = re.sub(r"\[[^\[\]{}]*\]", lambda m: re.sub(r"\s*\n\s*", " ", m.group()), text)
    write_atomically(path, text + "\n")


# ----- reading --------------------------------------------------------------------------------


def _assign(model: MLP, values: list[float]) -> None:
    for p, v in zip(model.parameters(), values, strict=True):
        p.data = v


def _flatten(layers: list[tuple[list[list[float]], list[float]]]) -> list[float]:
    """Parameters in ``model.parameters()`` order: neuron by neuron, weights then bias."""
    values = []
    for weights, biases in layers:
        for j, bias in enumerate(biases):
            values.extend(row[j] for row in weights)
            values.append(bias)
    return values


class _CorruptFileError(Exception):
    """Raised by the JSON hooks below; reported as a CheckpointError naming the file."""


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _CorruptFileError(f"the key {key!r} appears twice in one object")
            seen.add(key)
    return result


def _no_constants(name: str) -> None:
    raise _CorruptFileError(f'{name} is not standard JSON (this format writes "nan", "inf")')


class _Reader:
    """Reads one checkpoint file; every check raises CheckpointError naming file and field."""

    def __init__(self, path: PathLike) -> None:
        self.name = checked_path(path)
        with open(self.name, "rb") as stream:  # OSError (missing, unreadable) passes through
            self.raw = stream.read()

    def fail(self, field: str, problem: str) -> NoReturn:
        where = f"field '{field}'" if field else "the top level"
        raise CheckpointError(f"{self.name}: {where}: {problem}")

    # -- the document --

    def document(self) -> dict[str, Any]:
        try:
            text = self.raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise CheckpointError(
                f"{self.name}: not a checkpoint: byte {error.start} is not UTF-8 text"
            ) from None
        try:
            document = json.loads(
                text, object_pairs_hook=_unique_keys, parse_constant=_no_constants
            )
        except json.JSONDecodeError as error:
            raise CheckpointError(
                f"{self.name}: not complete JSON (truncated or corrupted?): {error.msg} at "
                f"line {error.lineno} column {error.colno}"
            ) from None
        except _CorruptFileError as error:
            raise CheckpointError(f"{self.name}: corrupted: {error}") from None
        except RecursionError:
            raise CheckpointError(f"{self.name}: corrupted: nested too deeply") from None
        except ValueError as error:  # e.g. an integer of more than 4300 digits
            raise CheckpointError(f"{self.name}: corrupted: {error}") from None
        self.mapping(document, "")
        for key in ("format", "version", "kind"):
            if key not in document:
                self.fail(key, "missing: this is not a tinygrad_edu checkpoint")
        if document["format"] != FORMAT:
            self.fail("format", f"expected {FORMAT!r}, got {_kind(document['format'])}")
        version = document["version"]
        if type(version) is not int or version != VERSION:
            self.fail(
                "version",
                f"this file has format version {_kind(version)}, but this "
                f"tinygrad_edu reads version {VERSION}",
            )
        self.choice(document["kind"], "kind", ("model", "training"))
        return document

    def model_document(self, document: dict[str, Any]) -> tuple[object, str]:
        """The part of the file that describes the model, and its field name."""
        if document["kind"] == "model":
            return document, ""
        if "model" not in document:
            self.fail("model", "missing")
        return document["model"], "model"

    def model(self, document: object, prefix: str) -> tuple[dict[str, Any], list]:
        """The architecture and the ``(weights, biases)`` of each layer, checked."""
        self.mapping(document, prefix)
        header = {"format", "version", "kind"} if not prefix else set()
        self.keys(document, prefix, {"architecture", "layers", *header})
        field = self.join(prefix, "architecture")
        architecture = self.mapping(document["architecture"], field)
        self.keys(architecture, field, set(ARCHITECTURE_FIELDS))
        sizes = self.sequence(architecture["sizes"], f"{field}.sizes")
        if len(sizes) < 2:
            self.fail(f"{field}.sizes", f"needs the input size and a layer size, got {sizes!r}")
        for k, size in enumerate(sizes):
            self.integer(size, f"{field}.sizes[{k}]", low=1)
        for key in ("activation", "output_activation"):
            self.choice(architecture[key], f"{field}.{key}", tuple(ACTIVATIONS))
        init = architecture["init"]
        if not isinstance(init, str) or len(init) > 100:
            self.fail(f"{field}.init", f"expected the name of an initialiser, got {_kind(init)}")
        if not isinstance(architecture["fused"], bool):
            self.fail(f"{field}.fused", f"expected true or false, got {architecture['fused']!r}")

        field = self.join(prefix, "layers")
        layers = self.sequence(document["layers"], field, len(sizes) - 1)
        parsed = []
        for l, layer in enumerate(layers):
            where = f"{field}[{l}]"
            self.mapping(layer, where)
            self.keys(layer, where, {"weights", "biases"})
            rows = self.sequence(layer["weights"], f"{where}.weights", sizes[l])
            weights = [
                self.numbers(row, f"{where}.weights[{i}]", sizes[l + 1])
                for i, row in enumerate(rows)
            ]
            biases = self.numbers(layer["biases"], f"{where}.biases", sizes[l + 1])
            parsed.append((weights, biases))
        return architecture, parsed

    def check_architecture(self, architecture: dict[str, Any], model: MLP, prefix: str) -> None:
        field = self.join(prefix, "architecture")
        for key, mine in (
            ("sizes", model.sizes),
            ("activation", model.activation),
            ("output_activation", model.output_activation),
        ):
            if architecture[key] != mine:
                self.fail(
                    f"{field}.{key}",
                    f"the file has {architecture[key]!r}, but the model has {mine!r}",
                )

    def run(self, run: object) -> dict[str, Any]:
        self.mapping(run, "run")
        self.keys(run, "run", set(RUN_FIELDS))
        self.integer(run["examples"], "run.examples", low=1)
        return run

    def order(self, order: object, examples: int) -> list[int]:
        order = self.sequence(order, "order", examples)
        for k, m in enumerate(order):
            self.integer(m, f"order[{k}]", low=0)
        if sorted(order) != list(range(examples)):
            self.fail("order", f"expected each of the {examples} example indices once")
        return list(order)

    def rng_state(self, state: object) -> tuple:
        self.mapping(state, "rng_state")
        self.keys(state, "rng_state", {"version", "internal", "gauss_next"})
        internal = self.sequence(state["internal"], "rng_state.internal", _RNG_WORDS)
        for k, word in enumerate(internal):
            self.integer(word, f"rng_state.internal[{k}]", low=0, high=2**32 - 1)
        gauss_next = state["gauss_next"]
        if gauss_next is not None:
            gauss_next = self.number(gauss_next, "rng_state.gauss_next")
        result = (state["version"], tuple(internal), gauss_next)
        try:
            random.Random().setstate(result)
        except (ValueError, TypeError) as error:
            self.fail("rng_state", f"not a state of Python's random generator ({error})")
        return result

    def history(self, history: object, epoch: int) -> dict[str, list]:
        self.mapping(history, "history")
        self.keys(history, "history", {"loss", "accuracy", "val_loss", "val_accuracy"})
        parsed = {}
        for key, values in history.items():
            lengths = (epoch,) if key in ("loss", "accuracy") else (0, epoch)
            values = self.sequence(values, f"history.{key}")
            if len(values) not in lengths:
                self.fail(
                    f"history.{key}", f"expected {epoch} entries (one per epoch), got {len(values)}"
                )
            optional = key.endswith("accuracy")  # None where there is no metric
            parsed[key] = [
                None if (v is None and optional) else self.number(v, f"history.{key}[{k}]")
                for k, v in enumerate(values)
            ]
        return parsed

    def optimizer(self, fields: object, optimizer: Optimizer, model: MLP) -> dict[str, Any]:
        """The optimiser's saved state, after checking it was the same kind of optimiser."""
        settings, state = _OPTIMIZER_STATE[type(optimizer)]
        self.mapping(fields, "optimizer")
        kind = type(optimizer).__name__
        if fields.get("type") != kind:
            self.fail(
                "optimizer.type",
                f"the checkpoint was made with {fields.get('type')!r}, but this call uses {kind!r}",
            )
        self.keys(fields, "optimizer", {"type", "parameters", *settings, *state})
        if fields["parameters"] != _positions(optimizer, model):
            self.fail(
                "optimizer.parameters",
                "the checkpoint's optimiser updated other "
                "parameters of the model than this one does",
            )
        for name in settings:
            saved = self.number(fields[name], f"optimizer.{name}")
            if saved != float(getattr(optimizer, name)):
                self.fail(
                    f"optimizer.{name}",
                    f"the checkpoint was made with {saved!r}, but "
                    f"this call has {getattr(optimizer, name)!r}",
                )
        restored: dict[str, Any] = {}
        for name in state:
            value = getattr(optimizer, name)
            if isinstance(value, int):
                restored[name] = self.integer(fields[name], f"optimizer.{name}", low=0)
            else:
                restored[name] = self.numbers(fields[name], f"optimizer.{name}", len(value))
        return restored

    # -- fields --

    @staticmethod
    def join(prefix: str, key: str) -> str:
        return f"{prefix}.{key}" if prefix else key

    def mapping(self, value: object, field: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.fail(field, f"expected a JSON object, got {_kind(value)}")
        return value

    def keys(self, mapping: dict[str, Any], field: str, expected: set[str]) -> None:
        missing = sorted(expected - mapping.keys())
        if missing:
            self.fail(self.join(field, missing[0]), "missing")
        extra = sorted(mapping.keys() - expected)
        if extra:
            self.fail(self.join(field, extra[0]), "not a field of this format version")

    def sequence(self, value: object, field: str, length: int | None = None) -> list:
        if not isinstance(value, list):
            self.fail(field, f"expected a list, got {_kind(value)}")
        if length is not None and len(value) != length:
            self.fail(field, f"expected {length} entries, got {len(value)}")
        return value

    def number(self, value: object, field: str) -> float:
        if isinstance(value, float):
            return value
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) <= 2**53:
            return float(value)
        if isinstance(value, str) and value in _SPECIAL:
            return _SPECIAL[value]
        self.fail(field, f"expected a number, got {_kind(value)}")

    def numbers(self, value: object, field: str, length: int) -> list[float]:
        values = self.sequence(value, field, length)
        return [self.number(v, f"{field}[{k}]") for k, v in enumerate(values)]

    def integer(
        self, value: object, field: str, low: int | None = None, high: int | None = None
    ) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(field, f"expected a whole number, got {_kind(value)}")
        if (low is not None and value < low) or (high is not None and value > high):
            bounds = f"at least {low}" if high is None else f"between {low} and {high}"
            self.fail(field, f"expected a whole number {bounds}, got {value}")
        return value

    def choice(self, value: object, field: str, choices: Sequence[str]) -> str:
        if value not in choices or not isinstance(value, str):
            self.fail(field, f"expected one of {', '.join(map(repr, choices))}, got {_kind(value)}")
        return value


def _kind(value: object) -> str:
    """What a JSON value is, and the start of it, for an error message."""
    try:
        shown = repr(value)
    except ValueError:  # an int too long to print
        shown = "(too long to show)"
    if len(shown) > 60:
        shown = shown[:57] + "..."
    names = {
        dict: "an object",
        list: "a list",
        str: "a string",
        bool: "a boolean",
        type(None): "null",
        int: "a number",
        float: "a number",
    }
    return f"{names.get(type(value), type(value).__name__)} {shown}"
