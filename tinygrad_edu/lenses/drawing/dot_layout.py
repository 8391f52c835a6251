"""graphviz's ``dot`` as the layout engine: the same nodes and edges as :mod:`.layout`, placed by
``dot`` and read back from its ``plain`` output, so that one SVG writer draws either layout.

Every node is given ``dot`` at its exact size (``fixedsize``) and without a label, and the
edges without arrowheads, so the curves ``dot`` returns start and end on the outlines; the
SVG writer adds the arrowheads. ``ordering=out`` keeps each node's out-edges in the order
given, which draws a layer's neurons in index order (``h2[0]`` above ``h2[4]``).
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
from collections import defaultdict, deque
from collections.abc import Sequence

from tinygrad_edu.lenses.drawing.layout import Box, Layout, LayoutNode, Point, Route

__all__ = ["dot_available", "dot_layout"]

POINTS_PER_INCH = 72.0  # dot works in inches; the drawing in points (one point per SVG unit)


def dot_available() -> bool:
    """Whether graphviz's ``dot`` program is on the PATH."""
    return shutil.which("dot") is not None


def dot_layout(
    nodes: Sequence[LayoutNode],
    edges: Sequence[tuple[str, str]],
    rankdir: str = "LR",
    rank_gap: float = 36.0,
    node_gap: float = 10.0,
) -> Layout:
    """Place ``nodes`` and route ``edges`` with ``dot``; the arguments are those of
    :func:`~.layout.layered_layout`.

    Raises:
        RuntimeError: when ``dot`` fails (``GraphvizNotInstalledError`` is the caller's to
            raise: check :func:`dot_available` first).
    """
    import graphviz

    source = _source(nodes, edges, rankdir, rank_gap, node_gap)
    try:
        plain: str = graphviz.pipe_string("dot", "plain", source, encoding="utf-8")
    except (subprocess.CalledProcessError, graphviz.ExecutableNotFound) as error:
        raise RuntimeError(f"graphviz's dot failed to lay out the graph: {error}") from None
    return _read_plain(plain, nodes, edges)


def _quote(key: str) -> str:
    return '"' + key.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _inches(points: float) -> str:
    return f"{points / POINTS_PER_INCH:.4f}"


def _source(
    nodes: Sequence[LayoutNode],
    edges: Sequence[tuple[str, str]],
    rankdir: str,
    rank_gap: float,
    node_gap: float,
) -> str:
    lines = [
        "digraph layout {",
        f"  graph [rankdir={rankdir} ordering=out nodesep={_inches(node_gap)} "
        f"ranksep={_inches(rank_gap)}];",
        '  node [fixedsize=true label="" shape=box];',
        "  edge [dir=none];",
    ]
    for node in nodes:
        shape = "ellipse" if node.shape == "ellipse" else "box"
        lines.append(
            f"  {_quote(node.key)} [width={_inches(node.width)} "
            f"height={_inches(node.height)} shape={shape}];"
        )
    lines += [f"  {_quote(tail)} -> {_quote(head)};" for tail, head in edges]
    lines.append("}")
    return "\n".join(lines) + "\n"


def _read_plain(
    plain: str, nodes: Sequence[LayoutNode], edges: Sequence[tuple[str, str]]
) -> Layout:
    """Boxes and routes from ``dot -Tplain``: inches, with y growing upwards."""
    height = 0.0
    centres: dict[str, Point] = {}
    splines: dict[tuple[str, str], deque[tuple[Point, ...]]] = defaultdict(deque)
    width = 0.0
    for line in plain.splitlines():
        fields = shlex.split(line)
        if not fields:
            continue
        if fields[0] == "graph":
            width, height = float(fields[2]), float(fields[3])
        elif fields[0] == "node":
            centres[fields[1]] = (float(fields[2]), float(fields[3]))
        elif fields[0] == "edge":
            count = int(fields[3])
            numbers = [float(f) for f in fields[4 : 4 + 2 * count]]
            points = tuple(
                _flip((numbers[2 * k], numbers[2 * k + 1]), height) for k in range(count)
            )
            splines[fields[1], fields[2]].append(points)
    boxes = {}
    for node in nodes:
        x, y = _flip(centres[node.key], height)
        boxes[node.key] = Box(x, y, node.width, node.height, node.shape)
    routes = tuple(Route(tail, head, splines[tail, head].popleft()) for tail, head in edges)
    return Layout(width * POINTS_PER_INCH, height * POINTS_PER_INCH, boxes, routes)


def _flip(point: Point, height: float) -> Point:
    x, y = point
    return (x * POINTS_PER_INCH, (height - y) * POINTS_PER_INCH)
