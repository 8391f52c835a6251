"""What a grouped step-through page shows: a step per unit of each view, computed in Python.

The pass runs in :func:`~.order.grouped_order`, so each unit of a view (a node, or a closed
group) is one run of backward's steps: one step of the page. A view's steps are the runs of
its units over its part of the pass; opening a group puts the group's own steps in place of
its one step (the page's script does that substitution). The time of the page is how many of
the pass's node steps are done; a step of any view is a span of that time, and its updates
are the net change it makes to each gradient the page shows (text and colour before and
after), so the page moves through any view's steps back and forth with the same states.

A group's chain-rule text sums its steps up: how many ops and edges it applied, the gradient
that came in at its output, and the gradients it passed to what lies outside it.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from typing import Any

from tinygrad_edu.core import BackwardStep
from tinygrad_edu.core.messages import shown
from tinygrad_edu.lenses.groups import Groups
from tinygrad_edu.lenses.index import GraphIndex
from tinygrad_edu.lenses.stepper.colours import gradient_fill, gradient_scale
from tinygrad_edu.lenses.stepper.data import UNKNOWN, grad_text
from tinygrad_edu.lenses.stepper.views import View

__all__ = ["MOST_PASSED_SHOWN", "grouped_steps"]

MOST_PASSED_SHOWN = 6  # gradients passed out of a group listed in its step; the rest counted

Json = dict[str, Any]


def _six(x: float) -> str:
    return shown(x, ".6g")


class _Pass:
    """The pass's steps and each shown value's gradient over time."""

    def __init__(
        self, index: GraphIndex, groups: Groups, steps: Sequence[BackwardStep], visible: set[int]
    ) -> None:
        self.index, self.groups, self.steps = index, groups, steps
        position = index.position
        self.at = [position[step.node] for step in steps]
        self.children = [[position[edge.child] for edge in step.edges] for step in steps]
        root = position[index.root]
        self.times: dict[int, list[int]] = {k: [] for k in visible}
        self.values: dict[int, list[float]] = {k: [] for k in visible}
        if root in visible:
            self.times[root].append(0)
            self.values[root].append(1.0)
        for t, (step, children) in enumerate(zip(steps, self.children, strict=True), start=1):
            for edge, j in zip(step.edges, children, strict=True):
                if j in self.times:
                    if self.times[j] and self.times[j][-1] == t:
                        self.values[j][-1] = edge.grad_after
                    else:
                        self.times[j].append(t)
                        self.values[j].append(edge.grad_after)
        self.first: dict[int, int] = {}  # each value → the step that first sends it a gradient
        for t, children in enumerate(self.children):
            for j in children:
                self.first.setdefault(j, t)
        self.scale = gradient_scale(node.grad for node in index.order)

    def at_time(self, k: int, t: int) -> float | None:
        """Value ``k``'s gradient after ``t`` node steps (``None``: nothing arrived yet)."""
        n = bisect_right(self.times[k], t)
        return self.values[k][n - 1] if n else None

    def texts(self, k: int) -> list[str]:
        return [grad_text(g) for g in self.values[k]]

    def update(self, k: int, start: int, end: int) -> Json:
        before, after = self.at_time(k, start), self.at_time(k, end)
        assert after is not None
        return {
            "value": k,
            "beforeText": UNKNOWN if before is None else grad_text(before),
            "afterText": grad_text(after),
            "beforeFill": None if before is None else gradient_fill(before, self.scale),
            "afterFill": gradient_fill(after, self.scale),
        }

    def name(self, k: int) -> str:
        """A node as the text names it: its label, or ``n<k>`` and its op; and its group."""
        node = self.index.order[k]
        own = repr(node.label) if node.label else f"n{k} ({node.op or 'leaf'})"
        group = self.groups.group_at[k]
        return own if group.parent is None else f"{own} in {group.name}"


def grouped_steps(
    index: GraphIndex, groups: Groups, views: list[View], steps: Sequence[BackwardStep]
) -> tuple[list[list[Json]], dict[int, list[str]]]:
    """Each view's steps (the runs of its units over its part of the pass), and every text
    each shown value's box will show (to size the boxes)."""
    visible = {k for view in views for k in view.picture.shows}
    run = _Pass(index, groups, steps, visible)
    all_steps = [_view_steps(run, view) for view in views]
    return all_steps, {k: run.texts(k) for k in visible}


def _view_steps(run: _Pass, view: View) -> list[Json]:
    entries: list[Json] = []
    unit = view.unit
    start = None
    for t, k in enumerate([*run.at, -1]):
        here = unit.get(k)
        if start is not None and (here != unit.get(run.at[start]) or t == len(run.at)):
            entries.append(_entry(run, view, start, t))
            start = None
        if here is not None and start is None:
            start = t
    return entries


def _entry(run: _Pass, view: View, start: int, end: int) -> Json:
    picture = view.picture
    box = view.unit[run.at[start]]
    touched: dict[int, None] = {}
    for t in range(start, end):
        for j in run.children[t]:
            if j in run.times:
                touched[j] = None
    if box in view.group_boxes:
        lines = _group_lines(run, view, box, start, end)
        outline = [box]
        active = [e for e, link in enumerate(picture.edges) if link.head == box]
    else:
        k = run.at[start]
        lines = _node_lines(run, start)
        outline = picture.elements_of(k)
        active = [picture.result_edge[k]] if k in picture.result_edge else []
        active += [
            picture.operand_edge[k, edge.position]
            for edge in run.steps[start].edges
            if (k, edge.position) in picture.operand_edge
        ]
    return {
        "start": start,
        "end": end,
        "unit": box,
        "head": True,
        "lines": lines,
        "outline": outline,
        "active": sorted(set(active)),
        "edges": [run.update(j, start, end) for j in touched],
    }


def _node_lines(run: _Pass, t: int) -> list[str]:
    step = run.steps[t]
    k = run.at[t]
    lines = [f"at {run.name(k)}: upstream gradient {_six(step.upstream)}"]
    arrived: set[int] = set()
    for edge, j in zip(step.edges, run.children[t], strict=True):
        first = run.first[j] == t and j not in arrived
        arrived.add(j)
        was = "first contribution" if first else f"was {_six(edge.grad_before)}"
        lines.append(
            f"grad of {run.name(j)} += local {_six(edge.local)} × upstream "
            f"{_six(step.upstream)} = {_six(edge.contribution)} ({was}, now "
            f"{_six(edge.grad_after)})"
        )
    return lines


def _group_lines(run: _Pass, view: View, box: str, start: int, end: int) -> list[str]:
    group = view.group_boxes[box]
    inside = {k for inner in group.walk() for k in inner.nodes}
    out = group.last()
    edges = sum(len(run.children[t]) for t in range(start, end))
    whole = sum(1 for k in inside if run.index.order[k]._operation is not None)
    part = "" if end - start == whole else f" ({end - start} of its {whole} ops here)"
    lines = [
        f"{group.name} ({group.size:,} nodes): the backward rules of {end - start:,} ops at "
        f"once, along {edges:,} edges{part}"
    ]
    upstream = run.steps[start].upstream if run.at[start] == out else None
    if upstream is not None:
        lines.append(f"gradient in at its output {run.name(out)}: {_six(upstream)}")
    passed: dict[int, float] = {}
    now: dict[int, float] = {}
    for t in range(start, end):
        for edge, j in zip(run.steps[t].edges, run.children[t], strict=True):
            if j not in inside:
                passed[j] = passed.get(j, 0.0) + edge.contribution
                now[j] = edge.grad_after
    if not passed:
        lines.append("it passes no gradient to what lies outside it")
        return lines
    lines.append(f"passed to {len(passed):,} values outside it (Σ local × upstream over it):")
    for j, total in list(passed.items())[:MOST_PASSED_SHOWN]:
        lines.append(f"  grad of {run.name(j)} += {_six(total)} (now {_six(now[j])})")
    if len(passed) > MOST_PASSED_SHOWN:
        lines.append(
            f"  … and {len(passed) - MOST_PASSED_SHOWN:,} more; open the group to see them"
        )
    return lines
