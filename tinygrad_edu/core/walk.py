"""backward()'s walk: the same order as ``order.py``'s lesson sort, just faster.

``order.topological_order`` is the sort to read: a depth-first search with a set of visited
nodes. ``depth_first`` lists exactly the same nodes in exactly the same order (a property
test on random graphs holds the two equal, and backward()'s gradients bit for bit), with the
tricks that took a third off a training step:

* a visited node is marked by setting its ``.grad`` to a 0.0 made for the walk, told apart by
  identity, instead of adding it to a set (and backward() keeps that 0.0 as the interior
  node's starting gradient, so no pass resets them);
* the usual operands (two, or one) are read from the node's slots inline instead of through
  ``op.walk``;
* operand tuples that Σwx+b nodes share (a layer's inputs, a neuron's weights) are walked
  once (``ops.WeightedSum.walk``), and a unit a = f(Σwx+b) whose tuples were walked is
  listed with its sum at once;
* backward()'s walk records the leaves that already hold a gradient (``held``) as it meets
  them, so no second pass over the leaves is needed (and a pass that fails can put them
  back: :func:`put_back`);
* a two-operand node whose operands need nothing more (visited already, or leaves without a
  gradient when no leaves are listed) is listed at once, where the search would have gone
  down into it only to come straight back: every ``w·x`` of a neuron's chain. A fifth off
  the walk of micrograd's demo graph (``fused=False``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tinygrad_edu.core.engine import Value


def depth_first(root: Value, leaves: bool, held: dict[Value, float] | None = None) -> list[Value]:
    """The walk behind the orders. With ``held`` (backward()'s walk), leaves met with a
    non-zero gradient are recorded there with it.

    A visited node is marked by setting its ``.grad`` to ``seen``, a 0.0 made for this walk
    and told apart from every other float by identity: quicker to test than a set. The
    marks are undone before the walk returns, or fails, except in backward()'s walk, which
    leaves every interior gradient at that 0.0, ready to sum this pass into.
    """
    order: list[Value] = []
    if root._operation is None:
        return [root] if leaves else order
    seen = float(0)  # a new float object, unlike the literal 0.0 that every module shares
    quick = not leaves  # a leaf without a gradient then needs nothing: see the binary case
    marks: list[tuple[Value, float]] = []  # each marked node's gradient, to put back
    walked: set[int] = set()  # operand tuples that Σwx+b nodes share, walked once (ops.py)
    # The path from root to the current node, and for each node on it an iterator over the
    # operands not yet looked at: `children` is the current node's, `pending` the others'.
    # A node is appended once every operand is done, so no node comes before its operands.
    path = [root]
    pending: list[Iterator[Value]] = []
    children = root._operation.walk(root, walked, leaves)
    if held is None:
        marks.append((root, root.grad))
    root.grad = seen
    try:
        while True:
            for child in children:
                operation = child._operation
                if operation is not None:
                    if child.grad is not seen:
                        if held is None:
                            marks.append((child, child.grad))
                        child.grad = seen
                        arity = operation.arity  # the usual operands inline (ops.Op.walk)
                        if arity == 2:
                            a, b = child._a, child._b
                            if (
                                quick
                                and (a.grad is seen or (a._operation is None and not a.grad))
                                and (b.grad is seen or (b._operation is None and not b.grad))
                            ):
                                order.append(child)  # both operands done: nothing to go into
                                continue
                            below = iter((a, b))
                        elif arity == 1:
                            h = child._a
                            # a neuron's a = f(Σwx+b) whose sum shares two walked tuples
                            # (WeightedSum.walk's usual case), so only the bias is left:
                            # with nothing to record there, both are done at once
                            if h.grad is not seen and id(h._a) in walked and id(h._b) in walked:
                                bias = h._a[-1]
                                if bias._operation is None and not (leaves or bias.grad):
                                    if held is None:
                                        marks.append((h, h.grad))
                                    h.grad = seen
                                    order.append(h)
                                    order.append(child)
                                    continue
                            below = iter((h,))
                        else:
                            below = operation.walk(child, walked, leaves)
                        path.append(child)
                        pending.append(children)
                        children = below
                        break
                elif leaves:
                    if child.grad is not seen:
                        marks.append((child, child.grad))
                        child.grad = seen
                        order.append(child)
                elif held is not None and child.grad and child not in held:
                    held[child] = child.grad
            else:
                order.append(path.pop())
                if not pending:
                    break
                children = pending.pop()
    finally:
        for node, grad in marks:
            node.grad = grad
    return order


def put_back(order: list[Value], held: dict[Value, float]) -> None:
    """Undo a backward() pass that failed: every leaf below the nodes of ``order`` (the
    walk's) gets back the gradient it had, which is in ``held`` for those that held one (the
    walk records every non-zero one) and 0 for the others; the interior nodes, the pass's
    scratch space, go back to 0, the gradient of a node that no pass has reached. (Keeping
    their earlier gradients would cost a test per node in the walk above, 0.7% of a step.)"""
    for node in order:
        node.grad = 0.0
        for child in node._operation.children(node):  # type: ignore[union-attr]
            if child._operation is None:
                child.grad = held.get(child, 0.0)
