"""backward()'s tuned walk (core/walk.py): how it marks visited nodes, and the shortcuts it
takes for Σwx+b nodes, must never skip a node, change the order, or leave a gradient wrong."""

from __future__ import annotations

from tinygrad_edu import MLP, Value
from tinygrad_edu.core import layer_weighted_sums
from tinygrad_edu.core.walk import depth_first

from tests.core.test_fused_node import reference_interior_order


def interior_order(root: Value) -> list[Value]:
    return depth_first(root, leaves=False)


def topological_order(root: Value) -> list[Value]:
    return depth_first(root, leaves=True)


def test_each_walk_marks_with_a_float_object_of_its_own():
    # the mark is told apart by identity, so each walk needs a new 0.0, alive or not
    first, second = float(0), float(0)
    assert first == second == 0.0 and first is not second


def test_a_node_left_holding_an_earlier_walks_mark_is_still_visited():
    x = Value(1.5, label="x")
    a = x * 2.0
    dead = (-a).relu()  # relu at a negative input: backward adds nothing below it
    dead.backward()
    assert a.grad == 0.0 and x.grad == 0.0  # a kept the 0.0 that walk marked it with
    root = a * 3.0
    root.backward()  # a new walk must not take a's old mark for its own
    assert a.grad == 3.0 and x.grad == 6.0
    assert interior_order(root) == [a, root]


def test_backward_resets_interior_gradients_and_the_orders_put_every_gradient_back():
    x, y = Value(0.5, label="x"), Value(-2.0, label="y")
    h = x * y
    root = h.tanh() + h
    root.backward()
    grads = {node: node.grad for node in topological_order(root)}
    assert {node: node.grad for node in topological_order(root)} == grads  # untouched
    root.backward()  # interior gradients start from 0 again; leaves accumulate
    assert h.grad == grads[h] and x.grad == 2 * grads[x]


def test_a_sum_whose_bias_holds_a_gradient_records_it_when_its_tuples_were_walked():
    model = MLP(2, [3, 1], seed=1)
    loss = model([0.3, -0.2]) + model([0.1, 0.4])  # the second call shares the weight tuples
    loss.backward()
    first = [p.grad for p in model.parameters()]
    loss.backward()  # now every bias holds a gradient: each is set aside and added once
    assert [p.grad for p in model.parameters()] == [g + g for g in first]


def test_the_sort_goes_below_a_bias_that_is_an_interior_node_when_the_tuples_were_walked():
    w, x = Value(0.2, label="w"), Value(0.7, label="x")
    bias = w * x  # an interior node as the bias of two sums sharing both tuples
    row, inputs = (w, bias), (x,)
    first = layer_weighted_sums([row], inputs)[0]
    second = layer_weighted_sums([row], inputs)[0]
    assert first._a is second._a and first._b is second._b
    root = first + second
    order = topological_order(root)
    assert order.index(bias) < order.index(first) < order.index(second)
    root.backward()
    assert bias.grad == 2.0
    assert abs(w.grad - 4 * 0.7) < 1e-15 and abs(x.grad - 4 * 0.2) < 1e-15


def test_a_unit_over_a_sum_with_walked_tuples_is_listed_with_it_at_once_in_dfs_order():
    w, v = Value(0.2, label="w"), Value(0.5, label="v")
    x = Value(0.7, label="x")
    row, inputs = (w, v), (x,)  # v is the bias
    sums = [layer_weighted_sums([row], inputs)[0] for _ in range(3)]
    units = [h.tanh() for h in sums]
    root = units[0] + units[1] + units[2]
    order = interior_order(root)
    assert order == reference_interior_order(root)
    assert order.index(sums[1]) + 1 == order.index(units[1])  # a = f(h) right after h
    root.backward()
    grads = (w.grad, v.grad, x.grad)
    root.backward()  # now the bias holds a gradient: it must be set aside, not skipped
    assert (w.grad, v.grad, x.grad) == tuple(g + g for g in grads)


def test_a_unit_over_a_sum_whose_bias_is_interior_goes_below_the_bias():
    w, x = Value(0.2, label="w"), Value(0.7, label="x")
    bias = w * x
    row, inputs = (w, bias), (x,)
    units = [layer_weighted_sums([row], inputs)[0].relu() for _ in range(2)]
    root = units[0] + units[1]
    assert interior_order(root) == reference_interior_order(root)
    root.backward()
    assert bias.grad == 2.0 and abs(w.grad - 4 * 0.7) < 1e-15


def test_a_product_listed_at_once_still_records_its_leaves_that_hold_a_gradient():
    w, x, c = Value(0.5, label="w"), Value(-2.0, label="x"), Value(3.0, label="c")
    product = w * x  # both operands leaves: the walk lists it without going into it
    root = product * c + product
    w.grad = 0.25  # an earlier backward's gradient: backward() must set it aside
    held: dict[Value, float] = {}
    order = depth_first(root, leaves=False, held=held)
    assert order == [product, order[1], root] and order[1].op == "*"
    assert held == {w: 0.25}
    root.backward()  # this pass's share added once to the earlier one
    assert w.grad == 0.25 + x.data * (c.data + 1.0)
