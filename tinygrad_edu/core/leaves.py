"""The leaves the package makes for numbers, as opposed to the leaves a user makes.

``1 - x`` wraps the number 1 as a leaf, a network wraps its inputs, a loss its targets. Such
a leaf is marked ``DATA`` in its ``_b`` slot (unused by a leaf): ``zero_grad()`` zeroes none
of them and nobody reads their gradient, so ``backward_steps()`` does not warn that one holds
a gradient from an earlier pass.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tinygrad_edu.core.engine import Value

DATA = "a number made a leaf"  # the _b of such a leaf; compared by identity

_new = object.__new__


def data_leaf(node_class: type[Value], x: float, label: str = "") -> Value:
    """A new leaf of ``node_class`` for the float ``x``, made by the package (no checks:
    ``x`` is a float already)."""
    node = _new(node_class)
    node.data, node.grad, node.label = x, 0.0, label
    node._operation, node._a, node._b = None, None, DATA
    return node
