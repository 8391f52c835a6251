"""The fused Σwx+b node keeps its operand tuples shared, not copied, and the sort walks each
shared tuple once; none of that may change an order, a float sum or a gradient."""

from __future__ import annotations

import pytest

from tinygrad_edu import MLP, Value, half_sum_squared_error, interior_order, topological_order
from tinygrad_edu.core import weighted_sum


def batch_loss(model: MLP, batch: list[list[float]], targets: list[list[float]]) -> Value:
    total = half_sum_squared_error(model(batch[0]), targets[0])
    for x, y in zip(batch[1:], targets[1:], strict=True):
        total = total + half_sum_squared_error(model(x), y)
    return total


BATCH = [[0.1, -0.4, 0.9], [0.5, 0.2, -0.3], [-0.8, 0.7, 0.1]]
TARGETS = [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]


def reference_interior_order(root: Value) -> list[Value]:
    """An independent children-first order: plain recursion over ``children``, visiting
    operands in order, as a depth-first search must."""
    order: list[Value] = []
    seen: set[int] = set()

    def visit(node: Value) -> None:
        seen.add(id(node))
        for child in node.children:
            if id(child) not in seen:
                visit(child)
        if node.children:
            order.append(node)

    visit(root)
    return order


def test_a_neurons_nodes_share_its_parameter_tuple_and_a_layers_share_their_inputs():
    model = MLP(3, [4, 2], seed=1)
    first, second = model(BATCH[0]), model(BATCH[1])
    h = [a.children[0] for a in first]  # the output layer's Σwx+b nodes, example 1
    assert all(node.op == "Σwx+b" for node in h)
    neuron = model.layers[1].neurons[0]
    assert h[0]._a is neuron._parameters  # the neuron's own (w₁, …, wₙ, b), never copied
    assert second[0].children[0]._a is neuron._parameters
    assert h[0]._b is h[1]._b  # one input tuple for the whole layer call
    assert h[0].children == (*neuron.w, *h[0]._b, neuron.b)  # still the flat ordered operands


def test_the_sort_meets_interior_nodes_in_the_same_order_as_a_plain_depth_first_search():
    model = MLP(3, [4, 3, 2], activation="tanh", seed=2)
    loss = batch_loss(model, BATCH, TARGETS)
    assert interior_order(loss) == reference_interior_order(loss)
    everything = topological_order(loss)
    assert [n for n in everything if n.children] == reference_interior_order(loss)
    assert len(everything) == len(set(map(id, everything)))  # every node once
    assert set(map(id, model.parameters())) <= set(map(id, everything))  # leaves are listed


def test_a_second_backward_through_skipped_weight_tuples_adds_exactly_one_more_copy():
    """backward()'s sort skips tuples of leaves whose gradients are all 0; after a first
    backward they are not, and must be found, so that the second call gives exactly g + g."""
    model = MLP(3, [4, 2], seed=3)
    loss = batch_loss(model, BATCH, TARGETS)
    loss.backward()
    first = [p.grad for p in model.parameters()]
    assert any(first)
    loss.backward()
    assert [p.grad for p in model.parameters()] == [g + g for g in first]


def test_fused_and_expanded_stay_bit_identical_on_mini_batches():
    results = []
    for fused in (True, False):
        model = MLP(3, [5, 4, 2], activation="sigmoid", seed=4, fused=fused)
        loss = batch_loss(model, BATCH, TARGETS)
        loss.backward()
        results.append((loss.data, [p.grad for p in model.parameters()]))
    assert results[0] == results[1]


@pytest.mark.parametrize("fused", [True, False])
def test_two_mlps_chained_through_a_linear_output_match_one_chain_of_binary_nodes(fused):
    """The output of one MLP is the input of the next (and the first is applied twice):
    a descendant node then holds the same shared weight tuple as its ancestor."""
    first = MLP(2, [3, 2], activation="tanh", output_activation="linear", seed=5, fused=fused)
    second = MLP(2, [3, 1], activation="relu", output_activation="linear", seed=6, fused=fused)
    x = [0.4, -0.9]
    twice = first(first(x))
    out = second(twice)
    assert isinstance(out, Value)
    out.backward()
    grads = [p.grad for p in (*first.parameters(), *second.parameters())]
    assert interior_order(out) == reference_interior_order(out)

    reference = []
    for fused_again in (True, False):
        a = MLP(2, [3, 2], activation="tanh", output_activation="linear", seed=5, fused=fused_again)
        b = MLP(2, [3, 1], activation="relu", output_activation="linear", seed=6, fused=fused_again)
        root = b(a(a(x)))
        assert isinstance(root, Value)
        root.backward()
        reference.append([p.grad for p in (*a.parameters(), *b.parameters())])
    assert grads == reference[0] == reference[1]


def test_a_general_weighted_sum_may_take_interior_nodes_as_weights_and_inputs():
    x, y = Value(0.7, label="x"), Value(-1.3, label="y")
    w = x * y  # an interior node as a weight
    s = weighted_sum([w, x], [y.tanh(), w], Value(0.5))
    s.backward()
    # s = 0.5 + w·tanh(y) + x·w with w = x·y
    t = y.tanh()
    assert s.data == 0.5 + w.data * t.data + x.data * w.data
    assert interior_order(s) == reference_interior_order(s)


def test_input_grads_false_leaves_the_data_alone_and_the_weights_as_they_were():
    grads = []
    for input_grads in (True, False):
        model = MLP(3, [4, 2], seed=7)
        inputs = [Value(v, label=f"x[{i}]") for i, v in enumerate(BATCH[0])]
        loss = half_sum_squared_error(model(inputs, input_grads=input_grads), TARGETS[0])
        loss.backward()
        grads.append(([p.grad for p in model.parameters()], [x.grad for x in inputs]))
    (weights_on, inputs_on), (weights_off, inputs_off) = grads
    assert weights_on == weights_off
    assert any(inputs_on) and inputs_off == [0.0, 0.0, 0.0]
