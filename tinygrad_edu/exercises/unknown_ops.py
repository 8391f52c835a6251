"""The ops the checker does not know, judged by central differences of the learner's own
forward (:mod:`.discovery` measures them).

Without a reference op, the forward value is taken as right and the rule is checked against
it: at each point, ∂out/∂x ≈ (f(x + h) − f(x − h)) / 2h, taken at h and h/2 and extrapolated
(Richardson: (4·D(h/2) − D(h)) / 3, error O(h⁴)). Where the two one-sided slopes differ, the
point is at a kink and any number between them is a right subgradient. A point where the op
is not defined (a log at a negative number) is left out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from tinygrad_edu.exercises.diagnosis import EdgeSample, classify_edge, factor_words, number, signed
from tinygrad_edu.exercises.discovery import ONE, STEP, TWO, expression
from tinygrad_edu.exercises.measure import Data
from tinygrad_edu.exercises.probes import BEFORE, UPSTREAMS
from tinygrad_edu.exercises.report import Problem
from tinygrad_edu.exercises.wording import at, error_message

REL, ABS = 1e-5, 1e-8  # the extrapolated difference agrees to about ten digits on smooth ops
KINK = 1e-3  # one-sided slopes further apart than this (relative): a kink


@dataclass
class UnknownOutcome:
    """One unknown op's result: its problems, or why it was not checked."""

    name: str
    expression: str
    skipped: str | None = None
    problems: list[Problem] = field(default_factory=list)


@dataclass
class _Slope:
    central: float  # the extrapolated central difference
    low: float  # the smaller one-sided slope
    high: float
    kink: bool


def _slope(values: list[float | None], centre: float, x: float) -> _Slope | None:
    if None in values:
        return None
    low2, low1, high1, high2 = (v for v in values if v is not None)
    h = STEP * max(1.0, abs(x))
    d_h, d_half = (high2 - low2) / (2 * h), (high1 - low1) / h
    left, right = (centre - low1) / (h / 2), (high1 - centre) / (h / 2)
    kink = abs(left - right) > KINK * max(1.0, abs(left), abs(right))
    return _Slope((4 * d_half - d_h) / 3, min(left, right), max(left, right), kink)


def _agrees(got: float, slope: _Slope) -> bool:
    if slope.kink:
        tolerance = KINK * max(1.0, abs(slope.low), abs(slope.high))
        return slope.low - tolerance <= got <= slope.high + tolerance
    return math.isclose(got, slope.central, rel_tol=REL, abs_tol=ABS)


def judge_unknown(name: str, arity: int, number: bool, measured: list[Data]) -> UnknownOutcome:
    """Check an unknown op's rule against central differences at each point it is
    defined at."""
    written = expression(name, arity, number)
    outcome = UnknownOutcome(name, written)
    points = ONE if arity == 1 else TWO
    names = ("a", "b")[:arity]
    samples: list[list[EdgeSample]] = [[] for _ in names]
    wrong: list[tuple[tuple[float, ...], _Slope, float] | None] = [None] * arity
    defined = 0
    for k, (point, found) in enumerate(zip(points, measured, strict=True)):
        if "build_error" in found or found.get("data") is None:
            continue
        if "rule_error" in found:
            message = error_message(name, "its backward rule", found["rule_error"])
            outcome.problems.append(
                Problem(name, None, "error", None, None, message, name, written)
            )
            return outcome
        upstream, before = UPSTREAMS[k % 3], BEFORE[k % 3]
        for i in range(arity):
            slope = _slope(found["nudged"][i], found["data"], point[i])
            if slope is None:
                continue
            defined += 1
            added = (found["after"][i] - before[i]) / upstream
            if not _agrees(added, slope) and wrong[i] is None:
                wrong[i] = (point, slope, added)
            if not slope.kink:  # a kink proves nothing about the kind of mistake
                sample = EdgeSample(slope.central, upstream, before[i], found["after"][i])
                samples[i].append(sample)
    if defined == 0:
        outcome.skipped = f"{written} is not defined (or raised) at every point tried"
        return outcome
    for i, first in enumerate(wrong):
        if first is not None:
            outcome.problems.append(_problem(name, written, i, names, samples[i], *first))
    return outcome


def _problem(
    name: str,
    written: str,
    i: int,
    names: tuple[str, ...],
    samples: list[EdgeSample],
    point: tuple[float, ...],
    slope: _Slope,
    got: float,
) -> Problem:
    """The problem on operand ``i``, shown at the first point where it is wrong."""
    findings = classify_edge(samples, can_overwrite=True) if samples else []
    kind = findings[0].kind if findings else "other"
    if kind not in ("sign", "scale", "missing-upstream", "overwrite"):
        kind = "other"
    words = {
        "sign": ": a sign error",
        "missing-upstream": ": the upstream factor is missing (x.grad += local × out.grad)",
        "overwrite": ": the earlier gradient was replaced (=), not added to (+=)",
        "other": "",
    }.get(kind, f": off by a constant factor of {factor_words(findings[0].factor)}")
    if slope.kink:
        right = f"between {number(slope.low)} and {number(slope.high)} (a kink)"
    else:
        right = number(slope.central)
    message = (
        f"{name}: ∂out/∂{names[i]} should be {right} at {at(names, point)} (by central "
        f"differences of your own forward: {name} is not an op the checker knows, so its "
        f"value is taken as right); yours adds {signed(got)} × upstream{words}"
    )
    return Problem(name, i, kind, slope.central, got, message, name, written)
