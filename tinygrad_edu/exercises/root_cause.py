"""Each mistake once, at its root cause.

A mistake lives in the rule of one kind of node, so a probe that only uses a kind of node
already found wrong repeats it: micrograd builds ``-a`` as ``a * -1``, ``a - b`` as
``a + (-b)`` and ``a / b`` as ``a * b**-1``, and ``2 - a`` calls ``__rsub__``, which is the
``-`` of ``a - b`` again. Those probes are listed as consequences, not as problems.
"""

from __future__ import annotations

from tinygrad_edu.exercises.op_check import Outcome, family
from tinygrad_edu.exercises.report import Problem


def root_causes(outcomes: list[Outcome]) -> tuple[list[Problem], list[str]]:
    """The problems to report, and the probes whose problems only repeat them.

    A mistake lives in the rule of one kind of node. The most direct probes come first (one
    node, Value operands; then one node with a number; then ops built from several nodes),
    and a later probe that uses a kind of node already found wrong, or repeats a wrong
    Value–Value form (``2 - a`` of ``a - b``), only repeats it.
    """
    failing = {o.probe.expression for o in outcomes if o.problems}
    directness = sorted(
        (o for o in outcomes if o.problems),
        key=lambda o: (o.composite, o.probe.base is not None),
    )
    broken: set[str] = set()
    repeated: set[str] = set()
    for o in directness:
        ops = o.inner_ops if o.inner_ops is not None else {family(o.probe.symbol)}
        unknown = o.inner_ops is None and o.composite and bool(broken)
        if o.probe.base in failing or ops & broken or unknown:
            repeated.add(o.probe.expression)
        broken |= ops
    problems = [
        p for o in outcomes if o.problems and o.probe.expression not in repeated for p in o.problems
    ]
    consequences = [o.probe.expression for o in outcomes if o.probe.expression in repeated]
    return problems, consequences
