"""Model files: a network's architecture and every parameter, as JSON that loads back bit for
bit (see :mod:`.json_file` for the number format and the safety rules).

A model file reads like this (``weights[i][j]`` is the weight from input i to neuron j, the
layout of ``MLP.from_weights`` and of the documents' matrices)::

    {
     "format": "tinygrad_edu checkpoint",
     "version": 1,
     "kind": "model",
     "architecture": {"sizes": [3, 4, 1], "activation": "sigmoid",
                      "output_activation": "sigmoid", "init": "xavier", "fused": true},
     "layers": [{"weights": [[0.12, -0.5, ...], ...], "biases": [0.0, ...]}, ...]
    }

A training checkpoint holds such a model under ``"model"``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tinygrad_edu import notation
from tinygrad_edu.files.atomic import PathLike
from tinygrad_edu.files.json_file import FORMAT, VERSION, Reader, finite, kind, write_json
from tinygrad_edu.model_data import Architecture, ModelData

ARCHITECTURE_FIELDS = Architecture._fields


def save(path: PathLike, data: ModelData) -> None:
    """Write ``data`` to ``path``, atomically: if anything fails, the old file is untouched.
    A weight or bias that is inf or NaN is refused (ValueError) before anything is written."""
    write_json(path, {"format": FORMAT, "version": VERSION, "kind": "model", **fields(data)})


def load(
    path: PathLike, activations: Sequence[str], expected: Architecture | None = None
) -> ModelData:
    """The model in a model file (or in a training checkpoint), every field checked.

    ``activations`` are the names the caller knows; with ``expected``, the file's sizes and
    activations must be those (else a CheckpointError names the field).
    """
    reader = Reader(path)
    document, prefix = reader.model_document(reader.document())
    data = read(reader, document, prefix, activations)
    if expected is not None:
        check_architecture(reader, data.architecture, expected, prefix)
    return data


def fields(data: ModelData) -> dict[str, Any]:
    """The JSON fields of a model: ``architecture`` and ``layers``; a ValueError naming the
    first parameter that is not finite."""
    return {
        "architecture": data.architecture._asdict(),
        "layers": [
            {
                "weights": [
                    [finite(w, f"the weight {notation.weight(l, i, j)}") for j, w in enumerate(row)]
                    for i, row in enumerate(weights)
                ],
                "biases": [
                    finite(b, f"the bias {notation.bias(l, j)}") for j, b in enumerate(biases)
                ],
            }
            for l, (weights, biases) in enumerate(zip(data.weights, data.biases, strict=True), 1)
        ],
    }


def read(reader: Reader, document: object, prefix: str, activations: Sequence[str]) -> ModelData:
    """The architecture and the ``(weights, biases)`` of each layer, checked."""
    reader.mapping(document, prefix)
    header = {"format", "version", "kind"} if not prefix else set()
    assert isinstance(document, dict)
    reader.keys(document, prefix, {"architecture", "layers", *header})
    field = reader.join(prefix, "architecture")
    architecture = reader.mapping(document["architecture"], field)
    reader.keys(architecture, field, set(ARCHITECTURE_FIELDS))
    sizes = reader.sequence(architecture["sizes"], f"{field}.sizes")
    if len(sizes) < 2:
        reader.fail(f"{field}.sizes", f"needs the input size and a layer size, got {sizes!r}")
    for k, size in enumerate(sizes):
        reader.integer(size, f"{field}.sizes[{k}]", low=1)
    for key in ("activation", "output_activation"):
        needed = architecture[key]
        if _op_like(needed) and needed not in activations:
            reader.fail(f"{field}.{key}", needs_op_message(needed, activations))
        reader.choice(needed, f"{field}.{key}", tuple(activations))
    init = architecture["init"]
    if not isinstance(init, str) or len(init) > 100:
        reader.fail(f"{field}.init", f"expected the name of an initialiser, got {kind(init)}")
    if not isinstance(architecture["fused"], bool):
        reader.fail(f"{field}.fused", f"expected true or false, got {kind(architecture['fused'])}")

    field = reader.join(prefix, "layers")
    layers = reader.sequence(document["layers"], field, len(sizes) - 1)
    weights, biases = [], []
    for l, layer in enumerate(layers):
        where = f"{field}[{l}]"
        reader.mapping(layer, where)
        reader.keys(layer, where, {"weights", "biases"})
        rows = reader.sequence(layer["weights"], f"{where}.weights", sizes[l])
        weights.append(
            [
                reader.numbers(row, f"{where}.weights[{i}]", sizes[l + 1])
                for i, row in enumerate(rows)
            ]
        )
        biases.append(reader.numbers(layer["biases"], f"{where}.biases", sizes[l + 1]))
    return ModelData(Architecture(**architecture), weights, biases)


def _op_like(name: object) -> bool:
    """A short name without spaces, as an op's symbol is: worth telling apart from junk."""
    return isinstance(name, str) and 0 < len(name) <= 40 and name.split() == [name]


def needs_op_message(name: str, activations: Sequence[str]) -> str:
    """Why a model whose activation is unknown here cannot be loaded, and what to do."""
    return (
        f"the model needs the activation {name!r}, which is not one of the known ones "
        f"({', '.join(map(repr, activations))}); if it is a custom op, make it with "
        f"tinygrad_edu.custom_op({name!r}, forward, local) before loading the model"
    )


def check_architecture(
    reader: Reader, architecture: Architecture, expected: Architecture, prefix: str
) -> None:
    """The file's sizes and activations must be ``expected``'s."""
    field = reader.join(prefix, "architecture")
    for key in ("sizes", "activation", "output_activation"):
        theirs, mine = getattr(architecture, key), getattr(expected, key)
        if theirs != mine:
            reader.fail(f"{field}.{key}", f"the file has {theirs!r}, but the model has {mine!r}")


def parameters_in_order(data: ModelData) -> list[float]:
    """The parameters in ``MLP.parameters()`` order: neuron by neuron, weights then bias."""
    values: list[float] = []
    for weights, biases in zip(data.weights, data.biases, strict=True):
        for j, bias in enumerate(biases):
            values.extend(row[j] for row in weights)
            values.append(bias)
    return values
