"""The engine's modes, named like PyTorch's: ``no_grad``, ``detect_anomaly``, plus ``origins``
(remember where each node was made); and ``gc_paused``, which pauses Python's cycle collector
while a graph is built and freed.

``no_grad``, ``detect_anomaly`` and ``origins`` hold for the thread that enters them (and for
the asyncio task, since the state lives in a :class:`contextvars.ContextVar`): a thread that
evaluates under ``no_grad()`` leaves another thread's training alone. The hot path pays
nothing for this: every new node reads one process-wide flag, ``Mode.plain``, true while no
thread has any mode on, and only when it is false asks its own thread which modes hold.
"""

from __future__ import annotations

import gc
import threading
from contextvars import ContextVar
from typing import TYPE_CHECKING

from tinygrad_edu.core.origins import CallSite, Recorder

if TYPE_CHECKING:
    from tinygrad_edu.core.engine import Value


class ModeState:
    """The modes of one thread (or asyncio task). Never changed once made: entering a mode
    sets a new state, leaving it puts the earlier one back."""

    __slots__ = ("grad_enabled", "anomaly", "recorder")

    def __init__(self, grad_enabled: bool, anomaly: bool, recorder: Recorder | None) -> None:
        self.grad_enabled = grad_enabled
        self.anomaly = anomaly
        # Under origins() or detect_anomaly(): what records where each node is made.
        self.recorder = recorder


PLAIN = ModeState(grad_enabled=True, anomaly=False, recorder=None)
_state: ContextVar[ModeState] = ContextVar("tinygrad_edu_modes", default=PLAIN)
current = _state.get  # this thread's (this task's) modes


class Modes:
    """What every op reads. ``plain`` is process-wide and true while no thread has a mode on,
    the fast path; the other attributes are the calling thread's own modes."""

    __slots__ = ("plain", "_on", "_lock")

    def __init__(self) -> None:
        self.plain = True
        self._on = 0  # how many modes are entered and not yet left, in every thread
        self._lock = threading.Lock()

    @property
    def grad_enabled(self) -> bool:
        return _state.get().grad_enabled

    @property
    def anomaly(self) -> bool:
        return _state.get().anomaly

    @property
    def recorder(self) -> Recorder | None:
        return _state.get().recorder

    def switch(self, on: bool) -> None:
        """Count a mode entered (``on``) or left in any thread; ``plain`` follows the count."""
        with self._lock:
            self._on += 1 if on else -1
            self.plain = self._on == 0


Mode = Modes()


class _ModeSwitch:
    """A context manager that sets the calling thread's modes for its block and then puts
    back the ones before it (also when the block raises)."""

    def __init__(self) -> None:
        self._saved: list[ModeState] = []  # a stack, so one instance can be entered nested

    def entered(self, before: ModeState) -> ModeState:
        raise NotImplementedError

    def __enter__(self) -> _ModeSwitch:
        before = _state.get()
        after = self.entered(before)
        self._saved.append(before)
        Mode.switch(on=True)
        _state.set(after)
        return self

    def __exit__(self, *exc_info: object) -> None:
        _state.set(self._saved.pop())
        Mode.switch(on=False)


class no_grad(_ModeSwitch):  # noqa: N801 - named like torch.no_grad, which learners meet next
    """Context manager: ops inside it compute values but build no graph.

    Use it for evaluation, predictions and decision-boundary grids: nothing is kept alive for
    a backward pass that will never come. A value computed inside has no graph, and calling
    its ``backward()`` raises, as in PyTorch. It holds for the thread that enters it.
    """

    def entered(self, before: ModeState) -> ModeState:
        return ModeState(False, before.anomaly, before.recorder)


class detect_anomaly(_ModeSwitch):  # noqa: N801 - named like torch.autograd.detect_anomaly
    """Context manager: raise :class:`AnomalyError` at the op whose value or gradient becomes
    NaN or infinite, naming the op, its operands, and the file and line of your code that
    built the node. It records where each node is made as ``origins()`` does (inside an
    ``origins()`` block, that one's record), so it costs something only inside it; the record
    lives in the node and goes with it. It holds for the thread that enters it.
    """

    def entered(self, before: ModeState) -> ModeState:
        return ModeState(before.grad_enabled, True, before.recorder or Recorder())


class origins(_ModeSwitch):  # noqa: N801 - a mode like no_grad
    """Context manager: every node made inside remembers where, for the lenses to group by.

    The record is your call stack when the node was made: a tuple of
    :class:`~tinygrad_edu.core.origins.CallSite` (file, function, line, and which call of that
    function it was), from your outermost frame down to the line that made the node,
    skipping this package's frames and those of the standard library and installed packages.
    Nodes made at the same stack share one tuple. Read it with :func:`origin_of`. It holds
    for the thread that enters it; the record lives in the node and goes with it.
    """

    def entered(self, before: ModeState) -> ModeState:
        return ModeState(before.grad_enabled, before.anomaly, Recorder())


def origin_of(node: Value) -> tuple[CallSite, ...] | None:
    """Where ``node`` was made: its call stack as :class:`~tinygrad_edu.core.origins.CallSite`
    tuples, outermost first (``()`` if no frame of yours was on the stack), or ``None`` for a
    node made outside ``origins()`` and ``detect_anomaly()``."""
    try:
        return node._origin
    except AttributeError:  # the slot is left unset on the fast path
        return None


def built_at(node: Value) -> str:
    """`` (built at file.py, line 12)`` for a node whose origin was recorded, else ``""``."""
    stack = origin_of(node)
    if not stack:
        return ""
    site = stack[-1]
    return f" (built at {site.file}, line {site.line})"


def record_origin(node: Value) -> None:
    """Record where ``node`` is being made, if this thread records origins."""
    recorder = _state.get().recorder
    if recorder is not None:
        recorder.record(node)


class gc_paused:  # noqa: N801 - a mode like no_grad
    """Context manager: pause Python's cyclic garbage collector, e.g. for one training step.

    A graph of Values has no reference cycles (a node refers to its operands, never to its
    users), so reference counting frees a step's graph the moment its last reference goes.
    The cyclic collector can free none of it, yet while the graph grows it is triggered by
    every few hundred new nodes and re-scans them. ``train()`` runs each step inside this
    context. Cyclic garbage made inside is collected as usual after it; a collector that was
    already off stays off. Unlike the modes above it is process-wide, as the collector is.
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
