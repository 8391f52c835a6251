"""``Drawing``: the ``graphviz.Digraph`` of ``draw_dot``, which also shows without ``dot``.

It remembers each node and edge as they are added, so where graphviz's ``dot`` program is
missing it can still be drawn: by the pure-Python layout of :mod:`.layout` and the SVG writer
of :mod:`.svg`. Jupyter then shows that SVG inline, and ``render(..., "svg")`` writes it.
Where ``dot`` is installed everything is graphviz's own, as before.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import graphviz

from tinygrad_edu.lenses.drawing.dot_layout import DotTimeoutError, dot_available, run_dot
from tinygrad_edu.lenses.drawing.svg import Scene, SceneEdge, SceneNode, arrange, write_svg

__all__ = ["DrawnEdge", "DrawnNode", "Drawing", "scene_of"]


@dataclass(frozen=True)
class DrawnNode:
    """A ``node()`` call: the name, the DOT label text and the attributes."""

    name: str
    label: str
    attributes: dict[str, str]


@dataclass(frozen=True)
class DrawnEdge:
    """An ``edge()`` call."""

    tail: str
    head: str
    attributes: dict[str, str]


class Drawing(graphviz.Digraph):  # type: ignore[misc]  # graphviz has no type hints
    """A ``graphviz.Digraph`` that also keeps what was drawn, for a layout without ``dot``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.drawn_nodes: list[DrawnNode] = []
        self.drawn_edges: list[DrawnEdge] = []
        self.graph_attributes: dict[str, str] = {}

    def node(
        self, name: str, label: str | None = None, _attributes: Any = None, **attrs: str
    ) -> None:
        self.drawn_nodes.append(DrawnNode(name, name if label is None else label, dict(attrs)))
        super().node(name, label, _attributes=_attributes, **attrs)

    def edge(
        self,
        tail_name: str,
        head_name: str,
        label: str | None = None,
        _attributes: Any = None,
        **attrs: str,
    ) -> None:
        attributes = dict(attrs) if label is None else {**attrs, "label": label}
        self.drawn_edges.append(DrawnEdge(tail_name, head_name, attributes))
        super().edge(tail_name, head_name, label, _attributes=_attributes, **attrs)

    def attr(self, kw: str | None = None, _attributes: Any = None, **attrs: str) -> None:
        if kw is None:  # attributes of the graph itself: rankdir, the caption
            self.graph_attributes.update(attrs)
        super().attr(kw, _attributes=_attributes, **attrs)

    def svg_without_dot(self) -> str:
        """The drawing as SVG, laid out in pure Python: what shows where ``dot`` is missing."""
        scene = scene_of(self)
        return write_svg(scene, arrange(scene, "python"))

    def _repr_image_svg_xml(self) -> str:
        """Jupyter's picture: graphviz's with ``dot``, else :meth:`svg_without_dot`."""
        if dot_available():
            try:
                return run_dot(self.source, "svg").decode("utf-8")
            except DotTimeoutError as slow:
                warnings.warn(f"{slow}; drawn with the pure-Python layout instead", stacklevel=2)
        return self.svg_without_dot()


def scene_of(drawing: Drawing) -> Scene:
    """The nodes and edges of ``drawing`` as a :class:`~.svg.Scene`, in graphviz's colours."""
    nodes = [_scene_node(node) for node in drawing.drawn_nodes]
    edges = [
        SceneEdge(
            edge.tail,
            edge.head,
            label=_unescape(edge.attributes.get("label", "")),
            stroke=edge.attributes.get("color", "#000000"),
            text_colour=edge.attributes.get("fontcolor", "#000000"),
            stroke_width=float(edge.attributes.get("penwidth", "1")),
        )
        for edge in drawing.drawn_edges
    ]
    graph = drawing.graph_attributes
    caption = _unescape(graph.get("label", ""))
    return Scene(nodes, edges, graph.get("rankdir", "TB"), caption)


def _scene_node(node: DrawnNode) -> SceneNode:
    attributes = node.attributes
    lines = _unescape(node.label).split("\n")
    grad = None
    if len(lines) > 1 and lines[-1].startswith("grad "):
        grad = lines.pop()[len("grad ") :]
    filled = "filled" in attributes.get("style", "")
    return SceneNode(
        node.name,
        lines,
        shape=attributes.get("shape", "ellipse"),
        fill=attributes.get("fillcolor", "#d3d3d3") if filled else "#ffffff",
        stroke=attributes.get("color", "#000000"),
        text_colour=attributes.get("fontcolor", "#000000"),
        stroke_width=float(attributes.get("penwidth", "1")),
        font_size=float(attributes.get("fontsize", "11")),
        grad=grad,
    )


def _unescape(text: str) -> str:
    """A DOT label as plain text: ``\\n`` (and ``\\l``, ``\\r``) break the line and a
    backslash keeps the character after it (``graphviz.escape`` doubles backslashes)."""
    out = []
    pending = iter(text)
    for char in pending:
        if char == "\\":
            following = next(pending, "")
            out.append("\n" if following in ("n", "l", "r") else following)
        else:
            out.append(char)
    return "".join(out)
