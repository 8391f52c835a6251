"""``stepper``: watch backward run, one node at a time, on a page of its own.

``stepper(L)`` shows one backward pass from zero through the graph below ``L``: in Jupyter
the page inline, and ``stepper(L).save("steps.html")`` writes it as one self-contained file
(no library, no fetched file, no server) that opens from disk in any browser, offline.

Python computes every number, from the same records as ``L.backward_steps()``; the page's
script only shows them, so what it shows is bit for bit what the engine computed. Making a
stepper leaves every ``.grad`` of the graph as it was.
"""

from __future__ import annotations

import html
import json
import uuid
from collections.abc import Iterable, Sequence
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any

from tinygrad_edu import checks
from tinygrad_edu.core import Value
from tinygrad_edu.core.messages import describe, node_name
from tinygrad_edu.files.atomic import PathLike, checked_path, write_atomically
from tinygrad_edu.lenses.drawing.dot_layout import dot_available
from tinygrad_edu.lenses.drawing.draw import (
    DEFAULT_MAX_NODES,
    GraphTooLargeError,
    GraphvizNotInstalledError,
    check_options,
    detail_for,
    picture_for,
    wanted_groups,
)
from tinygrad_edu.lenses.drawing.picture import Picture, picture_of
from tinygrad_edu.lenses.drawing.svg import ENGINES, Scene, arrange, write_svg
from tinygrad_edu.lenses.index import GraphIndex, index_for, is_foreign
from tinygrad_edu.lenses.paths import ChainEdge
from tinygrad_edu.lenses.stepper.backward_pass import pass_from_zero
from tinygrad_edu.lenses.stepper.data import Json, page_data

__all__ = ["Stepper", "stepper"]

SPEEDS = (("slow", 2000), ("normal", 1000), ("fast", 400), ("fastest", 100))  # ms per step
FRAME_HEIGHT = 640  # pixels of the page inline in a notebook


def stepper(
    root: Value,
    *,
    highlight: Value | str | None = None,
    highlight_edges: Iterable[tuple[Value, int] | ChainEdge] | None = None,
    highlight_caption: str = "",
    rankdir: str = "LR",
    max_nodes: int = DEFAULT_MAX_NODES,
    group: str | None = "auto",
    layout: str = "auto",
    open: Sequence[str] = (),  # noqa: A002  # as draw_dot: the groups to open
    focus: Value | str | None = None,
    radius: int = 1,
    index: GraphIndex | None = None,
) -> Stepper:
    """A step-through page of one backward pass from zero through the graph below ``root``.

    Args:
        highlight: a node of the graph, or its label, whose chain-rule paths are lit up when
            the page opens (any leaf can be picked on the page too).
        highlight_edges: instead, exactly these operand edges are lit up: pairs ``(parent,
            position)``, the edge from ``parent.children[position]`` into ``parent`` (a
            :class:`~tinygrad_edu.lenses.paths.ChainEdge` also does), e.g. the edges behind
            one entry of a matrix; ``highlight_caption`` names them on the page.
        rankdir, max_nodes, group: as for ``draw_dot``. A graph of more than ``max_nodes``
            boxes (neuron boxes first, with ``group="auto"``) is drawn at a level of detail:
            groups of nodes (your functions' calls under ``tinygrad_edu.origins()``, else
            neurons, layers, sums and chains) collapsed into one box each, and stepped group
            by group: a group's step applies all of its nodes' backward rules at once. A
            click on a group (or Enter on it) opens it and steps inside it, node by node or
            inner group by inner group; the insides of the biggest graphs are embedded up to
            a budget, and a group past it is opened from Python with ``open=``.
        open, focus, radius: as for ``draw_dot``: groups (by name, ``"linear#3"``) drawn open
            in the whole graph's view, or every group within ``radius`` edges of ``focus``.
        layout: ``"auto"`` lays the graph out with graphviz's ``dot`` where it is installed
            and in pure Python where it is not; ``"dot"`` or ``"python"`` choose.
        index: the :class:`~tinygrad_edu.lenses.index.GraphIndex` of ``root``'s graph, if one
            was made already. The page reads everything from one index: the graph is
            sorted once.

    Raises:
        TypeError, ValueError: for a ``root``, ``highlight`` or edge that is not right, before
            anything is computed or changed.
    """
    if not is_foreign(root):
        _check_value(root, "stepper(root)")
    if layout not in ENGINES:
        raise ValueError(f"layout must be one of {', '.join(ENGINES)}; got {layout!r}")
    if layout == "dot" and not dot_available():
        raise GraphvizNotInstalledError(
            "layout='dot' needs graphviz's 'dot' program, which is not installed; install "
            "graphviz (apt-get install graphviz, brew install graphviz or conda install "
            "graphviz) or pass layout='auto', which lays the graph out in pure Python without it"
        )
    if not isinstance(highlight_caption, str):
        raise TypeError(f"highlight_caption must be a str, got {describe(highlight_caption)}")
    check_options(rankdir, group, max_nodes, False)
    index = index_for(root, index, "stepper")
    index.check_fresh("stepper()")
    if highlight is not None:
        if highlight_edges is not None:
            raise ValueError("pass highlight or highlight_edges, not both")
        if not isinstance(highlight, str) and not is_foreign(highlight):
            _check_value(highlight, "highlight")
        highlight = index.node(highlight, "stepper", "highlight")  # a label, as draw_dot takes
        if highlight not in index:
            raise ValueError(f"highlight: {node_name(highlight)} is not part of the graph")
    chosen = _chosen_edges(highlight_edges, index) if highlight_edges is not None else []
    wanted = wanted_groups(index, focus, radius, open)
    picture: Picture | None = None
    if wanted is None:  # draw_dot's picture, if it fits in max_nodes without groups
        try:
            picture = picture_for(
                index, rankdir=rankdir, grads=False, max_nodes=max_nodes, group=group
            )
        except GraphTooLargeError:
            pass  # too big to step node by node: group by group, below
    if picture is None:  # a level of detail, as draw_dot chooses it
        groups, detail = detail_for(index, max_nodes, wanted, open)
        if detail.closed:
            from tinygrad_edu.lenses.stepper.grouped_page import grouped_page

            data, scenes = grouped_page(index, groups, detail, rankdir)
            data["open"] = -1
            return Stepper(node_name(index.root), data, scenes[0], layout, scenes[1:])
        checks.string_labels(index.order)
        picture = picture_of(index, rankdir=rankdir, show_grads=False)  # every group open

    from tinygrad_edu.lenses.drawing.scene import scene_of
    from tinygrad_edu.lenses.stepper.scene import mark_up

    with pass_from_zero(index) as steps:
        extra = [highlight] if highlight is not None else []
        data = page_data(index, picture, steps, extra, chosen, highlight_caption)
    data["open"] = _opening_path(data, index.position[highlight] if highlight else None, chosen)
    scene = scene_of(picture)
    mark_up(scene, index, picture, data)
    return Stepper(node_name(index.root), data, scene, layout)


def _check_value(value: object, what: str) -> None:
    if not isinstance(value, Value):
        raise TypeError(f"{what} must be a Value, got {describe(value)}")


def _chosen_edges(
    edges: Iterable[tuple[Value, int] | ChainEdge], nodes: GraphIndex
) -> list[tuple[Value, int]]:
    """The edges to light, checked: each an interior node of the graph and an operand slot."""
    if isinstance(edges, (str, bytes)) or not isinstance(edges, Iterable):
        raise TypeError(
            f"highlight_edges must be a list of (node, position), got {describe(edges)}"
        )
    chosen = []
    for number, item in enumerate(edges):
        where = f"highlight_edges[{number}]"
        if isinstance(item, ChainEdge):
            item = (item.parent, item.position)
        if not (isinstance(item, tuple) and len(item) == 2):
            raise TypeError(f"{where} must be a (node, position) pair, got {describe(item)}")
        parent, position = item
        if not is_foreign(parent):
            _check_value(parent, f"{where}[0]")
        parent = nodes.node(parent, where)
        if parent not in nodes:
            raise ValueError(f"{where}: {node_name(parent)} is not part of the graph")
        count = len(parent.children)
        if isinstance(position, bool) or not isinstance(position, int):
            raise TypeError(f"{where}[1] must be an int operand position, got {describe(position)}")
        if not 0 <= position < count:
            has = f"has {count} operands" if count else "is a leaf, with no operands"
            raise ValueError(f"{where}: position {position}, but {node_name(parent)} {has}")
        chosen.append((parent, position))
    if not chosen:
        raise ValueError("highlight_edges is empty; pass None to light up no edges")
    return chosen


def _opening_path(data: Json, target: int | None, chosen: list[tuple[Value, int]]) -> int:
    if chosen:
        return 0  # the chosen edges' entry comes first
    if target is None:
        return -1
    return next(n for n, entry in enumerate(data["paths"]) if entry["value"] == target)


class Stepper:
    """One backward pass of a graph, ready to step through: :meth:`save` writes the page,
    :meth:`html` gives its text, and Jupyter shows it inline (``_repr_mimebundle_``: the page
    in an ``<iframe srcdoc>``, and a picture of the final state for viewers that run no
    script).

    Attributes:
        data: everything the page shows, as its embedded JSON (the steps' raw numbers, bit for
            bit those of ``backward_steps()``, and their texts and colours).
        frame_height: the height in pixels of the page inline in a notebook.
    """

    frame_height = FRAME_HEIGHT

    def __init__(
        self,
        root_name: str,
        data: Json,
        scene: Scene,
        layout: str,
        inner: Sequence[Scene] = (),
    ) -> None:
        self.root_name = root_name
        self.data = data  # what the page shows (its embedded JSON)
        self.scene = scene
        self.layout = arrange(scene, layout)
        self.inner = [(view, arrange(view, layout)) for view in inner]  # opened groups' views

    @property
    def steps(self) -> int:
        """The number of backward steps: one per interior node."""
        return len(self.data["steps"])

    def __repr__(self) -> str:
        drawn = len(self.scene.nodes)
        return f"Stepper({self.root_name}: {self.steps} backward steps, {drawn} nodes drawn)"

    @cached_property
    def _page(self) -> str:
        return _page(self)

    def html(self) -> str:
        """The page: one HTML file that needs nothing else."""
        return self._page

    def svg(self) -> str:
        """A picture of the graph after the last step, as standalone SVG."""
        from tinygrad_edu.lenses.stepper.scene import final_scene

        opened = self.data["open"]
        lit = self.data["paths"][opened] if opened >= 0 else None
        return write_svg(final_scene(self.scene, self.data, lit), self.layout)

    def save(self, path: PathLike) -> Path:
        """Write the page to ``path`` (atomically: a reader never sees half a page)."""
        checked_path(path)
        write_atomically(path, self.html())
        return Path(path)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        frame = (
            f'<iframe id="tinygrad-edu-stepper-{uuid.uuid4().hex}" title="backward, step by '
            f'step" sandbox="allow-scripts" style="width: 100%; height: {self.frame_height}px; '
            f'border: 1px solid #ccc" srcdoc="{html.escape(self.html(), quote=True)}"></iframe>'
        )
        bundle = {"text/html": frame, "image/svg+xml": self.svg(), "text/plain": repr(self)}
        if include is not None:
            bundle = {kind: value for kind, value in bundle.items() if kind in include}
        if exclude is not None:
            bundle = {kind: value for kind, value in bundle.items() if kind not in exclude}
        return bundle


def _asset(name: str) -> str:
    return (resources.files("tinygrad_edu.lenses.stepper") / "assets" / name).read_text(
        encoding="utf-8"
    )


def _script_json(data: Json) -> str:
    """JSON that is safe inside ``<script>``: no ``<``, ``>`` or ``&`` a parser could take
    for the end of the script (the escapes mean the same characters to ``JSON.parse``)."""
    text = json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _page(page: Stepper) -> str:
    data = page.data
    esc = html.escape
    title = f"Backward through {page.root_name}, step by step"
    speeds = "".join(
        f'<option value="{ms}"{" selected" if name == "normal" else ""}>{name}</option>'
        for name, ms in SPEEDS
    )
    paths = "".join(
        f'<option value="{n}"{" selected" if n == data["open"] else ""}>{esc(entry["name"])}'
        "</option>"
        for n, entry in enumerate(data["paths"])
    )
    total = len(data["steps"])
    groups_keys = " · Enter opens a group, Escape closes it" if page.inner else ""
    svg = f'<div class="view" data-view="0">{write_svg(page.scene, page.layout, False)}</div>'
    for number, (scene, layout) in enumerate(page.inner, start=1):
        inner = write_svg(scene, layout, standalone=False)
        svg += f'\n<div class="view" data-view="{number}" hidden>{inner}</div>'
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(title)}</title>
<style>
{_asset("stepper.css")}</style>
</head>
<body>
<div class="stepper" data-steps="{total}" data-step="0">
<header class="bar">
<strong class="title">{esc(title)}</strong>
<span class="controls">
<button type="button" class="first" title="Home: back to the start">« start</button>
<button type="button" class="back" title="←: undo the last step">◀ back</button>
<button type="button" class="play" title="Space: play or pause">▶ play</button>
<button type="button" class="next" title="→: the next step">next ▶</button>
<button type="button" class="last" title="End: all steps done">end »</button>
<span class="counter">step 0 of {total}</span>
<label>speed <select class="speed">{speeds}</select></label>
<label><input type="checkbox" class="colour" checked> colour by gradient</label>
<span class="zoom"><button type="button" class="zoom-in" title="zoom in (or the mouse wheel)">+\
</button><button type="button" class="zoom-out" title="zoom out">−</button><button type="button" \
class="fit" title="show all">fit</button></span>
</span>
</header>
<main>
<div class="canvas"><nav class="crumbs" hidden></nav>{svg}</div>
<aside>
<section><h2>Chain rule</h2><pre class="chain-rule"></pre></section>
<section><h2>Paths to <select class="path-select"><option value="-1">(none)</option>{paths}\
</select></h2><pre class="path-text"></pre></section>
<section><h2>Details</h2><pre class="details">Click a node for its data, gradient, op and \
local derivatives; click a leaf to light up its chain-rule paths.</pre></section>
</aside>
</main>
<footer class="legend"><span class="swatch positive"></span> positive gradient \
<span class="swatch negative"></span> negative, stronger where larger (four decades below the \
largest final gradient) · <span class="swatch current"></span> the node being processed and \
the edges it sends gradient along · <span class="swatch lit"></span> chain-rule paths · keys: \
→ next, ← back, Home, End, Space play{groups_keys} · drag to pan, wheel to zoom</footer>
<script type="application/json" class="stepper-data">{_script_json(data)}</script>
<script>
{_asset("stepper.js")}</script>
</div>
</body>
</html>
"""
