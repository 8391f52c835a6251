"""What a ``Value`` speaks besides the chain rule: Python's number protocol (format, round,
comparisons) and micrograd's names for its parts, so lesson code written for micrograd runs
unchanged. ``Value`` inherits both; they read its ``data``, ``op``, ``children`` and op."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from tinygrad_edu.core.messages import no_plain_number, to_float

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
    ``==`` and hashing stay by identity, so that nodes can be dict keys.

    ``float(v)``, ``int(v)`` and ``complex(v)`` raise a TypeError, as does every ``math``
    function given a Value (``math.tanh(v)`` asks for ``float(v)``): their result is a plain
    number, cut from the graph, so a gradient through it would silently be 0. The message
    says to write ``v.tanh()`` for the op and ``v.data`` for the number. ``round`` and
    ``format`` stay: rounding's derivative is 0 wherever it exists, so a number without a
    graph is its right answer, and formatting only shows the number. ``bool(v)`` is true for
    every node, 0 included, as for any object (``node or default`` works): a Value is a node,
    not a truth value; test ``v.data``.
    """

    __slots__ = ()
    data: float  # the Value's slot

    def __float__(self) -> float:
        raise TypeError(no_plain_number(self, "float()"))  # type: ignore[arg-type]

    def __int__(self) -> int:
        raise TypeError(no_plain_number(self, "int()"))  # type: ignore[arg-type]

    def __complex__(self) -> complex:
        raise TypeError(no_plain_number(self, "complex()"))  # type: ignore[arg-type]

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
