"""A graph whose leaves' ``.data`` changed after it was built is stale: ``find_stale_node``
names the first node that no longer follows from its operands, ``backward_steps()`` and
``backward()`` under ``detect_anomaly()`` refuse it before any gradient changes, and a graph
built after the change (a training step) is never stale."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings

from tinygrad_edu import MLP, Value, custom_op, detect_anomaly
from tinygrad_edu.core import StaleGraphError, find_stale_node, ops
from tinygrad_edu.micrograd.engine import Value as MicrogradValue

from tests.strategies import build, networks, programs


def test_changing_data_after_building_names_the_node_above_it():
    x = Value(2.0, label="x")
    y = x * x
    z = (y + 1.0).tanh()
    assert find_stale_node(z) is None
    x.data = 5.0  # the forward was at x = 2; backward would read x = 5
    stale = find_stale_node(z)
    assert stale is not None and stale.node is y
    assert (stale.stored, stale.now) == (4.0, 25.0)
    assert "the '*' node (4) holds 4, but its op '*' gives 25" in str(stale)


def test_backward_steps_refuses_a_stale_graph_before_changing_any_gradient():
    x, w = Value(2.0, label="x"), Value(0.5, label="w")
    h = x * w
    h.label = "h"
    E = h.sigmoid()
    x.data = 5.0
    with pytest.raises(StaleGraphError, match=r"backward_steps\(\): .*'h' holds 1, but its op"):
        list(E.backward_steps())
    assert (x.grad, w.grad, h.grad, E.grad) == (0.0, 0.0, 0.0, 0.0)


def test_detect_anomaly_refuses_a_stale_graph_and_plain_backward_does_not_pay_for_the_check():
    x = Value(2.0, label="x")
    y = x * x
    x.data = 5.0
    with detect_anomaly(), pytest.raises(StaleGraphError, match=r"detect_anomaly\(\): the graph"):
        y.backward()
    assert x.grad == 0.0
    y.backward()  # the documented rule: no check outside detect_anomaly()
    assert x.grad == 10.0  # ∂(x·x)/∂x read at x = 5, though y was computed at 2


def test_a_forward_that_now_fails_is_stale_too():
    x = Value(2.0, label="x")
    y = x.log()
    x.data = -1.0
    stale = find_stale_node(y)
    assert stale is not None and stale.now is None and "now fails" in str(stale)


def test_updating_data_between_steps_and_rebuilding_the_graph_is_fine():
    """microgpt's loop: p.data -= lr * p.grad, then a new forward pass."""
    model = MLP(2, [3, 1], seed=0)
    with detect_anomaly():
        for _ in range(3):
            loss = (model([0.5, -1.0]) - 1.0) ** 2
            model.zero_grad()
            loss.backward()
            assert find_stale_node(loss) is None
            for p in model.parameters():
                p.data -= 0.1 * p.grad
    assert find_stale_node(loss) is not None  # the last graph, after the last update


@settings(max_examples=60, deadline=None)
@given(programs())
def test_no_graph_of_any_op_is_stale_while_no_data_changes(program):
    _, root = build(*program)
    assert find_stale_node(root) is None


@settings(max_examples=30, deadline=None)
@given(networks())
def test_no_network_is_stale_while_no_data_changes(network):
    _, loss = network
    assert find_stale_node(loss) is None


def test_custom_ops_and_the_micrograd_drop_in_recompute_exactly():
    softplus = custom_op(
        "softplus_stale", lambda x: math.log1p(math.exp(x)), lambda x, out: (1.0,), check=False
    )
    try:
        a = MicrogradValue(0.7)
        out = softplus((a * 3 - 1 / a) ** 2 + a.relu())
        assert find_stale_node(out) is None
        a.data = 0.8
        stale = find_stale_node(out)
        assert stale is not None and stale.node.op == "*"
    finally:
        ops.unregister("softplus_stale")
