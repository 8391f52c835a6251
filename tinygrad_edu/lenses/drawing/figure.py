"""``Drawing``: the ``graphviz.Digraph`` of ``draw_dot``, which also shows without ``dot``.

It is written from a :class:`~.picture.Picture` and keeps it, so where graphviz's ``dot``
program is missing the same picture is laid out in pure Python (:mod:`.layout`) and written
as SVG (:mod:`.svg`): Jupyter then shows that SVG inline, and ``render(..., "svg")`` writes
it. Where ``dot`` is installed everything is graphviz's own.
"""

from __future__ import annotations

import warnings
from typing import Any

import graphviz

from tinygrad_edu.lenses.drawing.dot_layout import DotTimeoutError, dot_available, run_dot
from tinygrad_edu.lenses.drawing.picture import Picture
from tinygrad_edu.lenses.drawing.scene import scene_of
from tinygrad_edu.lenses.drawing.style import dot_attributes, dot_edge_attributes
from tinygrad_edu.lenses.drawing.svg import arrange, write_svg

__all__ = ["Drawing", "drawing_of"]


class Drawing(graphviz.Digraph):  # type: ignore[misc]  # graphviz has no type hints
    """A ``graphviz.Digraph`` written from a picture, which it keeps (``.picture``) for a
    layout without ``dot``."""

    def __init__(self, picture: Picture, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.picture = picture

    def svg_without_dot(self) -> str:
        """The drawing as SVG, laid out in pure Python: what shows where ``dot`` is missing."""
        scene = scene_of(self.picture)
        return write_svg(scene, arrange(scene, "python"))

    def _repr_image_svg_xml(self) -> str:
        """Jupyter's picture: graphviz's with ``dot``, else :meth:`svg_without_dot`."""
        if dot_available():
            try:
                return run_dot(self.source, "svg").decode("utf-8")
            except DotTimeoutError as slow:
                warnings.warn(f"{slow}; drawn with the pure-Python layout instead", stacklevel=2)
        return self.svg_without_dot()


def _text(lines: list[str]) -> str:
    """Lines as one DOT label: each escaped (a backslash stays a backslash), joined by
    ``\\n``, DOT's line break inside a label."""
    return "\\n".join(graphviz.escape(line) for line in lines)


def drawing_of(picture: Picture) -> Drawing:
    """The picture as graphviz's DOT: each value box followed by its op node and result edge,
    then the neuron boxes, then the operand edges, in the picture's order."""
    dot = Drawing(picture, "computation_graph")
    dot.attr(rankdir=picture.rankdir, ordering="out")  # out-edges in order: h2[0] above h2[4]
    dot.attr("node", fontname="Helvetica", fontsize="11")
    dot.attr("edge", fontname="Helvetica", fontsize="9", arrowsize="0.6")
    if picture.caption:
        dot.attr(label=picture.caption)
    edges = picture.edges
    for element in picture.elements:
        lines = element.lines if element.grad is None else [*element.lines, f"grad {element.grad}"]
        symbol = element.lines[0] if element.role == "op" else ""
        dot.node(element.id, _text(lines), **dot_attributes(element.role, element.lit, symbol))
        if element.role == "op":
            result = edges[picture.result_edge[element.value]]
            dot.edge(result.tail, result.head, **dot_edge_attributes("", result.lit))
    for edge in edges:
        if edge.kind != "result":
            dot.edge(edge.tail, edge.head, **dot_edge_attributes(edge.label, edge.lit))
    return dot
