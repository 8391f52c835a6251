"""``check_engine``: which edge of a learner's autograd engine is wrong, and why.

1. The protocol is read from a node the class makes (:mod:`.protocols`).
2. Each op the class supports is probed on its own (:mod:`.op_check`, with the probes of
   :mod:`.probes`), edge by edge, against tinygrad_edu's own op.
3. Problems are kept at their root cause (:mod:`.root_cause`).
4. With ``+`` and ``*`` right, whole-graph probes check ``backward()`` itself, then the notes
   (:mod:`.graph_probes`).
"""

from __future__ import annotations

from tinygrad_edu.core.messages import describe
from tinygrad_edu.exercises.graph_probes import run_whole_graph
from tinygrad_edu.exercises.op_check import run_probe
from tinygrad_edu.exercises.probes import PROBES
from tinygrad_edu.exercises.protocols import detect
from tinygrad_edu.exercises.report import EngineReport
from tinygrad_edu.exercises.root_cause import root_causes

GRAPH_OPS = ("a + b", "a * b")  # what the whole-graph probes are built from


def check_engine(value_class: type) -> EngineReport:
    """Check a learner's ``Value`` class op by op and edge by edge, against tinygrad_edu.

    The class may follow micrograd's protocol (``data``, ``grad``, ``_prev``, ``_op``, a
    per-node ``_backward()`` and ``backward()``) or the local-gradients one (``_children``
    and ``_local_grads``, with ``backward()`` doing the multiplying). Ops it lacks are
    skipped and listed. ``str(report)`` is the teaching text.

    Raises:
        TypeError: if ``value_class`` is not a class, or follows neither protocol.
    """
    if not isinstance(value_class, type):
        raise TypeError(
            "check_engine needs your Value class itself (check_engine(Value)), "
            f"got {describe(value_class)}"
        )
    protocol = detect(value_class)
    outcomes = [run_probe(probe, value_class, protocol) for probe in PROBES]
    problems, consequences = root_causes(outcomes)
    checked = [o.probe.expression for o in outcomes if o.skipped is None]
    skipped = {o.probe.expression: o.skipped for o in outcomes if o.skipped is not None}
    notes: list[str] = []
    ready = {o.probe.expression: o for o in outcomes}
    blockers = [e for e in GRAPH_OPS if ready[e].skipped is not None or ready[e].problems]
    if blockers:
        skipped["backward()"] = f"the whole-graph probes need a right {' and '.join(GRAPH_OPS)}"
    else:
        graph_problems, graph_checked, graph_notes = run_whole_graph(value_class, protocol)
        problems += graph_problems
        checked += graph_checked
        notes += graph_notes
    return EngineReport(
        engine=value_class.__name__,
        protocol=protocol.name,
        problems=tuple(problems),
        checked=tuple(checked),
        skipped=skipped,
        consequences=tuple(consequences),
        notes=tuple(notes),
    )
