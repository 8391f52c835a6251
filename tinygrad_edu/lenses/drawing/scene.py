"""A picture as the SVG writer's scene: each element a :class:`~.svg.SceneNode` painted by its
role, each edge a :class:`~.svg.SceneEdge`, in the picture's order and with its ids."""

from __future__ import annotations

from tinygrad_edu.lenses.drawing.picture import Picture
from tinygrad_edu.lenses.drawing.style import edge_paint, paint
from tinygrad_edu.lenses.drawing.svg import Scene, SceneEdge, SceneNode

__all__ = ["scene_of"]


def scene_of(picture: Picture) -> Scene:
    """The picture's elements and edges as a scene, ready to lay out and write."""
    nodes = []
    for element in picture.elements:
        symbol = element.lines[0] if element.role == "op" else ""
        look = paint(element.role, element.lit, symbol)
        lines = "\n".join(element.lines).split("\n")  # a label may hold line breaks
        nodes.append(
            SceneNode(
                element.id,
                lines,
                shape=look.shape,
                fill=look.fill,
                stroke=look.stroke,
                text_colour=look.text_colour,
                stroke_width=look.stroke_width,
                font_size=look.font_size,
                grad=element.grad,
            )
        )
    edges = []
    for edge in picture.edges:
        colour, width = edge_paint(edge.lit)
        edges.append(
            SceneEdge(
                edge.tail,
                edge.head,
                label=edge.label,
                stroke=colour,
                text_colour=colour,
                stroke_width=width,
            )
        )
    return Scene(nodes, edges, picture.rankdir, picture.caption)
