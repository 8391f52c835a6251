"""A backward() that fails halfway changes nothing: every leaf's gradient is as it was before
the call, the interior nodes are back at 0, and a note on the error names the node where the
pass stopped."""

from __future__ import annotations

import math

import pytest

from tinygrad_edu import AnomalyError, Value, custom_op, detect_anomaly
from tinygrad_edu.micrograd.engine import Value as MicrogradValue


def failing_op(symbol: str):
    """An op whose local derivative raises, as a buggy custom op's might."""

    def local(x: float, out: float) -> tuple[float]:
        raise ZeroDivisionError("the rule divided by zero")

    return custom_op(symbol, lambda x: 2.0 * x, local, check=False)


def graph_that_fails_after_a_and_b():
    """E = bad(c) + a·b: backward passes a·b (a and b get their share) before bad(c) fails."""
    a, b, c = Value(2.0, label="a"), Value(-3.0, label="b"), Value(0.5, label="c")
    bad = failing_op("half_done")
    return a, b, c, bad(c) + a * b


def test_a_failing_rule_leaves_every_leaf_gradient_as_it_was():
    a, b, c, E = graph_that_fails_after_a_and_b()
    a.grad, b.grad = 0.25, 0.0  # one leaf with an earlier gradient, one without
    with pytest.raises(ZeroDivisionError) as failed:
        E.backward()
    assert (a.grad, b.grad, c.grad) == (0.25, 0.0, 0.0)  # before: a.grad = 0.25 - 3, b = 2
    assert E.grad == 0.0 and all(child.grad == 0.0 for child in E.children)
    (note,) = failed.value.__notes__
    assert "stopped at the 'half_done' node" in note and "back as it was" in note


def test_after_the_failure_a_working_backward_gives_one_pass_of_gradient():
    a, b, _, E = graph_that_fails_after_a_and_b()
    with pytest.raises(ZeroDivisionError):
        E.backward()
    (a * b).backward()
    assert (a.grad, b.grad) == (-3.0, 2.0)  # not −3 + −3: nothing was left from the failure


def test_an_anomaly_halfway_puts_the_gradients_back_and_names_the_op():
    x, w = Value(0.0, label="x"), Value(4.0, label="w")
    E = x**0.5 + w * w  # ∂√x/∂x = inf at 0, met after w got 2w
    w.grad = 1.0
    with detect_anomaly(), pytest.raises(AnomalyError) as failed:
        E.backward()
    assert (x.grad, w.grad) == (0.0, 1.0)
    assert "'**0.5'" in str(failed.value) and "stopped at" in failed.value.__notes__[0]


def test_a_hand_written_micrograd_rule_that_raises_changes_no_gradient():
    x, y = MicrogradValue(1.5, label="x"), MicrogradValue(2.0, label="y")
    out = MicrogradValue(math.tanh(x.data), (x,), "tanh")

    def broken() -> None:
        raise RuntimeError("forgot out.grad")

    out._backward = broken
    E = out + x * y
    x.grad = 7.0
    with pytest.raises(RuntimeError, match="forgot"):
        E.backward()
    assert (x.grad, y.grad) == (7.0, 0.0)
