"""The views of a grouped step-through page: the whole graph with groups collapsed, and the
insides of the groups the page can open.

Past ``max_nodes`` the page draws the graph at a level of detail
(:func:`~tinygrad_edu.lenses.groups.level_of_detail`): each closed group is one box. Each
view is a picture of its own: the root view is ``grouped_picture_of``'s; the view of a group
shows the nodes directly in it, each group inside it as one box (which opens in turn), and
what lies outside it as grey boxes, one per outside unit (a node, or the outermost group
around it that does not hold this one), so the edges show where its gradients come from and
where they go. The insides of groups are embedded while they fit :data:`INSIDE_BUDGET`
elements in all: the page grows with what it shows, not with the graph.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from dataclasses import dataclass, field

from tinygrad_edu.lenses.drawing.picture import Element, Link, Picture
from tinygrad_edu.lenses.groups import Group, Groups
from tinygrad_edu.lenses.index import GraphIndex

__all__ = ["INSIDE_BUDGET", "View", "inner_views"]

INSIDE_BUDGET = 1500  # elements drawn inside groups, over every embedded view (a GPT step: ~3 MB)


@dataclass
class View:
    """One drawing of the page and what each of its elements stands for.

    Attributes:
        name: ``"graph"`` for the whole graph, else the group's name.
        group: the group whose insides it shows (``None`` for the whole graph).
        picture: what it draws (element ids unique over the page's views).
        unit: each interior position in its scope → the element of the unit holding it (the
            node's own box, or an inner group's box).
        parent: the view it opens from, and ``opener`` the group's box there.
        group_boxes: each group drawn closed in it → its box.
    """

    name: str
    group: Group | None
    picture: Picture
    unit: dict[int, str]
    parent: int = -1
    opener: str = ""
    group_boxes: dict[str, Group] = field(default_factory=dict)


def inner_views(
    index: GraphIndex,
    groups: Groups,
    root_view: View,
    rankdir: str,
    budget: int = INSIDE_BUDGET,
) -> list[View]:
    """The views of the groups closed in ``root_view`` and inside them, while their
    elements fit ``budget``: breadth first, and at each depth in the order the page steps
    them (backward's: the group whose last node comes latest first), so the insides around
    where stepping starts are there. The root view first."""
    views = [root_view]
    numbers = iter(range(len(root_view.group_boxes), 1 << 62))  # g<n>: after the root's
    stubs = iter(range(1 << 62))
    pending = [(1, -group.last(), box, 0, group) for box, group in root_view.group_boxes.items()]
    heapq.heapify(pending)
    spent = 0
    while pending:
        depth, _, box, parent, group = heapq.heappop(pending)
        view = _view_of(index, groups, group, rankdir, numbers, stubs)
        cost = len(view.picture.elements)
        if spent + cost > budget:
            continue  # not embedded: the page says how to open it from Python
        spent += cost
        view.parent, view.opener = parent, box
        views.append(view)
        number = len(views) - 1
        for inner_box, inner in view.group_boxes.items():
            heapq.heappush(pending, (depth + 1, -inner.last(), inner_box, number, inner))
    return views


def _view_of(
    index: GraphIndex,
    groups: Groups,
    group: Group,
    rankdir: str,
    numbers: Iterator[int],
    stubs: Iterator[int],
) -> View:
    order = index.order
    position = index.position
    around = {id(g) for g in group.path()}
    members: dict[int, str] = {}  # every position inside the group → its element here
    boxes: dict[str, Group] = {}
    for k in group.nodes:
        members[k] = f"n{k}"
    for child in group.children:
        box = f"g{next(numbers)}"
        boxes[box] = child
        for inner in child.walk():
            for k in inner.nodes:
                members[k] = box
    picture = Picture([], [], rankdir)
    for k in group.nodes:
        picture.add_value(k, order[k], "?")
    for box, child in boxes.items():
        picture.add_group(box, child, order[child.last()], "?")
    outside: dict[tuple[str, int], str] = {}  # ("node", k) or ("group", id) → its stub

    def stub(j: int) -> str:
        inner = groups.group_at[j]
        if id(inner) in around:
            key, name = ("node", j), order[j].label or f"n{j} ({order[j].op})"
        else:
            while inner.parent is not None and id(inner.parent) not in around:
                inner = inner.parent
            key, name = ("group", id(inner)), inner.name
        if key not in outside:
            outside[key] = f"s{next(stubs)}"
            picture.elements.append(Element(outside[key], "outside", [name, "outside"], None, -1))
        return outside[key]

    between: dict[tuple[str, str], int] = {}

    def link(tail: str, head: str, parent: int, slot: int, kind: str) -> int:
        if kind == "operand":
            picture.edges.append(Link(tail, head, kind, parent, slot))
            return len(picture.edges) - 1
        if (tail, head) not in between:
            between[tail, head] = len(picture.edges)
            picture.edges.append(Link(tail, head, kind, parent, slot))
        return between[tail, head]

    users = index.users
    for k, head in sorted(members.items()):
        node = order[k]
        for slot, operand in enumerate(node.children):
            j = position[operand]
            tail = members.get(j) or stub(j)
            if tail == head:
                continue
            if head == f"n{k}":
                picture.operand_edge[k, slot] = link(tail, f"n{k}op", k, slot, "operand")
            else:
                picture.operand_edge[k, slot] = link(tail, head, k, slot, "into box")
        for user, slot in users.get(node, ()):
            u = position[user]
            if u not in members:
                link(head, stub(u), u, slot, "to outside")
    unit = {k: element for k, element in members.items() if order[k]._operation is not None}
    return View(group.name, group, picture, unit, group_boxes=boxes)
