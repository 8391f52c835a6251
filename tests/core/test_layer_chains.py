"""layer_chains (core/fused.py) makes a fused=False layer's chains b + w₁x₁ + w₂x₂ + … without
the operators: the very nodes ``h = h + w * x`` makes, with every rule of make_node."""

from __future__ import annotations

import math
import random

import pytest

from tinygrad_edu import Value, detect_anomaly, no_grad, topological_order
from tinygrad_edu.core import layer_chains
from tinygrad_edu.core.modes import origin_of


def operator_chains(rows: list[tuple[Value, ...]], inputs: tuple[Value, ...]) -> list[Value]:
    """The chain as the lesson writes it (``Neuron.__call__`` with ``fused=False``)."""
    sums = []
    for parameters in rows:
        h = parameters[-1]
        for w, x in zip(parameters, inputs, strict=False):
            h = h + w * x
        sums.append(h)
    return sums


def layer(
    seed: int, nin: int = 5, nout: int = 3
) -> tuple[list[tuple[Value, ...]], tuple[Value, ...]]:
    rng = random.Random(seed)
    rows = [
        tuple(Value(rng.uniform(-1, 1), label=f"w{j}{i}") for i in range(nin))
        + (Value(rng.uniform(-1, 1), label=f"b{j}"),)
        for j in range(nout)
    ]
    below = Value(rng.uniform(-1, 1), label="z")
    inputs = tuple(
        (below * rng.uniform(-1, 1)).tanh() if i % 2 else Value(rng.uniform(-1, 1), label=f"x{i}")
        for i in range(nin)
    )  # interior inputs too, sharing a node below them
    return rows, inputs


def shape(root: Value) -> list[tuple[str, float, str, tuple[int, ...]]]:
    """Each node's op, value, label and operands (by position in the order)."""
    order = topological_order(root)
    position = {id(node): k for k, node in enumerate(order)}
    return [(n.op, n.data, n.label, tuple(position[id(c)] for c in n.children)) for n in order]


@pytest.mark.parametrize("seed", range(5))
def test_the_chains_are_the_operators_nodes_values_and_gradients_bit_for_bit(seed):
    rows, inputs = layer(seed)
    made = layer_chains(rows, inputs)
    expected = operator_chains(rows, inputs)
    root_made = made[0] * made[1] + made[2]
    root_expected = expected[0] * expected[1] + expected[2]
    assert shape(root_made) == shape(root_expected)  # == on floats: the same bits
    assert all(h.op == "+" and h.children[1].op == "*" for h in made)
    root_made.backward()
    leaves = [v for v in topological_order(root_made) if not v.children]
    first = [v.grad for v in leaves]
    for v in leaves:
        v.grad = 0.0
    root_expected.backward()
    assert [v.grad for v in leaves] == first


def test_under_no_grad_the_chains_are_leaves_without_a_graph_as_the_operators_make_them():
    rows, inputs = layer(7)
    with no_grad():
        made = layer_chains(rows, inputs)
        expected = operator_chains(rows, inputs)
    assert [h.data for h in made] == [h.data for h in expected]
    assert all(h.op == "" and h.children == () for h in made)
    with pytest.raises(RuntimeError, match="no_grad"):
        made[0].backward()


def test_under_detect_anomaly_each_node_remembers_the_line_that_built_it():
    rows, inputs = layer(8, nin=2, nout=1)
    with detect_anomaly():
        h = layer_chains(rows, inputs)[0]  # this line
        assert all(
            any(site.file == __file__ for site in origin_of(node) or ())
            for node in (h, h.children[1])
        )


def test_a_product_that_overflows_raises_the_operators_error():
    w, x, b = Value(1e200, label="w"), Value(1e200, label="x"), Value(0.0, label="b")
    with pytest.raises(OverflowError) as expected:
        operator_chains([(w, b)], (x,))
    with pytest.raises(OverflowError) as made:
        layer_chains([(w, b)], (x,))
    assert str(made.value) == str(expected.value)
    assert math.isinf(w.data * x.data)


def test_rows_of_the_wrong_length_and_inputs_that_are_not_values_are_named():
    rows, inputs = layer(9, nin=2, nout=1)
    with pytest.raises(ValueError, match="layer_chains: 2 weights but 1 inputs"):
        layer_chains(rows, inputs[:1])
    with pytest.raises(TypeError, match="layer_chains needs Values, got .*float"):
        layer_chains(rows, (inputs[0], 0.5))  # type: ignore[arg-type]
