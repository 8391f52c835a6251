"""Stale graphs: a ``.data`` changed after the nodes above it were computed.

A node stores its forward value when its op makes it, and its op's backward rule reads the
operands' ``.data`` when it runs. Change a leaf's ``.data`` between the two (``x.data = 5``
after ``y = x * x`` was built at x = 2) and backward mixes the forward at x = 2 with local
derivatives at x = 5: gradients of no function at all. PyTorch notices with a version
counter on every tensor; here nothing is paid on the hot path: the check below recomputes
each op from its operands' current data and compares, where a tool can afford one more
forward pass (``backward_steps()``, ``detect_anomaly()``, the lenses).

Changing ``.data`` and then building a new graph is fine, and is how training works
(microgpt's ``p.data -= lr * p.grad`` between steps): only a graph built *before* the change
is stale.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from tinygrad_edu.core.messages import node_name, operand_list, shown
from tinygrad_edu.core.order import topological_order

if TYPE_CHECKING:
    from tinygrad_edu.core.engine import Value


class StaleGraphError(ValueError):
    """A node's stored value no longer follows from its operands' data (see the module)."""


class StaleNode:
    """The first node (operands before users) whose op, recomputed from its operands' data
    now, no longer gives its stored ``data``.

    Attributes:
        node: that node.
        stored: its ``.data``, computed when the graph was built.
        now: what its op gives from its operands' data now; ``None`` where the op now fails
            (a log of what became negative).
    """

    __slots__ = ("node", "stored", "now")  # a plain class: no dataclasses import for the core

    def __init__(self, node: Value, stored: float, now: float | None) -> None:
        self.node, self.stored, self.now = node, stored, now

    def __repr__(self) -> str:
        return f"StaleNode(node={self.node!r}, stored={self.stored!r}, now={self.now!r})"

    def __str__(self) -> str:
        node = self.node
        op = node.op
        now = f"gives {shown(self.now)}" if self.now is not None else "now fails"
        return (
            f"{node_name(node)} holds {shown(self.stored)}, but its op {op!r} {now} from its "
            f"operands' data now ({operand_list(node.children)}): a .data below it changed "
            "after the graph was built"
        )


def find_stale_node(root: Value, order: Sequence[Value] | None = None) -> StaleNode | None:
    """The first interior node below ``root`` (``root`` included), operands before users,
    whose stored ``.data`` differs from its op recomputed from its operands' ``.data`` now;
    ``None`` when every node still follows from the leaves. Ops that cannot recompute (one
    written by hand with micrograd's ``_backward``) are taken as they are.

    Costs one forward pass over the graph (its ops, no new nodes); nothing is changed.
    ``order`` is the graph's topological order, where the caller has it already.
    """
    for node in topological_order(root) if order is None else order:
        operation = node._operation
        if operation is None:
            continue
        try:
            now = operation.recompute(node)
        except (ArithmeticError, ValueError, TypeError):
            return StaleNode(node, node.data, None)
        if now is not None and now != node.data:
            return StaleNode(node, node.data, now)
    return None


def check_not_stale(root: Value, caller: str, order: Sequence[Value] | None = None) -> None:
    """Raise :class:`StaleGraphError`, naming the first stale node, if ``root``'s graph is
    stale (see :func:`find_stale_node`); ``caller`` begins the message (``"stepper()"``)."""
    stale = find_stale_node(root, order)
    if stale is not None:
        raise StaleGraphError(
            f"{caller}: the graph of {node_name(root)} is stale: {stale}, so its gradients "
            "would mix the old forward values with the new numbers. Compute "
            f"{node_name(root)} again from the leaves after changing .data"
        )
