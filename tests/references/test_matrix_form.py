"""The graph's gradients against the documents' equations, written out in plain Python.

Row-vector convention of document 001: h⁽ˡ⁾ = a⁽ˡ⁻¹⁾W⁽ˡ⁾ + b⁽ˡ⁾, a⁽ˡ⁾ = σ(h⁽ˡ⁾), and

    δ⁽ᴸ⁾ = ∂E/∂a⁽ᴸ⁾ ⊙ σ′(h⁽ᴸ⁾)          δ⁽ˡ⁾ = (δ⁽ˡ⁺¹⁾ W⁽ˡ⁺¹⁾ᵀ) ⊙ σ′(h⁽ˡ⁾)
    ∂E/∂W⁽ˡ⁾ = a⁽ˡ⁻¹⁾ᵀ δ⁽ˡ⁾              ∂E/∂b⁽ˡ⁾ = δ⁽ˡ⁾            ∂E/∂x = δ⁽¹⁾ W⁽¹⁾ᵀ

with σ′(h) = σ(h)(1 − σ(h)) = a(1 − a).
"""

from __future__ import annotations

import math
import random

import pytest

from tinygrad_edu import MLP, Value, half_sum_squared_error, sum_squared_error
from tinygrad_edu.datasets import DOCUMENT_001


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


def vec_mat(v: list[float], m: list[list[float]]) -> list[float]:
    return [sum(v[i] * m[i][j] for i in range(len(v))) for j in range(len(m[0]))]


def mat_vec_transposed(m: list[list[float]], d: list[float]) -> list[float]:
    """(d Wᵀ)ᵢ = Σⱼ W[i][j] dⱼ."""
    return [sum(m[i][j] * d[j] for j in range(len(d))) for i in range(len(m))]


def outer(a: list[float], d: list[float]) -> list[list[float]]:
    return [[ai * dj for dj in d] for ai in a]


def matrix_backprop(weights, biases, x, loss_gradient_last):
    """Forward and backward in the documents' matrix form; returns (dW, db, dx, a_last)."""
    activations = [x]
    for W, b in zip(weights, biases, strict=True):
        h = [hj + bj for hj, bj in zip(vec_mat(activations[-1], W), b, strict=True)]
        activations.append([sigmoid(z) for z in h])
    a_last = activations[-1]
    delta = [g * a * (1 - a) for g, a in zip(loss_gradient_last(a_last), a_last, strict=True)]
    dW, db = [None] * len(weights), [None] * len(weights)
    for l in reversed(range(len(weights))):
        dW[l] = outer(activations[l], delta)
        db[l] = delta
        back = mat_vec_transposed(weights[l], delta)
        if l > 0:
            delta = [g * a * (1 - a) for g, a in zip(back, activations[l], strict=True)]
    return dW, db, back, a_last


def graph_gradients(model: MLP, x_nodes: list[Value]):
    dW = [layer_.weight_matrix() for layer_ in model.layers]
    for l, layer_ in enumerate(model.layers):
        for j, neuron in enumerate(layer_.neurons):
            for i, w in enumerate(neuron.w):
                dW[l][i][j] = w.grad
    db = [[n.b.grad for n in layer_.neurons] for layer_ in model.layers]
    return dW, db, [x.grad for x in x_nodes]


def assert_close(a, b, rel=1e-12, abs_=1e-15):
    assert a == pytest.approx(b, rel=rel, abs=abs_)


def test_document_001_gradients_match_equation_16():
    weights, x, y = DOCUMENT_001.weights, DOCUMENT_001.x, [1.0, 0.0]
    biases = [[0.0] * len(W[0]) for W in weights]
    model = MLP.from_weights(weights)
    x_nodes = [Value(v) for v in x]
    half_sum_squared_error(model(x_nodes), y).backward()

    dW, db, dx, _ = matrix_backprop(
        weights, biases, x, lambda a: [ai - yi for ai, yi in zip(a, y, strict=True)]
    )
    got_W, got_b, got_x = graph_gradients(model, x_nodes)
    for l in range(3):
        for i, row in enumerate(dW[l]):
            assert_close(got_W[l][i], row)
        assert_close(got_b[l], db[l])
    assert_close(got_x, dx)


def test_random_networks_with_biases_match_the_matrix_form():
    rng = random.Random(42)
    for trial in range(20):
        sizes = [rng.randint(1, 5) for _ in range(rng.randint(2, 5))]
        weights = [
            [[rng.uniform(-2, 2) for _ in range(sizes[l + 1])] for _ in range(sizes[l])]
            for l in range(len(sizes) - 1)
        ]
        biases = [[rng.uniform(-1, 1) for _ in range(n)] for n in sizes[1:]]
        x = [rng.uniform(-1, 1) for _ in range(sizes[0])]
        y = [rng.choice([0.0, 1.0]) for _ in range(sizes[-1])]
        model = MLP.from_weights(weights, biases, fused=trial % 2 == 0)
        x_nodes = [Value(v) for v in x]
        out = model(x_nodes)
        sum_squared_error(out if isinstance(out, list) else [out], y).backward()

        # document 004's loss Σ(y − ŷ)²: ∂/∂ŷ = 2(ŷ − y)
        def loss_gradient(a, y=y):
            return [2 * (ai - yi) for ai, yi in zip(a, y, strict=True)]

        dW, db, dx, _ = matrix_backprop(weights, biases, x, loss_gradient)
        got_W, got_b, got_x = graph_gradients(model, x_nodes)
        for l in range(len(weights)):
            for i, row in enumerate(dW[l]):
                assert_close(got_W[l][i], row, rel=1e-11, abs_=1e-14)
            assert_close(got_b[l], db[l], rel=1e-11, abs_=1e-14)
        assert_close(got_x, dx, rel=1e-11, abs_=1e-14)


def test_document_003_single_neuron_formulas():
    """dl/dw = (a − y)·a(1 − a)·x and dl/db = (a − y)·a(1 − a), equations 24 and 25."""
    x, w0, b0, y = [0.5, -1.0, 2.0], [0.3, 0.2, -0.1], 0.1, 1.0
    model = MLP.from_weights([[[w] for w in w0]], [[b0]])
    a = model(x)
    half_sum_squared_error(a, y).backward()
    common = (a.data - y) * a.data * (1 - a.data)
    neuron = model.layers[0].neurons[0]
    assert_close([w.grad for w in neuron.w], [common * xi for xi in x])
    assert_close(neuron.b.grad, common)


def test_document_004_output_layer_formula():
    """∂ΔL/∂w⁽²⁾ₘₙ = 2(ŷₘ − yₘ)·σ(z⁽²⁾ₘ)(1 − σ(z⁽²⁾ₘ))·x⁽¹⁾ₙ."""
    model = MLP(3, [4, 1], seed=11)
    x, y = [0.0, 1.0, 1.0], 1.0
    hidden = model.layers[0]([Value(v) for v in x])
    y_hat = model.layers[1](hidden)[0]
    sum_squared_error(y_hat, y).backward()
    s = y_hat.data
    for n, w in enumerate(model.layers[1].neurons[0].w):
        assert_close(w.grad, 2 * (s - y) * s * (1 - s) * hidden[n].data)
