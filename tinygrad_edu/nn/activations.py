"""The activations a network may use: every op of ``core.ops`` marked as one, and linear."""

from __future__ import annotations

from collections.abc import Callable

from tinygrad_edu.core import Value
from tinygrad_edu.core.ops import ALL_OPS, Op

Activation = Callable[[Value], Value]
LINEAR = "linear"


def _linear(h: Value) -> Value:
    return h


def _method(op: type[Op]) -> Activation:
    method: Activation = getattr(Value, op.function or op.symbol)
    return method


ACTIVATIONS: dict[str, Activation] = {
    **{op.symbol: _method(op) for op in ALL_OPS if op.activation},
    LINEAR: _linear,
}
