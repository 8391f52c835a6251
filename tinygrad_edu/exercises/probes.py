"""The op probes: one small expression per op a learner's ``Value`` may support.

Each probe builds its expression from fresh leaves (``a``, and ``b`` for two operands) at
three points chosen away from kinks and saturation (tanh and σ at |x| ≤ 1.15, log at x ≥ 0.6,
no divisor near 0), so that the usual mistakes give numbers that differ from the right ones
and from each other. ReLU is probed at its kink, x = 0, separately. The right numbers come
from tinygrad_edu's own ops: the same expression built from ``tinygrad_edu.Value`` is one node
whose op (``core/ops.py``) gives the forward value and the local derivatives.

The probe of an op written with a number (``a + 2``, ``2 - a``) repeats the probe of its
Value–Value form (its ``base``): when the base is wrong, its problems are not reported again.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, NamedTuple

from tinygrad_edu.core import Value
from tinygrad_edu.exercises.diagnosis import number, symbols

Build = Callable[[Any, Any], Any]
WrongPoints = Callable[[float, float], tuple[float, ...]]

TWO = ((0.8, -1.7), (-0.45, 0.6), (1.3, 2.2))
ONE = ((0.55,), (-0.8,), (1.15,))
POSITIVE = ((1.7,), (0.6,), (2.5,))
RELU = ((1.2,), (-0.7,), (0.45,))
UPSTREAMS = (1.5, -0.75, 2.25)  # out.grad at each point: never 1 or −1, so a missing one shows
BEFORE = ((0.25, -0.375), (-0.5, 0.625), (0.125, -0.875))  # the operands' earlier gradients


class OpProbe(NamedTuple):
    """One op's probe.

    Attributes:
        expression: how the learner writes it: ``"2 - a"``, ``"a.tanh()"``.
        method: the method it calls: ``"__rsub__"``, ``"tanh"``.
        symbol: the op's usual symbol, for a class that records none: ``"-"``, ``"tanh"``.
        build: makes the expression from the leaves ``a`` and ``b`` (unused by one-operand
            expressions), for any class that supports it.
        names: the names of the Value operands, in order.
        points: the operands' values at each probe point.
        base: the probe whose problems this one would repeat, if any.
        with_number: the expression has a number operand; a class that takes none skips it.
        wrong_points: for an op whose derivative is a formula in x or in out: that formula
            evaluated at the wrong point, given (x, out), one value per way of getting it wrong.
        wrong_point_words: what each of those is, for the message.
        kinks: points where the op has a kink, probed on their own.
        missing_factor: L's formula without one of its factors, given out, and the words
            for it: a rule that forgot a factor (σ′ = σ·(1 − σ) written as σ).
    """

    expression: str
    method: str
    symbol: str
    build: Build
    names: tuple[str, ...]
    points: tuple[tuple[float, ...], ...]
    base: str | None = None
    with_number: bool = False
    wrong_points: WrongPoints | None = None
    wrong_point_words: tuple[str, ...] = ()
    kinks: tuple[tuple[float, ...], ...] = ()
    missing_factor: Callable[[float], float] | None = None
    missing_factor_words: str = ""


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def _binary(expression: str, method: str, symbol: str, build: Build) -> OpProbe:
    return OpProbe(expression, method, symbol, build, ("a", "b"), TWO)


def _number(expression: str, method: str, symbol: str, build: Build, base: str) -> OpProbe:
    return OpProbe(expression, method, symbol, build, ("a",), ONE, base, with_number=True)


PROBES: tuple[OpProbe, ...] = (
    _binary("a + b", "__add__", "+", lambda a, b: a + b),
    _number("a + 2", "__add__", "+", lambda a, b: a + 2, "a + b"),
    _number("2 + a", "__radd__", "+", lambda a, b: 2 + a, "a + b"),
    _binary("a * b", "__mul__", "*", lambda a, b: a * b),
    _number("a * 2", "__mul__", "*", lambda a, b: a * 2, "a * b"),
    _number("2 * a", "__rmul__", "*", lambda a, b: 2 * a, "a * b"),
    _binary("a - b", "__sub__", "-", lambda a, b: a - b),
    _number("a - 2", "__sub__", "-", lambda a, b: a - 2, "a - b"),
    _number("2 - a", "__rsub__", "-", lambda a, b: 2 - a, "a - b"),
    _binary("a / b", "__truediv__", "/", lambda a, b: a / b),
    _number("a / 2", "__truediv__", "/", lambda a, b: a / 2, "a / b"),
    _number("2 / a", "__rtruediv__", "/", lambda a, b: 2 / a, "a / b"),
    OpProbe("-a", "__neg__", "neg", lambda a, b: -a, ("a",), ONE),
    OpProbe(
        "a ** 2",
        "__pow__",
        "**",
        lambda a, b: a**2,
        ("a",),
        ONE,
        wrong_points=lambda x, out: (2.0 * out,),
        wrong_point_words=("2·out, the formula 2·a taken at the output instead of the input",),
    ),
    OpProbe(
        "a.exp()",
        "exp",
        "exp",
        lambda a, b: a.exp(),
        ("a",),
        ONE,
        wrong_points=lambda x, out: (x, math.exp(out)),
        wrong_point_words=(
            "a, the formula out (= eᵃ) taken at the input instead of the output",
            "exp(out), the formula exp(a) taken at the output instead of the input",
        ),
    ),
    OpProbe(
        "a.log()",
        "log",
        "log",
        lambda a, b: a.log(),
        ("a",),
        POSITIVE,
        wrong_points=lambda x, out: (1.0 / out if out else math.nan, math.exp(-x)),
        wrong_point_words=(
            "1/out, the formula 1/a taken at the output instead of the input",
            "e⁻ᵃ, the formula e^(−out) (= 1/a) taken at the input instead of the output",
        ),
    ),
    OpProbe(
        "a.tanh()",
        "tanh",
        "tanh",
        lambda a, b: a.tanh(),
        ("a",),
        ONE,
        wrong_points=lambda x, out: (1.0 - x * x, 1.0 - math.tanh(out) ** 2),
        wrong_point_words=(
            "1 − a², the formula 1 − out² taken at the input a instead of the output",
            "1 − tanh²(out), the formula 1 − tanh²(a) taken at the output instead of the input",
        ),
    ),
    OpProbe(
        "a.sigmoid()",
        "sigmoid",
        "sigmoid",
        lambda a, b: a.sigmoid(),
        ("a",),
        ONE,
        wrong_points=lambda x, out: (x * (1.0 - x), _sigmoid(out) * (1.0 - _sigmoid(out))),
        wrong_point_words=(
            "a·(1 − a), the formula out·(1 − out) taken at the input a instead of the output",
            "σ(out)·(1 − σ(out)), the formula σ(a)·(1 − σ(a)) taken at the output",
        ),
        missing_factor=lambda out: out,
        missing_factor_words="out = σ(a) alone: the rule is missing its (1 − out) factor",
    ),
    OpProbe("a.relu()", "relu", "relu", lambda a, b: a.relu(), ("a",), RELU, kinks=((0.0,),)),
)


class Reference(NamedTuple):
    """What tinygrad_edu's own op gives for a probe at one point."""

    out: float
    locals: tuple[float, ...]  # ∂out/∂operand for each position of the node
    positions: tuple[int, ...]  # the position of each Value operand in the node
    args: tuple[str, ...]  # each position's name: "a", "b" or a number, "2"
    rules: tuple[str, ...]  # each position's local derivative in symbols: "−a/b²"
    formula: str  # "a − b"


def reference(probe: OpProbe, point: tuple[float, ...]) -> Reference:
    """Build the probe from ``tinygrad_edu.Value`` leaves and read its one node."""
    leaves = [Value(x, label=name) for x, name in zip(point, probe.names, strict=True)]
    out = probe.build(*leaves, *[None] * (2 - len(leaves)))
    operation = out._operation
    assert operation is not None, f"{probe.expression} makes a node in tinygrad_edu"
    children = out.children
    positions = tuple(next(i for i, c in enumerate(children) if c is leaf) for leaf in leaves)
    args = tuple(child.label or number(child.data) for child in children)
    rules = tuple(symbols(operation.rule(out, i, list(args), "out")) for i in range(len(children)))
    formula = symbols(operation.formula(out, list(args)))
    return Reference(out.data, out.local_derivatives(), positions, args, rules, formula)
