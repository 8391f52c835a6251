"""A network as plain data: its architecture and its numbers, nothing else.

Model files and the PyTorch bridge deal only in this, and never import the network
(``tinygrad_edu.nn``), which turns itself into it with ``MLP.to_data()`` and back with
``MLP.from_data()``. So the arrows between them point one way.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple, Protocol

from tinygrad_edu import checks

Weights = list[list[list[float]]]  # weights[l][i][j]: from input i to neuron j of layer l+1
Biases = list[list[float]]  # biases[l][j]


class Architecture(NamedTuple):
    """The shape and the functions of a network: ``sizes`` is ``[nin, n₁, …, n_L]``."""

    sizes: list[int]
    activation: str
    output_activation: str
    init: str
    fused: bool


class ModelData(NamedTuple):
    """A whole network: its architecture, and each layer's weight matrix and biases."""

    architecture: Architecture
    weights: Weights
    biases: Biases


class HasModelData(Protocol):
    """Anything that can give its :class:`ModelData`, as an ``MLP`` can."""

    def to_data(self) -> ModelData: ...


def model_data_of(model: object, what: str) -> ModelData:
    """``model.to_data()``, or a TypeError saying that ``what`` needs an MLP."""
    to_data = getattr(model, "to_data", None)
    if not callable(to_data):
        raise TypeError(f"{what} needs an MLP, got {type(model).__name__}")
    data = to_data()
    if not isinstance(data, ModelData):
        raise TypeError(f"{what} needs an MLP, got {type(model).__name__}")
    return data


def check_shapes(
    weights: Sequence[Sequence[Sequence[float]]], biases: Sequence[Sequence[float]] | None
) -> list[int]:
    """Check that the matrices chain together; return the layer sizes ``[nin, n₁, …]``."""
    if isinstance(weights, (str, bytes)) or not isinstance(weights, Sequence) or not weights:
        raise ValueError("weights must be a non-empty list of matrices, one per layer")
    sizes: list[int] = []
    for l, matrix in enumerate(weights, start=1):
        if isinstance(matrix, (str, bytes)) or not isinstance(matrix, Sequence) or not matrix:
            raise ValueError(f"weights of layer {l} must be a non-empty matrix (list of rows)")
        for i, row in enumerate(matrix):
            checks.sequence(f"row {i} of the weight matrix of layer {l}", row)
        widths = {len(row) for row in matrix}
        if len(widths) != 1 or 0 in widths:
            raise ValueError(f"rows of the weight matrix of layer {l} differ in length: {widths}")
        if sizes and len(matrix) != sizes[-1]:
            raise ValueError(
                f"layer {l} has {len(matrix)} rows (inputs), but layer {l - 1} has "
                f"{sizes[-1]} neurons"
            )
        if not sizes:
            sizes.append(len(matrix))
        sizes.append(widths.pop())
    if biases is not None:
        checks.sequence("biases", biases)
        for l, layer_biases in enumerate(biases, start=1):
            checks.sequence(f"biases of layer {l}", layer_biases)
        if len(biases) != len(weights):
            raise ValueError(f"biases has {len(biases)} layers, weights has {len(weights)}")
        for l, (layer_biases, size) in enumerate(zip(biases, sizes[1:], strict=True), start=1):
            if len(layer_biases) != size:
                raise ValueError(
                    f"biases of layer {l} has {len(layer_biases)} values, expected {size}"
                )
    return sizes
