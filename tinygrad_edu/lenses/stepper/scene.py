"""The step-through page's picture: ``draw_dot``'s drawing, marked up for the page's script.

Each element showing a value's gradient gets ``data-label`` (the value's label, empty if it
has none), ``data-value`` (its position in ``topological_order``) and its gradient in a
``<tspan class="grad">``, sized for the longest text it will show. The ops whose operand
order matters (``-``, ``/`` and a ``Value`` exponent) are written ``a − b``, ``a / b`` and
``a ** b`` with their operand edges labelled ``a`` and ``b``.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence

from tinygrad_edu.core import Value, ops
from tinygrad_edu.lenses.drawing.drawn_graph import DrawnGraph
from tinygrad_edu.lenses.drawing.svg import Scene
from tinygrad_edu.lenses.stepper.data import Json

__all__ = ["final_scene", "mark_up"]

ORDERED_OPS: dict[type[ops.Op], str] = {ops.Sub: "a − b", ops.Div: "a / b", ops.Pow: "a ** b"}
OPERAND_NAMES = ("a", "b")
HIGHLIGHT = "#d62728"


def mark_up(scene: Scene, root: Value, graph: DrawnGraph, data: Json) -> None:
    """Mark ``scene`` (from ``draw_dot(root)``) up for the page, in its state before step 1."""
    shown_value = {key: k for k, key in graph.shows.items()}
    op_value = {key: k for k, key in graph.op_node.items()}
    texts: dict[str, list[str]] = {}
    for step in data["steps"]:
        for edge in step["edges"]:
            if edge["show"] is not None:
                texts.setdefault(edge["show"], []).append(edge["afterText"])
    root_key = graph.shows.get(graph.index[root])
    for node in scene.nodes:
        if node.key in shown_value:
            value = graph.nodes[shown_value[node.key]]
            kind = "leaf" if not value.children else "interior"
            node.classes = ("value", kind, *(("neuron",) if node.key.endswith("box") else ()))
            node.data = {"label": value.label, "value": str(shown_value[node.key])}
            node.grad = data["start"]["text"] if node.key == root_key else "?"
            node.grad_texts = tuple(texts.get(node.key, ()))
            if node.key == root_key:
                node.fill = data["start"]["fill"]
        elif node.key in op_value:
            value = graph.nodes[op_value[node.key]]
            node.classes = ("op",)
            node.data = {"value": str(op_value[node.key])}
            if value._operation in ORDERED_OPS:
                node.lines = [ORDERED_OPS[value._operation]]
                node.shape = "ellipse"
    slot_of = {e: slot for slot, e in graph.operand_edge.items()}
    result_edges = set(graph.result_edge.values())
    for e, edge in enumerate(scene.edges):
        if e in result_edges:
            edge.classes = ("result",)
        elif e in slot_of:
            k, position = slot_of[e]
            edge.classes = ("operand",)
            if graph.nodes[k]._operation in ORDERED_OPS and edge.head.endswith("op"):
                edge.label, edge.label_at = OPERAND_NAMES[position], 0.85


def final_scene(scene: Scene, data: Json, lit: Json | None) -> Scene:
    """A copy of the marked-up scene after the last step, with ``lit``'s paths in red: the
    picture for viewers that run no script."""
    final = copy.deepcopy(scene)
    last: dict[str, str] = {}
    for step in data["steps"]:
        for edge in step["edges"]:
            if edge["show"] is not None:
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
