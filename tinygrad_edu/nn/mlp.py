"""The multi-layer perceptron, and its files.

Notation follows the documents: layer ``l`` (counted from 1) computes

    hⱼ⁽ˡ⁾ = Σᵢ aᵢ⁽ˡ⁻¹⁾ · W⁽ˡ⁾[i, j] + b⁽ˡ⁾[j]        aⱼ⁽ˡ⁾ = f(hⱼ⁽ˡ⁾)

with a⁽⁰⁾ = x, and every parameter is labelled that way (``W1[0,2]``, ``b1[2]``; see
:mod:`tinygrad_edu.notation`). ``W[i, j]`` is the weight from input ``i`` to neuron ``j``,
the layout of the documents' matrices.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING

from tinygrad_edu import checks, notation
from tinygrad_edu.core import Value
from tinygrad_edu.core.fused import input_leaves
from tinygrad_edu.nn.activations import ACTIVATIONS, Activation, activation_name
from tinygrad_edu.nn.init import INITIALISERS, RandomSource, initial_weights
from tinygrad_edu.nn.layer import Layer
from tinygrad_edu.nn.neuron import Neuron

if TYPE_CHECKING:
    from tinygrad_edu.model_data import ModelData

Matrices = Sequence[Sequence[Sequence[float]]]


class MLP:
    """A multi-layer perceptron: ``MLP(3, [4, 1])`` is 3 inputs, 4 hidden neurons, 1 output.

    Args:
        nin: number of inputs.
        nouts: the size of each layer, the last one being the output layer.
        activation: f for the hidden layers: ``"sigmoid"``, ``"tanh"``, ``"relu"`` or ``"linear"``,
            or a one-operand op made with ``custom_op`` (kept by its symbol).
        output_activation: f for the output layer.
        init: ``"xavier"`` (N(0, 2/(n_in+n_out)), document 003), ``"he"`` or ``"uniform"``.
        seed: an int makes the initial weights reproducible without touching the global
            ``random`` state; ``None`` draws them from the global ``random`` module, so that
            ``random.seed(1)`` before ``MLP(...)`` gives the same network every run.
        fused: one ``Σwx+b`` node per neuron (fast) or binary ``*``/``+`` chains (smallest steps).
    """

    def __init__(
        self,
        nin: int,
        nouts: Sequence[int],
        activation: str | Activation = "sigmoid",
        output_activation: str | Activation = "sigmoid",
        init: str = "xavier",
        seed: int | None = None,
        fused: bool = True,
    ) -> None:
        checks.positive_int("nin", nin)
        if isinstance(nouts, (str, bytes)) or not isinstance(nouts, Sequence) or not nouts:
            raise TypeError(f"nouts must be a non-empty list of layer sizes, got {nouts!r}")
        for size in nouts:
            checks.positive_int("each layer size in nouts", size)
        activation, output_activation = _activation_names(activation, output_activation)
        checks.choice("init", init, INITIALISERS)
        if seed is not None:
            checks.integer("seed", seed)
        import random  # here, not at the top: a fifth of the package's import time

        rng: RandomSource = random if seed is None else random.Random(seed)
        sizes = [nin, *nouts]
        weights = [initial_weights(sizes[l], sizes[l + 1], init, rng) for l in range(len(nouts))]
        biases = [[0.0] * size for size in nouts]
        self._build(weights, biases, activation, output_activation, fused)
        self.init = init

    def _build(
        self,
        weights: Matrices,
        biases: Sequence[Sequence[float]],
        activation: str,
        output_activation: str,
        fused: bool,
    ) -> None:
        checks.flag("fused", fused)
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
        self._input_labels = tuple(notation.network_input(i) for i in range(self.nin))

    @classmethod
    def from_weights(
        cls,
        weights: Matrices,
        biases: Sequence[Sequence[float]] | None = None,
        activation: str | Activation = "sigmoid",
        output_activation: str | Activation | None = None,
        fused: bool = True,
    ) -> MLP:
        """A network with given weights: ``weights[l][i][j]`` is the weight from input ``i``
        to neuron ``j`` of layer ``l``, the documents' matrix layout. Biases default to 0.

        Document 001's three matrices with input [0.3, 0.7, 0.5] give [0.896, 0.805].
        """
        from tinygrad_edu.model_data import check_shapes  # plain data, read when first used

        sizes = check_shapes(weights, biases)
        if biases is None:
            biases = [[0.0] * size for size in sizes[1:]]
        output_activation = activation if output_activation is None else output_activation
        activation, output_activation = _activation_names(activation, output_activation)
        model = cls.__new__(cls)
        model._build(weights, biases, activation, output_activation, fused)
        model.init = "given"
        return model

    # ----- as plain data, for files and for PyTorch -------------------------------------

    def to_data(self) -> ModelData:
        """The architecture and every parameter as plain numbers (see ``model_data``)."""
        from tinygrad_edu.model_data import Architecture, ModelData

        architecture = Architecture(
            self.sizes, self.activation, self.output_activation, self.init, self.fused
        )
        weights = [layer.weight_matrix() for layer in self.layers]
        return ModelData(architecture, weights, [layer.biases() for layer in self.layers])

    @classmethod
    def from_data(cls, data: ModelData) -> MLP:
        """The network that ``data`` describes (what :meth:`to_data` gives)."""
        arch = data.architecture
        model = cls.from_weights(
            data.weights, data.biases, arch.activation, arch.output_activation, arch.fused
        )
        model.init = arch.init
        return model

    def save(self, path: str | os.PathLike[str]) -> None:
        """Save to a JSON file that :meth:`load` reads back bit for bit (see ``files``)."""
        from tinygrad_edu.files import model_file  # json and friends, when first used

        model_file.save(path, self.to_data())

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> MLP:
        """A new MLP from a file written by :meth:`save` (or a training checkpoint)."""
        from tinygrad_edu.files import model_file

        return cls.from_data(model_file.load(path, tuple(ACTIVATIONS)))

    def load_parameters(self, path: str | os.PathLike[str]) -> None:
        """Overwrite every parameter with those saved in ``path``: all or nothing. The file's
        sizes and activations must be this model's. Gradients are left alone, as in
        PyTorch's ``load_state_dict``."""
        from tinygrad_edu.files import model_file

        data = model_file.load(path, tuple(ACTIVATIONS), expected=self.to_data().architecture)
        self.set_parameters(data)

    def set_parameters(self, data: ModelData) -> None:
        """Put the numbers of ``data`` (of this architecture) into the parameters."""
        for layer, matrix, biases in zip(self.layers, data.weights, data.biases, strict=True):
            for j, neuron in enumerate(layer.neurons):
                for i, w in enumerate(neuron.w):
                    w.data = matrix[i][j]
                neuron.b.data = biases[j]

    @classmethod
    def from_torch(cls, sequential: object, fused: bool = True) -> MLP:
        """An MLP with the weights of a ``torch.nn.Sequential`` of Linear and activation
        modules, such as one made by ``to_torch`` (needs PyTorch)."""
        from tinygrad_edu.torch_bridge import data_from_torch

        return cls.from_data(data_from_torch(sequential, fused))

    # ----- running it -------------------------------------------------------------------

    @property
    def nin(self) -> int:
        return self.layers[0].nin

    @property
    def sizes(self) -> list[int]:
        """``[nin, n₁, …, n_L]``: the input size, then each layer's size."""
        return [self.nin, *(layer.nout for layer in self.layers)]

    @property
    def fused(self) -> bool:
        """Whether the neurons are ``Σwx+b`` nodes (all of them; fixed when made)."""
        return all(layer._fused for layer in self.layers)

    def inputs(self, x: Sequence[float | Value]) -> tuple[Value, ...]:
        """``x`` as input nodes labelled ``x[0]``, ``x[1]``, …; Values pass through unchanged."""
        if type(x) is not list and (isinstance(x, (str, bytes)) or not isinstance(x, Sequence)):
            raise TypeError(f"the input must be a list of numbers, got {type(x).__name__}")
        if len(x) != self.nin:
            raise ValueError(f"the input has {len(x)} values, but this MLP expects {self.nin}")
        return input_leaves(x, self._input_labels)

    def __call__(
        self, x: Sequence[float | Value], *, input_grads: bool = True
    ) -> Value | list[Value]:
        """The outputs a⁽ᴸ⁾ for one example: one ``Value`` if the last layer has one neuron,
        otherwise a list. With ``input_grads=False`` backward does not compute the inputs'
        gradients (in fused first layers), as ``train()`` does."""
        activations = self.layers[0](self.inputs(x), not input_grads)
        for layer in self.layers[1:]:
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

    def __repr__(self) -> str:
        return (
            f"MLP({self.nin}, {[layer.nout for layer in self.layers]}, "
            f"activation={self.activation!r}, output_activation={self.output_activation!r})"
        )


def _activation_names(activation: object, output_activation: object) -> tuple[str, str]:
    """Both activations checked, as names (a custom op given as its function: its symbol)."""
    names = tuple(ACTIVATIONS)
    return (
        checks.choice("activation", activation_name(activation), names),
        checks.choice("output_activation", activation_name(output_activation), names),
    )


def save_model(model: MLP, path: str | os.PathLike[str]) -> None:
    """Write ``model`` to ``path`` as JSON: architecture and every parameter, exactly. The
    file is replaced atomically: if anything fails, the previous file is untouched."""
    if not isinstance(model, MLP):
        raise TypeError(f"save_model needs an MLP, got {type(model).__name__}")
    model.save(path)


def load_model(path: str | os.PathLike[str]) -> MLP:
    """A new :class:`MLP` from a model file (or from the model in a training checkpoint)."""
    return MLP.load(path)


def load_into(model: MLP, path: str | os.PathLike[str]) -> None:
    """Overwrite the parameters of ``model`` with those saved in ``path`` (see
    :meth:`MLP.load_parameters`)."""
    if not isinstance(model, MLP):
        raise TypeError(f"load_into needs an MLP, got {type(model).__name__}")
    model.load_parameters(path)


def from_torch(sequential: object, fused: bool = True) -> MLP:
    """An MLP with the weights of a ``torch.nn.Sequential`` (see :meth:`MLP.from_torch`)."""
    return MLP.from_torch(sequential, fused)
