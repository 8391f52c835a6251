"""The activations a network may use: every op of ``core.ops`` marked as one, and linear.

The table is read from the ops each time, so an op made at run time with
``tinygrad_edu.custom_op`` is an activation too, by its symbol or by its function
(``MLP(2, [3, 1], activation=softplus)``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

from tinygrad_edu.core import Value
from tinygrad_edu.core.ops import Op, all_ops

Activation = Callable[[Value], Value]
LINEAR = "linear"


def _linear(h: Value) -> Value:
    return h


def _method(op: type[Op]) -> Activation:
    if op.apply is not None:  # an op made at run time brings its own function
        return op.apply
    method: Activation = getattr(Value, op.function or op.symbol)
    return method


class _Activations(Mapping[str, Activation]):
    """Name → function, for every op marked as an activation, then ``"linear"``."""

    def _table(self) -> dict[str, Activation]:
        table = {op.symbol: _method(op) for op in all_ops() if op.activation}
        table[LINEAR] = _linear
        return table

    def __getitem__(self, name: str) -> Activation:
        return self._table()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._table())

    def __len__(self) -> int:
        return len(self._table())

    def __repr__(self) -> str:
        return f"ACTIVATIONS({', '.join(map(repr, self))})"


ACTIVATIONS: Mapping[str, Activation] = _Activations()


def activation_name(activation: object) -> object:
    """The name a network keeps for ``activation``: a custom op given as its function becomes
    its symbol; anything else is returned as it is, for the caller's check to judge."""
    for op in all_ops():
        if op.apply is not None and op.apply is activation:
            if not op.activation:
                raise ValueError(
                    f"activation: the custom op {op.symbol!r} takes {op.arity} operands; "
                    "an activation takes one"
                )
            return op.symbol
    return activation


def derivative_symbols(activation: str) -> tuple[str, str]:
    """f′ of an activation as text and as LaTeX, from its op (``("σ′", "\\sigma'")``);
    ``f′`` for linear, where f′ = 1."""
    if activation == LINEAR:
        return "f′", "f'"
    for op in all_ops():
        if op.activation and op.symbol == activation:
            return op.derivative_text(), op.derivative_tex()
    return f"{activation}′", "f'"
