"""A backward order that does one group at a time, so a group's step is one step.

``backward()`` runs the nodes in reverse topological order; any order in which every node
comes after all of its users is as good: each node's gradient is complete when its rule runs,
and the gradients at the end are the same sums (added in another order, so they may differ in
the last bits). Among those orders this one keeps the nodes of each group of
:func:`~tinygrad_edu.lenses.groups.group_graph` together, at every level of the tree: inside
a group, its units (its own nodes and its inner groups) are done one whole unit after another,
in a topological order of the graph between the units (Kahn's algorithm, the unit whose last
node comes latest first, as ``backward()`` would). Where units depend on each other both ways
(a cycle between groups), the ones left are done together in ``backward()``'s own order, and
their steps interleave. Linear in the graph's nodes and edges times the depth of the tree.
"""

from __future__ import annotations

import heapq

from tinygrad_edu.core import Value
from tinygrad_edu.lenses.groups import Group, Groups
from tinygrad_edu.lenses.index import GraphIndex

__all__ = ["grouped_order"]

Unit = int | Group  # a node (its position) or a group of nodes


def grouped_order(index: GraphIndex, groups: Groups) -> list[Value]:
    """The interior nodes of ``index``'s graph in a topological order (operands first, as
    ``replay`` takes it) whose reverse does each group's nodes in one run where it can."""
    backward: list[int] = []
    _order_units(index, _inside(index, groups.root), backward)
    return [index.order[k] for k in reversed(backward)]


def _inside(index: GraphIndex, group: Group) -> list[Unit]:
    """The units of ``group`` that hold an interior node: its own nodes, its inner groups."""
    order = index.order
    units: list[Unit] = [k for k in group.nodes if order[k]._operation is not None]
    units += [child for child in group.children if _interior(index, child)]
    return units


def _interior(index: GraphIndex, group: Group) -> list[int]:
    order = index.order
    found = [k for inner in group.walk() for k in inner.nodes if order[k]._operation is not None]
    return sorted(found)


def _order_units(index: GraphIndex, units: list[Unit], out: list[int]) -> None:
    """Append the interior nodes of ``units`` to ``out`` in backward order: the units one
    after another in a topological order of the graph between them; the units of a cycle
    opened one level and ordered again (nodes alone never make a cycle)."""
    held = [[unit] if isinstance(unit, int) else _interior(index, unit) for unit in units]
    unit_of = {k: u for u, ks in enumerate(held) for k in ks}
    after: list[set[int]] = [set() for _ in units]  # u → the units that must come after u
    position = index.position
    for u, ks in enumerate(held):
        for k in ks:
            for child in index.order[k].children:
                v = unit_of.get(position[child], u)
                if v != u:
                    after[u].add(v)
    components = _cycles(after)
    component_of = [0] * len(units)
    for c, members in enumerate(components):
        for u in members:
            component_of[u] = c
    waiting = [0] * len(components)
    later: list[set[int]] = [set() for _ in components]
    for u, targets in enumerate(after):
        for v in targets:
            a, b = component_of[u], component_of[v]
            if a != b and b not in later[a]:
                later[a].add(b)
                waiting[b] += 1
    last = [max(held[u][-1] for u in members) for members in components]
    ready = [(-last[c], c) for c in range(len(components)) if waiting[c] == 0]
    heapq.heapify(ready)
    while ready:
        _, c = heapq.heappop(ready)
        members = components[c]
        if len(members) == 1 and isinstance(units[members[0]], int):
            out.append(held[members[0]][0])
        else:  # one group: its insides; a cycle: its groups opened one level
            inner: list[Unit] = []
            for u in members:
                unit = units[u]
                inner += [unit] if isinstance(unit, int) else _inside(index, unit)
            _order_units(index, inner, out)
        for d in later[c]:
            waiting[d] -= 1
            if waiting[d] == 0:
                heapq.heappush(ready, (-last[d], d))


def _cycles(after: list[set[int]]) -> list[list[int]]:
    """The strongly connected components of the graph ``u → after[u]`` (Tarjan's algorithm,
    without recursion): the units that depend on each other both ways, each alone if none."""
    count = len(after)
    number = [-1] * count
    low = [0] * count
    on_stack = [False] * count
    stack: list[int] = []
    components: list[list[int]] = []
    counter = 0
    for start in range(count):
        if number[start] >= 0:
            continue
        work = [(start, iter(after[start]))]
        number[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack[start] = True
        while work:
            u, targets = work[-1]
            advanced = False
            for v in targets:
                if number[v] < 0:
                    number[v] = low[v] = counter
                    counter += 1
                    stack.append(v)
                    on_stack[v] = True
                    work.append((v, iter(after[v])))
                    advanced = True
                    break
                if on_stack[v]:
                    low[u] = min(low[u], number[v])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[u])
            if low[u] == number[u]:
                members = []
                while True:
                    v = stack.pop()
                    on_stack[v] = False
                    members.append(v)
                    if v == u:
                        break
                components.append(members)
    return components
