"""Everything the step-through page shows, computed in Python: its JavaScript only looks it up.

For each backward step (one per interior node, in ``backward_steps()`` order) the page gets
the raw numbers of the records (``upstream``, and per edge ``local``, ``contribution``,
``grad_before``, ``grad_after``, bit for bit) and, ready to show, the texts and colours: the
chain-rule lines, each gradient as the drawing prints it (``?`` before its first contribution)
and its fill. It also gets, per leaf, the elements on its chain-rule paths and ``explain()``'s
text, and per element the details shown on a click.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from tinygrad_edu import notation
from tinygrad_edu.core import BackwardStep, Value
from tinygrad_edu.core.messages import node_name, shown
from tinygrad_edu.lenses.drawing.picture import Picture
from tinygrad_edu.lenses.explain import explain
from tinygrad_edu.lenses.index import GraphIndex
from tinygrad_edu.lenses.stepper.colours import gradient_fill, gradient_scale

__all__ = [
    "EXPLANATION_BUDGET",
    "MAX_EXPLAINED_PATHS",
    "grad_text",
    "number",
    "page_data",
    "value_details",
]

MAX_EXPLAINED_PATHS = 64  # more paths than this are lit up, but not written out
EXPLANATION_BUDGET = 200_000  # characters of explain() text a page holds (document 001: 140k)
UNKNOWN = "?"  # a gradient before its first contribution

Json = dict[str, Any]


def number(x: float) -> float | str:
    """A float for JSON: itself (JSON keeps every bit), or ``"inf"``, ``"-inf"``, ``"nan"``."""
    return x if math.isfinite(x) else repr(x)


def grad_text(x: float) -> str:
    """A gradient as a box shows it: 4 significant digits, as ``draw_dot`` prints, and 0 for
    −0 (the JSON keeps the sign; a learner needs no signed zero)."""
    return shown(x, ".4g")


def _six(x: float) -> str:
    """A number of the chain-rule line: 6 significant digits, as ``BackwardStep`` prints."""
    return shown(x, ".6g")


def page_data(
    index: GraphIndex,
    picture: Picture,
    steps: Sequence[BackwardStep],
    extra_targets: Sequence[Value] = (),
    chosen_edges: Sequence[tuple[Value, int]] = (),
    caption: str = "",
) -> Json:
    """The page's data, computed while every node holds the gradient of the pass from zero
    (see :func:`~.backward_pass.pass_from_zero`).

    ``extra_targets`` adds path entries for interior nodes (leaves always have one) and
    ``chosen_edges`` an entry lighting exactly those operand edges, named by ``caption``.
    Every number is read from ``index``'s graph, every element id from ``picture``.
    """
    root = index.root
    graph = _Graph(index, picture)
    scale = gradient_scale(node.grad for node in index.order)
    root_index = index.position[root]
    root_fill = gradient_fill(1.0, scale)
    data: Json = {
        "root": node_name(root),
        "start": {
            "show": picture.shows.get(root_index),
            "text": grad_text(1.0),
            "fill": root_fill,
        },
        "steps": _steps(graph, steps, scale),
    }
    data["startText"] = _start_text(root, steps)
    paths = _paths(graph, extra_targets)
    if chosen_edges:
        paths.insert(0, _chosen_entry(graph, chosen_edges, caption))
    data["paths"] = paths
    data["pathOf"] = {
        key: number_
        for number_, entry in enumerate(paths)
        if entry.get("value") is not None
        for key in picture.elements_of(entry["value"])
    }
    data["details"] = _details(graph)
    data["finalFills"] = {
        key: gradient_fill(index.order[k].grad, scale) for k, key in picture.shows.items()
    }
    return data


class _Graph:
    """The index and the picture of one page, and the lookups that need both."""

    def __init__(self, index: GraphIndex, picture: Picture) -> None:
        self.index, self.picture = index, picture
        self.root = index.root
        self.nodes = index.order
        self.position = index.position
        self.shows = picture.shows
        self.result_edge = picture.result_edge
        self.operand_edge = picture.operand_edge
        self.elements_of = picture.elements_of


def _start_text(root: Value, steps: Sequence[BackwardStep]) -> str:
    name = _short(root)
    if not steps:
        return f"{node_name(root)} is a leaf: no op made it, so backward has no step to take."
    return (
        f"Backward starts at {node_name(root)}: ∂{name}/∂{name} = 1, and every other gradient "
        f"is ? until its first contribution arrives.\nPress → (or next) for step 1 of "
        f"{len(steps)}: the chain rule at {_where(steps[0].node)}."
    )


def _where(node: Value) -> str:
    return f"{node_name(node)} ({node.op})" if node.label else node_name(node)


def _steps(graph: _Graph, steps: Sequence[BackwardStep], scale: float) -> list[Json]:
    arrived = {graph.position[graph.root]}  # values whose gradient is known: the root's is 1
    entries = []
    for number_, step in enumerate(steps, start=1):
        k = graph.position[step.node]
        upstream = step.upstream
        lines = [
            f"step {number_} of {len(steps)}: at {_where(step.node)}: upstream gradient "
            f"{_six(upstream)}"
        ]
        edges = []
        for edge in step.edges:
            j = graph.position[edge.child]
            first = j not in arrived
            arrived.add(j)
            was = "first contribution" if first else f"was {_six(edge.grad_before)}"
            lines.append(
                f"grad of {node_name(edge.child)} += local {_six(edge.local)} × upstream "
                f"{_six(upstream)} = {_six(edge.contribution)} ({was}, now "
                f"{_six(edge.grad_after)})"
            )
            edges.append(
                {
                    "child": j,
                    "position": edge.position,
                    "local": number(edge.local),
                    "contribution": number(edge.contribution),
                    "before": number(edge.grad_before),
                    "after": number(edge.grad_after),
                    "show": graph.shows.get(j),
                    "beforeText": UNKNOWN if first else grad_text(edge.grad_before),
                    "afterText": grad_text(edge.grad_after),
                    "beforeFill": None if first else gradient_fill(edge.grad_before, scale),
                    "afterFill": gradient_fill(edge.grad_after, scale),
                }
            )
        active = [graph.result_edge[k]] if k in graph.result_edge else []
        active += [
            graph.operand_edge[k, edge.position]
            for edge in step.edges
            if (k, edge.position) in graph.operand_edge
        ]
        entries.append(
            {
                "node": k,
                "upstream": number(upstream),
                "edges": edges,
                "lines": lines,
                "outline": graph.elements_of(k),
                "active": sorted(set(active)),
            }
        )
    return entries


def _target_name(node: Value) -> str:
    return node.label or f"unlabelled {'leaf' if not node.children else node.op} {node.data:.4g}"


def _paths(graph: _Graph, extra_targets: Sequence[Value]) -> list[Json]:
    """A path entry per leaf (labelled ones in reading order, then the others), then the
    extra targets: the elements and edges on its paths from the root, and explain()'s text."""
    root = graph.root
    leaves = [node for node in graph.index.leaves if node is not root]
    order = notation.reading_order([leaf.label for leaf in leaves if leaf.label])
    position = {label: k for k, label in enumerate(order)}
    leaves.sort(key=lambda leaf: (0, position[leaf.label]) if leaf.label else (1, 0))
    targets = leaves + [t for t in extra_targets if t not in leaves and t is not root]
    texts: dict[Value, str] = {}
    budget = EXPLANATION_BUDGET
    for target in [*extra_targets, *targets]:  # the highlighted node's text comes first
        if target not in texts and target is not root:
            texts[target] = _explanation(graph.index, target, budget)
            budget -= len(texts[target])
    return [_path_entry(graph, target, texts[target]) for target in targets]


def _explanation(index: GraphIndex, target: Value, budget: int) -> str:
    """``explain(root, target)``, unless it has too many paths or the page too much text."""
    root = index.root
    total = index.path_counts(target).get(root, 0)
    if total > MAX_EXPLAINED_PATHS:
        return (
            f"{total:,} paths lead from {node_name(root)} down to {node_name(target)}: too many "
            f"to write out here (they are lit up). In Python: explain(root, node, "
            f"max_paths={total})"
        )
    text = explain(root, target, index=index) if budget > 0 else ""
    if not text or len(text) > budget:
        return (
            f"The {total:,} paths from {node_name(root)} down to {node_name(target)} are lit "
            "up; their explanation is left out to keep this page small. In Python: "
            "explain(root, node)"
        )
    return text


def _path_entry(graph: _Graph, target: Value, text: str) -> Json:
    counts = graph.index.path_counts(target)
    elements: dict[str, None] = {}  # in order, once each
    edges: set[int] = set()
    for node in counts:
        k = graph.position[node]
        elements.update(dict.fromkeys(graph.elements_of(k)))
        if node is not target and k in graph.result_edge:
            edges.add(graph.result_edge[k])
        for position, child in enumerate(node.children):
            if child in counts and (k, position) in graph.operand_edge:
                edges.add(graph.operand_edge[k, position])
    return {
        "name": _target_name(target),
        "value": graph.position[target],
        "elements": list(elements),
        "edges": sorted(edges),
        "text": text,
    }


def _chosen_entry(graph: _Graph, chosen: Sequence[tuple[Value, int]], caption: str) -> Json:
    elements: list[str] = []
    edges: set[int] = set()
    lines = [caption] if caption else []
    lines.append(f"{len(chosen)} chosen edge{'s' if len(chosen) != 1 else ''}:")
    for parent, position in chosen:
        k = graph.position[parent]
        child = parent.children[position]
        for key in graph.elements_of(k) + graph.elements_of(graph.position[child]):
            if key not in elements:
                elements.append(key)
        if (k, position) in graph.operand_edge:
            edges.add(graph.operand_edge[k, position])
        if k in graph.result_edge:
            edges.add(graph.result_edge[k])
        local = parent.local_derivatives()[position]
        lines.append(
            f"  ∂{_short(parent)}/∂{_short(child)} = {_six(local)} "
            f"(operand {position + 1} of {parent.op})"
        )
    return {
        "name": caption or "the chosen edges",
        "value": None,
        "elements": elements,
        "edges": sorted(edges),
        "text": "\n".join(lines),
    }


def _short(node: Value) -> str:
    return node.label or (f"({node.op})" if node.children else f"{node.data:.6g}")


def _details(graph: _Graph) -> dict[str, str]:
    """The text shown when an element is clicked, by element."""
    root, picture = graph.root, graph.picture
    boxes = {element.id: element for element in picture.elements if element.role == "neuron"}
    details: dict[str, str] = {}
    for k, node in enumerate(graph.nodes):
        text = value_details(root, node)
        for key in graph.elements_of(k):
            if key not in boxes:  # a neuron box: below, from all its members
                details[key] = text
    members: dict[str, list[Value]] = {}
    for k, key in picture.inside.items():
        if key in boxes:
            members.setdefault(key, []).append(graph.nodes[k])
    for key, inside in members.items():
        out = graph.nodes[boxes[key].value]
        names = ", ".join(_where(member) for member in inside)
        details[key] = value_details(root, out) + f"\n\ndrawn in this box: {names}"
    return details


def value_details(root: Value, node: Value) -> str:
    """What a click on a value's element shows: its name, data, gradient, op and the local
    derivative of each operand."""
    lines = [
        node_name(node),
        f"data {node.data!r}",
        f"grad {node.grad!r}  (∂{_short(root)}/∂{_short(node)}, one backward pass from zero)",
    ]
    if node.children:
        lines.append(f"op {node.op}, with the local derivative of each operand:")
        for position, (child, local) in enumerate(
            zip(node.children, node.local_derivatives(), strict=True), start=1
        ):
            operand = f"{_short(child)} = {child.data!r}"
            lines.append(f"  {position}. ∂/∂{_short(child)} = {local!r}   ({operand})")
    else:
        lines.append("a leaf: no op made it. Its chain-rule paths are lit up.")
    return "\n".join(lines)
