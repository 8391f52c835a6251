"""Which drawn element of ``draw_dot``'s drawing stands for each value and each operand edge.

``draw_dot`` names a value ``n<k>`` by its position ``k`` in ``topological_order(root)``, its
op node ``n<k>op``, and a neuron drawn as one box ``n<k>box`` after its ``hL[j]``; it draws
one edge per operand occurrence into an op node (so ``x * x`` has two) and one edge per pair
of elements into a neuron box. This module reads those names back, with the same neuron
grouping (``_Neurons``), so the step-through page can light up exactly what backward touches.
"""

from __future__ import annotations

from collections import defaultdict, deque
from dataclasses import dataclass, field

from tinygrad_edu.core import Value, topological_order
from tinygrad_edu.lenses.drawing.draw import _Neurons
from tinygrad_edu.lenses.drawing.figure import Drawing

__all__ = ["DrawnGraph", "drawn_graph"]


@dataclass
class DrawnGraph:
    """The values of a graph (``nodes``, in topological order) and their drawn elements."""

    nodes: list[Value]
    index: dict[Value, int]
    inside: dict[int, str] = field(default_factory=dict)  # value → its box or neuron box
    shows: dict[int, str] = field(default_factory=dict)  # value → the element showing its grad
    op_node: dict[int, str] = field(default_factory=dict)  # interior value → its op node
    result_edge: dict[int, int] = field(default_factory=dict)  # value → op → value edge
    operand_edge: dict[tuple[int, int], int] = field(default_factory=dict)  # (value, slot)

    def elements_of(self, k: int) -> list[str]:
        """The elements drawn for value ``k``: its box (or neuron box) and its op node."""
        keys = [self.inside[k]] if k in self.inside else []
        return keys + ([self.op_node[k]] if k in self.op_node else [])


def drawn_graph(root: Value, drawing: Drawing) -> DrawnGraph:
    """Match ``drawing``, made by ``draw_dot(root, ...)``, to the values below ``root``."""
    nodes = topological_order(root)
    ids = {node: f"n{k}" for k, node in enumerate(nodes)}  # draw_dot's names
    drawn = {node.name for node in drawing.drawn_nodes}
    grouped = any(name.endswith("box") for name in drawn)
    neurons = _Neurons.find(nodes, ids) if grouped else None
    graph = DrawnGraph(nodes, {node: k for k, node in enumerate(nodes)})
    for k, node in enumerate(nodes):
        if ids[node] in drawn:
            graph.inside[k] = graph.shows[k] = ids[node]
            if node.children:
                graph.op_node[k] = ids[node] + "op"
        elif neurons is not None and node in neurons.group_of:
            box = neurons.box_of(node, ids)
            graph.inside[k] = box
            if neurons.group_of[node].out is node:
                graph.shows[k] = box
    edges: dict[tuple[str, str], deque[int]] = defaultdict(deque)
    for e, edge in enumerate(drawing.drawn_edges):
        edges[edge.tail, edge.head].append(e)
    for k, node in enumerate(nodes):
        if k in graph.op_node:
            graph.result_edge[k] = edges[graph.op_node[k], ids[node]][0]
        for position, child in enumerate(node.children):
            if neurons is not None and neurons.is_internal(node, child):
                continue  # inside a neuron box, or a parameter the box absorbed
            tail = neurons.box_of(child, ids) if neurons else ids[child]
            head = neurons.box_of(node, ids) if neurons else ids[node]
            if head == ids[node]:  # one edge per operand occurrence, in operand order
                graph.operand_edge[k, position] = edges[tail, head + "op"].popleft()
            else:  # into a neuron box: one edge per pair of elements
                graph.operand_edge[k, position] = edges[tail, head][0]
    return graph
