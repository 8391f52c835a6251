"""``check_engine``: which edge of a learner's autograd engine is wrong, and why.

1. The protocol is read from a node the class makes (:mod:`.protocols`).
2. Each op the class supports is probed on its own (:mod:`.op_check`, with the probes of
   :mod:`.probes`), edge by edge, against tinygrad_edu's own op.
3. Problems are kept at their root cause (:mod:`.root_cause`).
4. With ``+`` and ``*`` right, whole-graph probes check ``backward()`` itself, then the notes
   (:mod:`.graph_probes`).
5. The ops the checker does not know are found and checked by central differences
   (:mod:`.discovery`, :mod:`.unknown_ops`).

The learner's code runs only in a :class:`Measurer` (:mod:`.measure`), which returns numbers;
everything here judges them. ``check_engine`` measures in this process; ``check_file``
(:mod:`.isolation`) in a child process, with time and memory limits.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Protocol as Interface

from tinygrad_edu.core.messages import describe
from tinygrad_edu.exercises import discovery, measure
from tinygrad_edu.exercises.graph_probes import judge_whole_graph
from tinygrad_edu.exercises.measure import Data
from tinygrad_edu.exercises.op_check import Outcome, judge_probe
from tinygrad_edu.exercises.probes import PROBES, OpProbe
from tinygrad_edu.exercises.protocols import Protocol, detect
from tinygrad_edu.exercises.report import EngineReport, OpResult, Problem
from tinygrad_edu.exercises.root_cause import root_causes
from tinygrad_edu.exercises.unknown_ops import UnknownOutcome, judge_unknown

GRAPH_OPS = ("a + b", "a * b")  # what the whole-graph probes are built from
BACKWARD = "backward"  # the whole-graph probes' op in the per-op verdicts


class Measurer(Interface):
    """Runs the learner's code and returns what it computed (:mod:`.measure`)."""

    engine: str
    protocol: Protocol
    discovered: list[Data]

    def probe(self, probe: OpProbe) -> Data: ...

    def graph(self, index: int) -> Data: ...

    def notes(self) -> Data: ...

    def unknown(self, name: str, arity: int, number: bool) -> list[Data] | Data: ...


class InProcess:
    """Measures a class in this process: quick, for a class defined in a notebook or a
    test, with no limit on what the learner's code may do."""

    def __init__(self, value_class: type) -> None:
        self.value_class = value_class
        self.engine = value_class.__name__
        self.protocol = detect(value_class)
        self.discovered = discovery.discover(value_class, self.protocol)

    def probe(self, probe: OpProbe) -> Data:
        return measure.measure_probe(probe, self.value_class, self.protocol)

    def graph(self, index: int) -> Data:
        return measure.measure_graph(index, self.value_class, self.protocol)

    def notes(self) -> Data:
        return measure.measure_notes(self.value_class)

    def unknown(self, name: str, arity: int, number: bool) -> list[Data] | Data:
        return discovery.measure_unknown(
            name, arity, number, self.value_class, self.protocol, measure.quiet
        )


def check_engine(value_class: type) -> EngineReport:
    """Check a learner's ``Value`` class op by op and edge by edge, against tinygrad_edu.

    The class may follow micrograd's protocol (``data``, ``grad``, ``_prev``, ``_op``, a
    per-node ``_backward()`` and ``backward()``) or the local-gradients one (``_children``
    and ``_local_grads``, with ``backward()`` doing the multiplying). Ops it lacks are
    skipped and listed; ops the checker does not know (a ``gelu``) are checked by central
    differences. ``str(report)`` is the teaching text, ``report.ops`` the verdict per op.

    The class's code runs in this process: for a learner's file, with time and memory
    limits, use :func:`tinygrad_edu.exercises.check_file`.

    Raises:
        TypeError: if ``value_class`` is not a class, or follows neither protocol.
    """
    if not isinstance(value_class, type):
        raise TypeError(
            "check_engine needs your Value class itself (check_engine(Value)), "
            f"got {describe(value_class)}"
        )
    return dataclasses.replace(assemble(InProcess(value_class)), value_class=value_class)


def assemble(measurer: Measurer) -> EngineReport:
    """Judge everything ``measurer`` measures, in the order of the module's docstring."""
    protocol, engine = measurer.protocol, measurer.engine
    outcomes = [judge_probe(p, measurer.probe(p), protocol, engine) for p in PROBES]
    problems, consequences = root_causes(outcomes)
    checked = [o.probe.expression for o in outcomes if o.skipped is None]
    skipped = {o.probe.expression: o.skipped for o in outcomes if o.skipped is not None}
    notes = [note for o in outcomes for note in o.notes]
    ready = {o.probe.expression: o for o in outcomes}
    blockers = [e for e in GRAPH_OPS if ready[e].skipped is not None or ready[e].problems]
    graph_problems: list[Problem] = []
    if blockers:
        skipped["backward()"] = f"the whole-graph probes need a right {' and '.join(GRAPH_OPS)}"
    else:
        graph_problems, graph_checked, graph_notes = judge_whole_graph(
            measurer.graph, measurer.notes
        )
        problems += graph_problems
        checked += graph_checked
        notes += graph_notes
    unknown = []
    for found in measurer.discovered:
        name = found["name"]
        if "why" in found:
            unknown.append(UnknownOutcome(name, name, skipped=found["why"]))
            continue
        arity, number = found["arity"], found["number"]
        measured = measurer.unknown(name, arity, number)
        if isinstance(measured, dict):  # the child process was stopped
            outcome = UnknownOutcome(name, discovery.expression(name, arity, number))
            outcome.problems.append(stopped_problem(name, outcome.expression, measured["stopped"]))
            unknown.append(outcome)
        else:
            unknown.append(judge_unknown(name, arity, number, measured))
    for outcome in unknown:
        problems += outcome.problems
        if outcome.skipped is None:
            checked.append(outcome.expression)
        else:
            skipped[outcome.expression] = outcome.skipped
    ops = op_results(outcomes, consequences, skipped.get("backward()"), graph_problems, unknown)
    return EngineReport(
        engine=engine,
        protocol=protocol.name,
        problems=tuple(problems),
        checked=tuple(checked),
        skipped=skipped,
        consequences=tuple(consequences),
        notes=tuple(notes),
        ops=ops,
    )


def stopped_problem(op: str, expression: str, why: str) -> Problem:
    """The problem of a probe whose child process was stopped: a time limit, a crash."""
    kind = "timeout" if why.startswith("timed out") else "error"
    return Problem(op, None, kind, None, None, f"{op}: {why}", op, expression)


def op_results(
    outcomes: Sequence[Outcome],
    consequences: Sequence[str],
    graph_blocked: str | None,
    graph_problems: Sequence[Problem],
    unknown: Sequence[UnknownOutcome],
) -> tuple[OpResult, ...]:
    """One verdict per op: its probes together, at their root causes."""
    results = []
    symbols = list(dict.fromkeys(o.probe.symbol for o in outcomes))
    for symbol in symbols:
        group = [o for o in outcomes if o.probe.symbol == symbol]
        ran = [o for o in group if o.skipped is None]
        if not ran:
            why = "; ".join(dict.fromkeys(o.skipped or "" for o in group))
            results.append(OpResult(symbol, "not checked", why))
            continue
        repeated = [o.probe.expression for o in ran if o.probe.expression in consequences]
        own = [p for o in ran if o.probe.expression not in consequences for p in o.problems]
        lines = [p.message for p in own]
        if repeated:
            lines.append(
                f"{', '.join(repeated)}: wrong only because of a mistake reported for another "
                "op (fix that first)"
            )
        if not lines:
            lines.append("right at every probe: " + ", ".join(o.probe.expression for o in ran))
        kinds = tuple(p.kind for p in own) + (("consequence",) if repeated else ())
        results.append(OpResult(symbol, _status(own, bool(repeated)), "\n".join(lines), kinds))
    if graph_blocked is not None:
        results.append(OpResult(BACKWARD, "not checked", graph_blocked))
    else:
        message = "\n".join(p.message for p in graph_problems) or "right on every whole graph"
        kinds = tuple(p.kind for p in graph_problems)
        results.append(OpResult(BACKWARD, _status(graph_problems, False), message, kinds))
    for outcome in unknown:
        if outcome.skipped is not None:
            results.append(OpResult(outcome.name, "not checked", outcome.skipped))
            continue
        problems = outcome.problems
        message = "\n".join(p.message for p in problems) or (
            f"right at every point (by central differences of your own {outcome.expression})"
        )
        kinds = tuple(p.kind for p in problems)
        results.append(OpResult(outcome.name, _status(problems, False), message, kinds))
    return tuple(results)


def _status(problems: Sequence[Problem], repeated: bool) -> str:
    kinds = {p.kind for p in problems}
    if "timeout" in kinds:
        return "timeout"
    if "error" in kinds:
        return "error"
    return "wrong" if problems or repeated else "correct"
