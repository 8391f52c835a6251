"""One unit: a = f(Σᵢ wᵢ·xᵢ + b)."""

from __future__ import annotations

from collections.abc import Sequence

from tinygrad_edu import checks, notation
from tinygrad_edu.core import Value, layer_weighted_sums
from tinygrad_edu.nn.activations import ACTIVATIONS, LINEAR, Activation, activation_name

Unit = tuple[Activation | None, str, str]  # a neuron's f (None if linear), h's and a's labels


def activated(units: Sequence[Unit], sums: Sequence[Value]) -> list[Value]:
    """aⱼ = fⱼ(hⱼ) for each neuron's unit and pre-activation, labelling hⱼ and aⱼ (a linear
    unit's a is h itself). A layer calls it once for all its neurons."""
    outputs = []
    for (activate, h_label, a_label), h in zip(units, sums):  # noqa: B905 - as long, by design
        h.label = h_label
        if activate is not None:
            h = activate(h)
            h.label = a_label
        outputs.append(h)
    return outputs


class Neuron:
    """One unit: a = f(Σᵢ wᵢ·xᵢ + b), its parameters labelled in the documents' notation.

    With ``fused=True`` the sum is one n-ary node (``Σwx+b``) with an edge per weight and
    input; with ``fused=False`` it is micrograd's chain of binary ``*`` and ``+`` nodes, for
    teaching the smallest steps. Both give bit-identical values and gradients.
    """

    def __init__(
        self,
        weights: Sequence[float],
        bias: float = 0.0,
        activation: str | Activation = "sigmoid",
        fused: bool = True,
        layer: int = 1,
        index: int = 0,
    ) -> None:
        name = activation_name(activation)  # a custom op's function: its symbol
        self.activation = checks.choice("activation", name, tuple(ACTIVATIONS))
        self._fused = checks.flag("fused", fused)
        weight_values = [Value(w, notation.weight(layer, i, index)) for i, w in enumerate(weights)]
        # (w₁, …, wₙ, b): shared, never copied, by every Σwx+b node this neuron makes
        self._parameters = (*weight_values, Value(bias, notation.bias(layer, index)))
        # what activated() does: f (None for a linear unit), and the labels of h and a
        self._unit: Unit = (
            None if self.activation == LINEAR else ACTIVATIONS[self.activation],
            notation.pre_activation(layer, index),
            notation.activation(layer, index),
        )

    @property
    def w(self) -> tuple[Value, ...]:
        """The weights w₁…wₙ."""
        return self._parameters[:-1]

    @property
    def b(self) -> Value:
        """The bias."""
        return self._parameters[-1]

    @property
    def nin(self) -> int:
        return len(self._parameters) - 1

    @property
    def fused(self) -> bool:
        """Whether the sum is one ``Σwx+b`` node; fixed when the neuron is made."""
        return self._fused

    def __call__(self, x: Sequence[Value]) -> Value:
        if len(x) != self.nin:
            raise ValueError(f"the neuron has {self.nin} weights but got {len(x)} inputs")
        if self._fused:
            h = layer_weighted_sums([self._parameters], x)[0]
        else:  # b + w₁x₁ + w₂x₂ + …; zip stops at the last input, before the bias
            parameters = self._parameters
            h = parameters[-1]
            for wi, xi in zip(parameters, x):  # noqa: B905 - the lengths were just checked
                h = h + wi * xi
        return self.activated(h)

    def activated(self, h: Value) -> Value:
        """Label h, apply f and label a (a linear unit returns h itself)."""
        return activated([self._unit], [h])[0]

    def parameters(self) -> list[Value]:
        """The weights w₁…wₙ, then the bias b."""
        return list(self._parameters)

    def __repr__(self) -> str:
        return f"Neuron(nin={self.nin}, activation={self.activation!r})"
