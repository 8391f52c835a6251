"""``Value.backward_steps()``: backward one node at a time, bit for bit the same as backward()."""

from __future__ import annotations

import struct
import warnings

import pytest
from hypothesis import given, settings

from tinygrad_edu import (
    MLP,
    Value,
    half_sum_squared_error,
    interior_order,
    topological_order,
    weighted_sum,
)
from tinygrad_edu.datasets import DOCUMENT_001

from tests.strategies import build, networks, programs


def bits(x: float) -> bytes:
    """The IEEE 754 bytes of x: equal bits, not just equal values (tells -0.0 from 0.0)."""
    return struct.pack("<d", x)


def grads_after(root: Value, stepwise: bool) -> list[bytes]:
    nodes = topological_order(root)
    for node in nodes:
        node.grad = 0.0
    if stepwise:
        for _ in root.backward_steps():
            pass
    else:
        root.backward()
    return [bits(node.grad) for node in nodes]


@settings(max_examples=300, deadline=None)
@given(programs())
def test_steps_leave_bitwise_the_same_grads_as_backward_on_random_graphs(program):
    _, root = build(*program)
    assert grads_after(root, stepwise=True) == grads_after(root, stepwise=False)


def test_a_weighted_sum_adds_pairwise_and_its_steps_add_in_the_same_order():
    """A node that is both a weight and an input of Σwx+b, with a gradient from above already:
    backward adds along w₁ x₁ w₂ x₂ … b, and the steps follow that order, edge by edge, while
    listing the edges in the order of ``children``."""
    x, y, z = Value(0.1, label="x"), Value(0.7, label="y"), Value(-0.3, label="z")
    s = weighted_sum([x, y, x], [y, x, z], z)
    assert list(s._operation.edge_order(s)) == [0, 3, 1, 4, 2, 5, 6]
    root = s * y.exp() + s.tanh() * 1e-3  # y also gets a share from above s
    assert grads_after(root, stepwise=True) == grads_after(root, stepwise=False)
    for node in topological_order(root):
        node.grad = 0.0
    step = next(step for step in root.backward_steps() if step.node is s)
    assert [edge.child for edge in step.edges] == list(s.children)


def test_steps_through_a_sum_over_data_leave_the_inputs_alone_as_backward_does():
    grads = []
    for stepwise in (True, False):
        model = MLP(2, [3, 1], seed=4)
        x = [Value(0.5, label="x[0]"), Value(-0.3, label="x[1]")]
        loss = half_sum_squared_error(model(x, input_grads=False), 1.0)
        if stepwise:
            steps = list(loss.backward_steps())
            first_layer = [step for step in steps if step.node._b == tuple(x)]
            assert first_layer and all(
                [edge.position for edge in step.edges] == [0, 1, 4] for step in first_layer
            )  # the weights and the bias; no edge into an input is taken
        else:
            loss.backward()
        assert [v.grad for v in x] == [0.0, 0.0]
        grads.append([bits(p.grad) for p in model.parameters()])
    assert grads[0] == grads[1]


@settings(max_examples=60, deadline=None)
@given(networks())
def test_steps_leave_bitwise_the_same_grads_as_backward_on_random_networks(network):
    _, loss = network
    assert grads_after(loss, stepwise=True) == grads_after(loss, stepwise=False)


def test_every_op_and_the_fused_sum_take_part():
    """A fixed graph with each op once, and nodes that are both weight and input of Σwx+b
    (their contributions must be added in the same order by both walks)."""
    x, y, z = Value(0.7, label="x"), Value(-1.3, label="y"), Value(2.1, label="z")
    s = weighted_sum([x, y, x], [y, x, z], z)
    parts = [
        x + y,
        x - y,
        x * x,
        x / z,
        -y,
        x**3,
        z**x,
        z.exp(),
        z.log(),
        y.sigmoid(),
        y.tanh(),
        y.relu(),
        x.relu(),
        s,
    ]
    root = parts[0]
    for part in parts[1:]:
        root = root * 0.5 + part
    assert {node.op for node in topological_order(root)} >= {
        "+",
        "-",
        "*",
        "/",
        "neg",
        "**3",
        "pow",
        "exp",
        "log",
        "sigmoid",
        "tanh",
        "relu",
        "Σwx+b",
    }
    assert grads_after(root, stepwise=True) == grads_after(root, stepwise=False)


def test_one_step_per_interior_node_in_reverse_topological_order():
    model = MLP.from_weights(DOCUMENT_001.weights)
    loss = half_sum_squared_error(model(DOCUMENT_001.x), [1.0, 0.0])
    steps = list(loss.backward_steps())
    assert [step.node for step in steps] == list(reversed(interior_order(loss)))
    for step in steps:
        assert len(step.edges) == len(step.node.children)
        for edge, child, local in zip(
            step.edges, step.node.children, step.node.local_derivatives(), strict=True
        ):
            assert edge.child is child
            assert edge.local == local
            assert edge.contribution == local * step.upstream


def test_each_step_is_applied_when_it_is_yielded_and_not_before():
    x, w = Value(3.0, label="x"), Value(-2.0, label="w")
    h = x * w
    h.label = "h"
    a = h.tanh()
    a.label = "a"
    steps = a.backward_steps()

    first = next(steps)  # at a: only h has received its gradient
    assert first.node is a and first.upstream == 1.0
    assert h.grad == first.edges[0].contribution == 1.0 - a.data**2
    assert (x.grad, w.grad) == (0.0, 0.0)

    second = next(steps)  # at h: now x and w have theirs
    assert second.node is h and second.upstream == h.grad
    assert x.grad == -2.0 * h.grad and w.grad == 3.0 * h.grad
    assert list(steps) == []


def test_a_step_prints_as_readable_lines():
    x, y = Value(3.0, label="x"), Value(-2.0, label="y")
    p = x * y
    p.label = "p"
    f = p + 1.0
    f.label = "f"
    first, second = list(f.backward_steps())
    assert str(first).splitlines() == [
        "at 'f' (+): upstream gradient 1",
        "  grad of 'p' += local 1 × upstream 1 = 1",
        "  grad of the leaf 1 += local 1 × upstream 1 = 1",  # an unlabelled constant
    ]
    assert str(second).splitlines() == [
        "at 'p' (*): upstream gradient 1",
        "  grad of 'x' += local -2 × upstream 1 = -2",
        "  grad of 'y' += local 3 × upstream 1 = 3",
    ]
    with pytest.warns(UserWarning, match="2 leaves already hold a gradient"):
        unlabelled = list(((x * y) + 1.0).backward_steps())[0]  # x and y hold theirs
    assert str(unlabelled).splitlines()[0] == "at the '+' node (-5): upstream gradient 1"


def test_steps_of_a_leaf_root_are_empty_and_set_its_grad_to_one():
    x = Value(4.0, label="x")
    assert list(x.backward_steps()) == []
    assert x.grad == 1.0


# ----- the warning about gradients of an earlier pass ------------------------------------


def _steps_warnings(root):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        list(root.backward_steps())
    return [str(w.message) for w in caught]


def test_no_warning_after_model_zero_grad_though_inputs_targets_and_constants_hold_gradients():
    from tinygrad_edu import MLP
    from tinygrad_edu.nn import half_sum_squared_error

    model = MLP(2, [2, 1], seed=0)
    E = half_sum_squared_error(model([0.5, -0.5]), [1.0]) * 2.0
    E.backward()
    model.zero_grad()  # the right way: every parameter at 0
    assert _steps_warnings(E) == []


def test_no_warning_when_the_leaves_of_a_hand_built_graph_were_zeroed_by_hand():
    x, w, b = Value(1.5), Value(-0.8), Value(0.4)
    E = 0.5 * ((w * x + b).sigmoid() - 1.0) ** 2  # 0.5 and 1.0 become leaves of the graph
    E.backward()
    for leaf in (x, w, b):
        leaf.grad = 0.0
    assert _steps_warnings(E) == []


def test_the_warning_names_the_leaves_that_hold_a_gradient_and_how_to_zero_them():
    x, w = Value(1.5, label="x"), Value(-0.8, label="w")
    E = (w * x).tanh()
    E.backward()
    w.grad = 0.0  # x still holds its gradient
    (message,) = _steps_warnings(E)
    assert "1 leaf already holds a gradient" in message and "'x' = " in message
    assert "x.grad = 0.0" in message and "'w'" not in message
    many = [Value(float(k)) for k in range(5)]
    total = sum(many[1:], many[0] * 1.0)
    total.backward()
    (message,) = _steps_warnings(total)
    assert "5 leaves already hold" in message and "and 2 others" in message
    assert "set each one's .grad = 0.0" in message
