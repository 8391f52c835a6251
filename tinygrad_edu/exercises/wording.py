"""What a teacher would say about each mistake on one edge, with the numbers of one point.

Every sentence starts with the method the learner wrote (``__sub__``), gives the right local
derivative with its formula, then what theirs does and what that is:
``__sub__: ∂out/∂b should be −1 (out = a − b); yours adds +1 × upstream: a sign error``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from tinygrad_edu.exercises.diagnosis import (
    EdgeSample,
    Finding,
    factor_words,
    number,
    signed,
)
from tinygrad_edu.exercises.probes import OpProbe, Reference


def at(names: Sequence[str], point: Sequence[float]) -> str:
    """``a = 0.8, b = −1.7``."""
    return ", ".join(f"{name} = {number(x)}" for name, x in zip(names, point, strict=True))


def should_be(
    method: str,
    name: str,
    ref: Reference,
    position: int,
    names: Sequence[str],
    point: Sequence[float],
) -> str:
    """``__mul__: ∂out/∂a should be the other operand b = −1.7 (out = a * b at a = 0.8, …)``;
    a constant derivative is given once and without the point: ``should be −1 (out = a − b)``."""
    rule, local = ref.rules[position], number(ref.locals[position])
    if rule == local:
        return f"{method}: ∂out/∂{name} should be {rule} (out = {ref.formula})"
    return (
        f"{method}: ∂out/∂{name} should be {rule} = {local} "
        f"(out = {ref.formula} at {at(names, point)})"
    )


def edge_message(
    probe: OpProbe,
    position: int,
    name: str,
    ref: Reference,
    point: Sequence[float],
    sample: EdgeSample,
    finding: Finding,
    numerical: float | None,
) -> str:
    """The sentence for one finding on the edge to the operand ``name``."""
    head = should_be(probe.method, name, ref, position, probe.names, point)
    g = sample.upstream
    added = sample.after - sample.before
    per_upstream = signed(added / g)
    if finding.kind == "overwrite":
        total = sample.before + sample.local * g
        return (
            f"{probe.method}: {name}.grad held {number(sample.before)} before this node's "
            f"backward and should then be {number(sample.before)} + "
            f"{number(sample.local * g)} = {number(total)}; yours sets it to "
            f"{number(sample.after)}: the earlier gradient was replaced (=), not added to "
            "(+=), so a value used twice, as in a + a, loses a contribution"
        )
    if finding.kind == "sign":
        return f"{head}; yours adds {per_upstream} × upstream: a sign error"
    if finding.kind == "scale":
        return (
            f"{head}; yours adds {per_upstream} × upstream: off by a constant factor of "
            f"{factor_words(finding.factor)}"
        )
    if finding.kind == "missing-upstream":
        return (
            f"{head}; yours adds {signed(added)} whatever the upstream gradient is "
            f"({number(g)} here): the upstream factor is missing (the chain rule: "
            f"{name}.grad += local × out.grad)"
        )
    if finding.kind == "wrong-point":
        words = probe.wrong_point_words[finding.candidate]
        return (
            f"{head}; yours adds {per_upstream} × upstream, which is {words}: the derivative "
            "at the wrong point"
        )
    if finding.kind == "missing-factor":
        return (
            f"{head}; yours adds {per_upstream} × upstream, which is {probe.missing_factor_words}"
        )
    if finding.kind == "swapped":
        other = ref.args[1 - position]
        return (
            f"{head}; yours adds {per_upstream} × upstream, which is the derivative for the "
            f"other operand {other}: the operands' derivatives are mixed up"
        )
    hint = f" (nothing reaches {name})" if added == 0.0 else ""
    if numerical is not None:
        hint += f"; a central difference of your own forward gives {number(numerical)}"
    return f"{head}; yours adds {per_upstream} × upstream{hint}"


def swapped_message(probe: OpProbe, ref: Reference, point: Sequence[float]) -> str:
    """Both operands got each other's derivative."""
    a, b = probe.names
    parts = []
    for name, p in zip(probe.names, ref.positions, strict=True):
        rule, local = ref.rules[p], number(ref.locals[p])
        parts.append(f"∂out/∂{name} should be {rule}" + ("" if rule == local else f" = {local}"))
    return (
        f"{probe.method}: {' and '.join(parts)} (out = {ref.formula} at {at(probe.names, point)}); "
        f"yours gives {a} the derivative for {b} and {b} that for {a}: the two operands' "
        "derivatives are swapped"
    )


def kink_message(probe: OpProbe, name: str, subgradient: float, low: float, high: float) -> str:
    return (
        f"{probe.method} at {name} = 0, its kink: yours passes {signed(subgradient)} × upstream, "
        f"which is no subgradient: any number from {number(low)} to {number(high)} is right "
        f"there (PyTorch and tinygrad_edu pass {number(low)})"
    )


def subgradient_note(probe: OpProbe, name: str, subgradient: float, low: float, high: float) -> str:
    return (
        f"{probe.method} at {name} = 0, its kink: yours passes {signed(subgradient)} × upstream, "
        f"a valid subgradient (any number from {number(low)} to {number(high)} is), where "
        f"PyTorch passes {number(low)}: right, but your gradients differ from PyTorch's "
        "wherever an input is exactly 0"
    )


def forward_message(
    probe: OpProbe, ref: Reference, point: Sequence[float], got: float | str
) -> str:
    shown = number(got) if isinstance(got, float) else got
    return (
        f"{probe.method}: out = {ref.formula} should be {number(ref.out)} at "
        f"{at(probe.names, point)}; yours gives {shown}: the value is wrong, so its "
        "gradient was not checked"
    )


def error_message(method: str, stage: str, error: Mapping[str, str]) -> str:
    """``tanh: its backward rule raised NameError: …``; ``… called sys.exit(0)``."""
    if error["type"] == "SystemExit":
        return f"{method}: {stage} exited: {error['message']}"
    return f"{method}: {stage} raised {error['type']}: {error['message']}"
