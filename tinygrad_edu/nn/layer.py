"""A layer: neurons that all read the same inputs."""

from __future__ import annotations

from collections.abc import Sequence

from tinygrad_edu.core import Value, layer_chains, layer_weighted_sums
from tinygrad_edu.nn.neuron import Neuron, activated


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
        # both fixed when the layer is made, so the fast path is decided once
        self._fused = all(n.fused for n in self._neurons)
        self._chained = not any(n.fused for n in self._neurons)  # all fused=False
        self._parameter_rows = [n._parameters for n in self._neurons]
        self._units = [n._unit for n in self._neurons]

    @property
    def neurons(self) -> tuple[Neuron, ...]:
        """The neurons, in output order; fixed when the layer is made."""
        return self._neurons

    @property
    def nin(self) -> int:
        return self._neurons[0].nin

    @property
    def nout(self) -> int:
        return len(self._neurons)

    def __call__(self, x: Sequence[Value], inputs_are_data: bool = False) -> list[Value]:
        """The layer's outputs for inputs ``x``. With ``inputs_are_data`` (a first layer in
        ``train()``), backward does not compute the inputs' gradients (fused neurons only)."""
        if self._fused:  # one call reads the inputs' numbers once for all the neurons
            sums = layer_weighted_sums(self._parameter_rows, x, inputs_are_data)
            return activated(self._units, sums)
        x = tuple(x)  # once per layer, not once per neuron
        if self._chained and len(x) == self.nin and all(type(v) is Value for v in x):
            # each neuron's chain b + w₁x₁ + …, the nodes Neuron.__call__ makes, made directly
            return activated(self._units, layer_chains(self._parameter_rows, x))
        return [neuron(x) for neuron in self._neurons]  # the attribute, not the property

    def parameters(self) -> list[Value]:
        return [p for neuron in self._neurons for p in neuron._parameters]

    def weight_matrix(self) -> list[list[float]]:
        """W as the documents write it: ``W[i][j]`` from input i to neuron j."""
        return [[n.w[i].data for n in self._neurons] for i in range(self.nin)]

    def biases(self) -> list[float]:
        return [n.b.data for n in self._neurons]

    def __repr__(self) -> str:
        return f"Layer(nin={self.nin}, nout={self.nout}, activation={self.neurons[0].activation!r})"
