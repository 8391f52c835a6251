"""Big graphs stay fast and exact: backward() through a million-node chain, the GC pause it
relies on, and the early stop of the +, · and Σwx+b rules on a zero upstream gradient."""

from __future__ import annotations

import gc
import math
import struct

import pytest

from tinygrad_edu.core import Value, gc_paused, interior_order, weighted_sum
from tinygrad_edu.nn import MLP, hinge


@pytest.mark.slow
def test_backward_through_a_million_node_chain_gives_the_exact_gradient():
    n = 1_000_000
    x, a = Value(0.75, "x"), Value(1.0 + 1.0 / n, "a")
    y = x
    for _ in range(n):
        y = y * a
    y.backward()  # no recursion: the topological sort is iterative

    power = 1.0
    for _ in range(n):
        power *= a.data  # aⁿ with the same roundings as the backward pass: 1·a·a·…·a
    assert x.grad == power
    assert y.data == pytest.approx(0.75 * power, rel=1e-12)
    assert a.grad == pytest.approx(n * 0.75 * power / a.data, rel=1e-9)  # ∂(x·aⁿ)/∂a


@pytest.mark.slow
def test_a_deep_chain_of_mixed_ops_matches_its_closed_form():
    n = 200_000
    x = Value(0.5, "x")
    y = x
    for _ in range(n):
        y = (y + 1.0) - 1.0  # each step has ∂/∂y = 1
    y = y.sigmoid()
    y.backward()
    s = y.data
    assert x.grad == pytest.approx(s * (1.0 - s), rel=1e-12)
    assert len(interior_order(y)) == 2 * n + 1


def test_gc_paused_pauses_and_restores_the_collector():
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner one leaves it as the outer one set it
    assert gc.isenabled()


def test_backward_leaves_the_collector_as_it_found_it():
    x = Value(2.0)
    y = x * x
    y.backward()
    assert gc.isenabled()
    gc.disable()
    try:
        (x * x).backward()
        assert not gc.isenabled()  # a collector the user turned off stays off
    finally:
        gc.enable()


def test_the_collector_comes_back_after_an_error_inside():
    with pytest.raises(ZeroDivisionError), gc_paused():
        Value(1.0) / 0.0
    assert gc.isenabled()


def _bits(values):
    return [struct.pack("<d", v) for v in values]


@pytest.mark.parametrize("fused", [True, False])
def test_skipping_zero_upstream_gradients_changes_no_bit(fused):
    """backward() stops early below ReLUs that are off and satisfied hinge terms;
    backward_steps() applies every edge. Both must leave the same bits."""
    model = MLP(
        2,
        [8, 8, 1],
        activation="relu",
        output_activation="linear",
        init="uniform",
        seed=3,
        fused=fused,
    )
    points = [[0.1 * k - 1.0, 0.7 - 0.05 * k] for k in range(20)]
    labels = [1.0 if k % 3 else -1.0 for k in range(20)]

    def loss():
        return hinge([model(x) for x in points], labels) * (1.0 / len(points))

    model.zero_grad()
    root = loss()
    dead = [n for n in interior_order(root) if n.op == "relu" and n.data == 0.0]
    assert dead, "the example needs ReLUs that are off"
    root.backward()
    shortcut = _bits(p.grad for p in model.parameters())
    model.zero_grad()
    for _ in loss().backward_steps():
        pass
    assert _bits(p.grad for p in model.parameters()) == shortcut


def test_no_node_holds_an_infinite_factor_so_a_zero_upstream_adds_nothing():
    """+, · and Σwx+b skip an exactly-zero upstream gradient. That is exact because every
    local derivative is finite: 0 × ∞ (NaN in IEEE arithmetic) cannot arise, since an op
    refuses to make a node from an infinite operand whose result is not finite."""
    with pytest.raises(ValueError, match="an operand is already infinite or NaN"):
        Value(math.inf) * Value(0.0)
    with pytest.raises(ValueError, match="'Σwx\\+b' gives nan"):
        weighted_sum([Value(math.inf)], [Value(0.0)], Value(0.0))
    with pytest.raises(OverflowError, match="overflows a float"):
        Value(1e300) * Value(1e300)
