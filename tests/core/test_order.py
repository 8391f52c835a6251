"""The lesson sort (core/order.py) and backward()'s tuned walk (core/walk.py) are the same
order, node for node, on random graphs; backward() along either gives the same bits."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from tinygrad_edu import MLP, Value, half_sum_squared_error, interior_order, topological_order
from tinygrad_edu.core import layer_weighted_sums
from tinygrad_edu.core.walk import depth_first

from tests.core.test_fused_node import reference_interior_order
from tests.strategies import build, networks, programs


def lesson_backward(root: Value) -> None:
    """backward() as the lesson reads it: the sort, ∂root/∂root = 1, each op's rule from the
    root down. No tricks: leaves start from 0 (call it after zeroing them)."""
    order = topological_order(root)
    for node in order:
        if node.children:
            node.grad = 0.0
    root.grad = 1.0
    for node in reversed(order):
        if node.children:
            node._operation.backward(node)  # type: ignore[union-attr]


def shared_tuple_graph(seed: int) -> Value:
    """Σwx+b nodes sharing weight and input tuples, reused units, an interior bias, and
    leaves used by several layers: every shortcut of the tuned walk in one graph."""
    rng = random.Random(seed)
    leaves = [Value(rng.uniform(-1, 1), label=f"x{k}") for k in range(3)]
    w = [Value(rng.uniform(-1, 1), label=f"w{k}") for k in range(4)]
    bias = w[0] * leaves[1] if rng.random() < 0.5 else Value(0.1, label="b")
    rows = [(w[0], w[1], bias), (w[2], w[3], w[1])]
    first = layer_weighted_sums(rows, (leaves[0], leaves[1]))
    second = layer_weighted_sums(rows, (leaves[0], leaves[1]))  # shares both tuples
    units = [h.tanh() if rng.random() < 0.5 else h.relu() for h in (*first, *second)]
    third = layer_weighted_sums([(units[0], units[1], leaves[2])], (units[2], units[3]))
    return third[0].sigmoid() * units[rng.randrange(4)] + first[0]


def check_same(root: Value) -> None:
    lesson = topological_order(root)
    assert lesson == depth_first(root, leaves=True)
    assert interior_order(root) == depth_first(root, leaves=False)
    assert interior_order(root) == reference_interior_order(root)
    assert len(set(map(id, lesson))) == len(lesson) and lesson[-1] is root
    position = {node: k for k, node in enumerate(lesson)}
    assert all(position[child] < position[node] for node in lesson for child in node.children)


def check_same_gradients(root: Value) -> None:
    nodes = topological_order(root)
    for node in nodes:
        node.grad = 0.0
    root.backward()
    tuned = [node.grad for node in nodes]
    for node in nodes:
        node.grad = 0.0
    lesson_backward(root)
    assert [node.grad for node in nodes] == tuned  # bit for bit: == on floats


@settings(max_examples=60, deadline=None)
@given(programs())
def test_the_lesson_sort_is_the_tuned_walks_order_on_random_programs(program):
    leaves, steps = program
    _, root = build(leaves, steps)
    check_same(root)
    check_same_gradients(root)


@settings(max_examples=40, deadline=None)
@given(networks())
def test_the_lesson_sort_is_the_tuned_walks_order_on_random_networks(network):
    _, loss = network
    check_same(loss)
    check_same_gradients(loss)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_the_orders_agree_where_sums_share_tuples(seed):
    root = shared_tuple_graph(seed)
    check_same(root)
    check_same_gradients(root)


def test_the_orders_agree_on_a_batch_through_a_fused_network():
    model = MLP(3, [4, 4, 2], seed=3)
    outputs = [model([0.1 * k, -0.3, 0.2 * k]) for k in range(5)]
    loss = sum(half_sum_squared_error(out, [0.5, -0.5]) for out in outputs)
    assert isinstance(loss, Value)
    check_same(loss)
    check_same_gradients(loss)


def test_a_leaf_is_its_own_order():
    x = Value(2.0)
    assert topological_order(x) == [x] and interior_order(x) == []


def test_the_lesson_sort_needs_no_recursion_on_a_deep_chain():
    x, a = Value(1.0), Value(1.0)
    y = x
    for _ in range(50_000):
        y = y * a
    order = topological_order(y)
    assert len(order) == 50_002 and order[:2] == [x, a] and order[-1] is y
