"""Routes: the paths from a root to a leaf, grouped by the groups they pass through.

∂root/∂leaf is the sum, over every path from ``root`` down to ``leaf``, of the product of the
local derivatives along it. A GPT's loss reaches one embedding weight by 10¹³ paths: too many
to list, but not to count and add. Grouped by the sequence of groups each path passes through
(``cross_entropy#4 → gpt#4 → linear#30 → gpt#1``), the paths form a few routes, and dynamic
programming gives each route's number of paths and its sum without walking any path:

    for each node v, from the root down (users before operands), and each route prefix r
    that reaches v:  count[v, r] paths with product sum total[v, r];
    along an edge v → c with local derivative ∂v/∂c, the prefix r (extended by c's group
    if c is in another one) reaches c with count[v, r] more paths and total[v, r]·∂v/∂c.

The routes' totals add up to ``leaf.grad`` after ``root.backward()`` (the same products,
summed in another order), and their counts to the number of paths. The work is the graph's
edges times the routes kept per node: at most ``keep`` routes are followed through a node,
the smallest merged into one route of "other routes", so time and memory stay linear in the
graph for any number of paths.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tinygrad_edu.core.messages import shown
from tinygrad_edu.lenses.index import GraphIndex, index_for

if TYPE_CHECKING:
    from tinygrad_edu.core.engine import Value

OTHER = "other routes"


@dataclass(frozen=True)
class Route:
    """The paths that pass through one sequence of groups.

    Attributes:
        groups: the names of the groups the paths pass through, from the root's to the
            leaf's (a group is named once for each time the paths enter it); ``()`` for
            :data:`OTHER`, the routes merged beyond the limits.
        count: how many paths, exactly.
        total: the sum over those paths of the product of the local derivatives on them.
    """

    groups: tuple[str, ...]
    count: int
    total: float

    @property
    def other(self) -> bool:
        """Whether this entry is the routes merged beyond the limits."""
        return not self.groups


def chain_routes(
    root: Value,
    leaf: Value,
    group_of: Callable[[Value], str] | None = None,
    max_routes: int = 12,
    keep: int = 64,
    *,
    index: GraphIndex | None = None,
) -> list[Route]:
    """The routes from ``root`` to ``leaf``, the largest ``|total|`` first; beyond
    ``max_routes`` the rest are one :data:`OTHER` entry (last), as are routes merged in a
    node through which more than ``keep`` routes passed. ``[]`` if ``leaf`` is not below
    ``root``.

    ``group_of(node)`` names the group a node is drawn in; by default the groups directly
    inside the whole graph of :func:`~tinygrad_edu.lenses.groups.group_graph` (a call of
    ``gpt``, a layer, …; ``"graph"`` for nodes in none).

    Time O(edges · keep), memory O(nodes + edges · keep) at most, whatever the number of
    paths. Raises ``ValueError`` for ``max_routes`` or ``keep`` below 1. ``index`` is the
    :class:`~tinygrad_edu.lenses.index.GraphIndex` of ``root``'s graph, if one was made
    already.
    """
    for name, limit in (("max_routes", max_routes), ("keep", keep)):
        if type(limit) is not int or limit < 1:
            raise ValueError(f"{name} must be a positive int, got {limit!r}")
    index = index_for(root, index, "chain_routes")
    order = index.order
    if group_of is None:
        group_of = _top_groups(index)
    reaches = set(index.above(leaf))  # the nodes from which leaf can be reached, leaf too
    if not reaches:
        return []
    # A route prefix is an int: 0 for OTHER, else an index into `prefixes`, whose entries
    # are (the prefix it extends, its last group's name): a trie, shared by every node.
    prefixes: list[tuple[int, str]] = [(0, OTHER)]
    extended: dict[tuple[int, str], int] = {}

    def extend(prefix: int, group: str) -> int:
        key = (prefix, group)
        found = extended.get(key)
        if found is None:
            found = extended[key] = len(prefixes)
            prefixes.append(key)
        return found

    group_name: dict[Value, str] = {}
    for node in order:
        if node in reaches:
            group_name[node] = group_of(node)
    start = len(prefixes)
    prefixes.append((-1, group_name[root]))
    arriving: dict[Value, dict[int, list[float | int]]] = {root: {start: [1, 1.0]}}
    for node in reversed(order):  # users before operands
        here = arriving.pop(node, None)
        if here is None or node is leaf:
            if node is leaf:
                arriving[leaf] = here or {}
            continue
        if len(here) > keep:
            here = _merge_smallest(here, keep)
        group = group_name[node]
        for child, local in zip(node.children, node.local_derivatives(), strict=True):
            if child not in reaches:
                continue
            child_group = group_name[child]
            into = arriving.setdefault(child, {})
            for prefix, (count, total) in here.items():
                if prefix != 0 and child_group != group:
                    prefix = extend(prefix, child_group)
                slot = into.get(prefix)
                if slot is None:
                    into[prefix] = [count, total * local]
                else:
                    slot[0] += count
                    slot[1] += total * local
    at_leaf = arriving.get(leaf, {})
    routes = []
    other_count, other_total = 0, 0.0
    for prefix, (count, total) in at_leaf.items():
        if prefix == 0:
            other_count += int(count)
            other_total += float(total)
        else:
            routes.append(Route(_names(prefixes, prefix), int(count), float(total)))
    routes.sort(key=lambda route: (-abs(route.total), -route.count, route.groups))
    for route in routes[max_routes:]:
        other_count += route.count
        other_total += route.total
    routes = routes[:max_routes]
    if other_count:
        routes.append(Route((), other_count, other_total))
    return routes


def _names(prefixes: list[tuple[int, str]], prefix: int) -> tuple[str, ...]:
    names = []
    while prefix != -1:
        prefix, name = prefixes[prefix]
        names.append(name)
    return tuple(reversed(names))


def _merge_smallest(here: dict[int, list[float | int]], keep: int) -> dict[int, list[float | int]]:
    """The ``keep - 1`` prefixes of largest ``|total|``, and the rest merged into OTHER (0)."""
    other = list(here.get(0, [0, 0.0]))
    ranked = sorted(
        ((prefix, slot) for prefix, slot in here.items() if prefix != 0),
        key=lambda item: -abs(item[1][1]),
    )
    for _, (count, total) in ranked[keep - 1 :]:
        other[0] += count
        other[1] += total
    kept = dict(ranked[: keep - 1])
    kept[0] = other
    return kept


def _top_groups(index: GraphIndex) -> Callable[[Value], str]:
    """Each node's outermost group below the whole graph, looking through ``part`` groups
    (which only cut a long list into screens), or ``"graph"``."""
    from tinygrad_edu.lenses.groups import group_graph

    groups = group_graph(index.order)
    top: dict[int, str] = {}
    waiting = [(child, child) for child in groups.root.children]
    while waiting:
        group, named = waiting.pop()
        if named.kind == "part":  # look inside: its groups are the top ones
            named = group
        for i in group.nodes:
            top[i] = named.name if named.kind != "part" else groups.root.name
        for child in group.children:
            waiting.append((child, child if named.kind == "part" else named))
    position = index.position
    return lambda node: top.get(position[node], groups.root.name)


def format_routes(routes: list[Route], width: int = 80) -> str:
    """The routes as lines of at most ``width`` columns: count, sum, and the groups (the
    middle ones elided where the line would be too long), then the sum of all."""
    lines = []
    for route in routes:
        head = f"{route.count:>22,} paths  {shown(route.total, '+.6g')}  "
        names = list(route.groups) if route.groups else [OTHER]
        text = " → ".join(names)
        keep = (len(names) - 1) // 2
        while len(head) + len(text) > width and keep > 0:  # the first and last few, and …
            text = " → ".join([*names[:keep], "…", *names[-keep:]])
            keep -= 1
        lines.append((head + text)[:width])
    count = sum(route.count for route in routes)
    total = sum(route.total for route in routes)
    lines.append(f"{count:>22,} paths  {shown(total, '+.6g')}  in all (= ∂root/∂leaf)")
    return "\n".join(lines)
