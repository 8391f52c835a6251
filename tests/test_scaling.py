"""Deep graphs: backward() through a million-node chain, and the GC pause it relies on."""

from __future__ import annotations

import gc

import pytest

from tinygrad_edu.engine import Value, gc_paused, interior_order


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
