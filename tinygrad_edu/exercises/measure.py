"""What a learner's class does, as plain numbers: the only part of the checker that runs
the learner's code.

Each function here builds the learner's nodes, runs their rules or ``backward()``, and returns
what came out as JSON-ready data (floats, strings, lists): no verdict, no reference number. The
checker judges these measurements elsewhere (:mod:`.op_check`, :mod:`.graph_probes`,
:mod:`.unknown_ops`) with tinygrad_edu's own ops. So a measurement can be taken in a child
process (:mod:`.worker`) while the references are computed in the parent, where the learner's
code never ran: a learner's ``math.exp = ...`` or a patched tinygrad_edu op changes only the
child's numbers, never the right ones.

``stage`` is called before each call into the learner's code with what it is about to do
(``"__mul__'s backward"``), so a parent that has to stop a child can say where it stopped.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from tinygrad_edu.exercises.graph_probes import DEEP_CHAIN, chain
from tinygrad_edu.exercises.graph_probes import PROBES as GRAPH_PROBES
from tinygrad_edu.exercises.probes import BEFORE, UPSTREAMS, OpProbe
from tinygrad_edu.exercises.protocols import Protocol

Data = dict[str, Any]
Stage = Callable[[str], None]


def quiet(_: str) -> None:
    pass


def error_data(error: BaseException) -> Data:
    """An exception as data: its type's name and its message (``sys.exit(0)`` says so)."""
    if isinstance(error, SystemExit):
        return {"type": "SystemExit", "message": f"sys.exit({error.code!r}) was called"}
    text = str(error).strip().splitlines()
    return {"type": type(error).__name__, "message": text[0][:300] if text else ""}


def number_of(data: object) -> float | None:
    """``data`` as a finite float, or ``None``."""
    try:
        x = float(data)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        return None
    return x if math.isfinite(x) else None


def shown(data: object) -> str:
    """How a value that is not a finite number is shown in a message."""
    try:
        text = repr(data)
    except Exception:  # a learner's __repr__ may raise
        text = f"a {type(data).__name__}"
    return text[:120]


def build(probe: OpProbe, cls: type, point: Sequence[float]) -> tuple[Any, list[Any]]:
    leaves = [cls(x) for x in point]
    return probe.build(*leaves, *[None] * (2 - len(leaves))), leaves


def measure_probe(probe: OpProbe, cls: type, protocol: Protocol, stage: Stage = quiet) -> Data:
    """The learner's numbers for one op probe: at each point, the forward value, the operands'
    gradients after the rules ran, the forward at nudged inputs; at each kink the same."""
    if not hasattr(cls, probe.method):
        return {"missing": True}
    points = [
        _point(probe, cls, protocol, point, BEFORE[k], UPSTREAMS[k], stage, first=k == 0)
        for k, point in enumerate(probe.points)
    ]
    kinks = [
        [
            _point(probe, cls, protocol, point, BEFORE[k], upstream, stage, nudge=False)
            for k, upstream in enumerate(UPSTREAMS)
        ]
        for point in probe.kinks
    ]
    return {"points": points, "kinks": kinks}


def _point(
    probe: OpProbe,
    cls: type,
    protocol: Protocol,
    point: Sequence[float],
    before: Sequence[float],
    upstream: float,
    stage: Stage,
    first: bool = False,
    nudge: bool = True,
) -> Data:
    found: Data = {}
    stage(f"building {probe.expression} ({probe.method})")
    try:
        out, leaves = build(probe, cls, point)
        data = getattr(out, "data", out)
    except (Exception, SystemExit) as error:
        return {"build_error": error_data(error)}
    found["data"] = number_of(data)
    if found["data"] is None:
        found["shown"] = shown(data)
        return found
    stage(f"{probe.method}'s backward")
    try:
        if first:
            found["structure"] = _structure(out, leaves, protocol)
        found["after"] = protocol.run_rules(out, leaves, before[: len(leaves)], upstream)
    except (Exception, SystemExit) as error:
        found["rule_error"] = error_data(error)
    if nudge:
        stage(f"building {probe.expression} ({probe.method}) at nearby points")
        found["nudged"] = [_nudged(probe, cls, point, i) for i in range(len(point))]
    return found


def _structure(out: Any, leaves: list[Any], protocol: Protocol) -> Data:
    """The nodes between ``out`` and the leaves: each one's op as the class names it, its
    children's numbers and its own (from which the parent recognises an unnamed op)."""
    nodes = []
    for node in protocol.interior(out, leaves):
        xs = [number_of(getattr(child, "data", None)) for child in protocol.children(node)]
        nodes.append(
            {
                "name": protocol.op_name(node),
                "xs": None if None in xs else xs,
                "data": number_of(getattr(node, "data", None)),
            }
        )
    return {"nodes": nodes, "out_name": protocol.op_name(out)}


def _nudged(probe: OpProbe, cls: type, point: Sequence[float], i: int) -> list[float] | None:
    """The learner's forward at ``point`` with operand ``i`` moved by ±h (h from
    :func:`nudge_step`), for a central difference."""
    h = nudge_step(point[i])
    values = []
    try:
        for step in (h, -h):
            nudged = [x + step if j == i else x for j, x in enumerate(point)]
            values.append(number_of(build(probe, cls, nudged)[0].data))
    except (Exception, SystemExit):
        return None
    return None if None in values else [v for v in values if v is not None]


def nudge_step(x: float) -> float:
    return 1e-6 * max(1.0, abs(x))


def measure_graph(index: int, cls: type, protocol: Protocol, stage: Stage = quiet) -> Data:
    """The learner's gradients after ``backward()`` on whole-graph probe ``index``."""
    probe = GRAPH_PROBES[index]
    stage(f"backward() on {probe.expression}")
    try:
        nodes = probe.build(cls)
        nodes["out"].backward()
        grads = {name: float(node.grad) for name, node in nodes.items()}
        children = len(protocol.children(nodes["out"]))
    except (Exception, SystemExit) as error:
        return {"error": error_data(error)}
    return {"grads": grads, "children": children}


def measure_notes(cls: type, stage: Stage = quiet) -> Data:
    """A second ``backward()`` on the chain, and ``backward()`` on a deep chain."""
    found: Data = {}
    stage("a second backward() on the same graph")
    try:
        nodes = chain(cls)
        nodes["out"].backward()
        first = float(nodes["x"].grad)
        nodes["out"].backward()
        found["second"] = {"first": first, "second": float(nodes["x"].grad)}
    except (Exception, SystemExit) as error:
        found["second"] = {"error": error_data(error)}
    stage(f"backward() on a chain of {DEEP_CHAIN:,} nodes")
    try:
        x, c = cls(0.5), cls(0.25)
        v = x
        for _ in range(DEEP_CHAIN):
            v = v + c
        v.backward()
        found["deep"] = {"x_grad": number_of(x.grad)}
    except (Exception, SystemExit) as error:
        found["deep"] = {"error": error_data(error)}
    return found
