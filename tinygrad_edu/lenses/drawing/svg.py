"""The one SVG writer: a scene of boxes, op nodes and edges, drawn where a layout put them.

``draw_dot``'s drawings use it where graphviz's ``dot`` is missing, and the step-through page
uses it always (with ``dot``'s layout where it is installed), so both look the same. Every
drawn node is a ``<g class="node" data-node=KEY>`` holding its shape and its text, and every
edge a ``<g class="edge" data-edge=INDEX>`` holding its curve and its arrowhead, so a page can
restyle them; a node's gradient, when it has one, is a ``<tspan class="grad">`` of its own.

Text is measured with Helvetica's character widths (the font metrics, in thousandths of an
em), with a margin for the sans-serif fonts a browser may use instead.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape

from tinygrad_edu.lenses.drawing.dot_layout import DotTimeoutError, dot_available, dot_layout
from tinygrad_edu.lenses.drawing.layout import Layout, LayoutNode, Point, layered_layout

__all__ = ["Scene", "SceneEdge", "SceneNode", "arrange", "node_size", "text_width", "write_svg"]

FONT = "Helvetica, Arial, sans-serif"
LINE_HEIGHT = 1.25  # in ems
MARGIN = 8.0
CAPTION_HEIGHT = 22.0
ARROW_LENGTH, ARROW_HALF_WIDTH = 7.0, 3.0
ENGINES = ("auto", "dot", "python")

# Helvetica's advance widths of the printable ASCII characters, space to tilde
_HELVETICA = (
    "278 278 355 556 556 889 667 191 333 333 389 584 278 333 278 278 556 556 556 556 556 556 "
    "556 556 556 556 278 278 584 584 584 556 1015 667 667 722 722 667 611 778 722 278 500 667 "
    "556 833 722 778 667 778 722 667 611 722 667 944 667 667 611 278 278 278 469 556 333 556 "
    "556 500 556 556 278 556 556 222 222 500 222 833 556 556 556 556 333 500 278 556 500 722 "
    "500 500 500 334 260 334 584"
)
_WIDTHS = {chr(32 + k): int(w) / 1000 for k, w in enumerate(_HELVETICA.split())}
_OTHER_WIDTH = 0.6  # Σ, ∂, · and the like
_FALLBACK_FONT_MARGIN = 1.08  # DejaVu Sans, a common stand-in, runs wider than Helvetica


@dataclass
class SceneNode:
    """A node to draw: its text lines, shape and colours; ``grad``, when not ``None``, is
    shown on a last line ``grad <grad>`` in an element of its own, and ``grad_texts`` lists
    every text it may show later, so the box is sized for the longest."""

    key: str
    lines: list[str]
    shape: str = "box"  # "box", "box3d" (a neuron), "circle" or "ellipse" (an op)
    fill: str = "#ffffff"
    stroke: str = "#000000"
    text_colour: str = "#000000"
    stroke_width: float = 1.0
    font_size: float = 11.0
    grad: str | None = None
    grad_texts: tuple[str, ...] = ()
    classes: tuple[str, ...] = ()
    data: dict[str, str] = field(default_factory=dict)


@dataclass
class SceneEdge:
    """An edge from ``tail`` to ``head``, with an optional label placed ``label_at`` of the
    way along it."""

    tail: str
    head: str
    label: str = ""
    label_at: float = 0.5
    stroke: str = "#000000"
    text_colour: str = "#000000"
    stroke_width: float = 1.0
    classes: tuple[str, ...] = ()
    data: dict[str, str] = field(default_factory=dict)


@dataclass
class Scene:
    """Everything to draw, with the direction of the layers and a caption below."""

    nodes: list[SceneNode]
    edges: list[SceneEdge]
    rankdir: str = "LR"
    caption: str = ""


def text_width(text: str, font_size: float) -> float:
    """The width of ``text`` at ``font_size``, a little wider than in Helvetica."""
    ems = sum(_WIDTHS.get(char, _OTHER_WIDTH) for char in text)
    return ems * font_size * _FALLBACK_FONT_MARGIN


def _text_lines(node: SceneNode) -> list[str]:
    if node.grad is None:
        return node.lines
    longest = max((node.grad, *node.grad_texts), key=lambda t: text_width(t, node.font_size))
    return [*node.lines, f"grad {longest}"]


def node_size(node: SceneNode) -> tuple[float, float]:
    """The width and height the node is drawn at: its text with padding around it."""
    lines = _text_lines(node) or [""]
    widest = max(text_width(line, node.font_size) for line in lines)
    tall = len(lines) * node.font_size * LINE_HEIGHT
    if node.shape == "circle":
        side = max(22.0, widest + 10.0, tall + 6.0)
        return side, side
    if node.shape == "ellipse":
        return max(30.0, widest * 1.2 + 14.0), max(22.0, tall * 1.3 + 4.0)
    width, height = max(36.0, widest + 16.0), tall + 9.0
    if node.shape == "box3d":
        width, height = width + 4.0, height + 4.0  # the depth drawn behind the front
    return width, height


def arrange(scene: Scene, engine: str = "auto") -> Layout:
    """A layout of the scene: graphviz's ``dot`` (``"dot"``; ``"auto"`` where it is
    installed) or the pure-Python layered layout (``"python"``; ``"auto"`` without ``dot``)."""
    if engine not in ENGINES:
        raise ValueError(f"layout must be one of {', '.join(ENGINES)}; got {engine!r}")
    nodes = []
    for node in scene.nodes:
        width, height = node_size(node)
        shape = "ellipse" if node.shape in ("circle", "ellipse") else "box"
        nodes.append(LayoutNode(node.key, width, height, shape))
    edges = [(edge.tail, edge.head) for edge in scene.edges]
    rank_gap = 56.0 if any(edge.label for edge in scene.edges) else 36.0
    use_dot = engine == "dot" or (engine == "auto" and dot_available())
    if use_dot:
        try:
            return dot_layout(nodes, edges, scene.rankdir, rank_gap)
        except DotTimeoutError as slow:
            warnings.warn(f"{slow}; drawn with the pure-Python layout instead", stacklevel=2)
    return layered_layout(nodes, edges, scene.rankdir, rank_gap)


def write_svg(scene: Scene, layout: Layout, standalone: bool = True) -> str:
    """The scene as SVG text. ``standalone`` adds the XML namespace a file or an
    ``image/svg+xml`` output needs; SVG inside an HTML page goes without."""
    width = layout.width + 2 * MARGIN
    height = layout.height + 2 * MARGIN + (CAPTION_HEIGHT if scene.caption else 0.0)
    namespace = ' xmlns="http://www.w3.org/2000/svg"' if standalone else ""
    parts = [
        f'<svg{namespace} class="graph" width="{_n(width)}" height="{_n(height)}" '
        f'viewBox="0 0 {_n(width)} {_n(height)}" font-family="{FONT}">',
        '<g class="edges">',
    ]
    for index, (edge, route) in enumerate(zip(scene.edges, layout.routes, strict=True)):
        points = [(x + MARGIN, y + MARGIN) for x, y in route.points]
        parts.append(_edge(index, edge, points))
    parts.append('</g>\n<g class="nodes">')
    for node in scene.nodes:
        box = layout.boxes[node.key]
        parts.append(_node(node, box.x + MARGIN, box.y + MARGIN, box.width, box.height))
    parts.append("</g>")
    if scene.caption:
        parts.append(
            f'<text class="caption" x="{_n(width / 2)}" y="{_n(height - 8)}" '
            f'text-anchor="middle" font-size="12">{escape(scene.caption)}</text>'
        )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def _n(number: float) -> str:
    """A coordinate, to a tenth of a point: more is invisible and only makes the file big."""
    text = f"{number:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _attributes(classes: Sequence[str], data: dict[str, str]) -> str:
    text = f' class="{escape(" ".join(classes))}"'
    for name, value in data.items():
        text += f' data-{name}="{escape(value)}"'
    return text


def _edge(index: int, edge: SceneEdge, points: list[Point]) -> str:
    d = f"M{_n(points[0][0])},{_n(points[0][1])}"
    for k in range(1, len(points), 3):
        d += "C" + " ".join(f"{_n(x)},{_n(y)}" for x, y in points[k : k + 3])
    attributes = _attributes(("edge", *edge.classes), {"edge": str(index), **edge.data})
    stroke = f'stroke="{edge.stroke}" stroke-width="{_n(edge.stroke_width)}"'
    parts = [
        f"<g{attributes}>",
        f'<path class="line" d="{d}" fill="none" {stroke}/>',
        f'<path class="arrow" d="{_arrowhead(points)}" fill="{edge.stroke}"/>',
    ]
    if edge.label:
        x, y = _point_along(points, edge.label_at)
        parts.append(
            f'<text class="edge-label" x="{_n(x)}" y="{_n(y - 3)}" text-anchor="middle" '
            f'font-size="9" fill="{edge.text_colour}" stroke="#ffffff" stroke-width="3" '
            f'paint-order="stroke">{escape(edge.label)}</text>'
        )
    parts.append("</g>")
    return "".join(parts)


def _arrowhead(points: list[Point]) -> str:
    """A triangle whose tip is the end of the edge, pointing the way the edge arrives."""
    tip = points[-1]
    back = next((p for p in reversed(points[:-1]) if p != tip), (tip[0] - 1.0, tip[1]))
    dx, dy = tip[0] - back[0], tip[1] - back[1]
    length = math.hypot(dx, dy)
    ux, uy = dx / length, dy / length
    base = (tip[0] - ux * ARROW_LENGTH, tip[1] - uy * ARROW_LENGTH)
    left = (base[0] - uy * ARROW_HALF_WIDTH, base[1] + ux * ARROW_HALF_WIDTH)
    right = (base[0] + uy * ARROW_HALF_WIDTH, base[1] - ux * ARROW_HALF_WIDTH)
    return "M" + "L".join(f"{_n(x)},{_n(y)}" for x, y in (tip, left, right)) + "Z"


def _bezier(p0: Point, p1: Point, p2: Point, p3: Point, t: float) -> Point:
    u = 1 - t
    a, b, c, d = u * u * u, 3 * u * u * t, 3 * u * t * t, t * t * t
    return (
        a * p0[0] + b * p1[0] + c * p2[0] + d * p3[0],
        a * p0[1] + b * p1[1] + c * p2[1] + d * p3[1],
    )


def sample(points: Sequence[Point], per_segment: int = 12) -> list[Point]:
    """Points along a cubic spline, for measuring it (and for tests of where it runs)."""
    samples = [points[0]]
    for k in range(0, len(points) - 1, 3):
        p0, p1, p2, p3 = points[k : k + 4]
        samples += [_bezier(p0, p1, p2, p3, i / per_segment) for i in range(1, per_segment + 1)]
    return samples


def _point_along(points: Sequence[Point], share: float) -> Point:
    samples = sample(points)
    steps = [math.dist(a, b) for a, b in zip(samples, samples[1:], strict=False)]
    goal = share * sum(steps)
    for point, step in zip(samples[1:], steps, strict=True):
        goal -= step
        if goal <= 0:
            return point
    return samples[-1]


def _node(node: SceneNode, x: float, y: float, width: float, height: float) -> str:
    attributes = _attributes(("node", *node.classes), {"node": node.key, **node.data})
    paint = f'fill="{node.fill}" stroke="{node.stroke}" stroke-width="{_n(node.stroke_width)}"'
    parts = [f"<g{attributes}>"]
    if node.shape in ("circle", "ellipse"):
        parts.append(
            f'<ellipse class="shape" cx="{_n(x)}" cy="{_n(y)}" rx="{_n(width / 2)}" '
            f'ry="{_n(height / 2)}" {paint}/>'
        )
    else:
        left, top = x - width / 2, y - height / 2
        if node.shape == "box3d":  # a second outline behind the front: a stack of units
            parts.append(
                f'<rect class="depth" x="{_n(left + 4)}" y="{_n(top)}" width="{_n(width - 4)}" '
                f'height="{_n(height - 4)}" fill="{node.fill}" stroke="{node.stroke}"/>'
            )
            top, width, height = top + 4, width - 4, height - 4
        corner = 6 if node.shape == "box" else 0
        parts.append(
            f'<rect class="shape" x="{_n(left)}" y="{_n(top)}" width="{_n(width)}" '
            f'height="{_n(height)}" rx="{corner}" {paint}/>'
        )
        y = top + height / 2
    parts.append(_text(node, x, y))
    parts.append("</g>")
    return "".join(parts)


def _text(node: SceneNode, x: float, y: float) -> str:
    count = len(node.lines) + (node.grad is not None)
    step = node.font_size * LINE_HEIGHT
    first = y - (count - 1) * step / 2 + node.font_size * 0.35  # baseline of the first line
    spans = []
    for k, line in enumerate(node.lines):
        dy = "" if k == 0 else f' dy="{_n(step)}"'
        spans.append(f'<tspan x="{_n(x)}"{dy}>{escape(line)}</tspan>')
    if node.grad is not None:
        dy = f' dy="{_n(step)}"' if node.lines else ""
        spans.append(
            f'<tspan x="{_n(x)}"{dy}>grad <tspan class="grad">{escape(node.grad)}</tspan></tspan>'
        )
    return (
        f'<text x="{_n(x)}" y="{_n(first)}" text-anchor="middle" '
        f'font-size="{_n(node.font_size)}" fill="{node.text_colour}">{"".join(spans)}</text>'
    )
