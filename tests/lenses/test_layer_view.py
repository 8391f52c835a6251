"""``layer_view`` against the matrix form written independently (``matrix_backprop``), and
its weight entries against ``.grad`` bit for bit: document 001, random biased networks of
every activation, fused and unfused, single examples and mini-batches."""

from __future__ import annotations

import random

import pytest

from tinygrad_edu import MLP, Value, half_sum_squared_error, layer_view
from tinygrad_edu.datasets import DOCUMENT_001

from tests.lenses.matrix_backprop import matrix_backprop

ACTIVATIONS = ("sigmoid", "tanh", "relu", "linear")
REL = 1e-10


def close(got, expected) -> None:
    """Equal to 1e-10 relative (and to 1e-14 absolute, for sums that cancel to about 0)."""
    assert got == pytest.approx(expected, rel=REL, abs=1e-14)


def summed_loss(model: MLP, X, Y) -> Value:
    """E = Σₙ ½ Σₖ (aₙₖ − yₙₖ)², the examples fed in the order of X."""
    total = None
    for x, y in zip(X, Y, strict=True):
        out = model(x)
        term = half_sum_squared_error(out if isinstance(out, list) else [out], y)
        total = term if total is None else total + term
    return total


def random_network(rng: random.Random, activation: str, output_activation: str):
    sizes = [rng.randint(1, 4) for _ in range(rng.randint(2, 4))]
    weights = [
        [[rng.uniform(-1.5, 1.5) for _ in range(sizes[l + 1])] for _ in range(sizes[l])]
        for l in range(len(sizes) - 1)
    ]
    biases = [[rng.uniform(-1, 1) for _ in range(n)] for n in sizes[1:]]
    return sizes, weights, biases


def assert_matches_matrix_form(view, expected) -> None:
    assert [layer.number for layer in view.layers] == list(range(1, len(expected) + 1))
    for layer, reference in zip(view.layers, expected, strict=True):
        for name in ("inputs", "output_grads", "derivatives", "deltas", "input_grads"):
            got, want = getattr(layer, name), getattr(reference, name)
            assert len(got) == len(want), name
            for row, row_want in zip(got, want, strict=True):
                close(row, row_want)
        for row, row_want in zip(layer.weight_grad, reference.weight_grad, strict=True):
            close(row, row_want)
        close(layer.bias_grad, reference.bias_grad)


def assert_equals_grad_bit_for_bit(view, model: MLP) -> None:
    """Every entry of weight_grad and bias_grad is the parameter's .grad, the same float."""
    assert view.matches_grad
    for layer in view.layers:
        neurons = model.layers[layer.number - 1].neurons
        for i, row in enumerate(layer.weight_grad):
            for j, value in enumerate(row):
                grad = neurons[j].w[i].grad
                assert value.hex() == grad.hex(), (layer.number, i, j, value, grad)
                entry = layer.weight_entries[i][j]
                assert entry.node is neurons[j].w[i] and entry.equals_grad and entry.grad == grad
        for j, value in enumerate(layer.bias_grad):
            assert value.hex() == neurons[j].b.grad.hex()
            assert layer.bias_entries[j].equals_grad


def test_document_001_network_matches_the_matrix_form_and_every_grad():
    model = MLP.from_weights(DOCUMENT_001.weights)
    y = [1.0, 0.0]
    E = half_sum_squared_error(model(DOCUMENT_001.x), y)
    E.backward()
    view = layer_view(E, model)
    biases = [[0.0] * len(W[0]) for W in DOCUMENT_001.weights]
    expected = matrix_backprop(DOCUMENT_001.weights, biases, ["sigmoid"] * 3, [DOCUMENT_001.x], [y])
    assert_matches_matrix_form(view, expected)
    assert_equals_grad_bit_for_bit(view, model)
    # the document's printed forward vectors are the inputs of layers 2 and 3, to 3 decimals
    assert [round(a, 3) for a in view.layer(2).inputs[0]] == DOCUMENT_001.a1
    assert [round(a, 3) for a in view.layer(3).inputs[0]] == DOCUMENT_001.a2
    # δ⁽³⁾ = (a⁽³⁾ − y) ⊙ a⁽³⁾(1 − a⁽³⁾): the first factors of equation 16
    a3 = [o.data for o in model(DOCUMENT_001.x)]
    close(view.layer(3).deltas[0], [(a - t) * a * (1 - a) for a, t in zip(a3, y, strict=True)])
    assert view.layer(1).sizes == (3, 3) and view.layer(2).sizes == (3, 5)
    assert view.layer(3).sizes == (5, 2)


@pytest.mark.parametrize("fused", [True, False], ids=["fused", "unfused"])
@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("examples", [1, 3])
def test_random_biased_networks_match_the_matrix_form(activation, fused, examples):
    rng = random.Random(f"{activation}-{fused}-{examples}")
    for _ in range(6):
        output_activation = rng.choice(ACTIVATIONS)
        sizes, weights, biases = random_network(rng, activation, output_activation)
        model = MLP.from_weights(weights, biases, activation, output_activation, fused=fused)
        X = [[rng.uniform(-1, 1) for _ in range(sizes[0])] for _ in range(examples)]
        Y = [[rng.uniform(-1, 1) for _ in range(sizes[-1])] for _ in range(examples)]
        E = summed_loss(model, X, Y)
        E.backward()
        view = layer_view(E, model)
        kinds = [activation] * (len(sizes) - 2) + [output_activation]
        assert [layer.activation for layer in view.layers] == kinds
        assert_matches_matrix_form(view, matrix_backprop(weights, biases, kinds, X, Y))
        assert_equals_grad_bit_for_bit(view, model)
        assert all(layer.examples == examples for layer in view.layers)


@pytest.mark.parametrize("fused", [True, False], ids=["fused", "unfused"])
def test_a_mini_batch_keeps_the_order_the_examples_were_fed(fused):
    rng = random.Random(5)
    model = MLP(3, [4, 2], activation="tanh", seed=5, fused=fused)
    X = [[rng.uniform(-1, 1) for _ in range(3)] for _ in range(5)]
    Y = [[rng.random(), rng.random()] for _ in X]
    E = summed_loss(model, X, Y)
    E.backward()
    view = layer_view(E, model)
    assert view.layer(1).inputs == X  # the very floats fed, in the order fed
    for row, x in zip(view.layer(2).inputs, X, strict=True):
        close(row, [a.data for a in model.forward_all(x)[1]])
    # the rows of layer 1 are the input leaves of each call, example by example
    for row, x in zip(view.layer(1).nodes.inputs, X, strict=True):
        assert [leaf.label for leaf in row] == ["x[0]", "x[1]", "x[2]"]
        assert [leaf.data for leaf in row] == x
    # and each input's gradient is its example's Wδ, bit for bit
    for row in view.layer(1).input_entries:
        assert all(entry.equals_grad for entry in row)


def test_each_entry_is_its_edges_of_the_graph():
    model = MLP(2, [3, 2], seed=2)
    X, Y = [[0.2, -0.4], [0.9, 0.1]], [[1.0, 0.0], [0.0, 1.0]]
    E = summed_loss(model, X, Y)
    E.backward()
    view = layer_view(E, model)
    for layer in view.layers:
        l = layer.number
        for row in layer.weight_entries:
            for j, entry in enumerate(row):
                assert len(entry.edges) == len(X)  # one edge per example
                # in the order backward() adds them: E = E₁ + E₂ runs E₂'s nodes first
                pres = [row[j].pre for row in reversed(layer.nodes.rows)]
                assert [parent for parent, _ in entry.edges] == pres
                for (parent, position), term in zip(entry.edges, entry.terms, strict=True):
                    assert parent.children[position] is entry.node
                    assert parent.label == f"h{l}[{j}]" and parent.op == "Σwx+b"
                    assert term == parent.local_derivatives()[position] * parent.grad
        for n, row in enumerate(layer.input_entries):
            for i, entry in enumerate(row):
                assert len(entry.edges) == layer.sizes[1]  # one edge per neuron
                assert entry.node is layer.nodes.inputs[n][i]
                labels = sorted(parent.label for parent, _ in entry.edges)
                assert labels == [f"h{l}[{j}]" for j in range(layer.sizes[1])]


def test_unfused_edges_are_the_products_below_each_h_node():
    model = MLP(2, [2, 1], seed=4, fused=False)
    E = half_sum_squared_error(model([0.5, -0.25]), 1.0)
    E.backward()
    view = layer_view(E, model)
    for layer in view.layers:
        for row in layer.weight_entries:
            for entry in row:
                ((parent, position),) = entry.edges
                assert parent.op == "*" and position == 0 and parent.children[0] is entry.node
        for entry in layer.bias_entries:
            ((parent, position),) = entry.edges
            assert parent.op == "+" and position == 0 and parent.children[0] is entry.node


def test_a_neuron_the_loss_does_not_depend_on_has_zero_delta():
    model = MLP(2, [3, 2], seed=8)
    out = model([0.3, -0.6])
    E = half_sum_squared_error(out[0], 1.0)  # only the first output
    E.backward()
    last = layer_view(E, model).layer(2)
    assert last.deltas[0][1] == 0.0 and last.derivatives[0][1] is None
    assert [row[1] for row in last.weight_grad] == [0.0, 0.0, 0.0]
    assert all(row[1].edges == () for row in last.weight_entries)
    assert last.deltas[0][0] == out[0].children[0].grad
    assert last.mismatches() == []


def test_a_second_network_in_the_same_graph_is_left_alone():
    first, second = MLP(2, [2, 1], seed=1), MLP(1, [2, 1], seed=2)  # the same labels
    E = half_sum_squared_error(second([first([0.4, 0.1])]), 0.5)
    E.backward()
    view = layer_view(E, first)
    assert [layer.sizes for layer in view.layers] == [(2, 2), (2, 1)]
    assert view.matches_grad
    inner = layer_view(E, second)
    assert inner.layer(1).inputs[0] == [first([0.4, 0.1]).data]
    assert inner.layer(1).input_entries[0][0].equals_grad
