"""The ops of a learner's class that the checker does not know (``gelu``, ``__abs__``), found
and measured: like :mod:`.measure`, this part runs the learner's code and returns numbers only.

A method is an op when called on a node (and, for two operands, on a second node) it returns
a node. Each one is then measured at points on both sides of zero, and at zero itself, where
many ops have a kink: the forward at nudged inputs (for central differences, in the parent)
and the operands' gradients after the rules between ``out`` and them ran.
"""

from __future__ import annotations

import inspect
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from tinygrad_edu.exercises.measure import Data, Stage, error_data, number_of
from tinygrad_edu.exercises.probes import BEFORE, PROBES, UPSTREAMS
from tinygrad_edu.exercises.protocols import Protocol

# Methods that are not ops, or that the op probes already check.
KNOWN = frozenset({probe.method for probe in PROBES} | {"backward", "zero_grad"})
# Operators a class may define beyond those the probes know; any other dunder is not an op.
OPERATORS = frozenset(
    {"__abs__", "__pos__", "__floordiv__", "__mod__", "__matmul__", "__rpow__", "__invert__"}
)
ONE = ((-1.6,), (-0.45,), (0.35,), (1.25,), (0.0,))  # both sides of 0, and 0, a usual kink
TWO = ((0.8, -1.7), (-0.45, 0.6), (1.3, 2.2), (-1.1, -0.7))
STEP = 1e-4  # h for the central differences; the parent extrapolates from h and h/2
DISCOVERY_SECONDS = 2  # how long one call may take while the ops are being found


NUMBER = 2.0  # the number operand of an op that takes a number, not a node (2 ** a)
WRITTEN = {"__abs__": "abs(a)", "__pos__": "+a", "__invert__": "~a", "__rpow__": "2 ** a"}


def expression(name: str, arity: int, number: bool = False) -> str:
    """How the op is written: ``a.gelu()``, ``a.maximum(b)``, ``abs(a)``, ``a.clip(2)``."""
    if name in WRITTEN:
        return WRITTEN[name]
    if number:
        return f"a.{name}({NUMBER:g})"
    return f"a.{name}()" if arity == 1 else f"a.{name}(b)"


def discover(cls: type, protocol: Protocol) -> list[Data]:
    """The class's ops the probes do not know: ``{"name", "arity", "number"}`` for each one
    found (``number``: its second operand is a number, not a node, as in ``2 ** a``), and
    ``{"name", "why"}`` for a method that may be one but could not be tried."""
    found = []
    for name in sorted(dir(cls)):
        if name in KNOWN or (name.startswith("_") and name not in OPERATORS):
            continue
        attribute = inspect.getattr_static(cls, name, None)
        if not inspect.isfunction(attribute):
            continue  # properties, class and static methods, data: not ops of a node
        arity = _arity(attribute)
        if arity is None or arity > 2:
            found.append({"name": name, "why": "it takes more than two operands"})
            continue
        kind = _try(name, arity, cls, protocol)
        if kind is not None:
            found.append({"name": name, **kind})
    return found


def _try(name: str, arity: int, cls: type, protocol: Protocol) -> Data | None:
    """What calling the method on nodes shows: an op (its arity, and whether it takes a
    number), why it could not be tried, or ``None``: not an op."""
    errors = []
    for number in (False, True) if arity == 2 else (False,):
        try:
            with time_limit(DISCOVERY_SECONDS):
                leaves = [cls(x) for x in TWO[0][: 1 if number else arity]]
                result = getattr(leaves[0], name)(*(leaves[1:] or [NUMBER] * number))
        except (Exception, SystemExit) as error:
            errors.append(error_data(error)["type"])
            continue
        if any(result is leaf for leaf in leaves) or not _is_node(result, cls, protocol):
            return None  # it returns its operand itself, or no node: not an op
        return {"arity": 1 if number else arity, "number": number}
    return {"why": f"calling it on a node raised {errors[0]}"}


def _arity(function: Callable[..., Any]) -> int | None:
    try:
        parameters = list(inspect.signature(function).parameters.values())[1:]
    except (TypeError, ValueError):
        return None
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    required = [p for p in parameters if p.kind in positional and p.default is p.empty]
    if any(p.kind == p.KEYWORD_ONLY and p.default is p.empty for p in parameters):
        return None
    return 1 + len(required)


def _is_node(result: object, cls: type, protocol: Protocol) -> bool:
    return isinstance(result, cls) or (
        hasattr(result, "data") and hasattr(result, "grad") and bool(protocol.children(result))
    )


def measure_unknown(
    name: str, arity: int, number: bool, cls: type, protocol: Protocol, stage: Stage
) -> list[Data]:
    """At each point: the forward at x, at x ± h and x ± h/2 per operand, and the operands'
    gradients after the rules (``{"build_error"}`` where the op is not defined)."""
    points = ONE if arity == 1 else TWO
    measured = []
    for k, point in enumerate(points):
        upstream, before = UPSTREAMS[k % 3], BEFORE[k % 3][:arity]
        stage(f"building {expression(name, arity, number)}")
        try:
            out, leaves = _build(name, number, cls, point)
            data = number_of(getattr(out, "data", None))
            nudged = [_nudged(name, number, cls, point, i) for i in range(arity)]
        except (Exception, SystemExit) as error:
            measured.append({"build_error": error_data(error)})
            continue
        found: Data = {"data": data, "nudged": nudged}
        stage(f"{name}'s backward")
        try:
            found["after"] = protocol.run_rules(out, leaves, before, upstream)
        except (Exception, SystemExit) as error:
            found["rule_error"] = error_data(error)
        measured.append(found)
    return measured


def _build(name: str, number: bool, cls: type, point: Sequence[float]) -> tuple[Any, list[Any]]:
    leaves = [cls(x) for x in point]
    return getattr(leaves[0], name)(*(leaves[1:] or [NUMBER] * number)), leaves


def _nudged(
    name: str, number: bool, cls: type, point: Sequence[float], i: int
) -> list[float | None]:
    """The forward at x − h, x − h/2, x + h/2, x + h (operand i moved)."""
    h = STEP * max(1.0, abs(point[i]))
    values = []
    for step in (-h, -h / 2, h / 2, h):
        moved = [x + step if j == i else x for j, x in enumerate(point)]
        values.append(number_of(getattr(_build(name, number, cls, moved)[0], "data", None)))
    return values


class DiscoveryTimeoutError(Exception):
    """A call took longer than allowed while the ops were being found."""


@contextmanager
def time_limit(seconds: int) -> Iterator[None]:
    """Raise :class:`DiscoveryTimeoutError` in the block after ``seconds``, where a signal can
    (the main thread on Unix); elsewhere the caller's own limits apply."""
    usable = hasattr(signal, "SIGALRM") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return

    def stop(signum: int, frame: object) -> None:
        raise DiscoveryTimeoutError(f"took longer than {seconds} s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
