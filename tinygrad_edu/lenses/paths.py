"""Walking the graph: every chain-rule path from an output down to one node.

The chain rule on a graph says that ∂E/∂w is a sum over paths::

    ∂E/∂w = Σ over paths E = n₀ → n₁ → … → n_m = w of  ∂n₀/∂n₁ · ∂n₁/∂n₂ ⋯ ∂n_{m-1}/∂n_m

where each factor is the *local* derivative of one op with respect to one operand. An operand
used twice (``x * x``) gives two edges, hence two paths. ``backward()`` computes the same sum
without listing the paths; :func:`chain_paths` lists them so they can be read and checked.
"""

from __future__ import annotations

from dataclasses import dataclass

from tinygrad_edu import checks
from tinygrad_edu.core import Value
from tinygrad_edu.lenses.index import GraphIndex, index_for

__all__ = [
    "ChainEdge",
    "ChainPath",
    "chain_paths",
    "count_paths",
    "find_labelled",
]

DEFAULT_MAX_PATHS = 100_000
DEFAULT_MAX_EDGES = 1_000_000  # edges over all paths listed: about 100 MB of ChainEdges


@dataclass(frozen=True)
class ChainEdge:
    """One edge of a path: ``parent`` was computed from ``child``, ``local`` = ∂parent/∂child
    (the op's local derivative) and ``position`` is the operand slot, which tells apart the
    two edges of ``x * x``."""

    parent: Value
    child: Value
    local: float
    position: int


@dataclass(frozen=True)
class ChainPath:
    """A path from the root down to the chosen node, as its edges in order."""

    edges: tuple[ChainEdge, ...]

    @property
    def nodes(self) -> tuple[Value, ...]:
        """The nodes along the path, root first; empty for the path from a node to itself."""
        if not self.edges:
            return ()
        return (self.edges[0].parent, *(edge.child for edge in self.edges))

    @property
    def product(self) -> float:
        """∏ of the local derivatives along the path, multiplied from the root down
        (1.0 for the empty path from a node to itself)."""
        result = 1.0
        for edge in self.edges:
            result *= edge.local
        return result


def count_paths(root: Value, target: Value, *, index: GraphIndex | None = None) -> dict[Value, int]:
    """For every node below ``root`` that reaches ``target``: its number of paths to ``target``
    (see :meth:`GraphIndex.path_counts`), in topological order."""
    return dict(index_for(root, index, "count_paths").path_counts(target))  # the caller's own


def chain_paths(
    root: Value,
    leaf: Value | str,
    max_paths: int = DEFAULT_MAX_PATHS,
    *,
    index: GraphIndex | None = None,
    max_edges: int = DEFAULT_MAX_EDGES,
) -> list[ChainPath]:
    """Every path from ``root`` down to ``leaf``, in the order of each node's operands.

    After ``root.backward()``, ``sum(p.product for p in chain_paths(root, leaf))`` equals
    ``leaf.grad`` up to float rounding (the sum is associated differently). A node that
    ``root`` does not depend on has no paths (∂root/∂leaf = 0); ``root`` itself has one
    empty path with product 1.

    ``leaf`` may also be given by its label (``"W1[0,0]"``), as the command line names it.
    ``index`` is the :class:`~tinygrad_edu.lenses.index.GraphIndex` of ``root``'s graph, if
    one was made already.

    Raises:
        ValueError: if there are more than ``max_paths`` paths, or they have more than
            ``max_edges`` edges in all (a deep chain that reuses one value has n paths of up
            to n edges: n² edges). Both are counted first, so a graph with astronomically
            many paths fails at once instead of running forever or filling the memory.
    """
    checks.positive_int("max_paths", max_paths)
    checks.positive_int("max_edges", max_edges)
    index, leaf = graph_and_node(root, leaf, "chain_paths", index)
    index.check_fresh("chain_paths()")
    root = index.root
    if leaf is root:
        return [ChainPath(())]
    counts = index.path_counts(leaf)
    total = counts.get(root, 0)
    if total > max_paths:
        raise ValueError(
            f"there are {total:,} paths from {_short_name(root)} down to {_short_name(leaf)}, "
            f"more than max_paths={max_paths:,}; explain(root, leaf) adds them up route by "
            "route, chain_routes(root, leaf) gives the routes, or raise max_paths"
        )
    edges = _edges_listed(leaf, counts)
    if edges > max_edges:
        raise ValueError(
            f"the {total:,} paths from {_short_name(root)} down to {_short_name(leaf)} have "
            f"{edges:,} edges in all, more than max_edges={max_edges:,} (long paths share "
            "most of their edges); choose a smaller graph or raise max_edges"
        )
    return _walk(root, leaf, counts) if total else []


def _edges_listed(leaf: Value, counts: dict[Value, int]) -> int:
    """The number of edges over all the paths down to ``leaf`` from the last node of
    ``counts`` (the root), without listing them: edges(leaf) = 0 and edges(n) = Σ over the
    operands c of n that reach ``leaf`` of paths(c) + edges(c), as each path through c
    adds the edge n → c. ``counts`` lists children before parents (``path_counts``)."""
    edges: dict[Value, int] = {}
    total = 0
    for node in counts:
        total = 0
        if node is not leaf:
            for child in node.children:
                if child in counts:
                    total += counts[child] + edges[child]
        edges[node] = total
    return total


def graph_and_node(
    root: object, node: object, caller: str, index: GraphIndex | None = None
) -> tuple[GraphIndex, Value]:
    """The index of a root's graph and one of its nodes, given as a ``Value`` or by its
    label: the arguments of ``chain_paths``, ``explain`` and the like, checked (TypeError
    otherwise)."""
    index = index_for(root, index, caller)
    return index, index.node(node, caller)


def find_labelled(root: Value, label: str, *, index: GraphIndex | None = None) -> Value:
    """The one node below ``root`` (or ``root`` itself) labelled ``label``.

    Raises:
        ValueError: when no node has that label (the message lists some that exist), or
            several do (then pass the node itself).
    """
    return index_for(root, index, "find_labelled").find(label)


def _walk(root: Value, leaf: Value, counts: dict[Value, int]) -> list[ChainPath]:
    """Depth-first walk restricted to nodes that reach ``leaf``; iterative, so deep chains
    need no recursion."""
    locals_of = {node: node.local_derivatives() for node in counts if node is not leaf}
    paths: list[ChainPath] = []
    edges: list[ChainEdge] = []
    nodes = [root]  # the path walked so far, and for each node
    positions = [0]  # the position of its next operand to look at
    while nodes:
        node, position = nodes[-1], positions[-1]
        children = node.children
        if position == len(children):
            nodes.pop()
            positions.pop()
            if edges:
                edges.pop()  # the edge that led into the finished node
            continue
        positions[-1] = position + 1
        child = children[position]
        if child not in counts:
            continue
        edges.append(ChainEdge(node, child, locals_of[node][position], position))
        if child is leaf:
            paths.append(ChainPath(tuple(edges)))
            edges.pop()
        else:
            nodes.append(child)
            positions.append(0)
    return paths


def _short_name(node: Value) -> str:
    return repr(node.label) if node.label else f"the unlabelled {node.op or 'leaf'} node"
