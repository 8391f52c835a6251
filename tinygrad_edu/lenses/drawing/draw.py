"""Drawing a computation graph with graphviz, in the style of the documents' figures.

Each ``Value`` is a box showing its label, data and grad; each op is a small node of its own
between its operands and its result. ``draw_dot`` decides what to draw (the options, the
size, the neuron boxes, the highlighted paths) and makes the :class:`~.picture.Picture`;
``figure.drawing_of`` writes it as graphviz's DOT.
"""

from __future__ import annotations

import shutil
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from tinygrad_edu import checks
from tinygrad_edu.core import Value
from tinygrad_edu.lenses.drawing.dot_layout import DotTimeoutError, run_dot
from tinygrad_edu.lenses.drawing.neurons import Neurons
from tinygrad_edu.lenses.drawing.picture import Picture, grouped_picture_of, picture_of
from tinygrad_edu.lenses.groups import FAN_OUT, Detail, Groups, group_graph, level_of_detail
from tinygrad_edu.lenses.index import GraphIndex, index_for, is_foreign

if TYPE_CHECKING:
    import graphviz

    from tinygrad_edu.lenses.drawing.figure import Drawing

__all__ = [
    "DEFAULT_MAX_NODES",
    "FORMATS",
    "GraphvizNotInstalledError",
    "check_options",
    "detail_for",
    "draw_dot",
    "missing_dot_message",
    "picture_for",
    "render",
]

DEFAULT_MAX_NODES = 400  # a few hundred boxes is about what a screen or a page can show
FORMATS = ("svg", "png", "pdf", "dot")
RANKDIRS = ("LR", "TB")
GROUPS = ("auto", "neuron", "none", None)  # None is "none", as the command line spells it


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
    focus: Value | str | None = None,
    radius: int = 1,
    open: Sequence[str] = (),  # noqa: A002  # the word a learner expects: open these groups
    index: GraphIndex | None = None,
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
        max_nodes: the most boxes drawn (value boxes, op nodes and group boxes). A graph
            with more is drawn at a level of detail that fits: groups of nodes (the calls of
            your functions recorded by ``tinygrad_edu.origins()``, else neurons, layers,
            sums and chains found in the graph, :mod:`tinygrad_edu.lenses.groups`) collapsed
            into one box each, which shows the group's name, its node count and its
            output's data and gradient; the caption says what was collapsed.
        group: ``"neuron"`` draws each neuron (``hL[j]``, ``aL[j]``, the unlabelled nodes
            between them and its parameters ``WL[i,j]``, ``bL[j]``) as one box; ``"auto"``
            does so only when the full drawing would exceed ``max_nodes``; ``"none"`` (or
            ``None``) never, the command line's ``--group none``. Past ``max_nodes`` either
            way, groups are collapsed as above.
        focus: a node (or its label) to see up close: the groups holding it and every node
            within ``radius`` edges of it are opened, whatever ``max_nodes`` says.
        open: names of groups to open (``"linear#3"``, as a collapsed box shows them).
        index: the :class:`~tinygrad_edu.lenses.index.GraphIndex` of ``root``'s graph, if one
            was made already.

    Raises:
        TypeError: if ``root`` is not one ``Value`` (a model's list of outputs, a number) or
            a node's label is not a str.
        KeyError: for a name in ``open`` that no group of the graph has.

    The same graph always gives the same DOT text: node ids follow ``topological_order``,
    which visits operands in order; an operand used twice (``x * x``) gets two edges.
    """
    from tinygrad_edu.lenses.drawing.figure import drawing_of  # here: the import stays light

    check_options(rankdir, group, max_nodes, show_local)
    picture = picture_for(
        index_for(root, index, "draw_dot"),
        rankdir=rankdir,
        show_local=show_local,
        highlight=highlight,
        grads=grads,
        max_nodes=max_nodes,
        group=group,
        focus=focus,
        radius=radius,
        open_groups=open,
        collapse=True,
    )
    return drawing_of(picture)


def picture_for(
    index: GraphIndex,
    *,
    rankdir: str = "LR",
    show_local: bool = False,
    highlight: Value | str | None = None,
    grads: bool | None = None,
    max_nodes: int = DEFAULT_MAX_NODES,
    group: str | None = "auto",
    focus: Value | str | None = None,
    radius: int = 1,
    open_groups: Sequence[str] = (),
    collapse: bool = False,
) -> Picture:
    """What ``draw_dot`` draws, as a :class:`~.picture.Picture` (the arguments are its own,
    checked): the step-through page draws the same picture. Past ``max_nodes``, with
    ``collapse`` groups are collapsed (``draw_dot``); without, ``GraphTooLargeError`` says
    how to draw less (the step-through page, which steps node by node)."""
    root = index.root
    checks.string_labels(index.order)
    if isinstance(highlight, str) or is_foreign(highlight):
        highlight = index.node(highlight, "draw_dot", "highlight")
    on_path = _nodes_on_paths(index, highlight)
    show_grads = root.grad != 0.0 if grads is None else bool(grads)
    full_count = len(index.order) + len(index.interior)
    wanted = wanted_groups(index, focus, radius, open_groups)
    neurons: Neurons | None = None
    if wanted is None:
        if group == "neuron" or (group == "auto" and full_count > max_nodes):
            neurons = Neurons.find(index)
        drawn_count = neurons.drawn_count(index) if neurons else full_count
        if drawn_count <= max_nodes:
            return picture_of(
                index,
                rankdir=rankdir,
                show_local=show_local,
                show_grads=show_grads,
                on_path=on_path,
                neurons=neurons,
                full_count=full_count,
            )
        if not collapse:
            grouped = neurons is not None and bool(neurons.groups)
            raise GraphTooLargeError(full_count, drawn_count, max_nodes, group, grouped)
    _, detail = detail_for(index, max_nodes, wanted, open_groups)
    if not detail.closed:  # everything fits once grouped: draw it all
        return picture_of(index, rankdir=rankdir, show_local=show_local,
                          show_grads=show_grads, on_path=on_path)  # fmt: skip
    return grouped_picture_of(
        index,
        detail.closed,
        rankdir=rankdir,
        show_local=show_local,
        show_grads=show_grads,
        on_path=on_path,
    )


def detail_for(
    index: GraphIndex, max_nodes: int, wanted: list[int] | None, open_groups: Sequence[str]
) -> tuple[Groups, Detail]:
    """The groups of ``index``'s graph and the level of detail that draws it in at most
    ``max_nodes`` boxes, with the groups named in ``open_groups`` and those holding the
    positions ``wanted`` (see :func:`wanted_groups`) open."""
    # a box per group and at most two per node (its value and its op): half of max_nodes
    boxes = max(2, max_nodes // 2)
    groups = group_graph(index.order, fan_out=min(FAN_OUT, boxes))
    names = [groups.group_at[k].name for k in wanted or ()]
    return groups, level_of_detail(groups, boxes, open=[*open_groups, *names])


def wanted_groups(
    index: GraphIndex, focus: Value | str | None, radius: int, open_groups: Sequence[str]
) -> list[int] | None:
    """The positions to draw in full: every node within ``radius`` edges of ``focus`` (both
    ways); ``[]`` when only groups are asked for by name; ``None`` when nothing is."""
    if isinstance(open_groups, str) or not all(isinstance(name, str) for name in open_groups):
        raise TypeError(
            f"open must be a list of group names such as ['linear#3'], got {open_groups!r}"
        )
    if focus is None:
        return [] if open_groups else None
    if isinstance(radius, bool) or not isinstance(radius, int) or radius < 0:
        raise ValueError(f"radius must be a whole number of edges, 0 or more; got {radius!r}")
    centre = index.node(focus, "draw_dot", "focus")
    if centre not in index:
        raise ValueError("focus: the node is not part of the graph below the root")
    near = {centre}
    ring = [centre]
    for _ in range(radius):
        ring = [
            other
            for node in ring
            for other in (*node.children, *(user for user, _ in index.users.get(node, ())))
            if other not in near
        ]
        near.update(ring)
    return sorted(index.position[node] for node in near)


def check_options(rankdir: object, group: object, max_nodes: object, show_local: object) -> None:
    """The drawing options, checked before anything is drawn (a ValueError or TypeError)."""
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


def _nodes_on_paths(index: GraphIndex, highlight: Value | None) -> set[Value]:
    if highlight is None:
        return set()
    if not isinstance(highlight, Value):
        raise TypeError(f"highlight must be a Value of the graph, got {type(highlight).__name__}")
    if highlight not in index:
        name = repr(highlight.label) if highlight.label else "the unlabelled node"
        raise ValueError(f"highlight: {name} is not part of the graph below the root")
    return set(index.above(highlight))  # exactly the nodes with a path down to it


# ----- rendering to a file ---------------------------------------------------------------


def render(graph: graphviz.Digraph, path: str | Path, format: str = "svg") -> Path:  # noqa: A002
    """Write ``graph`` to ``path`` as ``"svg"``, ``"png"``, ``"pdf"`` or ``"dot"`` (the DOT
    text itself, which needs no graphviz program). Returns the path written.

    Without graphviz's ``dot`` program a drawing of ``draw_dot`` is still written as SVG,
    laid out in pure Python (:mod:`tinygrad_edu.lenses.drawing.layout`).

    Raises:
        GraphvizNotInstalledError: for png/pdf (and svg of a graph not made by ``draw_dot``)
            when ``dot`` is not installed; nothing is written then.
        OSError: where ``path`` cannot be written; the file is written as every save here
            is (``tinygrad_edu.files.atomic``): whole or not at all, never replacing a
            device, a folder or a link's own file.
        ValueError: for any other format.
    """
    if format not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}; got {format!r}")
    from tinygrad_edu.files.atomic import checked_path, write_atomically  # the rules of a save

    path = Path(checked_path(path))
    if format == "dot":
        write_atomically(path, graph.source)
        return path
    if shutil.which("dot") is None:
        from tinygrad_edu.lenses.drawing.figure import Drawing  # here: the import stays light

        if format == "svg" and isinstance(graph, Drawing):
            write_atomically(path, graph.svg_without_dot())
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
    write_atomically(path, data)
    return path


def missing_dot_message(format: str = "svg", dot_option: str = "format='dot'") -> str:  # noqa: A002
    """Why rendering cannot happen and how to fix it, in one line."""
    return (
        f"cannot render {format}: graphviz's 'dot' program is not installed; install graphviz "
        "(apt-get install graphviz, brew install graphviz or conda install graphviz) or save "
        f"the DOT text with {dot_option}"
    )
