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

__all__ = ["DOT_TIMEOUT", "DotTimeoutError", "dot_available", "dot_layout", "run_dot"]

POINTS_PER_INCH = 72.0  # dot works in inches; the drawing in points (one point per SVG unit)
# dot's crossing minimisation can run for minutes (half an hour on 300 nodes that share a few
# inputs); past this many seconds a drawing falls back to the pure-Python layout
DOT_TIMEOUT = 10.0


class DotTimeoutError(RuntimeError):
    """graphviz's ``dot`` did not finish within its time limit (and was stopped)."""


def run_dot(source: str, format: str, timeout: float | None = None) -> bytes:  # noqa: A002
    """``dot -T<format>`` on the DOT text ``source``, stopped after ``timeout`` seconds
    (:data:`DOT_TIMEOUT` by default).

    Raises:
        DotTimeoutError: past ``timeout`` (the process is killed; nothing is left running).
        RuntimeError: when ``dot`` fails or is not installed.
    """
    if timeout is None:
        timeout = DOT_TIMEOUT
    program = shutil.which("dot")
    if program is None:
        raise RuntimeError("graphviz's dot program is not installed")
    try:
        done = subprocess.run(
            [program, f"-T{format}"],
            input=source.encode("utf-8"),
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise DotTimeoutError(
            f"graphviz's dot did not finish within {timeout:g} s and was stopped"
        ) from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip()
        raise RuntimeError(f"graphviz's dot failed (exit {done.returncode}): {message}")
    return done.stdout


def dot_available() -> bool:
    """Whether graphviz's ``dot`` program is on the PATH."""
    return shutil.which("dot") is not None


def dot_layout(
    nodes: Sequence[LayoutNode],
    edges: Sequence[tuple[str, str]],
    rankdir: str = "LR",
    rank_gap: float = 36.0,
    node_gap: float = 10.0,
    timeout: float | None = None,
) -> Layout:
    """Place ``nodes`` and route ``edges`` with ``dot``; the arguments are those of
    :func:`~.layout.layered_layout`, and ``dot``'s time limit in seconds.

    Raises:
        DotTimeoutError: past ``timeout`` (see :func:`run_dot`).
        RuntimeError: when ``dot`` fails (``GraphvizNotInstalledError`` is the caller's to
            raise: check :func:`dot_available` first).
    """
    source = _source(nodes, edges, rankdir, rank_gap, node_gap)
    try:
        plain = run_dot(source, "plain", timeout).decode("utf-8")
    except DotTimeoutError:
        raise
    except RuntimeError as error:
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
