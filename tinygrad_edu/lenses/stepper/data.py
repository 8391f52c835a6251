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
from tinygrad_edu.core.messages import node_name
from tinygrad_edu.lenses.drawing.drawn_graph import DrawnGraph
from tinygrad_edu.lenses.explain import explain
from tinygrad_edu.lenses.paths import count_paths
from tinygrad_edu.lenses.stepper.colours import gradient_fill, gradient_scale

__all__ = ["EXPLANATION_BUDGET", "MAX_EXPLAINED_PATHS", "grad_text", "number", "page_data"]

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
    text = f"{x:.4g}"
    return "0" if text == "-0" else text


def _six(x: float) -> str:
    """A number of the chain-rule line: 6 significant digits, as ``BackwardStep`` prints."""
    text = f"{x:.6g}"
    return "0" if text == "-0" else text


def page_data(
    root: Value,
    graph: DrawnGraph,
    steps: Sequence[BackwardStep],
    extra_targets: Sequence[Value] = (),
    chosen_edges: Sequence[tuple[Value, int]] = (),
    caption: str = "",
) -> Json:
    """The page's data, computed while every node holds the gradient of the pass from zero
    (see :func:`~.backward_pass.pass_from_zero`).

    ``extra_targets`` adds path entries for interior nodes (leaves always have one) and
    ``chosen_edges`` an entry lighting exactly those operand edges, named by ``caption``.
    """
    scale = gradient_scale(node.grad for node in graph.nodes)
    root_index = graph.index[root]
    root_fill = gradient_fill(1.0, scale)
    data: Json = {
        "root": node_name(root),
        "start": {
            "show": graph.shows.get(root_index),
            "text": grad_text(1.0),
            "fill": root_fill,
        },
        "steps": _steps(root, graph, steps, scale),
    }
    data["startText"] = _start_text(root, steps)
    paths = _paths(root, graph, extra_targets)
    if chosen_edges:
        paths.insert(0, _chosen_entry(graph, chosen_edges, caption))
    data["paths"] = paths
    data["pathOf"] = {
        key: number_
        for number_, entry in enumerate(paths)
        if entry.get("value") is not None
        for key in graph.elements_of(entry["value"])
    }
    data["details"] = _details(root, graph)
    data["finalFills"] = {
        key: gradient_fill(graph.nodes[k].grad, scale) for k, key in graph.shows.items()
    }
    return data


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


def _steps(
    root: Value, graph: DrawnGraph, steps: Sequence[BackwardStep], scale: float
) -> list[Json]:
    arrived = {graph.index[root]}  # values whose gradient is known: the root's is 1
    entries = []
    for number_, step in enumerate(steps, start=1):
        k = graph.index[step.node]
        upstream = step.upstream
        lines = [
            f"step {number_} of {len(steps)}: at {_where(step.node)}: upstream gradient "
            f"{_six(upstream)}"
        ]
        edges = []
        for edge in step.edges:
            j = graph.index[edge.child]
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


def _paths(root: Value, graph: DrawnGraph, extra_targets: Sequence[Value]) -> list[Json]:
    """A path entry per leaf (labelled ones in reading order, then the others), then the
    extra targets: the elements and edges on its paths from the root, and explain()'s text."""
    leaves = [node for node in graph.nodes if not node.children and node is not root]
    order = notation.reading_order([leaf.label for leaf in leaves if leaf.label])
    position = {label: k for k, label in enumerate(order)}
    leaves.sort(key=lambda leaf: (0, position[leaf.label]) if leaf.label else (1, 0))
    targets = leaves + [t for t in extra_targets if t not in leaves and t is not root]
    texts: dict[Value, str] = {}
    budget = EXPLANATION_BUDGET
    for target in [*extra_targets, *targets]:  # the highlighted node's text comes first
        if target not in texts and target is not root:
            texts[target] = _explanation(root, target, budget)
            budget -= len(texts[target])
    return [_path_entry(root, target, graph, texts[target]) for target in targets]


def _explanation(root: Value, target: Value, budget: int) -> str:
    """``explain(root, target)``, unless it has too many paths or the page too much text."""
    total = count_paths(root, target).get(root, 0)
    if total > MAX_EXPLAINED_PATHS:
        return (
            f"{total:,} paths lead from {node_name(root)} down to {node_name(target)}: too many "
            f"to write out here (they are lit up). In Python: explain(root, node, "
            f"max_paths={total})"
        )
    text = explain(root, target) if budget > 0 else ""
    if not text or len(text) > budget:
        return (
            f"The {total:,} paths from {node_name(root)} down to {node_name(target)} are lit "
            "up; their explanation is left out to keep this page small. In Python: "
            "explain(root, node)"
        )
    return text


def _path_entry(root: Value, target: Value, graph: DrawnGraph, text: str) -> Json:
    counts = count_paths(root, target)
    elements: dict[str, None] = {}  # in order, once each
    edges: set[int] = set()
    for node in counts:
        k = graph.index[node]
        elements.update(dict.fromkeys(graph.elements_of(k)))
        if node is not target and k in graph.result_edge:
            edges.add(graph.result_edge[k])
        for position, child in enumerate(node.children):
            if child in counts and (k, position) in graph.operand_edge:
                edges.add(graph.operand_edge[k, position])
    return {
        "name": _target_name(target),
        "value": graph.index[target],
        "elements": list(elements),
        "edges": sorted(edges),
        "text": text,
    }


def _chosen_entry(graph: DrawnGraph, chosen: Sequence[tuple[Value, int]], caption: str) -> Json:
    elements: list[str] = []
    edges: set[int] = set()
    lines = [caption] if caption else []
    lines.append(f"{len(chosen)} chosen edge{'s' if len(chosen) != 1 else ''}:")
    for parent, position in chosen:
        k = graph.index[parent]
        child = parent.children[position]
        for key in graph.elements_of(k) + graph.elements_of(graph.index[child]):
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


def _details(root: Value, graph: DrawnGraph) -> dict[str, str]:
    """The text shown when an element is clicked, by element."""
    details: dict[str, str] = {}
    for k, node in enumerate(graph.nodes):
        text = _value_details(root, node)
        for key in graph.elements_of(k):
            if key.endswith("box"):
                continue  # a neuron box: below, from all its members
            details[key] = text
    boxes: dict[str, list[Value]] = {}
    for k, key in graph.inside.items():
        if key.endswith("box"):
            boxes.setdefault(key, []).append(graph.nodes[k])
    for key, members in boxes.items():
        shown = next(graph.nodes[k] for k, shown_key in graph.shows.items() if shown_key == key)
        names = ", ".join(_where(member) for member in members)
        details[key] = _value_details(root, shown) + f"\n\ndrawn in this box: {names}"
    return details


def _value_details(root: Value, node: Value) -> str:
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
