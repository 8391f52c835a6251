"""The shape of a network, as the layer view reads it: its layers, each neuron's weights, bias
and activation. One reading for this package's ``MLP`` and for the micrograd drop-in's
(``tinygrad_edu.micrograd.nn.MLP``), so the layer view takes either.

This package's neurons label their nodes (``h2[0]``, ``a2[0]``), so a neuron's sum is found by
its label; micrograd's label only their parameters, so a neuron's sum is found from its
weights, as the node that adds its last product ``wₙ·xₙ`` (or its Σwx+b node).
"""

from __future__ import annotations

from dataclasses import dataclass

from tinygrad_edu.core import Value
from tinygrad_edu.nn.activations import LINEAR
from tinygrad_edu.nn.mlp import MLP

__all__ = ["LayerShape", "NetworkShape", "NeuronShape", "network_shape"]


@dataclass(frozen=True)
class NeuronShape:
    """One neuron: its weights, its bias, its activation's name (``"relu"``, ``"linear"``)
    and the symbol of the op its activation nodes show (micrograd's ReLU is ``"ReLU"``)."""

    w: tuple[Value, ...]
    b: Value
    activation: str
    symbol: str

    @property
    def nin(self) -> int:
        return len(self.w)


@dataclass(frozen=True)
class LayerShape:
    neurons: tuple[NeuronShape, ...]

    @property
    def nin(self) -> int:
        return self.neurons[0].nin if self.neurons else 0

    @property
    def nout(self) -> int:
        return len(self.neurons)

    @property
    def activation(self) -> str:
        return self.neurons[0].activation if self.neurons else LINEAR


@dataclass(frozen=True)
class NetworkShape:
    """The layers, and whether the network labels its neurons' nodes (``h2[0]``)."""

    layers: tuple[LayerShape, ...]
    labelled: bool

    def parameters(self) -> list[Value]:
        return [p for layer in self.layers for n in layer.neurons for p in (*n.w, n.b)]


def network_shape(model: object) -> NetworkShape | None:
    """The shape of ``model``: an ``MLP`` of this package, or one of micrograd's API (layers
    of neurons with ``w``, ``b`` and ``nonlin``); ``None`` for anything else."""
    if isinstance(model, MLP):
        layers = tuple(
            LayerShape(
                tuple(
                    NeuronShape(tuple(n.w), n.b, n.activation, n.activation) for n in layer.neurons
                )
            )
            for layer in model.layers
        )
        return NetworkShape(layers, labelled=True)
    layers_of = getattr(model, "layers", None)
    if not isinstance(layers_of, list):
        return None
    shaped = []
    for layer in layers_of:
        neurons = getattr(layer, "neurons", None)
        if not isinstance(neurons, list) or not all(_micrograd_neuron(n) for n in neurons):
            return None
        shaped.append(
            LayerShape(
                tuple(
                    NeuronShape(
                        tuple(n.w), n.b, "relu" if n.nonlin else LINEAR, "ReLU" if n.nonlin else ""
                    )
                    for n in neurons
                )
            )
        )
    return NetworkShape(tuple(shaped), labelled=False) if shaped else None


def _micrograd_neuron(neuron: object) -> bool:
    weights = getattr(neuron, "w", None)
    return (
        isinstance(weights, list)
        and all(isinstance(w, Value) for w in weights)
        and isinstance(getattr(neuron, "b", None), Value)
        and isinstance(getattr(neuron, "nonlin", None), bool)
    )
