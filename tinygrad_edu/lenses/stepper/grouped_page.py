"""A step-through page for a graph of any size: its views, their steps and their scenes.

``stepper(root)`` makes one of these when the graph is drawn at a level of detail (past
``max_nodes``, or with ``open=`` or ``focus=``): the whole graph with groups collapsed
(:mod:`.views`), stepped group by group in :func:`~.order.grouped_order` (:mod:`.grouped`),
and the insides of the groups that fit the page's budget, each a view of its own that the
page opens in place of the one it was opened from.
"""

from __future__ import annotations

from collections.abc import Sequence

from tinygrad_edu.core import Value
from tinygrad_edu.core.messages import node_name
from tinygrad_edu.lenses.drawing.picture import grouped_picture_of
from tinygrad_edu.lenses.drawing.scene import scene_of
from tinygrad_edu.lenses.drawing.svg import Scene
from tinygrad_edu.lenses.groups import Detail, Groups
from tinygrad_edu.lenses.index import GraphIndex
from tinygrad_edu.lenses.stepper.backward_pass import pass_from_zero
from tinygrad_edu.lenses.stepper.colours import gradient_fill, gradient_scale
from tinygrad_edu.lenses.stepper.data import Json, grad_text, value_details
from tinygrad_edu.lenses.stepper.grouped import grouped_steps
from tinygrad_edu.lenses.stepper.order import grouped_order
from tinygrad_edu.lenses.stepper.scene import mark_up_view
from tinygrad_edu.lenses.stepper.views import INSIDE_BUDGET, View, inner_views

__all__ = ["grouped_page"]


def grouped_page(
    index: GraphIndex,
    groups: Groups,
    detail: Detail,
    rankdir: str,
    budget: int = INSIDE_BUDGET,
) -> tuple[Json, list[Scene]]:
    """The page's data and one marked-up scene per view (the whole graph first)."""
    picture = grouped_picture_of(index, detail.closed, rankdir=rankdir, show_grads=False)
    boxes = {f"g{j}": group for j, group in enumerate(detail.closed)}
    unit = {index.position[node]: picture.inside[index.position[node]] for node in index.interior}
    root_view = View("graph", None, picture, unit, group_boxes=boxes)
    views = inner_views(index, groups, root_view, rankdir, budget)
    order = grouped_order(index, groups)
    root = index.root
    with pass_from_zero(index, order) as steps:
        view_steps, texts = grouped_steps(index, groups, views, steps)
        scale = gradient_scale(node.grad for node in index.order)
        start: dict[str, str | None] = {"text": grad_text(1.0), "fill": gradient_fill(1.0, scale)}
        details = _details(index, views)
        final = {
            key: (grad_text(index.order[k].grad), gradient_fill(index.order[k].grad, scale))
            for view in views
            for k, key in view.picture.shows.items()
        }
    root_at = index.position[root]
    start["show"] = picture.shows.get(root_at)
    opens = {view.opener: number for number, view in enumerate(views) if number}
    data: Json = {
        "root": node_name(root),
        "start": start,
        "steps": view_steps[0],
        "startText": _start_text(root, view_steps[0], len(index.interior)),
        "paths": [],
        "pathOf": {},
        "details": details,
        "finalFills": {key: fill for key, (_, fill) in final.items()},
        "finalTexts": {key: text for key, (text, _) in final.items()},
        "views": [
            {
                "name": view.name,
                "parent": view.parent,
                "opener": view.opener,
                "nodes": view.group.size if view.group else len(index),
                "steps": view_steps[number],
            }
            for number, view in enumerate(views)
        ],
        "opens": opens,
        "notEmbedded": _not_embedded(views, opens),
    }
    for entry in data["views"]:
        if entry["parent"] < 0:
            entry["steps"] = []  # the whole graph's are data["steps"]
    scenes = []
    for view in views:
        scene = scene_of(view.picture)
        mark_up_view(scene, index, view, texts, start)
        scenes.append(scene)
    return data, scenes


def _start_text(root: Value, steps: Sequence[Json], nodes: int) -> str:
    if not steps:
        return f"{node_name(root)} is a leaf: no op made it, so backward has no step to take."
    return (
        f"Backward starts at {node_name(root)} with gradient 1; every other gradient is ? "
        f"until its first contribution arrives.\nThe graph's {nodes:,} backward steps are "
        f"shown as {len(steps):,}: a closed group's step applies all of its nodes' rules at "
        "once. Click a group (or Tab to it and press Enter) to open it and step inside it; "
        "Escape goes back out.\nPress → (or next) for step 1."
    )


def _details(index: GraphIndex, views: list[View]) -> dict[str, str]:
    root = index.root
    details: dict[str, str] = {}
    for view in views:
        picture = view.picture
        for element in picture.elements:
            if element.role == "outside":
                details[element.id] = f"{element.lines[0]}: outside this group"
                continue
            node = index.order[element.value]
            text = value_details(root, node)
            group = view.group_boxes.get(element.id)
            if group is not None:
                text = (
                    f"group {group.name}: {group.size:,} nodes; its output:\n{text}\n\nopen it "
                    f"to step through its insides (or in Python: stepper(root, "
                    f"open=[{group.name!r}]))"
                )
            details[element.id] = text
    return details


def _not_embedded(views: list[View], opens: dict[str, int]) -> dict[str, str]:
    """Each closed group whose insides the page does not hold → how to see them."""
    notes = {}
    for view in views:
        for box, group in view.group_boxes.items():
            if box not in opens:
                notes[box] = (
                    f"{group.name}'s insides ({group.size:,} nodes) are not in this page, to "
                    f"keep it small. In Python: stepper(root, open=[{group.name!r}])"
                )
    return notes
