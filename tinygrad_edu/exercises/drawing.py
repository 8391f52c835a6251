"""See the mistake: the learner's own graph of the probe that showed a wrong rule, drawn with
the path to the wrong operand in red and, on the edge into it, the local derivative the rule
should give and the one it gives.

The probe is built again from the learner's class, at the probe's first point, and run
through the learner's own ``backward()``; the lenses read that graph through
:mod:`tinygrad_edu.lenses.foreign`, so every number drawn is the learner's.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

from tinygrad_edu.core.messages import shown
from tinygrad_edu.exercises.probes import PROBES
from tinygrad_edu.exercises.report import Problem

if TYPE_CHECKING:
    from tinygrad_edu.lenses.drawing.figure import Drawing

__all__ = ["draw_problem"]


def _label(node: Any, label: str) -> None:
    with contextlib.suppress(Exception):  # a class with slots and no label: drawn unlabelled
        node.label = label


def draw_problem(value_class: type, problem: Problem) -> Drawing:
    """The learner's graph of ``problem``'s probe, its wrong edge in red and labelled.

    Raises:
        ValueError: for a problem that is not one edge's (the order of ``backward()``, say:
            the whole graph is at fault, not one edge).
    """
    from tinygrad_edu.lenses.drawing.draw import picture_for
    from tinygrad_edu.lenses.drawing.figure import drawing_of
    from tinygrad_edu.lenses.index import GraphIndex

    probe = next((p for p in PROBES if p.expression == problem.expression), None)
    if probe is None or problem.operand is None:
        raise ValueError(
            f"{problem.kind!r} in {problem.method} is not one edge's mistake, so there is no "
            "edge to draw; read the report's message"
        )
    values = probe.points[0]
    leaves = [value_class(x) for x in values] + [value_class(0.0)] * (2 - len(values))
    for leaf, name in zip(leaves, ("a", "b"), strict=True):
        _label(leaf, name)
    out = probe.build(leaves[0], leaves[1])
    _label(out, "out")
    out.backward()  # the learner's own gradients, drawn on every box
    # the Value operand the problem names: "2 - a" has one, operand 1 as written
    operand = leaves[0] if len(probe.names) == 1 else leaves[problem.operand]
    index = GraphIndex.of(out, "draw")
    picture = picture_for(index, highlight=operand, show_local=True, max_nodes=10_000)
    target = index.node(operand, "draw")
    words = f"should be {_number(problem.expected)}, yours {_number(problem.got)}"
    for link in picture.edges:  # the edges into the wrong operand carry both numbers
        if link.kind == "operand" and index.order[link.parent].children[link.position] is target:
            link.label = f"{link.label} ({words})" if link.label else words
    name = probe.names[0] if len(probe.names) == 1 else probe.names[problem.operand]
    picture.caption = (
        f"{problem.expression}: the local derivative for {name} is wrong ({problem.kind}); "
        "the report's message says why"
    )
    return drawing_of(picture)


def _number(x: float | None) -> str:
    return "?" if x is None else shown(x, ".4g")
