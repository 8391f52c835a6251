"""tinygrad_edu.micrograd.nn against micrograd 0.1.0's nn: the same weights from the same seed,
the same reprs and parameter lists, the same graphs; fused neurons give bit-identical numbers."""

from __future__ import annotations

import random

import pytest

from tinygrad_edu.core import topological_order
from tinygrad_edu.micrograd import nn
from tinygrad_edu.micrograd.engine import Value

from tests.micrograd.test_engine import shape


def both_mlps(real_micrograd, nin=2, nouts=(16, 16, 1)):
    random.seed(1337)
    ours = nn.MLP(nin, list(nouts))
    random.seed(1337)
    theirs = real_micrograd.nn.MLP(nin, list(nouts))
    return ours, theirs


def test_the_same_seed_gives_micrograds_very_weights_in_its_order(real_micrograd):
    ours, theirs = both_mlps(real_micrograd)
    assert [p.data for p in ours.parameters()] == [p.data for p in theirs.parameters()]
    assert len(ours.parameters()) == 337


def test_the_global_random_state_moves_exactly_as_micrograds(real_micrograd):
    both_mlps(real_micrograd)
    after_theirs = random.getstate()
    random.seed(1337)
    nn.MLP(2, [16, 16, 1])
    assert random.getstate() == after_theirs


def test_reprs_and_parameter_lists_are_micrograds(real_micrograd):
    ours, theirs = both_mlps(real_micrograd, 3, (4, 2))
    assert repr(ours) == repr(theirs)
    assert repr(ours.layers[0]) == repr(theirs.layers[0])
    assert repr(ours.layers[1].neurons[0]) == repr(theirs.layers[1].neurons[0]) == "LinearNeuron(4)"
    assert repr(nn.Neuron(2)) == "ReLUNeuron(2)"
    for module in (ours, ours.layers[0], ours.layers[0].neurons[0]):
        assert type(module.parameters()) is list
    assert nn.Module().parameters() == []


def test_the_network_builds_micrograds_graph_and_numbers(real_micrograd):
    ours, theirs = both_mlps(real_micrograd, 2, (3, 3, 1))
    x = [0.5, -1.25]
    out, reference = ours(x), theirs(x)
    assert shape(out) == shape(reference)
    assert out.data == reference.data
    out.backward()
    reference.backward()
    for mine, micrograds in zip(ours.parameters(), theirs.parameters(), strict=True):
        assert mine.grad == pytest.approx(micrograds.grad, rel=1e-15, abs=1e-300)


def test_zero_grad_and_a_layer_of_one_neuron_return_as_micrograds(real_micrograd):
    ours, theirs = both_mlps(real_micrograd, 2, (2, 1))
    ours([1.0, 2.0]).backward()
    ours.zero_grad()
    assert {repr(p.grad) for p in ours.parameters()} == {"0"}
    assert isinstance(ours.layers[-1]([Value(1.0), Value(2.0)]), Value)
    assert isinstance(ours.layers[0]([1.0, 2.0]), list)
    linear = nn.Layer(2, 3, nonlin=False)  # kwargs go to each neuron, as in micrograd
    assert repr(linear) == "Layer of [LinearNeuron(2), LinearNeuron(2), LinearNeuron(2)]"


def test_parameters_are_labelled_in_the_documents_notation():
    random.seed(0)
    model = nn.MLP(2, [3, 1])
    assert model.layers[0].neurons[2].w[0].label == "W1[0,2]"
    assert model.layers[1].neurons[0].b.label == "b2[0]"


def test_fused_neurons_are_one_node_with_bit_identical_values_and_gradients():
    random.seed(7)
    expanded = nn.MLP(3, [4, 4, 1])
    random.seed(7)
    fused = nn.MLP(3, [4, 4, 1])
    for layer in fused.layers:
        for neuron in layer.neurons:
            neuron.fused = True
    xs = [[0.3, -1.2, 2.0], [1.0, 0.5, -0.25]]
    roots = []
    for model in (expanded, fused):
        loss = sum((model(x) - 1.0) ** 2 for x in xs)
        loss.backward()
        roots.append(loss)
    assert roots[0].data == roots[1].data
    assert [p.grad for p in expanded.parameters()] == [p.grad for p in fused.parameters()]
    ops = {node.op for node in topological_order(roots[1])}
    assert "Σwx+b" in ops and "ReLU" in ops
    assert len(topological_order(roots[1])) < len(topological_order(roots[0]))


def test_a_fused_neuron_follows_a_replaced_weight():
    neuron = nn.Neuron(2, fused=True)
    neuron([1.0, 1.0])
    neuron.w[0] = Value(10.0)
    neuron.b = Value(0.5)
    assert neuron([1.0, 0.0]).data == 10.5


def test_wrong_inputs_and_sizes_raise_where_micrograd_would_zip_them_away():
    neuron = nn.Neuron(2)
    with pytest.raises(ValueError, match="2 weights but got 3 inputs"):
        neuron([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="2 weights but got 1 inputs"):
        nn.Layer(2, 3)([1.0])
    with pytest.raises(TypeError, match="list of Values or numbers, got Value"):
        neuron(Value(1.0))
    with pytest.raises(TypeError, match="needs a real number"):
        neuron(["a", 1.0])
    with pytest.raises(TypeError, match="nouts must be a non-empty list"):
        nn.MLP(2, 3)
    with pytest.raises(ValueError, match="nin must be a positive int"):
        nn.MLP(0, [1])
    with pytest.raises(TypeError, match="fused"):
        nn.Neuron(2, fused=1)


def test_native_gives_tinygrad_edus_mlp_with_the_same_network(real_micrograd):
    import tinygrad_edu

    ours, theirs = both_mlps(real_micrograd)
    x = [0.25, -0.5]
    for fused in (True, False):
        native = ours.native(fused=fused)
        assert isinstance(native, tinygrad_edu.MLP) and native.sizes == [2, 16, 16, 1]
        assert (native.activation, native.output_activation) == ("relu", "linear")
        assert native(x).data == ours(x).data == theirs(x).data
    random.seed(1337)
    same_kind = tinygrad_edu.MLP(
        2, [16, 16, 1], activation="relu", output_activation="linear", init="uniform"
    )
    first_row = [w.data for w in same_kind.layers[0].neurons[0].w]
    assert first_row[0] == ours.layers[0].neurons[0].w[0].data  # the first draw
    assert first_row[1] != ours.layers[0].neurons[0].w[1].data  # then input by input
