"""How each role of a picture is painted: graphviz attributes for DOT, and the same colours,
shapes and sizes for the pure-Python SVG. One table, so both writers draw alike."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "HIGHLIGHT",
    "Paint",
    "dot_attributes",
    "dot_edge_attributes",
    "edge_paint",
    "paint",
]

HIGHLIGHT = "#d62728"  # the highlighted chain-rule paths
FONT_SIZE = 11.0
EDGE_FONT_SIZE = 9.0


@dataclass(frozen=True)
class Paint:
    """An element's look: its shape, fill, outline, text colour, outline width, font size."""

    shape: str
    fill: str = "#ffffff"
    stroke: str = "#000000"
    text_colour: str = "#000000"
    stroke_width: float = 1.0
    font_size: float = FONT_SIZE


_FILLS = {
    "leaf": "#e8f0fb",
    "interior": "#ffffff",
    "neuron": "#fff5e0",
    "group": "#eef7ea",
    "outside": "#f2f2f2",  # what lies outside an opened group (the step-through page)
}


def _op_shape(symbol: str) -> str:
    return "circle" if len(symbol) <= 2 else "ellipse"


def paint(role: str, lit: bool, symbol: str = "") -> Paint:
    """The look of an element of ``role`` (an op node's shape depends on its ``symbol``)."""
    colour, width = (HIGHLIGHT, 2.0) if lit else ("#000000", 1.0)
    if role == "op":
        return Paint(_op_shape(symbol), "#ffffff", colour, colour, width, 10.0)
    shape = "box3d" if role in ("neuron", "group") else "box"
    return Paint(shape, _FILLS[role], colour, colour, width)


def edge_paint(lit: bool) -> tuple[str, float]:
    """An edge's colour (its line and its label) and width."""
    return (HIGHLIGHT, 2.0) if lit else ("#000000", 1.0)


def _red(attributes: dict[str, str], lit: bool) -> dict[str, str]:
    if lit:
        attributes.update(color=HIGHLIGHT, fontcolor=HIGHLIGHT, penwidth="2")
    return attributes


def dot_attributes(role: str, lit: bool, symbol: str = "") -> dict[str, str]:
    """The graphviz attributes of an element of ``role``."""
    if role == "op":
        attributes = {
            "shape": _op_shape(symbol),
            "fontsize": "10",
            "margin": "0.02",
            "width": "0.3",
            "height": "0.3",
        }
    elif role in ("neuron", "group"):
        attributes = {"shape": "box3d", "style": "filled", "fillcolor": _FILLS[role]}
    else:
        attributes = {"shape": "box", "style": "rounded,filled", "fillcolor": _FILLS[role]}
    return _red(attributes, lit)


def dot_edge_attributes(label: str, lit: bool) -> dict[str, str]:
    """The graphviz attributes of an edge."""
    return _red({"label": label} if label else {}, lit)
