"""``Picture``: the one model of what a drawing shows, and every drawn element's id.

A picture is made once from a graph's :class:`~tinygrad_edu.lenses.index.GraphIndex`, and
every way of showing it writes it out: graphviz's DOT (``dot_writer``), the pure-Python SVG
(``scene``, laid out by ``layout`` or by ``dot``) and the step-through page, which also reads
from the picture which element shows which value and which edge carries which operand.
Nothing reads a drawing back.

Element ids follow the graph's topological order: value ``k`` is ``n<k>``, its op node
``n<k>op``, and a neuron drawn as one box ``n<k>box`` after its sum ``hL[j]``. Each operand
occurrence into an op node is one edge (``x * x`` has two); into a neuron box, one edge per
pair of elements. Styles are roles (``leaf``, ``interior``, ``op``, ``neuron``) plus ``lit``
for the highlighted paths; each writer paints the roles its own way (``style.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tinygrad_edu.core import Value
from tinygrad_edu.core.messages import shown
from tinygrad_edu.lenses.drawing.neurons import Neurons
from tinygrad_edu.lenses.groups import Group
from tinygrad_edu.lenses.index import GraphIndex

__all__ = ["Element", "Link", "Picture", "grouped_picture_of", "picture_of"]

ROLES = ("leaf", "interior", "op", "neuron", "group")


@dataclass
class Element:
    """A drawn box or op node.

    Attributes:
        id: its name in every output (``n3``, ``n3op``, ``n3box``).
        role: ``"leaf"`` or ``"interior"`` (a value's box), ``"op"``, ``"neuron"`` or
            ``"group"`` (a collapsed group of nodes, :mod:`tinygrad_edu.lenses.groups`).
        lines: its text, without the gradient (label, ``data …``; an op's symbol).
        grad: the gradient as shown (``"?"`` before backward); ``None`` for an op node.
        value: the position of the value it stands for (a neuron or group box: its
            output's).
        lit: on a highlighted chain-rule path.
    """

    id: str
    role: str
    lines: list[str]
    grad: str | None
    value: int
    lit: bool = False


@dataclass
class Link:
    """A drawn edge, ``tail`` → ``head`` (element ids).

    Attributes:
        kind: ``"result"`` (op node → its value), ``"operand"`` (operand → op node) or
            ``"into box"`` (into a neuron box: one per pair of elements).
        parent, position: for an operand edge, the value it feeds and the operand slot.
        label: the local derivative, when the picture shows them.
    """

    tail: str
    head: str
    kind: str
    parent: int
    position: int = -1
    label: str = ""
    lit: bool = False


@dataclass
class Picture:
    """Every element and edge of one drawing, and which of them stands for which value.

    ``edges`` are numbered by their place in the list, the same number in every output.
    """

    elements: list[Element]
    edges: list[Link]
    rankdir: str
    caption: str = ""
    neuron_boxes: bool = False
    shows: dict[int, str] = field(default_factory=dict)  # value → element showing its grad
    inside: dict[int, str] = field(default_factory=dict)  # value → its box or neuron box
    op_node: dict[int, str] = field(default_factory=dict)  # interior value → its op node
    result_edge: dict[int, int] = field(default_factory=dict)  # value → op → value edge
    operand_edge: dict[tuple[int, int], int] = field(default_factory=dict)  # (value, slot)

    def elements_of(self, k: int) -> list[str]:
        """The elements drawn for value ``k``: its box (or neuron box) and its op node."""
        keys = [self.inside[k]] if k in self.inside else []
        return keys + ([self.op_node[k]] if k in self.op_node else [])

    def add_value(self, k: int, node: Value, grad: str, lit: bool = False) -> None:
        """Value ``k``'s own box (``n<k>``: its label and data, ``grad`` as shown) and, for an
        interior value, its op node (``n<k>op``) and the edge from it to the box."""
        lines = [node.label] if node.label else []
        lines.append(f"data {shown(node.data, '.4g')}")  # -1*0 is drawn 0, not -0
        role = "interior" if node._operation is not None else "leaf"
        self.elements.append(Element(f"n{k}", role, lines, grad, k, lit))
        self.inside[k] = self.shows[k] = f"n{k}"
        if node._operation is not None:
            op = f"n{k}op"
            self.elements.append(Element(op, "op", [node.op], None, k, lit))
            self.op_node[k] = op
            self.result_edge[k] = len(self.edges)
            self.edges.append(Link(op, f"n{k}", "result", k, lit=lit))

    def add_group(
        self, element_id: str, group: Group, out: Value, grad: str, lit: bool = False
    ) -> None:
        """A closed group as one box: its name, how many nodes it holds, and its output
        (its last node, ``out``), whose gradient it shows."""
        last = group.last()
        lines = [group.name, f"{group.size:,} nodes", f"out data {shown(out.data, '.4g')}"]
        self.elements.append(Element(element_id, "group", lines, grad, last, lit))
        self.shows[last] = element_id


def picture_of(
    index: GraphIndex,
    *,
    rankdir: str = "LR",
    show_local: bool = False,
    show_grads: bool = True,
    on_path: set[Value] | None = None,
    neurons: Neurons | None = None,
    full_count: int = 0,
) -> Picture:
    """The picture of ``index``'s graph: a box per value and a node per op, or, with
    ``neurons``, a box per neuron in place of its nodes. ``on_path`` are the nodes of the
    highlighted paths; ``full_count`` is the size drawn in full, for the caption."""
    builder = _Builder(index, show_grads, on_path or set(), neurons)
    caption = ""
    if neurons and neurons.groups:
        caption = f"each neuron drawn as one box ({full_count} nodes in full)"
    picture = Picture([], [], rankdir, caption, bool(neurons and neurons.groups))
    builder.values(picture)
    if neurons:
        builder.neuron_boxes(picture, neurons)
    builder.operand_edges(picture, show_local)
    return picture


@dataclass
class _Builder:
    index: GraphIndex
    show_grads: bool
    on_path: set[Value]
    neurons: Neurons | None

    def grad(self, node: Value) -> str:
        return shown(node.grad, ".4g") if self.show_grads else "?"

    def box_of(self, node: Value) -> str:
        """The element a value's edges meet: its own box, or its neuron's."""
        k = self.index.position[node]
        neuron = self.neurons.group_of.get(node) if self.neurons else None
        if neuron is None:
            return f"n{k}"
        return f"n{self.index.position[neuron.pre]}box"

    def values(self, picture: Picture) -> None:
        """A box per value and an op node per interior value, with its result edge."""
        hidden = self.neurons.hidden if self.neurons else set()
        for k, node in enumerate(self.index.order):
            if node in hidden:  # drawn inside its neuron's box, or absorbed by the boxes
                neuron = self.neurons.group_of.get(node) if self.neurons else None
                if neuron is not None:
                    picture.inside[k] = self.box_of(node)
                    if neuron.out is node:
                        picture.shows[k] = picture.inside[k]
                continue
            picture.add_value(k, node, self.grad(node), node in self.on_path)

    def neuron_boxes(self, picture: Picture, neurons: Neurons) -> None:
        position = self.index.position
        for neuron in neurons.groups:
            box = f"n{position[neuron.pre]}box"
            lines = [f"neuron {neuron.out.label}"]
            if neuron.parameters:
                lines.append(neuron.parameter_summary())
            lines.append(f"data {shown(neuron.out.data, '.4g')}")
            on_path = self.on_path
            lit = any(node in on_path for node in (*neuron.members, *neuron.parameters))
            out = position[neuron.out]
            picture.elements.append(Element(box, "neuron", lines, self.grad(neuron.out), out, lit))

    def operand_edges(self, picture: Picture, show_local: bool) -> None:
        """One edge per operand occurrence, operand → op node (``x * x`` gets two); into a
        neuron box, one per pair of elements."""
        neurons, on_path = self.neurons, self.on_path
        between_boxes: dict[tuple[str, str], int] = {}
        for k, node in enumerate(self.index.order):
            if node._operation is None:
                continue
            locals_ = node.local_derivatives() if show_local else ()
            own = f"n{k}"
            for position, child in enumerate(node.children):
                if neurons and neurons.is_internal(node, child):
                    continue
                tail, head = self.box_of(child), self.box_of(node)
                lit = child in on_path and node in on_path
                if head == own:  # an ordinary node: the edge enters its op node
                    label = shown(locals_[position], ".4g") if show_local else ""
                    picture.operand_edge[k, position] = len(picture.edges)
                    picture.edges.append(Link(tail, own + "op", "operand", k, position, label, lit))
                elif (tail, head) not in between_boxes:  # into a neuron box: once per pair
                    between_boxes[tail, head] = len(picture.edges)
                    picture.operand_edge[k, position] = len(picture.edges)
                    picture.edges.append(Link(tail, head, "into box", k, position, lit=lit))
                else:
                    picture.operand_edge[k, position] = between_boxes[tail, head]


def grouped_picture_of(
    index: GraphIndex,
    closed: list[Group],
    *,
    rankdir: str = "LR",
    show_local: bool = False,
    show_grads: bool = True,
    on_path: set[Value] | None = None,
) -> Picture:
    """The picture of ``index``'s graph with each group of ``closed`` drawn as one box
    (``g<k>``: its name, how many nodes it holds, and its output's data and gradient, the
    output being its last node in topological order); every other node as usual. An edge
    between two nodes of one box is not drawn; edges into a box are drawn once per pair of
    elements, as into a neuron box."""
    on_path = on_path or set()
    order = index.order
    box_for: list[str | None] = [None] * len(order)
    for j, group in enumerate(closed):
        for inner in group.walk():
            for k in inner.nodes:
                box_for[k] = f"g{j}"
    builder = _Builder(index, show_grads, on_path, None)
    picture = Picture([], [], rankdir, neuron_boxes=False)
    for k, node in enumerate(order):  # the nodes drawn on their own, as values() draws them
        box = box_for[k]
        if box is not None:
            picture.inside[k] = box
            continue
        picture.add_value(k, node, builder.grad(node), node in on_path)
    for j, group in enumerate(closed):
        out = order[group.last()]
        lit = any(order[k] in on_path for inner in group.walk() for k in inner.nodes)
        picture.add_group(f"g{j}", group, out, builder.grad(out), lit)
    between: dict[tuple[str, str], int] = {}
    for k, node in enumerate(order):
        if node._operation is None:
            continue
        locals_ = node.local_derivatives() if show_local and box_for[k] is None else ()
        head = box_for[k] or f"n{k}op"
        for position, child in enumerate(node.children):
            j = index.position[child]
            tail = box_for[j] or f"n{j}"
            if box_for[k] is not None and box_for[j] == box_for[k]:
                continue  # inside one box
            lit = child in on_path and node in on_path
            if box_for[k] is None:  # into a drawn op node: one edge per operand occurrence
                label = shown(locals_[position], ".4g") if locals_ else ""
                picture.operand_edge[k, position] = len(picture.edges)
                picture.edges.append(Link(tail, head, "operand", k, position, label, lit))
            elif (tail, head) not in between:
                between[tail, head] = len(picture.edges)
                picture.operand_edge[k, position] = len(picture.edges)
                picture.edges.append(Link(tail, head, "into box", k, position, lit=lit))
            else:
                picture.operand_edge[k, position] = e = between[tail, head]
                picture.edges[e].lit = picture.edges[e].lit or lit
    hidden = sum(group.size for group in closed)
    shown_names = ", ".join(repr(group.name) for group in closed[:2])
    picture.caption = (
        f"{len(closed)} group{'s' if len(closed) != 1 else ''} drawn as one box each "
        f"({hidden:,} of {len(order):,} nodes inside); open one with open=[{shown_names}]"
    )
    return picture
