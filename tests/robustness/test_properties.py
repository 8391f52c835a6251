"""Property tests: random expression graphs checked against central differences."""

from __future__ import annotations

import math

from hypothesis import assume, given, settings

from tinygrad_edu import Value, gradcheck

from tests.strategies import run_smooth_program, smooth_programs


def finite_or_discard(steps, leaves: list[Value]) -> Value:
    """Run the program; tell Hypothesis to discard programs whose values leave the float range
    (chained powers can overflow, which is then reported as an error, not a gradient bug)."""
    try:
        out = run_smooth_program(steps, leaves)
    except OverflowError:
        assume(False)
    assume(math.isfinite(out.data))
    return out


@settings(max_examples=150, deadline=None)
@given(smooth_programs())
def test_backward_matches_central_differences_on_random_graphs(program):
    xs, steps = program
    leaves = [Value(x, label=f"x{i}") for i, x in enumerate(xs)]
    finite_or_discard(steps, leaves)
    assert gradcheck(
        lambda *v: run_smooth_program(steps, list(v)), leaves, eps=1e-6, atol=1e-5, rtol=1e-3
    )


@settings(max_examples=100, deadline=None)
@given(smooth_programs())
def test_second_backward_adds_one_copy_to_every_leaf(program):
    xs, steps = program
    leaves = [Value(x) for x in xs]
    out = finite_or_discard(steps, leaves)
    out.backward()
    first = [leaf.grad for leaf in leaves]
    out.backward()
    # exactly one more copy: this call's gradient is summed from zero, then added once (g + g)
    assert [leaf.grad for leaf in leaves] == [g + g for g in first]
    for leaf in leaves:
        leaf.grad = 0.0
    out.backward()  # interior gradients were reset, so nothing from before leaks in
    assert [leaf.grad for leaf in leaves] == first
