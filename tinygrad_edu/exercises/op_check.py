"""One op of a learner's class, probed on its own: only the rules of the nodes between
``out`` and its operands run, and what each operand received is told apart by
:func:`.diagnosis.classify_edge`.

At each of the probe's points the operands start with known gradients and ``out`` with a
known upstream gradient; the numbers to compare with come from tinygrad_edu's own op
(:func:`.probes.reference`). The outcome also records how the class builds the op (one node,
or several, as micrograd builds ``a - b`` as ``a + (-b)``) and the ops of those nodes, which
:mod:`.root_cause` needs.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from tinygrad_edu.exercises import wording
from tinygrad_edu.exercises.diagnosis import EdgeSample, Finding, classify_edge, close
from tinygrad_edu.exercises.probes import (
    BEFORE,
    UPSTREAMS,
    OpProbe,
    Reference,
    reference,
)
from tinygrad_edu.exercises.protocols import Protocol
from tinygrad_edu.exercises.report import Problem


@dataclass
class Outcome:
    """One op probe's result."""

    probe: OpProbe
    skipped: str | None = None
    problems: list[Problem] = field(default_factory=list)
    composite: bool = False  # the class builds it from several nodes (a − b as a + (−b))
    inner_ops: set[str] | None = None  # the ops of those nodes, where the class names them


def run_probe(probe: OpProbe, cls: type, protocol: Protocol) -> Outcome:
    """Probe one op of ``cls`` at each of the probe's points (and at its kinks)."""
    outcome = Outcome(probe)
    if not hasattr(cls, probe.method):
        outcome.skipped = f"{cls.__name__} has no {probe.method}"
        return outcome
    samples: list[list[EdgeSample]] = [[] for _ in probe.names]
    refs: list[Reference] = []
    op_name = None
    for k, point in enumerate(probe.points):
        ref = reference(probe, point)
        refs.append(ref)
        built = _build(probe, cls, point, ref, outcome)
        if built is None:
            return outcome
        out, leaves = built
        before = BEFORE[k][: len(leaves)]
        try:
            if k == 0:
                op_name = _structure(out, leaves, protocol, outcome)
            after = protocol.run_rules(out, leaves, before, UPSTREAMS[k])
        except Exception as error:
            outcome.problems.append(_error(probe, "its backward rule", error, op_name))
            return outcome
        wrong = probe.wrong_points(point[0], ref.out) if probe.wrong_points else ()
        for i, position in enumerate(ref.positions):
            other = ref.locals[1 - position] if len(ref.locals) == 2 else None
            samples[i].append(
                EdgeSample(ref.locals[position], UPSTREAMS[k], before[i], after[i], other, wrong)
            )
    op = op_name or probe.symbol
    outcome.problems += _edge_problems(probe, cls, protocol, refs, samples, op)
    if not outcome.problems:
        outcome.problems += _kink_problems(probe, cls, protocol, op)
    return outcome


def _build(
    probe: OpProbe, cls: type, point: Sequence[float], ref: Reference, outcome: Outcome
) -> tuple[Any, list[Any]] | None:
    """The learner's ``out`` and leaves at ``point``, with the forward value ``ref`` gives;
    else the outcome records why not (skipped, or a problem) and ``None`` is returned."""
    leaves = [cls(x) for x in point]
    try:
        out = probe.build(*leaves, *[None] * (2 - len(leaves)))
    except Exception as error:
        if probe.with_number:
            outcome.skipped = f"takes no number: {type(error).__name__}: {error}"
        else:
            outcome.problems.append(_error(probe, f"building out = {ref.formula}", error, None))
        return None
    data = _number_of(getattr(out, "data", None))
    if data is None or not close(data, ref.out):
        got: object = data if data is not None else getattr(out, "data", out)
        outcome.problems.append(
            Problem(
                probe.symbol,
                None,
                "forward",
                ref.out,
                data,
                wording.forward_message(probe, ref, point, got),
                probe.method,
                probe.expression,
            )
        )
        return None
    return out, leaves


def _structure(out: Any, leaves: list[Any], protocol: Protocol, outcome: Outcome) -> str | None:
    """Record whether the class builds the op from several nodes, and the ops of its nodes;
    return the op's name as the class gives it, for a single node."""
    nodes = protocol.interior(out, leaves)
    outcome.composite = len(nodes) > 1
    names = [protocol.op_of(node) for node in nodes]
    if all(names):
        outcome.inner_ops = {family(name) for name in names if name}
    return None if outcome.composite else protocol.op_name(out)


def family(op: str) -> str:
    """``**2`` and ``**-1`` are one op, ``**``."""
    return "**" if op.startswith("**") else op


def _edge_problems(
    probe: OpProbe,
    cls: type,
    protocol: Protocol,
    refs: list[Reference],
    samples: list[list[EdgeSample]],
    op: str,
) -> list[Problem]:
    if len(samples) == 2 and all(_swapped(s) for s in samples):
        point = probe.points[0]
        return [
            Problem(
                op,
                None,
                "swapped",
                refs[0].locals[refs[0].positions[0]],
                samples[0][0].other_local,
                wording.swapped_message(probe, refs[0], point),
                probe.method,
                probe.expression,
            )
        ]
    problems = []
    for i, edge in enumerate(samples):
        position = refs[0].positions[i]
        for finding in classify_edge(edge, protocol.can_overwrite):
            problems.append(_edge_problem(probe, cls, refs, edge, i, position, finding, op))
    return problems


def _swapped(edge: list[EdgeSample]) -> bool:
    """Each sample's operand got the other operand's derivative, and that is not its own."""
    pairs = [
        (s.after - s.before, (s.other_local or 0.0) * s.upstream, s.local * s.upstream)
        for s in edge
    ]
    return all(close(c, o) for c, o, _ in pairs) and not all(close(o, r) for _, o, r in pairs)


def _edge_problem(
    probe: OpProbe,
    cls: type,
    refs: list[Reference],
    edge: list[EdgeSample],
    i: int,
    position: int,
    finding: Finding,
    op: str,
) -> Problem:
    # show the first point where the mistake is visible
    k = next(
        (k for k, s in enumerate(edge) if not close(s.after - s.before, s.local * s.upstream)),
        0,
    )
    sample, point, name = edge[k], probe.points[k], probe.names[i]
    numerical = _central_difference(probe, cls, point, i) if finding.kind == "other" else None
    if finding.kind == "overwrite":
        expected, got = sample.before + sample.local * sample.upstream, sample.after
    elif finding.kind == "missing-upstream":
        expected, got = sample.local * sample.upstream, sample.after - sample.before
    else:
        expected, got = sample.local, (sample.after - sample.before) / sample.upstream
    message = wording.edge_message(
        probe, position, name, refs[k], point, sample, finding, numerical
    )
    return Problem(
        op, position, finding.kind, expected, got, message, probe.method, probe.expression
    )


def _kink_problems(probe: OpProbe, cls: type, protocol: Protocol, op: str) -> list[Problem]:
    """At a kink (ReLU at 0) the rule must pass PyTorch's subgradient, 0 × upstream."""
    problems = []
    for point in probe.kinks:
        ref = reference(probe, point)
        right = ref.locals[ref.positions[0]]
        ratios = []
        for k, upstream in enumerate(UPSTREAMS):
            outcome = Outcome(probe)
            built = _build(probe, cls, point, ref, outcome)
            if built is None:
                return outcome.problems
            out, leaves = built
            try:
                after = protocol.run_rules(out, leaves, BEFORE[k][:1], upstream)
            except Exception as error:
                return [_error(probe, "its backward rule at the kink", error, op)]
            ratios.append((after[0] - BEFORE[k][0]) / upstream)
        if all(close(r, right) for r in ratios):
            continue
        where = f"{probe.expression} at {wording.at(probe.names, point)}"
        if all(close(r, ratios[0]) for r in ratios):
            kind, message = "kink", wording.kink_message(probe, probe.names[0], ratios[0])
        else:
            shown = ", ".join(f"{r:.6g}" for r in ratios)
            kind, message = "other", f"{probe.method} at its kink: yours adds {shown} × upstream"
        problems.append(
            Problem(op, ref.positions[0], kind, right, ratios[0], message, probe.method, where)
        )
    return problems


def _central_difference(probe: OpProbe, cls: type, point: Sequence[float], i: int) -> float | None:
    """∂out/∂operand i of the learner's own forward, by central differences."""
    h = 1e-6 * max(1.0, abs(point[i]))
    values = []
    try:
        for step in (h, -h):
            nudged = [x + step if j == i else x for j, x in enumerate(point)]
            leaves = [cls(x) for x in nudged]
            values.append(_number_of(probe.build(*leaves, *[None] * (2 - len(leaves))).data))
    except Exception:
        return None
    if values[0] is None or values[1] is None:
        return None
    return (values[0] - values[1]) / (2.0 * h)


def _number_of(data: object) -> float | None:
    try:
        x = float(data)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        return None
    return x if math.isfinite(x) else None


def _error(probe: OpProbe, stage: str, error: BaseException, op: str | None) -> Problem:
    return Problem(
        op or probe.symbol,
        None,
        "error",
        None,
        None,
        wording.error_message(probe.method, stage, error),
        probe.method,
        probe.expression,
    )
