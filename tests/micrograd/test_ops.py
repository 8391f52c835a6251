"""Ops written by hand the micrograd way: ``out = Value(t, (x,), 'tanh')``, then
``out._backward = f``. backward runs ``f``; the teaching tools read local derivatives measured
from it; what cannot be measured fails with a message pointing to ``custom_op``."""

from __future__ import annotations

import math

import pytest

from tinygrad_edu.micrograd.engine import Value


def tanh(x: Value) -> Value:
    """The lecture's way of adding an op."""
    t = math.tanh(x.data)
    out = Value(t, (x,), "tanh")

    def _backward():
        x.grad += (1 - t**2) * out.grad

    out._backward = _backward
    return out


def product(x: Value, y: Value) -> Value:
    out = Value(x.data * y.data, (x, y), "times")

    def _backward():
        x.grad += y.data * out.grad
        y.grad += x.data * out.grad

    out._backward = _backward
    return out


def test_backward_runs_the_hand_written_rule():
    x = Value(0.7)
    out = tanh(x * 2) * 3
    out.backward()
    assert x.grad == 3 * (1 - math.tanh(1.4) ** 2) * 2
    assert out._prev and tanh(x)._op == "tanh"


def test_local_derivatives_are_measured_from_the_rule_and_leave_gradients_alone():
    x, y = Value(1.5), Value(-2.0)
    out = product(x, y)
    x.grad, y.grad, out.grad = 0.25, 0.5, 4.0
    assert out.local_derivatives() == (-2.0, 1.5)
    assert (x.grad, y.grad, out.grad) == (0.25, 0.5, 4.0)
    t = tanh(x)
    assert t.local_derivatives() == (1 - math.tanh(1.5) ** 2,)


def test_an_operand_given_twice_is_one_edge_with_the_whole_derivative():
    x = Value(3.0)
    out = product(x, x)  # micrograd keeps _children as a set: one edge
    assert out.children == (x,) and out.local_derivatives() == (6.0,)
    out.backward()
    assert x.grad == 6.0


def test_replacing_the_rule_of_a_built_in_node_is_micrograds_meaning():
    x, y = Value(2.0), Value(5.0)
    out = x * y
    assert out._backward.__self__ is out  # reading it gives the node's own rule
    out._backward = lambda: None  # the lecture's way to show what a missing rule does
    out.backward()
    assert (x.grad, y.grad) == (0, 0) and out._op == "*"


def test_reading_backward_applies_the_nodes_rule_to_its_current_grad():
    x, y = Value(2.0), Value(5.0)
    out = x * y
    out.grad = 2.0
    out._backward()
    assert (x.grad, y.grad) == (10.0, 4.0)


def test_a_node_without_a_rule_fails_where_micrograd_passes_nothing_silently():
    x = Value(2.0)
    out = Value(4.0, (x,), "square") * 1.0
    with pytest.raises(RuntimeError, match="no _backward was assigned.*tinygrad_edu.custom_op"):
        out.backward()
    with pytest.raises(RuntimeError, match="tinygrad_edu.custom_op"):
        Value(4.0, (x,), "square").local_derivatives()


def test_rules_whose_derivatives_cannot_be_read_point_to_custom_op():
    x = Value(2.0)
    squared_upstream = Value(4.0, (x,), "odd")

    def nonlinear():
        x.grad += squared_upstream.grad**2

    squared_upstream._backward = nonlinear
    with pytest.raises(ValueError, match="not linear in out.grad.*custom_op"):
        squared_upstream.local_derivatives()

    failing = Value(4.0, (x,), "bad")
    failing._backward = lambda: 1 / 0
    with pytest.raises(RuntimeError, match="raised ZeroDivisionError.*custom_op"):
        failing.local_derivatives()

    meddling = Value(4.0, (x,), "meddle")

    def changes_its_own_grad():
        meddling.grad = 0.0

    meddling._backward = changes_its_own_grad
    with pytest.raises(ValueError, match="changed out.grad itself.*custom_op"):
        meddling.local_derivatives()
    assert x.grad == 0  # every measurement put the gradients back


def test_mistakes_in_making_an_op_are_named():
    x = Value(2.0)
    with pytest.raises(ValueError, match="is a leaf.*custom_op"):
        x._backward = lambda: None
    with pytest.raises(TypeError, match="_backward must be a function"):
        Value(1.0, (x,), "f")._backward = 3
    with pytest.raises(ValueError, match="an op needs its operands in _children"):
        Value(1.0, (), "tanh")
    with pytest.raises(TypeError, match="every child must be a Value, got float 2.0"):
        Value(1.0, (x, 2.0), "f")
    with pytest.raises(TypeError, match="_children must be a tuple of Values"):
        Value(1.0, x, "f")
    with pytest.raises(TypeError, match="to name a value write Value\\(data, label='x'\\)"):
        Value(1.0, "x")
    with pytest.raises(TypeError, match="_op must be a str"):
        Value(1.0, (x,), 3)
    with pytest.raises(OverflowError, match="'f' gives inf"):
        Value(math.inf, (x,), "f")
