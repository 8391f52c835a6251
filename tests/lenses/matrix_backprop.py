"""Backpropagation in the documents' matrix form, written out in plain Python for the tests.

It knows nothing of ``Value`` or of the package: it takes the weights as the documents lay
them out (``weights[l][i][j]`` from input i to neuron j of layer l + 1), the biases, each
layer's activation, a mini-batch X and targets Y, and the loss E = Σₙ ½ Σₖ (aₙₖ − yₙₖ)²:

    hₙ⁽ˡ⁾ = aₙ⁽ˡ⁻¹⁾W⁽ˡ⁾ + b⁽ˡ⁾,   aₙ⁽ˡ⁾ = f(hₙ⁽ˡ⁾),   δₙ⁽ᴸ⁾ = (aₙ⁽ᴸ⁾ − yₙ) ⊙ f′(hₙ⁽ᴸ⁾)
    ∂E/∂aₙ⁽ˡ⁻¹⁾ = W⁽ˡ⁾δₙ⁽ˡ⁾,   δₙ⁽ˡ⁻¹⁾ = ∂E/∂aₙ⁽ˡ⁻¹⁾ ⊙ f′(hₙ⁽ˡ⁻¹⁾)
    ∂E/∂W⁽ˡ⁾ = Σₙ aₙ⁽ˡ⁻¹⁾ᵀδₙ⁽ˡ⁾,   ∂E/∂b⁽ˡ⁾ = Σₙ δₙ⁽ˡ⁾
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

Matrix = list[list[float]]


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))


# f and f′, the derivative written in terms of h
FUNCTIONS = {
    "sigmoid": (_sigmoid, lambda h: _sigmoid(h) * (1.0 - _sigmoid(h))),
    "tanh": (math.tanh, lambda h: 1.0 - math.tanh(h) ** 2),
    "relu": (lambda h: max(h, 0.0), lambda h: 1.0 if h > 0 else 0.0),
    "linear": (lambda h: h, lambda h: 1.0),
}


@dataclass
class LayerResult:
    inputs: Matrix = field(default_factory=list)  # a⁽ˡ⁻¹⁾, a row per example
    output_grads: Matrix = field(default_factory=list)  # ∂E/∂a⁽ˡ⁾
    derivatives: Matrix = field(default_factory=list)  # f′(h⁽ˡ⁾)
    deltas: Matrix = field(default_factory=list)
    weight_grad: Matrix = field(default_factory=list)
    bias_grad: list[float] = field(default_factory=list)
    input_grads: Matrix = field(default_factory=list)


def transpose_times(a: Matrix, d: Matrix) -> Matrix:
    """Aᵀ Δ = Σₙ aₙᵀ δₙ."""
    return [
        [sum(a[n][i] * d[n][j] for n in range(len(a))) for j in range(len(d[0]))]
        for i in range(len(a[0]))
    ]


def matrix_backprop(
    weights: list[Matrix], biases: Matrix, activations: list[str], X: Matrix, Y: Matrix
) -> list[LayerResult]:
    layers = [LayerResult() for _ in weights]
    pre: list[Matrix] = [[] for _ in weights]
    outputs: list[Matrix] = [[] for _ in weights]
    for x in X:
        a = list(x)
        for l, (W, b) in enumerate(zip(weights, biases, strict=True)):
            layers[l].inputs.append(a)
            h = [sum(a[i] * W[i][j] for i in range(len(a))) + b[j] for j in range(len(b))]
            f = FUNCTIONS[activations[l]][0]
            a = [f(v) for v in h]
            pre[l].append(h)
            outputs[l].append(a)
    grads = [
        [o - y for o, y in zip(out, target, strict=True)]
        for out, target in zip(outputs[-1], Y, strict=True)
    ]
    for l in reversed(range(len(weights))):
        derivative = FUNCTIONS[activations[l]][1]
        layer = layers[l]
        layer.output_grads = grads
        layer.derivatives = [[derivative(v) for v in h] for h in pre[l]]
        layer.deltas = [
            [g * d for g, d in zip(gs, ds, strict=True)]
            for gs, ds in zip(grads, layer.derivatives, strict=True)
        ]
        layer.weight_grad = transpose_times(layer.inputs, layer.deltas)
        layer.bias_grad = [sum(d[j] for d in layer.deltas) for j in range(len(biases[l]))]
        W = weights[l]
        layer.input_grads = [
            [sum(W[i][j] * d[j] for j in range(len(d))) for i in range(len(W))]
            for d in layer.deltas
        ]
        grads = layer.input_grads
    return layers
