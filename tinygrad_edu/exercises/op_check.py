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

from collections.abc import Sequence
from dataclasses import dataclass, field

from tinygrad_edu.exercises import wording
from tinygrad_edu.exercises.diagnosis import EdgeSample, Finding, classify_edge, close
from tinygrad_edu.exercises.measure import Data, nudge_step
from tinygrad_edu.exercises.probes import (
    BEFORE,
    UPSTREAMS,
    OpProbe,
    Reference,
    reference,
)
from tinygrad_edu.exercises.protocols import Protocol, recognise_numbers
from tinygrad_edu.exercises.report import Problem


@dataclass
class Outcome:
    """One op probe's result."""

    probe: OpProbe
    skipped: str | None = None
    problems: list[Problem] = field(default_factory=list)
    composite: bool = False  # the class builds it from several nodes (a − b as a + (−b))
    inner_ops: set[str] | None = None  # the ops of those nodes, where the class names them
    notes: list[str] = field(default_factory=list)  # right, but worth knowing (a subgradient)


def judge_probe(probe: OpProbe, measured: Data, protocol: Protocol, engine: str) -> Outcome:
    """Judge one op probe from the learner's numbers (:func:`.measure.measure_probe`): each
    point against tinygrad_edu's own op, then the kinks."""
    outcome = Outcome(probe)
    if measured.get("missing"):
        outcome.skipped = f"{engine} has no {probe.method}"
        return outcome
    if "stopped" in measured:  # the child process was stopped (a time limit, a crash)
        outcome.problems.append(_stopped(probe, measured["stopped"]))
        return outcome
    samples: list[list[EdgeSample]] = [[] for _ in probe.names]
    refs: list[Reference] = []
    numericals: list[list[float | None]] = []
    op_name = None
    for k, (point, found) in enumerate(zip(probe.points, measured["points"], strict=True)):
        ref = reference(probe, point)
        refs.append(ref)
        if not _forward_ok(probe, point, ref, found, outcome):
            return outcome
        if k == 0 and "structure" in found:
            op_name = _structure(found["structure"], outcome)
        if "rule_error" in found:
            outcome.problems.append(
                _error(probe, "its backward rule", found["rule_error"], op_name)
            )
            return outcome
        before, after = BEFORE[k][: len(probe.names)], found["after"]
        numericals.append([_central(n, point[i]) for i, n in enumerate(found["nudged"])])
        wrong = probe.wrong_points(point[0], ref.out) if probe.wrong_points else ()
        slip = probe.missing_factor(ref.out) if probe.missing_factor else None
        for i, position in enumerate(ref.positions):
            other = ref.locals[1 - position] if len(ref.locals) == 2 else None
            samples[i].append(
                EdgeSample(
                    ref.locals[position], UPSTREAMS[k], before[i], after[i], other, wrong, slip
                )
            )
    op = op_name or probe.symbol
    outcome.problems += _edge_problems(probe, protocol, refs, samples, numericals, op)
    if not outcome.problems:
        _judge_kinks(probe, measured["kinks"], op, outcome)
    return outcome


def _forward_ok(
    probe: OpProbe, point: Sequence[float], ref: Reference, found: Data, outcome: Outcome
) -> bool:
    """Whether the learner's forward value is tinygrad_edu's; else the outcome records why
    not (skipped, for a class that takes no number; else a problem)."""
    if "build_error" in found:
        error = found["build_error"]
        if probe.with_number:
            outcome.skipped = f"takes no number: {error['type']}: {error['message']}"
        else:
            stage = f"building out = {ref.formula}"
            outcome.problems.append(_error(probe, stage, error, None))
        return False
    data = found["data"]
    if data is not None and close(data, ref.out):
        return True
    got: float | str = data if data is not None else found.get("shown", "None")
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
    return False


def _structure(structure: Data, outcome: Outcome) -> str | None:
    """Record whether the class builds the op from several nodes, and the ops of its nodes;
    return the op's name as the class gives it, for a single node."""
    nodes = structure["nodes"]
    outcome.composite = len(nodes) > 1
    names = [node["name"] or recognise_numbers(node["xs"], node["data"]) for node in nodes]
    if all(names):
        outcome.inner_ops = {family(name) for name in names if name}
    name: str | None = structure["out_name"]
    return None if outcome.composite else name


def family(op: str) -> str:
    """``**2`` and ``**-1`` are one op, ``**``."""
    return "**" if op.startswith("**") else op


def _edge_problems(
    probe: OpProbe,
    protocol: Protocol,
    refs: list[Reference],
    samples: list[list[EdgeSample]],
    numericals: list[list[float | None]],
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
            problems.append(_edge_problem(probe, refs, edge, numericals, i, position, finding, op))
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
    refs: list[Reference],
    edge: list[EdgeSample],
    numericals: list[list[float | None]],
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
    numerical = numericals[k][i] if finding.kind == "other" else None
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


def _judge_kinks(probe: OpProbe, kinks: list[list[Data]], op: str, outcome: Outcome) -> None:
    """At a kink (ReLU at 0) any subgradient is right: a number between the one-sided
    derivatives, the same at every upstream. PyTorch's choice passes silently; another
    valid one is a note; anything else is a problem."""
    for point, found in zip(probe.kinks, kinks, strict=True):
        ref = reference(probe, point)
        right = ref.locals[ref.positions[0]]
        low, high = subgradients(probe, point)
        ratios = []
        for k, (upstream, sample) in enumerate(zip(UPSTREAMS, found, strict=True)):
            if not _forward_ok(probe, point, ref, sample, outcome):
                return
            if "rule_error" in sample:
                stage = "its backward rule at the kink"
                outcome.problems.append(_error(probe, stage, sample["rule_error"], op))
                return
            ratios.append((sample["after"][0] - BEFORE[k][0]) / upstream)
        same = all(close(r, ratios[0]) for r in ratios)
        if same and close(ratios[0], right):
            continue
        name = probe.names[0]
        if same and (low <= ratios[0] <= high or close(ratios[0], low) or close(ratios[0], high)):
            outcome.notes.append(wording.subgradient_note(probe, name, ratios[0], low, high))
            continue
        where = f"{probe.expression} at {wording.at(probe.names, point)}"
        if same:
            kind, message = "kink", wording.kink_message(probe, name, ratios[0], low, high)
        else:
            shown = ", ".join(f"{r:.6g}" for r in ratios)
            kind, message = "other", f"{probe.method} at its kink: yours adds {shown} × upstream"
        outcome.problems.append(
            Problem(op, ref.positions[0], kind, right, ratios[0], message, probe.method, where)
        )


def subgradients(probe: OpProbe, point: tuple[float, ...]) -> tuple[float, float]:
    """The one-sided derivatives of tinygrad_edu's op at a kink: every number between them
    is a subgradient there."""
    sides = []
    for step in (-1e-9, 1e-9):
        ref = reference(probe, tuple(x + step for x in point))
        sides.append(ref.locals[ref.positions[0]])
    return min(sides), max(sides)


def _central(values: list[float] | None, x: float) -> float | None:
    """A central difference from the learner's forward at x ± h."""
    if values is None:
        return None
    return (values[0] - values[1]) / (2.0 * nudge_step(x))


def _stopped(probe: OpProbe, why: str) -> Problem:
    kind = "timeout" if why.startswith("timed out") else "error"
    message = f"{probe.method}: {why}"
    return Problem(probe.symbol, None, kind, None, None, message, probe.method, probe.expression)


def _error(probe: OpProbe, stage: str, error: Data, op: str | None) -> Problem:
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
