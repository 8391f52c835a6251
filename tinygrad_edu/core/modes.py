"""Process-wide modes of the engine, named like PyTorch's: ``no_grad``, ``detect_anomaly``;
and ``gc_paused``, which pauses Python's cycle collector while a graph is built and freed."""

from __future__ import annotations

import gc
import os
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tinygrad_edu.core.engine import Value


class Modes:
    """The switches every op reads. ``plain`` (grad on, anomaly off) is the fast path."""

    __slots__ = ("grad_enabled", "anomaly", "plain", "origins")

    def __init__(self) -> None:
        self.grad_enabled = True
        self.anomaly = False
        self.plain = True
        # Under detect_anomaly(): where the user's code built each node, for the error messages.
        self.origins: dict[Value, str] = {}

    def set(self, grad_enabled: bool, anomaly: bool) -> None:
        self.grad_enabled, self.anomaly = grad_enabled, anomaly
        self.plain = grad_enabled and not anomaly


Mode = Modes()


class no_grad:  # noqa: N801 - named like torch.no_grad, which learners meet next
    """Context manager: ops inside it compute values but build no graph.

    Use it for evaluation, predictions and decision-boundary grids: nothing is kept alive for
    a backward pass that will never come. A value computed inside has no graph, and calling
    its ``backward()`` raises, as in PyTorch.
    """

    def __enter__(self) -> no_grad:
        self._saved = (Mode.grad_enabled, Mode.anomaly)
        Mode.set(False, Mode.anomaly)
        return self

    def __exit__(self, *exc_info: object) -> None:
        Mode.set(*self._saved)


class detect_anomaly:  # noqa: N801 - named like torch.autograd.detect_anomaly
    """Context manager: raise :class:`AnomalyError` at the op whose value or gradient becomes
    NaN or infinite, naming the op, its operands, and the file and line of your code that
    built the node. Those lines are recorded only inside this context, so they cost nothing
    otherwise."""

    def __enter__(self) -> detect_anomaly:
        self._saved = (Mode.grad_enabled, Mode.anomaly, Mode.origins)
        if not Mode.anomaly:
            Mode.origins = {}
        Mode.set(Mode.grad_enabled, True)
        return self

    def __exit__(self, *exc_info: object) -> None:
        grad_enabled, anomaly, Mode.origins = self._saved
        Mode.set(grad_enabled, anomaly)


class gc_paused:  # noqa: N801 - a mode like no_grad
    """Context manager: pause Python's cyclic garbage collector, e.g. for one training step.

    A graph of Values has no reference cycles (a node refers to its operands, never to its
    users), so reference counting frees a step's graph the moment its last reference goes.
    The cyclic collector can free none of it, yet while the graph grows it is triggered by
    every few hundred new nodes and re-scans them. ``train()`` runs each step inside this
    context. Cyclic garbage made inside is collected as usual after it; a collector that was
    already off stays off.
    """

    def __enter__(self) -> gc_paused:
        self._was_enabled = gc.isenabled()
        gc.disable()
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._was_enabled:
            gc.enable()


class AnomalyError(ArithmeticError):
    """A forward value or a gradient became NaN or infinite under ``detect_anomaly``."""


_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def record_origin(node: Value) -> None:
    """Remember the first line outside this package on the call stack: the line that built
    ``node`` (called only under ``detect_anomaly()``)."""
    frame = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE):
        frame = frame.f_back  # type: ignore[assignment]
    if frame is not None:
        Mode.origins[node] = f"{frame.f_code.co_filename}, line {frame.f_lineno}"


def origin_of(node: Value) -> str:
    """`` (built at file.py, line 12)`` for a node built under ``detect_anomaly()``, else ``""``."""
    where = Mode.origins.get(node)
    return f" (built at {where})" if where else ""
