"""One backward pass from zero that leaves no trace: every ``.grad`` is put back afterwards."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from tinygrad_edu.core import BackwardStep, Value, topological_order

__all__ = ["pass_from_zero"]


@contextmanager
def pass_from_zero(root: Value) -> Iterator[list[BackwardStep]]:
    """``root.backward_steps()`` run to the end from zero gradients, as its list of steps.

    Inside the ``with`` block every node below ``root`` holds the gradient of that one pass
    (∂root/∂node, whatever it held before: leaves that kept an earlier ``backward()`` are set
    to 0 first, so nothing is added to them and no warning is given). When the block ends,
    normally or by an error, every node gets back the gradient it had before.
    """
    nodes = topological_order(root)
    saved = [node.grad for node in nodes]
    try:
        for node in nodes:
            node.grad = 0.0
        yield list(root.backward_steps())
    finally:
        for node, grad in zip(nodes, saved, strict=True):
            node.grad = grad
