"""The mistakes a hand-written backward makes, told apart by what the wrong rule computes.

One edge of a node, ``out = f(…, x, …)``, should add ``L × g`` to ``x.grad``: its local
derivative L = ∂out/∂x times the upstream gradient g = ``out.grad``. Measured at several
probe points (with different inputs, a different g and an earlier gradient already in
``x.grad``), each usual mistake leaves its own fingerprint at *every* point:

=================== ================================================================
kind                what was added to ``x.grad``
=================== ================================================================
``sign``            −L × g
``overwrite``       ``x.grad`` was set to L × g: the earlier gradient is lost (= not +=)
``missing-upstream`` L alone, whatever g is
``wrong-point``     L's formula evaluated at the input where it needs the output, or the
                    other way round (tanh′ as 1 − x² instead of 1 − out²)
``swapped``         the other operand's L′ × g
``missing-factor``  L's formula without one of its factors (σ′ as σ alone, without 1 − σ)
``scale``           k × L × g, one constant k ≠ 1 at every point
``kink``            at a kink (ReLU at 0) another subgradient than PyTorch's
``order``           right rules, but a node passed its gradient on before all its users
                    had added to it (not a topological order)
``seed``            the root's gradient did not start at 1
``forward``         the value itself is wrong, so its gradient was not judged
``error``           the rule raised an exception, exited or crashed the process
``timeout``         the rule (or ``backward()``) ran past the time limit
``other``           none of the above
=================== ================================================================
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import NamedTuple

KINDS = (
    "sign",
    "overwrite",
    "missing-upstream",
    "wrong-point",
    "swapped",
    "missing-factor",
    "scale",
    "kink",
    "order",
    "seed",
    "forward",
    "error",
    "timeout",
    "other",
)

REL_TOL = 1e-6  # a learner's formula may round differently from ours (tanh via exp, say)
ABS_TOL = 1e-9


def close(x: float, y: float) -> bool:
    return math.isclose(x, y, rel_tol=REL_TOL, abs_tol=ABS_TOL)


class EdgeSample(NamedTuple):
    """One edge at one probe point.

    Attributes:
        local: the right local derivative L = ∂out/∂x.
        upstream: the upstream gradient g put on ``out``.
        before: ``x.grad`` before the node's backward ran.
        after: ``x.grad`` after it.
        other_local: the other operand's local derivative (``None`` for one operand).
        wrong_points: L's formula evaluated at the wrong point, one value per way of getting
            it wrong (see the op's probe).
        missing_factor: L's formula without one of its factors (σ(a) for σ′(a)), if the op
            has such a slip.
    """

    local: float
    upstream: float
    before: float
    after: float
    other_local: float | None = None
    wrong_points: tuple[float, ...] = ()
    missing_factor: float | None = None


class Finding(NamedTuple):
    """A kind of mistake, with what tells it: the factor of a ``scale``, the index of the
    wrong point of a ``wrong-point``."""

    kind: str
    factor: float = 1.0
    candidate: int = 0


def classify_edge(samples: Sequence[EdgeSample], can_overwrite: bool) -> list[Finding]:
    """The mistakes on one edge, at their root: ``[]`` when the edge is right everywhere.

    ``can_overwrite``: the protocol lets the rule touch ``x.grad`` itself (micrograd's
    ``_backward``); else the engine adds and only the local derivative can be wrong. An
    overwrite is reported with the mistake in what was written, if there is one as well.
    """
    added = [s.after - s.before for s in samples]
    kind = _contribution(samples, added)
    if kind is None:
        return []
    if can_overwrite and any(s.before != 0.0 for s in samples):
        replaced = _contribution(samples, [s.after for s in samples])
        if replaced is None:
            return [Finding("overwrite")]
        if kind.kind == "other" and replaced.kind != "other":
            return [Finding("overwrite"), replaced]
    return [kind]


def _contribution(samples: Sequence[EdgeSample], got: Sequence[float]) -> Finding | None:
    """What the contributions ``got`` are, compared with L × g at each sample."""

    def everywhere(expected: Sequence[float]) -> bool:
        return all(close(c, e) for c, e in zip(got, expected, strict=True))

    right = [s.local * s.upstream for s in samples]
    if everywhere(right):
        return None
    if any(r != 0.0 for r in right) and everywhere([-r for r in right]):
        return Finding("sign")
    if any(not close(s.upstream, 1.0) for s in samples) and everywhere([s.local for s in samples]):
        return Finding("missing-upstream")
    for index in range(min((len(s.wrong_points) for s in samples), default=0)):
        candidate = [s.wrong_points[index] * s.upstream for s in samples]
        if everywhere(candidate):
            return Finding("wrong-point", candidate=index)
    if all(s.missing_factor is not None for s in samples):
        if everywhere([(s.missing_factor or 0.0) * s.upstream for s in samples]):
            return Finding("missing-factor")
    if all(s.other_local is not None for s in samples):
        other = [(s.other_local or 0.0) * s.upstream for s in samples]
        if everywhere(other):
            return Finding("swapped")
    factor = constant_factor(got, right)
    if factor is not None:
        return Finding("scale", factor=factor)
    return Finding("other")


def constant_factor(got: Sequence[float], right: Sequence[float]) -> float | None:
    """k if ``got`` is k × ``right`` at every point (k ≠ 0, 1; two points at least where
    ``right`` is not 0), else ``None``."""
    ratios = [c / r for c, r in zip(got, right, strict=True) if r != 0.0]
    if len(ratios) < 2 or not all(close(k, ratios[0]) for k in ratios):
        return None
    if any(r == 0.0 and not close(c, 0.0) for c, r in zip(got, right, strict=True)):
        return None
    k = ratios[0]
    return None if close(k, 0.0) or close(k, 1.0) else k


NICE_FACTORS = (2.0, 3.0, 4.0, 0.5, 1.0 / 3.0, 0.25, 10.0, 0.1)


def nice_factor(got: float, right: float) -> float | None:
    """k if ``got`` = k × ``right`` for a factor a formula is easily off by (2, ½, 3, …, also
    negative); a single point cannot tell any other constant from a wrong formula."""
    if right == 0.0:
        return None
    k = got / right
    for nice in NICE_FACTORS:
        for signed in (nice, -nice):
            if close(k, signed):
                return signed
    return None


def number(x: float) -> str:
    """``0.75``, ``−1``: six significant digits and a true minus sign, as a teacher writes."""
    return _minus(f"{x:.6g}")


def signed(x: float) -> str:
    """``+1``, ``−0.5``: a number with its sign, for what a rule added."""
    return _minus(f"{x:+.6g}")


def symbols(text: str) -> str:
    """A formula with true minus signs: ``1 - out²`` → ``1 − out²``, ``-1`` → ``−1``."""
    text = text.replace(" - ", " − ").replace("(-", "(−")
    return "−" + text[1:] if text.startswith("-") else text


def _minus(text: str) -> str:
    return text.replace("-", "−")


def factor_words(k: float) -> str:
    """``2``, ``½`` (``0.5``), ``−3``: a constant factor as a learner would recognise it."""
    for nice, word in ((0.5, "½"), (1.0 / 3.0, "⅓"), (0.25, "¼")):
        if close(abs(k), nice):
            return ("−" if k < 0 else "") + word
    return number(k)
