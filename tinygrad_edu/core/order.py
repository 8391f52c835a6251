"""The topological sort: every node below a root, each after the operands it was made from.

This is the sort to read. ``backward()`` needs the nodes in an order where each node comes
after every node it was computed from, so that walking the list backwards visits a node only
once all of its users have added their share to its gradient. A depth-first search gives
that order: a node is listed once all of its operands are listed.

The search is iterative (a stack instead of recursion), so a chain of a million nodes
needs no deep recursion, and it visits operands in their stored order, so the order, and
every float sum along it, is the same on every run. ``walk.py`` holds backward()'s tuned
walk: the same order, just faster (a test holds them equal on random graphs).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tinygrad_edu.core.engine import Value


def topological_order(root: Value) -> list[Value]:
    """Every node reachable from ``root``, each after all of its children; ``root`` is last."""
    order: list[Value] = []
    visited = {root}
    stack = [(root, iter(root.children))]  # a node, and the operands not yet looked at
    while stack:
        node, operands = stack[-1]
        for child in operands:
            if child not in visited:
                visited.add(child)
                stack.append((child, iter(child.children)))
                break  # go down into the child first; come back to node's other operands
        else:  # every operand of node is listed: node can be
            stack.pop()
            order.append(node)
    return order


def interior_order(root: Value) -> list[Value]:
    """Like :func:`topological_order`, without the leaves: the nodes that backward visits."""
    return [node for node in topological_order(root) if node.children]
