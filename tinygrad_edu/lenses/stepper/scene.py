"""The step-through page's picture: ``draw_dot``'s picture as a scene, marked up for the
page's script.

Each element showing a value's gradient gets ``data-label`` (the value's label, empty if it
has none), ``data-value`` (its position in ``topological_order``) and its gradient in a
``<tspan class="grad">``, sized for the longest text it will show. The ops whose operand
order matters (each op says so: ``operand_names`` and ``ordered_formula``, as ``-``, ``/``
and a ``Value`` exponent do) are written ``a − b``, ``a / b`` and ``a ** b`` with their
operand edges labelled ``a`` and ``b``.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence

from tinygrad_edu.lenses.drawing.picture import Picture
from tinygrad_edu.lenses.drawing.style import HIGHLIGHT
from tinygrad_edu.lenses.drawing.svg import Scene, SceneNode
from tinygrad_edu.lenses.index import GraphIndex
from tinygrad_edu.lenses.stepper.data import Json
from tinygrad_edu.lenses.stepper.views import View

__all__ = ["final_scene", "mark_up", "mark_up_view"]


def mark_up(scene: Scene, index: GraphIndex, picture: Picture, data: Json) -> None:
    """Mark ``scene`` (the scene of ``picture``) up for the page, in its state before step 1."""
    shown_value = {key: k for k, key in picture.shows.items()}
    op_value = {key: k for k, key in picture.op_node.items()}
    boxes = {element.id for element in picture.elements if element.role == "neuron"}
    texts: dict[str, list[str]] = {}
    for step in data["steps"]:
        for edge in step["edges"]:
            if edge["show"] is not None:
                texts.setdefault(edge["show"], []).append(edge["afterText"])
    root_key = picture.shows.get(index.position[index.root])
    for node in scene.nodes:
        if node.key in shown_value:
            value = index.order[shown_value[node.key]]
            kind = "leaf" if not value.children else "interior"
            node.classes = ("value", kind, *(("neuron",) if node.key in boxes else ()))
            node.data = {"label": value.label, "value": str(shown_value[node.key])}
            node.grad = data["start"]["text"] if node.key == root_key else "?"
            node.grad_texts = tuple(texts.get(node.key, ()))
            if node.key == root_key:
                node.fill = data["start"]["fill"]
        elif node.key in op_value:
            _mark_op(node, index, op_value[node.key])
    slot_of = {e: slot for slot, e in picture.operand_edge.items()}
    for e, (edge, link) in enumerate(zip(scene.edges, picture.edges, strict=True)):
        if link.kind == "result":
            edge.classes = ("result",)
        elif e in slot_of:
            k, position = slot_of[e]
            edge.classes = ("operand",)
            operation = index.order[k]._operation
            names = operation.operand_names if operation else ()
            if names and link.kind == "operand":
                edge.label, edge.label_at = names[position], 0.85


def _mark_op(node: SceneNode, index: GraphIndex, k: int) -> None:
    """The op node of value ``k``; an op whose operand order matters is written out with
    its operands' names (``a − b``)."""
    value = index.order[k]
    node.classes = ("op",)
    node.data = {"value": str(k)}
    formula = value._operation.ordered_formula if value._operation else None
    if formula is not None:
        node.lines = [formula]
        node.shape = "ellipse"


def final_scene(scene: Scene, data: Json, lit: Json | None) -> Scene:
    """A copy of the marked-up scene after the last step, with ``lit``'s paths in red: the
    picture for viewers that run no script."""
    final = copy.deepcopy(scene)
    last: dict[str, str] = dict(data.get("finalTexts", {}))
    for step in data["steps"]:
        for edge in step["edges"]:
            if edge.get("show") is not None:
                last[edge["show"]] = edge["afterText"]
    fills = data["finalFills"]
    lit_elements: Sequence[str] = lit["elements"] if lit else ()
    lit_edges: Sequence[int] = lit["edges"] if lit else ()
    for node in final.nodes:
        if node.grad is not None and node.key in last:
            node.grad = last[node.key]
        if node.key in fills and node.key in last:
            node.fill = fills[node.key]
        if node.key in lit_elements:
            node.stroke = node.text_colour = HIGHLIGHT
            node.stroke_width = 2.0
    for e, edge in enumerate(final.edges):
        if e in lit_edges:
            edge.stroke = edge.text_colour = HIGHLIGHT
            edge.stroke_width = 2.0
    return final


def mark_up_view(
    scene: Scene, index: GraphIndex, view: View, texts: dict[int, list[str]], start: Json
) -> None:
    """Mark up one view of a grouped page as :func:`mark_up` does a page's one picture: a
    closed group's box also gets the class ``group``, ``data-group`` (its name) and
    ``data-nodes`` (how many nodes it holds); what lies outside an opened group, ``outside``.
    ``texts`` are every gradient text each value will show; ``start`` the root's."""
    picture = view.picture
    shown_value = {key: k for k, key in picture.shows.items()}
    op_value = {key: k for k, key in picture.op_node.items()}
    root = index.position[index.root]
    for node in scene.nodes:
        if node.key in shown_value:
            k = shown_value[node.key]
            value = index.order[k]
            kind = "leaf" if not value.children else "interior"
            node.data = {"label": value.label, "value": str(k)}
            group = view.group_boxes.get(node.key)
            node.classes = ("value", kind)
            if group is not None:
                node.classes = ("value", kind, "group")
                node.data.update({"group": group.name, "nodes": str(group.size)})
            node.grad = start["text"] if k == root else "?"
            node.grad_texts = tuple(texts.get(k, ()))
            if k == root:
                node.fill = start["fill"]
        elif node.key in op_value:
            _mark_op(node, index, op_value[node.key])
        else:
            node.classes = ("outside",)
            node.text_colour = node.stroke = "#777777"
    slot_of = {e: slot for slot, e in picture.operand_edge.items()}
    for e, (edge, link) in enumerate(zip(scene.edges, picture.edges, strict=True)):
        if link.kind == "result":
            edge.classes = ("result",)
        elif e in slot_of:
            edge.classes = ("operand",)
        else:
            edge.classes = ("outward",)
            edge.stroke = edge.text_colour = "#999999"
