"""The records of ``Value.backward_steps()``: what backward did at one node, edge by edge."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from operator import attrgetter
from typing import TYPE_CHECKING

from tinygrad_edu.core.leaves import DATA
from tinygrad_edu.core.messages import check_gradients, count, node_name, shown
from tinygrad_edu.core.modes import Mode

if TYPE_CHECKING:
    from tinygrad_edu.core.engine import Value


class EdgeStep:
    """One edge of a backward step: ``child.grad += local × upstream``.

    ``position`` is the child's place among the node's ``children``. ``grad_before`` and
    ``grad_after`` are the child's gradient in this pass just before and just after the
    contribution, so an operand used twice (``x * x``) shows both additions.
    """

    __slots__ = ("child", "position", "local", "contribution", "grad_before", "grad_after")

    def __init__(
        self,
        child: Value,
        position: int,
        local: float,
        contribution: float,
        before: float,
        after: float,
    ) -> None:
        self.child, self.position, self.local = child, position, local
        self.contribution, self.grad_before, self.grad_after = contribution, before, after

    def __repr__(self) -> str:
        return (
            f"EdgeStep(child={self.child!r}, local={self.local!r}, "
            f"contribution={self.contribution!r})"
        )


class BackwardStep:
    """What backward did at one node: its upstream gradient and what each operand received."""

    __slots__ = ("node", "upstream", "edges")

    def __init__(self, node: Value, upstream: float, edges: tuple[EdgeStep, ...]) -> None:
        self.node, self.upstream, self.edges = node, upstream, edges

    def __repr__(self) -> str:
        return f"BackwardStep(node={self.node!r}, upstream={self.upstream!r}, edges={self.edges!r})"

    def __str__(self) -> str:
        node = self.node
        where = f"{node_name(node)} ({node.op})" if node.label else node_name(node)
        upstream = shown(self.upstream)
        lines = [f"at {where}: upstream gradient {upstream}"]
        for edge in self.edges:
            lines.append(
                f"  grad of {node_name(edge.child)} += local {shown(edge.local)}"
                f" × upstream {upstream} = {shown(edge.contribution)}"
            )
        return "\n".join(lines)


def apply_step(node: Value, aside: dict[Value, float]) -> BackwardStep:
    """Run the chain rule at ``node`` edge by edge from its op's local derivatives, in the
    order its ``backward`` adds them (``edge_order``), and record it, edges in the order of
    ``children`` (without those its backward leaves alone, such as data inputs). Leaves in
    ``aside`` held a gradient before this pass: their share of this pass is summed there, so
    that they show the earlier gradient until the pass ends (``backward_steps`` then adds the
    two, as ``backward`` does)."""
    upstream = node.grad
    operation = node._operation
    assert operation is not None, "only interior nodes have a backward step"
    children, locals_ = operation.children(node), tuple(operation.local(node))
    if len(locals_) != len(children):
        raise ValueError(
            f"{node_name(node)}: {len(locals_)} local derivatives for {len(children)} operands"
        )
    edges = []
    for position in operation.edge_order(node):  # the order its backward adds in
        child, local = children[position], locals_[position]
        contribution = local * upstream
        if child in aside:
            before = aside[child]
            aside[child] = after = before + contribution
        else:
            before = child.grad
            child.grad = after = before + contribution  # the chain rule for one edge
        edges.append(EdgeStep(child, position, local, contribution, before, after))
    edges.sort(key=_POSITION)
    return BackwardStep(node, upstream, tuple(edges))


_POSITION = attrgetter("position")

MAX_LEAVES_NAMED = 3


def earlier_gradients_warning(held: dict[Value, float]) -> str:
    """What ``backward_steps()`` says when leaves of the user's hold a gradient from an
    earlier pass, and how to zero exactly those; ``""`` when none does.

    Leaves the package made for numbers (an op's number operand, a network's input, a
    loss's target: ``DATA``, ``leaves.py``) are left out: ``model.zero_grad()`` zeroes no
    such leaf, nobody reads their gradient, and a warning about them would come right after
    the ``zero_grad()`` it asks for.
    """
    mine = [leaf for leaf in held if leaf._b is not DATA]
    if not mine:
        return ""
    named = ", ".join(
        f"{node_name(leaf)} = {shown(held[leaf])}" for leaf in mine[:MAX_LEAVES_NAMED]
    )
    more = (
        f" and {count(len(mine) - MAX_LEAVES_NAMED, 'other')}"
        if len(mine) > MAX_LEAVES_NAMED
        else ""
    )
    labels = [leaf.label for leaf in mine]
    if len(mine) <= MAX_LEAVES_NAMED and all(label.isidentifier() for label in labels):
        fix = " = ".join(f"{label}.grad" for label in labels) + " = 0.0"
    else:
        fix = "set each one's .grad = 0.0"
    return (
        f"backward_steps(): {count(len(mine), 'leaf already holds', 'leaves already hold')} a "
        f"gradient from an earlier backward() ({named}{more}); this pass adds to "
        f"{'it' if len(mine) == 1 else 'them'} at its end, as backward() does. To watch one pass "
        f"from zero, zero {'it' if len(mine) == 1 else 'them'} first: {fix} (model.zero_grad() "
        "does it for a model's parameters)."
    )


def replay(order: list[Value], held: dict[Value, float]) -> Iterator[BackwardStep]:
    """The steps of ``Value.backward_steps()``: each node of ``order`` from the root down.

    The leaves in ``held`` hold a gradient from an earlier ``backward()``: they keep
    showing it during the pass and get this pass's share at the end, as ``backward()``
    adds it. A warning says so (replaying the steps after a ``backward()`` doubles them)
    when any of them is a leaf of the user's (see :func:`earlier_gradients_warning`).
    """
    warning = earlier_gradients_warning(held)
    if warning:
        warnings.warn(warning, stacklevel=3)
    aside = dict.fromkeys(held, 0.0)
    try:
        for node in reversed(order):
            step = apply_step(node, aside)
            if Mode.anomaly:
                check_gradients(node)
            yield step
    finally:  # also when the caller stops early: earlier leaf gradients are never lost
        for leaf, earlier in held.items():
            leaf.grad = earlier + aside[leaf]
