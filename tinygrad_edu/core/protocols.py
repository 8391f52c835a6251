"""What a ``Value`` speaks besides the chain rule: Python's number protocol (format, round,
comparisons) and micrograd's names for its parts, so lesson code written for micrograd runs
unchanged. ``Value`` inherits both; they read its ``data``, ``op``, ``children`` and op."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from tinygrad_edu.core.messages import to_float

if TYPE_CHECKING:
    from tinygrad_edu.core.engine import Value


class _Node(Protocol):
    """What the two mixins read of the ``Value`` they are part of."""

    data: float
    _operation: Any

    @property
    def op(self) -> str: ...

    @property
    def children(self) -> tuple[Value, ...]: ...


class NumberProtocol:
    """``format(v, ".3f")`` and ``round(v, 3)`` give numbers; ``<``, ``<=``, ``>``, ``>=``
    compare ``.data`` with a Value or a real number (so ``max(values)`` picks a node).
    ``==`` and hashing stay by identity, so that nodes can be dict keys."""

    __slots__ = ()
    data: float  # the Value's slot

    def __float__(self) -> float:
        return self.data

    def __format__(self, spec: str) -> str:
        return format(self.data, spec) if spec else str(self)

    def __round__(self, ndigits: int | None = None) -> float | int:
        return round(self.data, ndigits)

    def __lt__(self, other: object) -> bool:
        return self.data < _number_of(other)

    def __le__(self, other: object) -> bool:
        return self.data <= _number_of(other)

    def __gt__(self, other: object) -> bool:
        return self.data > _number_of(other)

    def __ge__(self, other: object) -> bool:
        return self.data >= _number_of(other)


class MicrogradNames:
    """micrograd's names for a node's parts: ``_op``, ``_prev`` and ``_backward()``."""

    __slots__ = ()

    @property
    def _op(self: _Node) -> str:
        """micrograd's name for ``op``."""
        return self.op

    @property
    def _prev(self: _Node) -> set[Value]:
        """micrograd's unordered set of operands (``children`` keeps order and repeats)."""
        return set(self.children)

    def _backward(self: _Node) -> None:
        """micrograd's per-node step: this node's rule with its current ``.grad``."""
        if self._operation is not None:
            self._operation.backward(self)


def _number_of(other: object) -> float:
    number: float | None = (
        getattr(other, "data", None) if isinstance(other, NumberProtocol) else None
    )
    return to_float(other, "comparing a Value") if number is None else number
