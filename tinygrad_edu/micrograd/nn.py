"""micrograd 0.1.0's ``nn``: ``Module``, ``Neuron``, ``Layer`` and ``MLP``, same signatures, same
meaning, same numbers.

``MLP(nin, nouts)`` has ReLU hidden layers and a linear last layer. Every weight is drawn with
the global ``random.uniform(-1, 1)`` in micrograd's order (layer by layer, neuron by neuron,
weight by weight) and every bias is 0, so ``random.seed(1337)`` gives micrograd's very weights.
A neuron computes act = b + w₁x₁ + w₂x₂ + … in that order and returns ``act.relu()``, or ``act``
for a linear one, as micrograd's ``sum(..., self.b)`` does.

By default a neuron is micrograd's chain of ``*`` and ``+`` nodes. With
``install(fused=True)``, or ``Neuron(nin, fused=True)``, it is one ``Σwx+b`` node with an edge per
weight and input (much faster), summed in the same order, so values and gradients are
bit-identical.

Differences, on purpose: an MLP labels its parameters in the documents' notation
(``W1[0,2]`` is layer 1's weight from input 0 to neuron 2, ``b1[2]`` its bias), which
micrograd's reprs never show but ``explain`` and ``draw_dot`` do; and a neuron given the wrong
number of inputs raises instead of silently using the first ones.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence

from tinygrad_edu import checks, notation
from tinygrad_edu import nn as native_nn
from tinygrad_edu.core import Value as CoreValue
from tinygrad_edu.core.messages import describe
from tinygrad_edu.micrograd.engine import Value, fused_neuron

Inputs = Iterable[CoreValue | float | int]


class Settings:
    """What ``install()`` chose: whether a new ``Neuron`` is fused unless told otherwise."""

    fused = False


class Module:
    """micrograd's base class: ``parameters()`` lists the Values, ``zero_grad()`` zeroes them."""

    def zero_grad(self) -> None:
        for p in self.parameters():
            p.grad = 0  # micrograd's int 0

    def parameters(self) -> list[CoreValue]:
        return []


class Neuron(Module):
    """act = b + Σᵢ wᵢ·xᵢ, then ReLU if ``nonlin``: ``nin`` weights from U(−1, 1), bias 0.

    ``fused`` (keyword only, not in micrograd): one ``Σwx+b`` node instead of the chain;
    ``None`` takes ``install()``'s choice.
    """

    def __init__(self, nin: int, nonlin: bool = True, *, fused: bool | None = None) -> None:
        checks.integer("nin", nin, low=0)
        self.w: list[CoreValue] = [Value(random.uniform(-1, 1)) for _ in range(nin)]
        self.b: CoreValue = Value(0)
        self.nonlin = nonlin
        self.fused = Settings.fused if fused is None else checks.flag("fused", fused)
        self._row: tuple[CoreValue, ...] = ()  # (w₁, …, wₙ, b), shared by its Σwx+b nodes
        self._row_of: list[CoreValue] = []

    def __call__(self, x: Inputs) -> CoreValue:
        return self.forward(as_inputs(x, len(self.w)))

    def forward(self, x: tuple[CoreValue, ...]) -> CoreValue:
        """The neuron on inputs already checked by :func:`as_inputs`."""
        if len(x) != len(self.w):
            raise ValueError(f"{self!r} has {len(self.w)} weights but got {len(x)} inputs")
        act: CoreValue
        if self.fused and x:
            act = fused_neuron(self._parameter_row(), x)
        else:
            act = self.b
            for wi, xi in zip(self.w, x):  # noqa: B905 - the lengths were just checked
                act = act + wi * xi
        return act.relu() if self.nonlin else act

    def _parameter_row(self) -> tuple[CoreValue, ...]:
        """(w₁, …, wₙ, b), made again only if a weight or the bias was replaced: every node
        sharing one tuple lets the topological sort walk the weights once."""
        if self._row_of != self.w or self._row[-1] is not self.b:
            self._row_of = list(self.w)
            self._row = (*self.w, self.b)
        return self._row

    def parameters(self) -> list[CoreValue]:
        return self.w + [self.b]

    def __repr__(self) -> str:
        return f"{'ReLU' if self.nonlin else 'Linear'}Neuron({len(self.w)})"


class Layer(Module):
    """``nout`` neurons reading the same ``nin`` inputs; ``kwargs`` go to each ``Neuron``.
    Returns the one output itself for a layer of one neuron, else a list (as micrograd)."""

    def __init__(self, nin: int, nout: int, **kwargs: bool | None) -> None:
        checks.integer("nout", nout, low=0)
        self.neurons = [Neuron(nin, **kwargs) for _ in range(nout)]  # type: ignore[arg-type]

    def __call__(self, x: Inputs) -> CoreValue | list[CoreValue]:
        inputs = as_inputs(x, None)  # once, shared by every neuron's node
        out = [n.forward(inputs) for n in self.neurons]
        return out[0] if len(out) == 1 else out

    def parameters(self) -> list[CoreValue]:
        return [p for n in self.neurons for p in n.parameters()]

    def __repr__(self) -> str:
        return f"Layer of [{', '.join(str(n) for n in self.neurons)}]"


class MLP(Module):
    """Layers of sizes ``nouts`` after ``nin`` inputs: ReLU in every layer but the last,
    which is linear. ``MLP(2, [16, 16, 1])`` is micrograd's demo network."""

    def __init__(self, nin: int, nouts: Sequence[int]) -> None:
        checks.positive_int("nin", nin)
        if isinstance(nouts, (str, bytes)) or not isinstance(nouts, Sequence) or not nouts:
            raise TypeError(f"nouts must be a non-empty list of layer sizes, got {describe(nouts)}")
        for size in nouts:
            checks.positive_int("each layer size in nouts", size)
        sizes = [nin, *nouts]
        self.layers = [
            Layer(sizes[i], sizes[i + 1], nonlin=i != len(nouts) - 1) for i in range(len(nouts))
        ]
        for l, layer in enumerate(self.layers, start=1):
            for j, neuron in enumerate(layer.neurons):
                for i, w in enumerate(neuron.w):
                    w.label = notation.weight(l, i, j)
                neuron.b.label = notation.bias(l, j)

    def __call__(self, x: Inputs) -> CoreValue | list[CoreValue]:
        out: CoreValue | list[CoreValue] | Inputs = x
        for layer in self.layers:
            out = layer(out)  # type: ignore[arg-type]
        return out  # type: ignore[return-value]

    def parameters(self) -> list[CoreValue]:
        return [p for layer in self.layers for p in layer.parameters()]

    def native(self, fused: bool = True) -> native_nn.MLP:
        """This network with its current weights as a ``tinygrad_edu.MLP`` (ReLU hidden layers,
        a linear output), whose forward values are this network's, bit for bit.

        ``tinygrad_edu.MLP(nin, nouts, activation="relu", output_activation="linear",
        init="uniform")`` makes the same kind of network, but from the same seed other weights:
        it draws them input by input, where micrograd draws them neuron by neuron.
        """
        weights = [
            [[n.w[i].data for n in layer.neurons] for i in range(len(layer.neurons[0].w))]
            for layer in self.layers
        ]
        biases = [[n.b.data for n in layer.neurons] for layer in self.layers]
        return native_nn.MLP.from_weights(
            weights, biases, activation="relu", output_activation="linear", fused=fused
        )

    def __repr__(self) -> str:
        return f"MLP of [{', '.join(str(layer) for layer in self.layers)}]"


def as_inputs(x: Inputs | CoreValue, size: int | None) -> tuple[CoreValue, ...]:
    """The inputs as a tuple of Values, numbers becoming leaves (micrograd's ``Value(x)``);
    ``size`` checks how many there are."""
    if isinstance(x, (str, bytes, CoreValue)) or not isinstance(x, Iterable):
        raise TypeError(f"a neuron's input must be a list of Values or numbers, got {describe(x)}")
    inputs = tuple(v if isinstance(v, CoreValue) else Value(v) for v in x)
    if size is not None and len(inputs) != size:
        raise ValueError(f"the neuron has {size} weights but got {len(inputs)} inputs")
    return inputs
