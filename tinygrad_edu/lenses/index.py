"""``GraphIndex``: the graph below a root, sorted and indexed once, for every lens to read.

A lens asks the same questions of a graph again and again: which nodes, in which order,
where is this node in that order, who uses it, which node has this label, how many
chain-rule paths lead from the root down to that node. The index answers all of them from
one topological sort, each in time linear in the graph (or in the part of it asked about),
so a step-through page of document 001's network sorts its graph once, not once per leaf.

``draw_dot``, ``stepper``, ``explain``, ``chain_paths`` and ``layer_view`` each take an
``index=`` made by :meth:`GraphIndex.of` for the same root, or make one themselves.

A root of another engine's class (a learner's micrograd, microgpt's ``Value``) is read into
a mirror of this engine's nodes first (:mod:`.foreign`); the index then answers for the
mirror, and :meth:`GraphIndex.node` takes the other class's nodes too.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import cached_property
from typing import TYPE_CHECKING

from tinygrad_edu import checks
from tinygrad_edu.core import Value, topological_order
from tinygrad_edu.core.staleness import check_not_stale

if TYPE_CHECKING:
    from tinygrad_edu.lenses.foreign import Mirror

__all__ = ["Edge", "GraphIndex", "index_for", "is_foreign"]

MAX_LABELS_SHOWN = 8

Edge = tuple[Value, int]
"""An edge of the graph as (parent node, operand position): ``parent.children[position]``."""


class GraphIndex:
    """The graph below ``root``: its nodes in topological order and what lenses look up.

    Attributes:
        root: the node the graph hangs from (the loss, usually).
        order: every node below ``root`` (and ``root``), each after all of its operands;
            ``root`` is last. The same order on every run (operands in their stored order).
        position: each node's place in ``order``; drawings name node ``k`` ``n<k>``.
    """

    def __init__(self, root: Value, mirror: Mirror | None = None) -> None:
        self.root = root
        self.order: list[Value] = topological_order(root)
        self.position: dict[Value, int] = {node: k for k, node in enumerate(self.order)}
        self.mirror = mirror  # where the graph was read from another class
        self._fresh = False  # check_fresh() found no stale node
        self._counted: tuple[Value, dict[Value, int]] | None = None  # the last path_counts
        self.given: object = mirror.given if mirror else root  # the root as passed

    @classmethod
    def of(cls, root: object, caller: str = "the lens") -> GraphIndex:
        """The index of the graph below ``root``: one ``Value``, or a node of another
        engine's class that the lenses can read (see :mod:`.foreign`)."""
        if isinstance(root, Value) or not is_foreign(root):
            return cls(checks.node(f"{caller}: the root", root))
        from tinygrad_edu.lenses.foreign import mirror  # here: most graphs are this engine's

        return cls((read := mirror(root, f"{caller}: the root")).root, read)

    def __len__(self) -> int:
        return len(self.order)

    def __contains__(self, node: object) -> bool:
        return node in self.position

    def __iter__(self) -> Iterator[Value]:
        return iter(self.order)

    @cached_property
    def users(self) -> dict[Value, list[Edge]]:
        """The edges into each node that something uses, one per use, in topological order
        of the users (``x * x`` gives ``x`` two)."""
        users: dict[Value, list[Edge]] = {}
        for parent in self.order:
            for position, child in enumerate(parent.children):
                users.setdefault(child, []).append((parent, position))
        return users

    @cached_property
    def leaves(self) -> list[Value]:
        """The nodes no op made (weights, inputs, constants), in topological order."""
        return [node for node in self.order if node._operation is None]

    @cached_property
    def interior(self) -> list[Value]:
        """The nodes an op made: the ones ``backward()`` visits, in topological order."""
        return [node for node in self.order if node._operation is not None]

    @cached_property
    def _by_label(self) -> dict[str, list[Value]]:
        found: dict[str, list[Value]] = {}
        for node in self.order:
            if node.label:
                found.setdefault(node.label, []).append(node)
        return found

    def find(self, label: str) -> Value:
        """The one node labelled ``label``.

        Raises:
            ValueError: when no node has that label (the message lists some that exist), or
                several do (then pass the node itself).
        """
        found = self._by_label.get(label, [])
        if len(found) == 1:
            return found[0]
        if found:
            raise ValueError(
                f"{len(found)} nodes of the graph are labelled {label!r}; pass the node itself"
            )
        labels = list(self._by_label)
        listed = ", ".join(labels[:MAX_LABELS_SHOWN])
        listed += ", ..." if labels[MAX_LABELS_SHOWN:] else ""
        choose = f"; its labels are {listed}" if labels else "; it has no labelled nodes"
        raise ValueError(f"no node of the graph is labelled {label!r}{choose}")

    def node(self, node: object, caller: str, what: str = "the node") -> Value:
        """``node`` checked as a node of this graph (of the other class, for a mirrored
        graph), or found by its label."""
        if isinstance(node, str):
            return self.find(node)
        if self.mirror is not None and not isinstance(node, Value):
            mirrored = self.mirror.nodes.get(id(node))
            if mirrored is not None:
                return mirrored
            raise ValueError(f"{caller}: {what} is not a node of the graph below the root")
        return checks.node(f"{caller}: {what}", node)

    def above(self, target: Value) -> list[Value]:
        """``target`` and every node with a path down to it, in topological order: the
        nodes whose gradient ``target`` can feed. Linear in how many there are."""
        if target not in self.position:
            return []
        users = self.users
        found = {target}
        pending = [target]
        while pending:
            for parent, _ in users.get(pending.pop(), ()):
                if parent not in found:
                    found.add(parent)
                    pending.append(parent)
        position = self.position
        return sorted(found, key=position.__getitem__)

    def path_counts(self, target: Value) -> dict[Value, int]:
        """For every node that reaches ``target``: its number of paths down to ``target``.

        Dynamic programming up the topological order from ``target``:
        paths(target) = 1 and paths(n) = Σ over the operands c of n of paths(c), each
        operand counted as often as it is used. Exact Python ints, so huge counts are
        reported, not wrapped.

        The last target's counts are kept (read them, do not change them): ``explain``,
        ``chain_paths`` and the step-through page ask for one target's several times.
        """
        if self._counted is not None and self._counted[0] is target:
            return self._counted[1]
        counts: dict[Value, int] = {}
        for node in self.above(target):
            if node is target:
                counts[node] = 1
                continue
            total = 0
            for child in node.children:
                total += counts.get(child, 0)
            counts[node] = total
        self._counted = (target, counts)
        return counts

    def check_fresh(self, caller: str) -> None:
        """Raise ``StaleGraphError`` (naming the node) if a leaf's ``.data`` changed after the
        graph was built, so its stored values no longer follow from its leaves: gradients
        read off it would mix the old forward pass with the new numbers. Checked once per
        index (one forward pass, no new nodes)."""
        if not self._fresh:
            check_not_stale(self.root, caller, self.order)
            self._fresh = True

    def in_backward_order(self, edges: Iterable[Edge]) -> tuple[Edge, ...]:
        """``edges`` in the order backward() runs their parents: reverse topological order."""
        position = self.position
        return tuple(sorted(edges, key=lambda edge: position[edge[0]], reverse=True))


def index_for(root: object, index: GraphIndex | None, caller: str) -> GraphIndex:
    """``index`` when it is the index of ``root``'s graph, else a new one (the ``index=``
    argument every lens takes)."""
    if index is None:
        return GraphIndex.of(root, caller)
    if not isinstance(index, GraphIndex):
        raise TypeError(f"{caller}: index must be a GraphIndex, got {type(index).__name__}")
    if root is not index.given and root is not index.root:
        raise ValueError(f"{caller}: index is the index of another root's graph")
    return index


def is_foreign(node: object) -> bool:
    """Whether ``node`` looks like another engine's node: not this engine's ``Value``, but
    something with ``data`` and ``grad`` (read through :mod:`.foreign`)."""
    return not isinstance(node, (Value, type)) and hasattr(node, "data") and hasattr(node, "grad")
