"""The check at a custom op's first use: its ``local`` against central differences.

At the actual inputs, each ∂f/∂xᵢ is estimated as (f(…, xᵢ + h, …) − f(…, xᵢ − h, …)) / 2h and
compared with what ``local`` gives, as ``gradcheck`` compares (|ours − theirs| ≤ 1e-6 +
1e-4·|theirs|). At a kink of ``forward`` (the two one-sided slopes differ) or where it is
undefined nearby, nothing is decided and the next use tries again. A mismatch is told apart by
what ``local`` gave: −1 × the right value (a sign), the other operand's derivative (swapped),
the right value once the input and the output are exchanged in the call (the wrong point), or
a simple factor (2, ½, 3, …).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from tinygrad_edu.exercises.diagnosis import factor_words, nice_factor, number

RTOL, ATOL = 1e-4, 1e-6  # as gradcheck: central differences agree to about 4 digits


class LocalDerivativeError(ValueError):
    """A custom op's ``local`` disagrees with central differences of its ``forward``.

    Attributes: ``op`` (the symbol), ``operand`` (its index), ``kind`` (``"sign"``,
    ``"scale"``, ``"wrong-point"``, ``"swapped"`` or ``"other"``), ``expected`` (the central
    difference) and ``got`` (what ``local`` gave).
    """

    def __init__(self, message: str, op: str, operand: int, kind: str, expected: float, got: float):
        super().__init__(message)
        self.op, self.operand, self.kind = op, operand, kind
        self.expected, self.got = expected, got


# Where else ``local`` is compared, besides the first input: each operand's sign flipped, and
# points on both sides of zero, so that a rule right only for positive inputs (an abs whose
# derivative is always 1) is caught at once. A point where forward is undefined, or has a
# kink, is passed over.
OTHER_POINTS = (-0.7, 0.7, -1.9, 1.9)


class Checkable(Protocol):
    """What the check reads of an op: a ``CustomOp``, or a learner's method that makes a node
    with its local derivatives given (``tinygrad-edu run``)."""

    names: tuple[str, ...]

    @property
    def symbol(self) -> str: ...

    @property
    def subject(self) -> str: ...  # how the message names it: "custom op 'softplus'"

    @property
    def fix(self) -> str: ...  # what the message advises: "fix local, or pass check=False …"

    def forward(self, *xs: float) -> Any: ...

    def local_values(self, xs: Sequence[float], out: float) -> tuple[float, ...]: ...


def check_local(function: Checkable, xs: Sequence[float], out: float) -> bool:
    """Compare ``local`` with central differences of ``forward`` at ``xs``, then at the
    points of :data:`OTHER_POINTS` (and ``xs`` with its signs flipped) where ``forward`` is
    defined and smooth.

    Returns whether the check was made: not at a point where ``forward`` has a kink or is
    undefined nearby (then the next use tries again).

    Raises:
        LocalDerivativeError: where they disagree, with the likely mistake.
    """
    if not _check_at(function, xs, out):
        return False
    flipped = tuple(-x for x in xs)
    for point in (flipped, *((x,) * len(xs) for x in OTHER_POINTS)):
        try:
            value = float(function.forward(*point))
        except (ArithmeticError, ValueError, TypeError):
            continue  # forward is not defined there (a log at a negative number)
        if math.isfinite(value):
            try:
                _check_at(function, point, value)
            except (ArithmeticError, ValueError, TypeError) as error:
                if isinstance(error, LocalDerivativeError):
                    raise
    return True


def _check_at(function: Checkable, xs: Sequence[float], out: float) -> bool:
    ours = function.local_values(xs, out)
    numerical = []
    for i in range(len(xs)):
        slope = _slope(function.forward, xs, i)
        if slope is None:
            return False
        numerical.append(slope)
    for i, (u, d) in enumerate(zip(ours, numerical, strict=True)):
        if not _agree(u, d):
            kind, words = _likely_mistake(function, xs, out, ours, numerical, i)
            name, symbol = function.names[i], function.symbol
            at = ", ".join(f"{n} = {number(x)}" for n, x in zip(function.names, xs, strict=True))
            raise LocalDerivativeError(
                f"{function.subject}: local gives ∂{symbol}/∂{name} = {number(u)} at {at} "
                f"(out = {number(out)}), but a central difference of forward gives "
                f"{number(d)}: {words}; {function.fix}",
                symbol,
                i,
                kind,
                d,
                u,
            )
    return True


def _agree(u: float, d: float) -> bool:
    return abs(u - d) <= ATOL + RTOL * abs(d)


def _slope(forward: Callable[..., Any], xs: Sequence[float], i: int) -> float | None:
    """∂forward/∂xᵢ by central differences, or ``None`` near a kink or a domain's edge
    (where the one-sided slopes differ, or forward fails)."""
    h = 1e-5 * max(1.0, abs(xs[i]))

    def f(x: float) -> float:
        return float(forward(*[x if j == i else v for j, v in enumerate(xs)]))

    try:
        low, middle, high = f(xs[i] - h), f(xs[i]), f(xs[i] + h)
    except (ArithmeticError, ValueError):
        return None
    if not all(math.isfinite(v) for v in (low, middle, high)):
        return None
    left, right = (middle - low) / h, (high - middle) / h
    if abs(left - right) > 1e-3 * max(1.0, abs(left), abs(right)):
        return None  # a kink here: the two one-sided slopes differ
    return (high - low) / (2.0 * h)


def _likely_mistake(
    function: Checkable,
    xs: Sequence[float],
    out: float,
    ours: Sequence[float],
    numerical: Sequence[float],
    i: int,
) -> tuple[str, str]:
    """The kind of mistake that makes ``ours[i]`` differ, and how to say it."""
    u, d = ours[i], numerical[i]
    if d != 0.0 and _agree(-u, d):
        return "sign", "a sign error (yours is −1 × the right value)"
    for j in range(len(xs)):
        if j != i and _agree(u, numerical[j]) and _agree(ours[j], d):
            name, other = function.names[i], function.names[j]
            return "swapped", f"the derivatives for {name} and {other} are swapped"
    if len(xs) == 1:
        try:
            exchanged = function.local_values([out], xs[0])
        except (ArithmeticError, ValueError, TypeError):
            exchanged = ()
        if exchanged and _agree(exchanged[0], d):
            name = function.names[0]
            return "wrong-point", (
                f"local(out, out={name}) would give the right value, so yours reads the input "
                f"{name} where it needs the output out, or the other way round: the "
                "derivative at the wrong point"
            )
    factor = nice_factor(u, d)
    if factor is not None:
        return "scale", f"off by a constant factor of {factor_words(factor)}"
    return "other", "not a sign, a constant factor or the wrong point: check local's formula"
