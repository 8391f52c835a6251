"""One backward pass from zero that leaves no trace: every ``.grad`` is put back afterwards."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from tinygrad_edu.core import BackwardStep, Value
from tinygrad_edu.core.steps import replay
from tinygrad_edu.lenses.index import GraphIndex

__all__ = ["pass_from_zero"]


@contextmanager
def pass_from_zero(
    index: GraphIndex, order: list[Value] | None = None
) -> Iterator[list[BackwardStep]]:
    """``root.backward_steps()`` run to the end from zero gradients, as its list of steps,
    along the index's order (the graph is not sorted again), or along ``order``: the interior
    nodes in another topological order (the steps then add the same contributions in
    another order, see :mod:`.order`).

    Inside the ``with`` block every node below the root holds the gradient of that one pass
    (∂root/∂node, whatever it held before: leaves that kept an earlier ``backward()`` are set
    to 0 first, so nothing is added to them and no warning is given). When the block ends,
    normally or by an error, every node gets back the gradient it had before.
    """
    root = index.root
    nodes = index.order
    saved = [node.grad for node in nodes]
    try:
        for node in nodes:
            node.grad = 0.0
        if root._operation is None:  # a leaf: no step (and no_grad()'s leaves are refused)
            yield list(root.backward_steps())
        else:
            # what backward_steps() does after its sort: ∂root/∂root = 1, then each
            # interior node from the root down; the index's order is the sort's order
            root.grad = 1.0
            yield list(replay(index.interior if order is None else order, {}))
    finally:
        for node, grad in zip(nodes, saved, strict=True):
            node.grad = grad
