"""The drop-in's own ops: the core's math under micrograd's symbols, and an op written by hand.

* :class:`ReLU` and :class:`Power` are the core's ``Relu`` and ``PowConst`` shown as micrograd
  shows them (``ReLU``; ``**2`` for ``x ** 2`` but ``**2.0`` for ``x ** 2.0``).
* :class:`HandWritten` is an op written the micrograd way, ``out = Value(t, (x,), 'tanh')``
  followed by ``out._backward = f``: backward runs ``f``, and the teaching tools read local
  derivatives measured from ``f``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING

from tinygrad_edu.core import ops
from tinygrad_edu.core.messages import node_name

if TYPE_CHECKING:
    from tinygrad_edu.core.engine import Value

CUSTOM_OP_HINT = (
    "to add an op whose derivative tinygrad_edu can read and check, use tinygrad_edu.custom_op"
)


class ReLU(ops.Relu):
    """max(0, x) with micrograd's symbol ``ReLU``; the math is the core's ``Relu``."""

    symbol = "ReLU"


class Power(ops.PowConst):
    """xⁿ for a number n with micrograd's symbol ``f'**{n}'``; the math is ``PowConst``'s.

    The node keeps n as given (an int stays an int) so that ``x ** 2`` shows ``**2`` and
    ``x ** 2.0`` shows ``**2.0``, as micrograd's drawings do.
    """

    @classmethod
    def name(cls, out: Value) -> str:
        return f"**{out._b}"

    @staticmethod
    def rule(out: Value, operand: int, args: Sequence[str], result: str) -> str:
        return f"{out._b}·{args[0]}^({out._b} - 1)"

    @classmethod
    def formula(cls, out: Value, args: Sequence[str]) -> str:
        return f"{args[0]} ** {out._b}"


class HandWritten(ops.Op):
    """An op written as micrograd writes one: ``out = Value(t, (x, y), 'f')``, then
    ``out._backward = rule``, a function that adds each operand's share of ``out.grad`` to
    its ``.grad``.

    The node keeps its operands, each once and in the order given, in ``_a`` and the symbol
    in ``_b``; the rule lives in the node's ``__dict__``. ``backward`` runs the rule, exactly
    as micrograd does. ``local`` measures ∂out/∂xᵢ by running the rule with ``out.grad = 1``
    on operands whose gradients are set to 0 (and restored after): for a rule of the form
    ``x.grad += d * out.grad`` that is d, exactly. It runs the rule a second time with
    ``out.grad = 2`` and refuses a rule that is not linear in ``out.grad``.
    """

    symbol = "?"
    arity = -1  # any number of operands

    @classmethod
    def name(cls, out: Value) -> str:
        symbol: str = out._b
        return symbol

    @classmethod
    def children(cls, out: Value) -> tuple[Value, ...]:
        operands: tuple[Value, ...] = out._a
        return operands

    @staticmethod
    def walk(out: Value, walked: set[int], leaves: bool) -> Iterator[Value]:
        return iter(out._a)

    @staticmethod
    def backward(out: Value) -> None:
        rule_of(out)()

    @staticmethod
    def local(out: Value) -> list[float]:
        once = _measure(out, 1.0)
        twice = _measure(out, 2.0)
        if any(2.0 * a != b for a, b in zip(once, twice, strict=True)):
            raise ValueError(
                f"the _backward of {node_name(out)} is not linear in out.grad (upstream 1 "
                f"gives {once}, upstream 2 gives {twice}), so it has no local derivatives to "
                f"show; a chain-rule step adds local × out.grad. {CUSTOM_OP_HINT}"
            )
        return once

    @staticmethod
    def rule(out: Value, operand: int, args: Sequence[str], result: str) -> str:
        return "its _backward() run with upstream 1"

    @classmethod
    def formula(cls, out: Value, args: Sequence[str]) -> str:
        name = cls.name(out) or "op"
        return f"{name}({', '.join(args)})"


def rule_of(out: Value) -> Callable[[], object]:
    """The ``_backward`` function assigned to a hand-written node."""
    rule: Callable[[], object] | None = vars(out).get("_backward")
    if rule is None:
        raise RuntimeError(
            f"{node_name(out)} was made with Value(data, _children, _op) but no _backward was "
            "assigned to it, so backward() cannot pass its gradient down: assign "
            "out._backward = a function that adds each operand's share of out.grad to its "
            f".grad, as micrograd does; or, {CUSTOM_OP_HINT}"
        )
    return rule


def _measure(out: Value, upstream: float) -> list[float]:
    """What the node's rule adds to each operand's gradient for ``out.grad = upstream``, with
    every gradient it may touch restored afterwards."""
    rule = rule_of(out)
    operands = HandWritten.children(out)
    saved = [x.grad for x in operands]
    saved_out = out.grad
    try:
        for x in operands:
            x.grad = 0.0
        out.grad = upstream
        try:
            rule()
        except Exception as error:
            raise RuntimeError(
                f"could not read the local derivatives of {node_name(out)}: its _backward "
                f"raised {error!r} when run with upstream {upstream:g}. {CUSTOM_OP_HINT}"
            ) from error
        if out.grad != upstream:
            raise ValueError(
                f"the _backward of {node_name(out)} changed out.grad itself, so its local "
                f"derivatives cannot be read; it should only add to its operands' .grad. "
                f"{CUSTOM_OP_HINT}"
            )
        return [x.grad for x in operands]
    finally:
        out.grad = saved_out
        for x, grad in zip(operands, saved, strict=True):
            x.grad = grad
