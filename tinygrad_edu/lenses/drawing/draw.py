"""Drawing a computation graph with graphviz, in the style of the documents' figures.

Each ``Value`` is a box showing its label, data and grad; each op is a small node of its own
between its operands and its result. Only drawing lives here: the numbers on the edges come
from ``Value.local_derivatives()`` and the paths to highlight from :mod:`tinygrad_edu.lenses.paths`.
"""

from __future__ import annotations

import shutil
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from tinygrad_edu import checks, notation
from tinygrad_edu.core import Value, topological_order
from tinygrad_edu.core.messages import shown
from tinygrad_edu.lenses.drawing.dot_layout import DotTimeoutError, run_dot
from tinygrad_edu.lenses.paths import count_paths, find_labelled

if TYPE_CHECKING:
    import graphviz

    from tinygrad_edu.lenses.drawing.figure import Drawing

__all__ = [
    "DEFAULT_MAX_NODES",
    "FORMATS",
    "GraphvizNotInstalledError",
    "draw_dot",
    "missing_dot_message",
    "render",
]

DEFAULT_MAX_NODES = 400  # a few hundred boxes is about what a screen or a page can show
FORMATS = ("svg", "png", "pdf", "dot")
RANKDIRS = ("LR", "TB")
GROUPS = ("auto", "neuron", "none", None)  # None is "none", as the command line spells it

_LEAF_FILL = "#e8f0fb"
_NODE_FILL = "#ffffff"
_NEURON_FILL = "#fff5e0"
_HIGHLIGHT = "#d62728"


class GraphvizNotInstalledError(RuntimeError):
    """graphviz's ``dot`` program is needed to render a drawing and is not installed."""


def draw_dot(
    root: Value,
    *,
    rankdir: str = "LR",
    show_local: bool = False,
    highlight: Value | str | None = None,
    grads: bool | None = None,
    max_nodes: int = DEFAULT_MAX_NODES,
    group: str | None = "auto",
) -> Drawing:
    """The computation graph below ``root`` as a ``graphviz.Digraph`` (a :class:`Drawing`,
    which Jupyter shows inline with or without graphviz's ``dot`` program).

    Args:
        rankdir: ``"LR"`` (left to right, the documents' figures) or ``"TB"`` (top to bottom).
        show_local: write the local derivative ∂result/∂operand on each operand edge.
        highlight: a node of the graph (usually a weight), or its label (``"W1[0,0]"``);
            every path from ``root`` down to it is drawn in red: the paths whose products
            sum to ∂root/∂node.
        grads: whether ``.grad`` values are meaningful. ``None`` decides from the root:
            ``backward()`` sets ``root.grad`` to 1, so a root whose grad is still 0 means
            backward has not run and every grad is drawn as ``grad ?`` instead of a
            misleading 0.
        max_nodes: the most drawn nodes (value boxes plus op nodes) to accept.
        group: ``"neuron"`` draws each neuron (``hL[j]``, ``aL[j]``, the unlabelled nodes
            between them and its parameters ``WL[i,j]``, ``bL[j]``) as one box; ``"auto"``
            does so only when the full drawing would exceed ``max_nodes``; ``"none"`` (or
            ``None``) never, the command line's ``--group none``.

    Raises:
        TypeError: if ``root`` is not one ``Value`` (a model's list of outputs, a number) or
            a node's label is not a str.
        GraphTooLargeError: a ValueError, when the drawing would still have more than
            ``max_nodes`` nodes; the message gives the count and ways to draw less.
            Nothing is drawn silently huge.

    The same graph always gives the same DOT text: node ids follow ``topological_order``,
    which visits operands in order; an operand used twice (``x * x``) gets two edges.
    """
    from tinygrad_edu.lenses.drawing.figure import (
        Drawing,  # here: `import tinygrad_edu` stays light
    )

    root = checks.node("draw_dot: the root", root)
    _check_options(rankdir, group, max_nodes, show_local)
    nodes = topological_order(root)
    checks.string_labels(nodes)
    if isinstance(highlight, str):
        highlight = find_labelled(root, highlight)
    ids = {node: f"n{k}" for k, node in enumerate(nodes)}
    full_count = len(nodes) + sum(1 for node in nodes if node.children)
    neurons: _Neurons | None = None
    if group == "neuron" or (group == "auto" and full_count > max_nodes):
        neurons = _Neurons.find(nodes, ids)
    drawn_count = neurons.drawn_count(nodes) if neurons else full_count
    if drawn_count > max_nodes:
        grouped = neurons is not None and bool(neurons.groups)
        raise GraphTooLargeError(full_count, drawn_count, max_nodes, group, grouped)
    on_path = _nodes_on_paths(root, highlight, ids)

    dot = Drawing("computation_graph")
    dot.attr(rankdir=rankdir, ordering="out")  # out-edges in order: h2[0] above h2[4]
    dot.attr("node", fontname="Helvetica", fontsize="11")
    dot.attr("edge", fontname="Helvetica", fontsize="9", arrowsize="0.6")
    if neurons and neurons.groups:
        dot.attr(label=f"each neuron drawn as one box ({full_count} nodes in full)")
    show_grads = root.grad != 0.0 if grads is None else bool(grads)
    style = _Style(on_path)
    for node in nodes:
        if neurons and node in neurons.hidden:
            continue
        dot.node(ids[node], _value_label(node, show_grads), **style.value(node))
        if node.children:
            dot.node(ids[node] + "op", _op_label(node), **style.op(node))
            dot.edge(ids[node] + "op", ids[node], **style.edge(node, node))
    if neurons:
        neurons.draw_boxes(dot, show_grads, style)
    _draw_operand_edges(dot, nodes, ids, neurons, show_local, style)
    return dot


def _check_options(rankdir: object, group: object, max_nodes: object, show_local: object) -> None:
    if rankdir not in RANKDIRS:
        raise ValueError(f"rankdir must be one of {', '.join(RANKDIRS)}; got {rankdir!r}")
    if group not in GROUPS:
        raise ValueError(f"group must be 'auto', 'neuron' or 'none'; got {group!r}")
    if isinstance(max_nodes, bool) or not isinstance(max_nodes, int) or max_nodes < 1:
        raise ValueError(f"max_nodes must be a positive int, got {max_nodes!r}")
    if not isinstance(show_local, bool):
        raise TypeError(f"show_local must be True or False, got {show_local!r}")


class GraphTooLargeError(ValueError):
    """``draw_dot`` refused a drawing of more than ``max_nodes`` nodes.

    The counts are attributes, so a caller can word the advice with its own option names
    (the command line says ``--max-nodes``): see :meth:`advice`.
    """

    def __init__(
        self, full_count: int, drawn_count: int, max_nodes: int, group: str | None, grouped: bool
    ) -> None:
        self.full_count = full_count  # value boxes plus op nodes, drawn in full
        self.drawn_count = drawn_count  # the same, with neurons drawn as boxes if grouped
        self.max_nodes = max_nodes
        self.group = group
        self.grouped = grouped
        super().__init__(self.advice())

    def __reduce__(self) -> tuple[type[GraphTooLargeError], tuple[int, int, int, str | None, bool]]:
        # pickles (e.g. across processes) with the counts, not the text
        counts = (self.full_count, self.drawn_count, self.max_nodes, self.group, self.grouped)
        return type(self), counts

    def advice(
        self, max_nodes_option: str = "max_nodes=", group_option: str = "group='neuron'"
    ) -> str:
        """The message, with the two options spelled as the caller's users write them."""
        message = f"the graph has {self.full_count:,} nodes to draw (values and ops)"
        if self.grouped:
            message += f", still {self.drawn_count:,} with each neuron drawn as one box"
        message += (
            f", more than {max_nodes_option}{self.max_nodes}; draw less: the loss of one "
            "example instead of a batch, or one layer's output instead of the loss"
        )
        if self.group in (None, "none"):
            message += f", or pass {group_option}"
        return message + f", or pass {max_nodes_option}{self.drawn_count} to draw it anyway"


def _nodes_on_paths(root: Value, highlight: Value | None, ids: dict[Value, str]) -> set[Value]:
    if highlight is None:
        return set()
    if not isinstance(highlight, Value):
        raise TypeError(f"highlight must be a Value of the graph, got {type(highlight).__name__}")
    if highlight not in ids:
        name = repr(highlight.label) if highlight.label else "the unlabelled node"
        raise ValueError(f"highlight: {name} is not part of the graph below the root")
    return set(count_paths(root, highlight))  # exactly the nodes with a path down to it


def _value_label(node: Value, show_grads: bool) -> str:
    import graphviz

    lines = [graphviz.escape(node.label)] if node.label else []
    lines.append(f"data {shown(node.data, '.4g')}")  # -1*0 is drawn 0, not -0
    lines.append(f"grad {shown(node.grad, '.4g')}" if show_grads else "grad ?")
    return "\\n".join(lines)  # "\n" in DOT text: a line break inside the box


def _op_label(node: Value) -> str:
    import graphviz

    escaped: str = graphviz.escape(node.op)
    return escaped


@dataclass
class _Style:
    """Graphviz attributes for each kind of drawn element, red on the highlighted paths."""

    on_path: set[Value]

    def _red(self, attrs: dict[str, str], lit: bool) -> dict[str, str]:
        if lit:
            attrs.update(color=_HIGHLIGHT, fontcolor=_HIGHLIGHT, penwidth="2")
        return attrs

    def value(self, node: Value) -> dict[str, str]:
        fill = _NODE_FILL if node.children else _LEAF_FILL
        attrs = {"shape": "box", "style": "rounded,filled", "fillcolor": fill}
        return self._red(attrs, node in self.on_path)

    def op(self, node: Value) -> dict[str, str]:
        attrs = {
            "shape": "circle" if len(node.op) <= 2 else "ellipse",
            "fontsize": "10",
            "margin": "0.02",
            "width": "0.3",
            "height": "0.3",
        }
        return self._red(attrs, node in self.on_path)

    def neuron(self, lit: bool) -> dict[str, str]:
        attrs = {"shape": "box3d", "style": "filled", "fillcolor": _NEURON_FILL}
        return self._red(attrs, lit)

    def edge(self, child: Value, parent: Value, label: str = "") -> dict[str, str]:
        attrs = {"label": label} if label else {}
        return self._red(attrs, child in self.on_path and parent in self.on_path)


def _draw_operand_edges(
    dot: graphviz.Digraph,
    nodes: list[Value],
    ids: dict[Value, str],
    neurons: _Neurons | None,
    show_local: bool,
    style: _Style,
) -> None:
    """One edge per operand occurrence, operand → op node (``x * x`` gets two)."""
    seen_between_boxes: set[tuple[str, str]] = set()
    for node in nodes:
        if not node.children:
            continue
        locals_ = node.local_derivatives() if show_local else ()
        for position, child in enumerate(node.children):
            if neurons and neurons.is_internal(node, child):
                continue
            tail = neurons.box_of(child, ids) if neurons else ids[child]
            head = neurons.box_of(node, ids) if neurons else ids[node]
            if head == ids[node]:  # an ordinary node: the edge enters its op node
                label = shown(locals_[position], ".4g") if show_local else ""
                dot.edge(tail, head + "op", **style.edge(child, node, label))
            elif (tail, head) not in seen_between_boxes:  # into a neuron box: once per pair
                seen_between_boxes.add((tail, head))
                dot.edge(tail, head, **style.edge(child, node))


# ----- neurons as boxes ------------------------------------------------------------------


@dataclass
class _Neuron:
    pre: Value  # hL[j]
    out: Value  # aL[j], or hL[j] for a linear neuron
    members: set[Value]  # pre, out and the unlabelled nodes between pre and its operands
    parameters: list[Value] = field(default_factory=list)


@dataclass
class _Neurons:
    """The neurons found in a graph by their labels (``hL[j]``, ``aL[j]``, ``WL[i,j]``,
    ``bL[j]``), as ``nn.Neuron`` labels them."""

    groups: list[_Neuron]
    group_of: dict[Value, _Neuron]  # each member's neuron
    hidden: set[Value]  # members and absorbed parameters: not drawn on their own
    ids: dict[Value, str]

    @classmethod
    def find(cls, nodes: list[Value], ids: dict[Value, str]) -> _Neurons:
        users: dict[Value, list[Value]] = {}
        for node in nodes:
            for child in node.children:
                users.setdefault(child, []).append(node)
        groups: list[_Neuron] = []
        group_of: dict[Value, _Neuron] = {}
        for node in nodes:
            name = notation.parse(node.label)
            if name and name.kind == "h" and node.children and node not in group_of:
                neuron = _claim(node, name, users, group_of)
                groups.append(neuron)
                group_of.update((member, neuron) for member in neuron.members)
        hidden = set(group_of)
        for neuron in groups:
            for parameter in neuron.parameters:  # absorbed when only neurons use it
                if all(user in group_of for user in users[parameter]):
                    hidden.add(parameter)
        return cls(groups, group_of, hidden, ids)

    def drawn_count(self, nodes: list[Value]) -> int:
        shown = [node for node in nodes if node not in self.hidden]
        return len(self.groups) + len(shown) + sum(1 for node in shown if node.children)

    def is_internal(self, node: Value, child: Value) -> bool:
        """An edge inside one neuron box, or from a parameter that the boxes absorbed."""
        neuron = self.group_of.get(node)
        if neuron is None:
            return False
        return child in neuron.members or (child in self.hidden and child not in self.group_of)

    def box_of(self, node: Value, ids: dict[Value, str]) -> str:
        neuron = self.group_of.get(node)
        return ids[node] if neuron is None else self._box_id(neuron)

    def _box_id(self, neuron: _Neuron) -> str:
        return self.ids[neuron.pre] + "box"

    def draw_boxes(self, dot: graphviz.Digraph, show_grads: bool, style: _Style) -> None:
        import graphviz

        for neuron in self.groups:
            lines = [graphviz.escape(f"neuron {neuron.out.label}")]
            if neuron.parameters:
                lines.append(graphviz.escape(_parameter_summary(neuron)))
            lines += _value_label(neuron.out, show_grads).split("\\n")[-2:]  # data, grad
            lit = bool(style.on_path & (neuron.members | set(neuron.parameters)))
            dot.node(self._box_id(neuron), "\\n".join(lines), **style.neuron(lit))


def _parameter_summary(neuron: _Neuron) -> str:
    """``3 weights W2[·,4], bias b2[4]``: the parameters a box hides, in short."""
    weights = [p for p in neuron.parameters if p.label.startswith("W")]
    parts = []
    if weights:
        plural = "s" if len(weights) > 1 else ""
        name = notation.parse(neuron.pre.label)
        assert name is not None
        parts.append(f"{len(weights)} weight{plural} W{name.layer}[·,{name.neuron}]")
    parts += [f"bias {p.label}" for p in neuron.parameters if not p.label.startswith("W")]
    return ", ".join(parts)


def _claim(
    pre: Value,
    name: notation.Name,
    users: dict[Value, list[Value]],
    taken: dict[Value, _Neuron],
) -> _Neuron:
    """The neuron around ``hL[j]``: its activation ``aL[j]`` if that is its only user, the
    unlabelled nodes below it (micrograd-style ``*``/``+`` chains) and its parameters."""

    def own_parameter(label: str) -> bool:
        parameter = notation.parse(label)
        return (
            parameter is not None
            and parameter.kind in notation.PARAMETER_KINDS
            and (parameter.layer, parameter.neuron) == (name.layer, name.neuron)
        )

    members = {pre}
    parameters: list[Value] = []
    pending = list(pre.children)
    while pending:
        node = pending.pop(0)
        if node in members or node in taken or node in parameters:
            continue
        if not node.label and node.children:
            members.add(node)
            pending += node.children
        elif not node.children and own_parameter(node.label):
            parameters.append(node)
    out = pre
    for user in users.get(pre, ()):
        if user.label == notation.activation(name.layer or 0, name.neuron) and user.children == (
            pre,
        ):
            out = user
            members.add(user)
    return _Neuron(pre, out, members, parameters)


# ----- rendering to a file ---------------------------------------------------------------


def render(graph: graphviz.Digraph, path: str | Path, format: str = "svg") -> Path:  # noqa: A002
    """Write ``graph`` to ``path`` as ``"svg"``, ``"png"``, ``"pdf"`` or ``"dot"`` (the DOT
    text itself, which needs no graphviz program). Returns the path written.

    Without graphviz's ``dot`` program a drawing of ``draw_dot`` is still written as SVG,
    laid out in pure Python (:mod:`tinygrad_edu.lenses.drawing.layout`).

    Raises:
        GraphvizNotInstalledError: for png/pdf (and svg of a graph not made by ``draw_dot``)
            when ``dot`` is not installed; nothing is written then.
        ValueError: for any other format.
    """
    if format not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}; got {format!r}")
    path = Path(path)
    if format == "dot":
        path.write_text(graph.source, encoding="utf-8")
        return path
    if shutil.which("dot") is None:
        from tinygrad_edu.lenses.drawing.figure import Drawing

        if format == "svg" and isinstance(graph, Drawing):
            path.write_text(graph.svg_without_dot(), encoding="utf-8")
            return path
        raise GraphvizNotInstalledError(missing_dot_message(format))
    try:  # rendered in memory: no half-written file on error
        data = run_dot(graph.source, format)
    except DotTimeoutError as slow:
        from tinygrad_edu.lenses.drawing.figure import Drawing

        if format != "svg" or not isinstance(graph, Drawing):
            raise DotTimeoutError(
                f"{slow}; draw fewer nodes (max_nodes, focus) or save svg, which falls back to "
                "the pure-Python layout"
            ) from None
        warnings.warn(f"{slow}; drawn with the pure-Python layout instead", stacklevel=2)
        data = graph.svg_without_dot().encode("utf-8")
    except RuntimeError as error:
        raise RuntimeError(f"graphviz's dot failed to render {format}: {error}") from None
    path.write_bytes(data)
    return path


def missing_dot_message(format: str = "svg", dot_option: str = "format='dot'") -> str:  # noqa: A002
    """Why rendering cannot happen and how to fix it, in one line."""
    return (
        f"cannot render {format}: graphviz's 'dot' program is not installed; install graphviz "
        "(apt-get install graphviz, brew install graphviz or conda install graphviz) or save "
        f"the DOT text with {dot_option}"
    )
