"""Checking ``backward()`` against central differences.

For each input xᵢ the numerical derivative is

    ∂f/∂xᵢ ≈ (f(…, xᵢ + ε, …) − f(…, xᵢ − ε, …)) / 2ε

whose error shrinks like ε², so it agrees with the chain rule to several digits whenever f is
smooth near x (not at a ReLU kink, for instance).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from tinygrad_edu.core import Value, no_grad

Function = Callable[..., Value]


class GradcheckError(AssertionError):
    """``backward()`` and central differences disagree; the message lists each input."""


def _as_leaves(inputs: Sequence[Value | float]) -> list[Value]:
    if isinstance(inputs, (Value, int, float)):
        inputs = [inputs]
    leaves = [x if isinstance(x, Value) else Value(x, label=f"x{i}") for i, x in enumerate(inputs)]
    if not leaves:
        raise ValueError("gradcheck needs at least one input")
    return leaves


def _evaluate(fn: Function, leaves: list[Value]) -> float:
    out = fn(*leaves)
    if not isinstance(out, Value):
        raise TypeError(f"the function must return a Value, got {type(out).__name__}")
    return out.data


def numerical_gradient(
    fn: Function, inputs: Sequence[Value | float], eps: float = 1e-6
) -> list[float]:
    """Central-difference estimates of ∂fn/∂xᵢ for each input, evaluated without a graph.

    ``fn`` is called as ``fn(*values)``. Inputs given as ``Value`` are nudged in place and
    restored exactly, so a function that also reads them through a closure (a model's
    parameters, say) sees the nudge.
    """
    leaves = _as_leaves(inputs)
    estimates = []
    with no_grad():
        for leaf in leaves:
            original = leaf.data
            try:
                leaf.data = original + eps
                f_plus = _evaluate(fn, leaves)
                leaf.data = original - eps
                f_minus = _evaluate(fn, leaves)
            finally:
                leaf.data = original
            estimates.append((f_plus - f_minus) / (2.0 * eps))
    return estimates


def analytic_gradient(fn: Function, inputs: Sequence[Value | float]) -> list[float]:
    """∂fn/∂xᵢ from one ``backward()``; the inputs' own ``.grad`` values are left as they were."""
    leaves = _as_leaves(inputs)
    saved = [leaf.grad for leaf in leaves]
    try:
        for leaf in leaves:
            leaf.grad = 0.0
        out = fn(*leaves)
        if not isinstance(out, Value):
            raise TypeError(f"the function must return a Value, got {type(out).__name__}")
        out.backward()
        return [leaf.grad for leaf in leaves]
    finally:
        for leaf, grad in zip(leaves, saved, strict=True):
            leaf.grad = grad


def gradcheck(
    fn: Function,
    inputs: Sequence[Value | float],
    eps: float = 1e-6,
    atol: float = 1e-6,
    rtol: float = 1e-4,
    raise_exception: bool = True,
) -> bool:
    """True when ``backward()`` matches central differences for every input:
    |analytic − numerical| ≤ atol + rtol·|numerical|.

    Otherwise raises :class:`GradcheckError` listing every input's two values (or returns
    False with ``raise_exception=False``).

    Example::

        >>> gradcheck(lambda x, y: (x * y).sigmoid(), [0.3, -1.2])
        True
    """
    leaves = _as_leaves(inputs)
    analytic = analytic_gradient(fn, leaves)
    numerical = numerical_gradient(fn, leaves, eps)
    bad = [
        i
        for i, (a, n) in enumerate(zip(analytic, numerical, strict=True))
        if not (math.isfinite(a) and abs(a - n) <= atol + rtol * abs(n))
    ]
    if not bad:
        return True
    if not raise_exception:
        return False
    lines = [f"gradcheck failed for {len(bad)} of {len(leaves)} inputs:"]
    for i in bad:
        name = leaves[i].label or f"input {i}"
        lines.append(f"  {name}: backward {analytic[i]!r}, central difference {numerical[i]!r}")
    raise GradcheckError("\n".join(lines))
