"""Neurons, layers and MLPs: structure, labels, the documents' numbers, initialisation."""

from __future__ import annotations

import math
import random
import statistics

import pytest

from tinygrad_edu import MLP, Value, half_sum_squared_error, topological_order
from tinygrad_edu.datasets import DOCUMENT_001
from tinygrad_edu.nn import Layer, Neuron, initial_weights


def test_document_001_forward_numbers():
    model = MLP.from_weights(DOCUMENT_001.weights)
    layers = model.forward_all(DOCUMENT_001.x)
    a1, a2, a3 = ([v.data for v in layer] for layer in layers[1:])
    assert [round(v, 3) for v in a1] == DOCUMENT_001.a1
    assert [round(v, 3) for v in a2] == DOCUMENT_001.a2
    assert [round(v, 3) for v in a3] == DOCUMENT_001.a3 == [0.896, 0.805]
    h1 = [n.children[0].data for n in layers[1]]  # the pre-activations under each sigmoid
    h2 = [n.children[0].data for n in layers[2]]
    h3 = [n.children[0].data for n in layers[3]]
    assert [round(v, 3) for v in h1] == DOCUMENT_001.h1
    # the document feeds the rounded a¹ forward, so its h² may differ in the third decimal
    assert h2 == pytest.approx(DOCUMENT_001.h2, abs=2e-3)
    assert h3 == pytest.approx(DOCUMENT_001.h3, abs=2e-3)


def test_structure_can_be_indexed_like_the_documents():
    model = MLP(3, [3, 5, 2], seed=1)
    assert model.sizes == [3, 3, 5, 2]
    assert len(model.layers) == 3
    assert len(model.layers[1].neurons) == 5
    assert len(model.layers[1].neurons[4].w) == 3
    assert model.layers[0].neurons[2].w[0].label == "W1[0,2]"
    assert model.layers[0].neurons[2].b.label == "b1[2]"
    assert model.layers[2].neurons[1].w[4].label == "W3[4,1]"
    assert len(model.parameters()) == (3 * 3 + 3) + (3 * 5 + 5) + (5 * 2 + 2)
    assert model.parameter("W2[1,3]") is model.layers[1].neurons[3].w[1]
    with pytest.raises(KeyError, match="W9"):
        model.parameter("W9[0,0]")


def test_activations_and_outputs_are_labelled():
    model = MLP(2, [2, 1], seed=0)
    out = model([0.5, -0.5])
    assert isinstance(out, Value)
    assert out.label == "a2[0]"
    assert out.children[0].label == "h2[0]"
    hidden = out.children[0].children
    assert [v.label for v in hidden if v.label.startswith("a")] == ["a1[0]", "a1[1]"]


def test_returns_a_list_for_several_outputs_and_a_value_for_one():
    assert isinstance(MLP(2, [3, 2], seed=0)([1.0, 2.0]), list)
    assert isinstance(MLP(2, [3, 1], seed=0)([1.0, 2.0]), Value)


def test_hidden_layer_of_one_neuron_works():
    """Document 003's network: 3 inputs, one hidden neuron, one output."""
    model = MLP(3, [1, 1], seed=0)
    out = model([0.1, 0.2, 0.3])
    out.backward()
    assert all(math.isfinite(p.grad) for p in model.parameters())
    assert model.layers[0].neurons[0].w[2].grad != 0.0


def test_inputs_may_be_values():
    model = MLP(2, [2, 1], seed=3)
    x = [Value(0.2, label="u"), Value(-0.1, label="v")]
    out = model(x)
    out.backward()
    assert x[0].grad != 0.0
    assert out.data == model([0.2, -0.1]).data


def test_wrong_input_length_names_both_sizes():
    model = MLP(3, [2, 1], seed=0)
    with pytest.raises(ValueError, match="has 2 values, but this MLP expects 3"):
        model([1.0, 2.0])


def test_seed_is_reproducible_and_leaves_global_random_alone():
    random.seed(123)
    before = random.random()
    random.seed(123)
    first = [p.data for p in MLP(4, [5, 2], seed=7).parameters()]
    second = [p.data for p in MLP(4, [5, 2], seed=7).parameters()]
    assert first == second
    assert random.random() == before
    assert first != [p.data for p in MLP(4, [5, 2], seed=8).parameters()]


def test_xavier_variance_is_two_over_fan_in_plus_fan_out():
    rng = random.Random(0)
    weights = [w for row in initial_weights(60, 40, "xavier", rng) for w in row]
    # 2400 samples of N(0, 2/100): the sample variance lies within a few percent of 0.02
    assert statistics.fmean(weights) == pytest.approx(0.0, abs=0.01)
    assert statistics.pvariance(weights) == pytest.approx(2 / 100, rel=0.08)
    he = [w for row in initial_weights(50, 50, "he", rng) for w in row]
    assert statistics.pvariance(he) == pytest.approx(2 / 50, rel=0.08)
    uniform = [w for row in initial_weights(30, 30, "uniform", rng) for w in row]
    assert -1 <= min(uniform) and max(uniform) <= 1


def test_biases_start_at_zero_like_document_003():
    assert all(n.b.data == 0.0 for layer in MLP(3, [4, 1], seed=0).layers for n in layer.neurons)


def test_fused_and_expanded_graphs_are_bit_identical():
    x, y = [0.3, -0.7, 0.5], [1.0, 0.0]
    grads = []
    for fused in (True, False):
        model = MLP(3, [4, 3, 2], activation="tanh", seed=5, fused=fused)
        loss = half_sum_squared_error(model(x), y)
        loss.backward()
        grads.append((loss.data, [p.grad for p in model.parameters()]))
    assert grads[0] == grads[1]
    expanded = MLP(3, [2], seed=0, fused=False)([1.0, 2.0, 3.0])[0]
    assert {n.op for n in expanded.children[0].children} <= {"+", "*", ""}


def test_a_layer_mixing_fused_and_expanded_neurons_builds_each_its_own_way():
    fused = Neuron([0.5, -1.0], 0.25, activation="linear", fused=True)
    expanded = Neuron([0.5, -1.0], 0.25, activation="linear", fused=False)
    layer = Layer([fused, expanded])
    a, b = layer([Value(2.0), Value(3.0)])
    assert (a.op, b.op) == ("Σwx+b", "+") and a.data == b.data == -1.75
    assert isinstance(layer.neurons, tuple)  # fixed, like each neuron's fused flag
    with pytest.raises(AttributeError):
        layer.neurons = [fused]  # type: ignore[misc]
    with pytest.raises(AttributeError):
        fused.fused = False  # type: ignore[misc]


def test_an_expanded_layer_makes_the_chains_its_neurons_make_one_by_one():
    neurons = [Neuron([0.5, -1.0, 0.3], 0.25, activation="relu", fused=False, index=j)
               for j in range(2)]  # fmt: skip
    layer = Layer(neurons)
    x = [Value(2.0, label="x0"), Value(3.0).tanh(), Value(-0.5, label="x2")]
    together, alone = layer(x), [neuron(tuple(x)) for neuron in neurons]
    for a, b in zip(together, alone, strict=True):
        assert (a.op, a.label, a.data) == (b.op, b.label, b.data)
        h, g = a.children[0], b.children[0]
        assert (h.op, h.label, h.data) == (g.op, g.label, g.data) and h.op == "+"
        assert [n.op for n in topological_order(a)] == [n.op for n in topological_order(b)]


class Subclass(Value):
    __slots__ = ()


def test_an_expanded_layer_still_takes_numbers_and_value_subclasses_through_the_operators():
    layer = Layer([Neuron([0.5, -1.0], 0.25, activation="linear", fused=False)])
    from_numbers = layer([2.0, 3.0])[0]
    from_subclass = layer([Subclass(2.0), Subclass(3.0)])[0]
    assert from_numbers.data == from_subclass.data == 0.25 + 0.5 * 2.0 + -1.0 * 3.0
    with pytest.raises(ValueError, match="2 weights but got 3 inputs"):
        layer([Value(1.0), Value(2.0), Value(3.0)])


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu", "linear"])
def test_every_activation_trains_a_step(activation):
    model = MLP(2, [3, 1], activation=activation, output_activation="linear", seed=2)
    loss = (model([0.5, -1.0]) - 1.0) ** 2
    loss.backward()
    before = loss.data
    for p in model.parameters():
        p.data -= 0.05 * p.grad
    assert ((model([0.5, -1.0]) - 1.0) ** 2).data < before


def test_bias_as_an_extra_input_fixed_at_one_is_the_same_network():
    """Document 000 appends a constant 1 to each layer's input instead of a separate bias."""
    weights = [[[0.2, -0.4], [0.7, 0.1], [-0.5, 0.3]], [[0.6], [-0.9]]]
    biases = [[0.15, -0.25], [0.05]]
    x, target = [0.3, 0.8, -0.2], 1.0

    model = MLP.from_weights(weights, biases)
    loss = half_sum_squared_error(model(x), target)
    loss.backward()

    # Document 000: X = [x₀ … xₙ, 1] and W has one more row, the bias row, per layer.
    extended = [
        [[Value(w) for w in row] for row in (*matrix, layer_biases)]
        for matrix, layer_biases in zip(weights, biases, strict=True)
    ]
    activations = [Value(v) for v in x]
    for matrix in extended:
        inputs = [*activations, Value(1.0)]
        activations = [
            sum((inputs[i] * matrix[i][j] for i in range(len(inputs))), Value(0.0)).sigmoid()
            for j in range(len(matrix[0]))
        ]
    loss_000 = 0.5 * (activations[0] - target) ** 2
    loss_000.backward()

    assert loss_000.data == pytest.approx(loss.data, rel=1e-15)
    for l, layer in enumerate(model.layers):
        for j, neuron in enumerate(layer.neurons):
            for i, w in enumerate(neuron.w):
                assert extended[l][i][j].grad == pytest.approx(w.grad, rel=1e-12)
            assert extended[l][-1][j].grad == pytest.approx(neuron.b.grad, rel=1e-12)


def test_from_weights_checks_the_shapes():
    with pytest.raises(ValueError, match="layer 2 has 2 rows .* layer 1 has 3 neurons"):
        MLP.from_weights([[[1, 2, 3]], [[1], [2]]])
    with pytest.raises(ValueError, match="biases of layer 1 has 1 values, expected 2"):
        MLP.from_weights([[[1, 2]]], biases=[[0.0]])
    with pytest.raises(ValueError, match="differ in length"):
        MLP.from_weights([[[1, 2], [3]]])


def test_zero_grad_clears_every_parameter():
    model = MLP(2, [2, 1], seed=0)
    model([1.0, 1.0]).backward()
    assert any(p.grad != 0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())


@pytest.mark.parametrize(
    "kwargs, error",
    [
        ({"nin": 0, "nouts": [1]}, ValueError),
        ({"nin": 2.5, "nouts": [1]}, TypeError),
        ({"nin": 2, "nouts": []}, TypeError),
        ({"nin": 2, "nouts": [0]}, ValueError),
        ({"nin": 2, "nouts": [1], "activation": "softplus"}, ValueError),
        ({"nin": 2, "nouts": [1], "init": "zeros"}, ValueError),
        ({"nin": 2, "nouts": [1], "seed": "x"}, TypeError),
    ],
)
def test_constructor_rejects_bad_arguments(kwargs, error):
    with pytest.raises(error):
        MLP(**kwargs)
