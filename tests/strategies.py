"""Bounded Hypothesis strategies for random expressions over ``Value``s, kept in one place."""

from __future__ import annotations

import math
from collections.abc import Callable

from hypothesis import strategies as st

from tinygrad_edu import Value

# Ops whose result stays finite and smooth for operands in [-2, 2] (division and log are
# guarded so their inputs stay away from 0).
UNARY: dict[str, Callable[[Value], Value]] = {
    "sigmoid": Value.sigmoid,
    "tanh": Value.tanh,
    "exp_small": lambda v: (v * 0.3).exp(),
    "log_shifted": lambda v: (v * v + 1.0).log(),
    "neg": Value.__neg__,
    "square": lambda v: v**2,
}
BINARY: dict[str, Callable[[Value, Value], Value]] = {
    "+": Value.__add__,
    "-": Value.__sub__,
    "*": lambda a, b: a * b * 0.5,
    "/": lambda a, b: a / (b * b + 1.0),
    "pow": lambda a, b: (a * a + 0.5) ** (b * 0.5),
}

inputs = st.lists(st.floats(-2.0, 2.0, allow_nan=False), min_size=1, max_size=4)


@st.composite
def programs(draw, max_steps: int = 12):
    """A straight-line program: each step applies an op to earlier results (so nodes are
    reused), returned as a list of (op, operand indices)."""
    n_inputs = draw(st.integers(1, 4))
    steps = []
    for k in range(draw(st.integers(1, max_steps))):
        available = n_inputs + k
        if draw(st.booleans()):
            operand = draw(st.integers(0, available - 1))
            steps.append((draw(st.sampled_from(sorted(UNARY))), (operand,)))
        else:
            pair = (draw(st.integers(0, available - 1)), draw(st.integers(0, available - 1)))
            steps.append((draw(st.sampled_from(sorted(BINARY))), pair))
    xs = draw(st.lists(st.floats(-2.0, 2.0, allow_nan=False), min_size=n_inputs, max_size=n_inputs))
    return xs, steps


def run_program(steps, leaves: list[Value]) -> Value:
    nodes = list(leaves)
    for op, args in steps:
        fn = UNARY.get(op) or BINARY[op]
        nodes.append(fn(*(nodes[i] for i in args)))
    out = nodes[-1]
    # squash the result so central differences stay well conditioned
    return out.tanh() if math.isfinite(out.data) else out
