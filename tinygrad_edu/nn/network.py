"""Neurons, layers and the multi-layer perceptron, built from ``Value`` nodes.

Notation follows the documents: layer ``l`` (counted from 1) computes

    hⱼ⁽ˡ⁾ = Σᵢ aᵢ⁽ˡ⁻¹⁾ · W⁽ˡ⁾[i, j] + b⁽ˡ⁾[j]        aⱼ⁽ˡ⁾ = f(hⱼ⁽ˡ⁾)

with a⁽⁰⁾ = x, and every parameter is labelled that way (``W1[0,2]``, ``b1[2]``), so drawings
and explanations read like the documents. ``W[i, j]`` is the weight from input ``i`` to
neuron ``j``, the layout of the documents' matrices.
"""

from __future__ import annotations

import math
import os
import random
from collections.abc import Callable, Iterator, Sequence

from tinygrad_edu.engine import Value, layer_weighted_sums, weighted_sum

Activation = Callable[[Value], Value]


def _linear(h: Value) -> Value:
    return h


ACTIVATIONS: dict[str, Activation] = {
    "sigmoid": Value.sigmoid,
    "tanh": Value.tanh,
    "relu": Value.relu,
    "linear": _linear,
}

INITIALISERS = ("xavier", "he", "uniform")


def _check_choice(name: str, value: object, choices: Sequence[str]) -> str:
    if not isinstance(value, str):
        shown = ", ".join(map(repr, choices))
        raise TypeError(f"{name} must be a str, one of {shown}; got {value!r}")
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}; got {value!r}")
    return value


def positive_int(name: str, value: object) -> int:
    """``value`` if it is an int ≥ 1; else a TypeError or ValueError that names ``name``."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be a positive int, got {type(value).__name__} {value!r}")
    if value < 1:
        raise ValueError(f"{name} must be a positive int, got {value}")
    return value


def initial_weights(nin: int, nout: int, init: str, rng: random.Random) -> list[list[float]]:
    """An ``nin × nout`` matrix of starting weights, ``W[i][j]`` from input i to neuron j.

    * ``"xavier"``: W ~ N(0, 2/(n_in + n_out)), as in document 003;
    * ``"he"``: W ~ N(0, 2/n_in), suited to ReLU;
    * ``"uniform"``: W ~ U(−1, 1), as micrograd does.
    """
    _check_choice("init", init, INITIALISERS)
    if init == "uniform":
        return [[rng.uniform(-1.0, 1.0) for _ in range(nout)] for _ in range(nin)]
    variance = 2.0 / (nin + nout) if init == "xavier" else 2.0 / nin
    std = math.sqrt(variance)
    return [[rng.gauss(0.0, std) for _ in range(nout)] for _ in range(nin)]


class Neuron:
    """One unit: a = f(Σᵢ wᵢ·xᵢ + b).

    With ``fused=True`` the sum is one n-ary node (``Σwx+b``) with an edge per weight and
    input; with ``fused=False`` it is micrograd's chain of binary ``*`` and ``+`` nodes, for
    teaching the smallest steps. Both give bit-identical values and gradients.
    """

    def __init__(
        self,
        weights: Sequence[float],
        bias: float = 0.0,
        activation: str = "sigmoid",
        fused: bool = True,
        layer: int = 1,
        index: int = 0,
    ) -> None:
        self.activation = _check_choice("activation", activation, tuple(ACTIVATIONS))
        self._fused = bool(fused)
        self.w: tuple[Value, ...] = tuple(
            Value(wi, label=f"W{layer}[{i},{index}]") for i, wi in enumerate(weights)
        )
        self.b = Value(bias, label=f"b{layer}[{index}]")
        self._activate = ACTIVATIONS[activation]
        self._h_label = f"h{layer}[{index}]"
        self._a_label = f"a{layer}[{index}]"

    @property
    def nin(self) -> int:
        return len(self.w)

    @property
    def fused(self) -> bool:
        """Whether the sum is one ``Σwx+b`` node; fixed when the neuron is made."""
        return self._fused

    def __call__(self, x: Sequence[Value]) -> Value:
        if self._fused:
            h = weighted_sum(self.w, x, self.b)
        else:
            h = self.b
            for wi, xi in zip(self.w, x, strict=True):
                h = h + wi * xi
        return self._activated(h)

    def _activated(self, h: Value) -> Value:
        """Label h, apply f and label a (a linear unit returns h itself)."""
        h.label = self._h_label
        if self.activation == "linear":
            return h
        a = self._activate(h)
        a.label = self._a_label
        return a

    def parameters(self) -> list[Value]:
        """The weights w₁…wₙ, then the bias b."""
        return [*self.w, self.b]

    def __repr__(self) -> str:
        return f"Neuron(nin={self.nin}, activation={self.activation!r})"


class Layer:
    """A list of neurons that all read the same inputs. Calling it returns a list, always,
    so a hidden layer of one neuron feeds the next layer like any other."""

    def __init__(self, neurons: Sequence[Neuron]) -> None:
        if not neurons:
            raise ValueError("a Layer needs at least one neuron")
        nins = {n.nin for n in neurons}
        if len(nins) != 1:
            raise ValueError(f"all neurons of a Layer need the same input size, got {sorted(nins)}")
        self._neurons = tuple(neurons)
        self._fused = all(n.fused for n in self._neurons)  # both fixed, so decided once

    @property
    def neurons(self) -> tuple[Neuron, ...]:
        """The neurons, in output order; fixed when the layer is made."""
        return self._neurons

    @property
    def nin(self) -> int:
        return self.neurons[0].nin

    @property
    def nout(self) -> int:
        return len(self.neurons)

    def __call__(self, x: Sequence[Value]) -> list[Value]:
        neurons = self._neurons  # the attribute, not the property: this runs per example
        if self._fused:  # one call reads the inputs' numbers once for all the neurons
            sums = layer_weighted_sums([n.w for n in neurons], x, [n.b for n in neurons])
            return [n._activated(h) for n, h in zip(neurons, sums, strict=True)]
        x = tuple(x)  # once per layer, not once per neuron
        return [neuron(x) for neuron in neurons]

    def parameters(self) -> list[Value]:
        return [p for neuron in self.neurons for p in neuron.parameters()]

    def weight_matrix(self) -> list[list[float]]:
        """W as the documents write it: ``W[i][j]`` from input i to neuron j."""
        return [[n.w[i].data for n in self.neurons] for i in range(self.nin)]

    def biases(self) -> list[float]:
        return [n.b.data for n in self.neurons]

    def __repr__(self) -> str:
        return f"Layer(nin={self.nin}, nout={self.nout}, activation={self.neurons[0].activation!r})"


class MLP:
    """A multi-layer perceptron: ``MLP(3, [4, 1])`` is 3 inputs, 4 hidden neurons, 1 output.

    Args:
        nin: number of inputs.
        nouts: the size of each layer, the last one being the output layer.
        activation: f for the hidden layers: ``"sigmoid"``, ``"tanh"``, ``"relu"`` or ``"linear"``.
        output_activation: f for the output layer.
        init: ``"xavier"`` (N(0, 2/(n_in+n_out)), document 003), ``"he"`` or ``"uniform"``.
        seed: makes the initial weights reproducible; the global ``random`` state is untouched.
        fused: one ``Σwx+b`` node per neuron (fast) or binary ``*``/``+`` chains (smallest steps).
    """

    def __init__(
        self,
        nin: int,
        nouts: Sequence[int],
        activation: str = "sigmoid",
        output_activation: str = "sigmoid",
        init: str = "xavier",
        seed: int | None = None,
        fused: bool = True,
    ) -> None:
        positive_int("nin", nin)
        if isinstance(nouts, (str, bytes)) or not isinstance(nouts, Sequence) or not nouts:
            raise TypeError(f"nouts must be a non-empty list of layer sizes, got {nouts!r}")
        for size in nouts:
            positive_int("each layer size in nouts", size)
        _check_choice("activation", activation, tuple(ACTIVATIONS))
        _check_choice("output_activation", output_activation, tuple(ACTIVATIONS))
        _check_choice("init", init, INITIALISERS)
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
            raise TypeError(f"seed must be an int or None, got {type(seed).__name__} {seed!r}")
        rng = random.Random(seed)
        sizes = [nin, *nouts]
        weights = [initial_weights(sizes[l], sizes[l + 1], init, rng) for l in range(len(nouts))]
        biases = [[0.0] * size for size in nouts]
        self._build(weights, biases, activation, output_activation, fused)
        self.init = init

    def _build(
        self,
        weights: Sequence[Sequence[Sequence[float]]],
        biases: Sequence[Sequence[float]],
        activation: str,
        output_activation: str,
        fused: bool,
    ) -> None:
        if not isinstance(fused, bool):
            raise TypeError(f"fused must be True or False, got {type(fused).__name__} {fused!r}")
        self.activation = activation
        self.output_activation = output_activation
        self.layers: list[Layer] = []
        for l, (matrix, layer_biases) in enumerate(zip(weights, biases, strict=True), start=1):
            f = output_activation if l == len(weights) else activation
            neurons = [
                Neuron([row[j] for row in matrix], layer_biases[j], f, fused, l, j)
                for j in range(len(layer_biases))
            ]
            self.layers.append(Layer(neurons))
        self._input_labels = tuple(f"x[{i}]" for i in range(self.nin))

    @classmethod
    def from_weights(
        cls,
        weights: Sequence[Sequence[Sequence[float]]],
        biases: Sequence[Sequence[float]] | None = None,
        activation: str = "sigmoid",
        output_activation: str | None = None,
        fused: bool = True,
    ) -> MLP:
        """A network with given weights: ``weights[l][i][j]`` is the weight from input ``i``
        to neuron ``j`` of layer ``l``, the documents' matrix layout. Biases default to 0.

        Document 001's three matrices with input [0.3, 0.7, 0.5] give [0.896, 0.805].
        """
        sizes = _check_weight_shapes(weights, biases)
        if biases is None:
            biases = [[0.0] * size for size in sizes[1:]]
        output_activation = activation if output_activation is None else output_activation
        _check_choice("activation", activation, tuple(ACTIVATIONS))
        _check_choice("output_activation", output_activation, tuple(ACTIVATIONS))
        model = cls.__new__(cls)
        model._build(weights, biases, activation, output_activation, fused)
        model.init = "given"
        return model

    @property
    def nin(self) -> int:
        return self.layers[0].nin

    @property
    def sizes(self) -> list[int]:
        """``[nin, n₁, …, n_L]``: the input size, then each layer's size."""
        return [self.nin, *(layer.nout for layer in self.layers)]

    def inputs(self, x: Sequence[float | Value]) -> tuple[Value, ...]:
        """``x`` as input nodes labelled ``x[0]``, ``x[1]``, …; Values pass through unchanged."""
        if isinstance(x, (str, bytes)) or not isinstance(x, Sequence):
            raise TypeError(f"the input must be a list of numbers, got {type(x).__name__}")
        if len(x) != self.nin:
            raise ValueError(f"the input has {len(x)} values, but this MLP expects {self.nin}")
        labels = self._input_labels
        return tuple(v if type(v) is Value else Value(v, labels[i]) for i, v in enumerate(x))

    def __call__(self, x: Sequence[float | Value]) -> Value | list[Value]:
        """The outputs a⁽ᴸ⁾ for one example: one ``Value`` if the last layer has one neuron,
        otherwise a list."""
        activations: Sequence[Value] = self.inputs(x)
        for layer in self.layers:
            activations = layer(activations)
        return activations[0] if len(activations) == 1 else activations

    def forward_all(self, x: Sequence[float | Value]) -> list[list[Value]]:
        """Every layer's activations for one example: ``[a⁽⁰⁾ = x, a⁽¹⁾, …, a⁽ᴸ⁾]``."""
        activations = [list(self.inputs(x))]
        for layer in self.layers:
            activations.append(layer(activations[-1]))
        return activations

    def parameters(self) -> list[Value]:
        """All weights and biases: layer by layer, neuron by neuron, weights before bias."""
        return [p for layer in self.layers for p in layer.parameters()]

    def named_parameters(self) -> Iterator[tuple[str, Value]]:
        """``(label, parameter)`` pairs, for example ``("W1[0,2]", <Value>)``."""
        return ((p.label, p) for p in self.parameters())

    def parameter(self, name: str) -> Value:
        """The parameter with label ``name`` (``"W2[1,0]"``, ``"b1[2]"``)."""
        for p in self.parameters():
            if p.label == name:
                return p
        valid = [p.label for p in self.parameters()]
        shown = ", ".join(valid[:8]) + (", ..." if len(valid) > 8 else "")
        raise KeyError(f"no parameter named {name!r}; valid names look like: {shown}")

    def zero_grad(self) -> None:
        """Set every parameter's ``.grad`` to 0 before the next ``backward()``."""
        for p in self.parameters():
            p.grad = 0.0

    # Thin doors to other modules, imported on use: nn stays free of json and of torch.

    def save(self, path: str | os.PathLike) -> None:
        """Save to a JSON file that :meth:`load` reads back bit for bit (see ``checkpoint``)."""
        from tinygrad_edu.checkpoint import save_model

        save_model(self, path)

    @classmethod
    def load(cls, path: str | os.PathLike) -> MLP:
        """A new MLP from a file written by :meth:`save` (or a training checkpoint)."""
        from tinygrad_edu.checkpoint import load_model

        return load_model(path)

    @classmethod
    def from_torch(cls, sequential: object, fused: bool = True) -> MLP:
        """An MLP with the weights of a ``torch.nn.Sequential`` of Linear and activation
        modules, such as one made by ``torch_bridge.to_torch`` (needs the ``torch`` extra)."""
        from tinygrad_edu.torch_bridge import from_torch

        return from_torch(sequential, fused=fused)

    def __repr__(self) -> str:
        return (
            f"MLP({self.nin}, {[layer.nout for layer in self.layers]}, "
            f"activation={self.activation!r}, output_activation={self.output_activation!r})"
        )


def _check_weight_shapes(
    weights: Sequence[Sequence[Sequence[float]]], biases: Sequence[Sequence[float]] | None
) -> list[int]:
    """Check that the matrices chain together; return the layer sizes ``[nin, n₁, …]``."""
    if not isinstance(weights, Sequence) or not weights:
        raise ValueError("weights must be a non-empty list of matrices, one per layer")
    sizes: list[int] = []
    for l, matrix in enumerate(weights, start=1):
        if not isinstance(matrix, Sequence) or not matrix:
            raise ValueError(f"weights of layer {l} must be a non-empty matrix (list of rows)")
        for i, row in enumerate(matrix):
            _check_list(row, f"row {i} of the weight matrix of layer {l}")
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
        _check_list(biases, "biases")
        for l, layer_biases in enumerate(biases, start=1):
            _check_list(layer_biases, f"biases of layer {l}")
        if len(biases) != len(weights):
            raise ValueError(f"biases has {len(biases)} layers, weights has {len(weights)}")
        for l, (layer_biases, size) in enumerate(zip(biases, sizes[1:], strict=True), start=1):
            if len(layer_biases) != size:
                raise ValueError(
                    f"biases of layer {l} has {len(layer_biases)} values, expected {size}"
                )
    return sizes


def _check_list(value: object, what: str) -> None:
    # a str or a dict also has a len(), but no numbers at positions 0, 1, …
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise TypeError(f"{what} must be a list of numbers, got {type(value).__name__}")
