"""Where each node was made: the user's call stack, recorded under ``origins()`` (and
``detect_anomaly()``), for the lenses to group a big graph by the functions that built it.

A node's origin is a tuple of :class:`CallSite`, from the user's outermost frame down to the
line that made the node. Frames of this package, of the standard library and of installed
packages are left out, so a node made by ``Value.__mul__`` inside your ``linear()`` called by
your ``gpt()`` reads ``(… gpt line 40 call 1, linear line 12 call 3)``.

The record is made for every node, so it is built to be cheap:

* Every node made by one call of a function at one line shares one tuple (interned), and the
  node holds it in a slot of its own: nothing outside the node keeps it, so it goes with the
  node and keeps no graph alive.
* The recorder remembers the frames it last walked through (holding them, so that a frame
  met again is the same call and not a new one at a reused address). A node made by the
  same call as the last one costs a frame walk over the package's frames and one dict look-up;
  a new call walks up only to the first frame already known. A plain function's frame, while
  it runs, sits on a stack that cannot change above it; a generator's frame can be resumed from
  elsewhere, so the walk never stops at one.
"""

from __future__ import annotations

import os
import sys
from types import CodeType, FrameType
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from tinygrad_edu.core.engine import Value

_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
# generators, coroutines and async generators: frames that can be resumed from another caller
_RESUMABLE = 0x20 | 0x80 | 0x200


class CallSite(NamedTuple):
    """One frame of the user's code on the stack when a node was made.

    ``call`` tells calls of one function apart: 1 for the first call of ``function`` that
    made a node under this ``origins()`` block, 2 for the next, and so on (two calls made
    from one line in a loop are two calls).
    """

    file: str
    function: str
    line: int
    call: int


Stack = tuple[CallSite, ...]


class _Call:
    """One running call of a user function, as the recorder last saw it."""

    __slots__ = ("frame", "resumable", "call", "above", "by_offset", "by_line")

    def __init__(self, frame: FrameType, call: int, above: Stack) -> None:
        self.frame = frame  # held, so no later frame can take its address while known
        self.resumable = bool(frame.f_code.co_flags & _RESUMABLE)
        self.call = call
        self.above = above  # the stack of its callers, fixed while it runs
        self.by_offset: dict[int, Stack] = {}  # instruction offset -> this call's stack there
        self.by_line: dict[int, Stack] = {}

    def stack(self) -> Stack:
        """The stack of this call at the instruction it is running now."""
        frame = self.frame
        offset = frame.f_lasti
        found = self.by_offset.get(offset)
        if found is None:
            line = frame.f_lineno or 0
            found = self.by_line.get(line)
            if found is None:
                code = frame.f_code
                site = CallSite(code.co_filename, code.co_qualname, line, self.call)
                found = self.by_line[line] = (*self.above, site)
            self.by_offset[offset] = found
        return found


class Recorder:
    """Records the origin of each node made in one ``origins()`` (or ``detect_anomaly()``)
    block of one thread."""

    def __init__(self) -> None:
        self._path: list[_Call] = []  # the calls last walked through, outermost first
        self._calls: dict[int, int] = {}  # id(code) -> how many calls of it were met
        # the last node's frame (a plain function's), instruction offset and stack
        self._frame: FrameType | None = None
        self._offset = -1
        self._stack: Stack = ()

    def record(self, node: Value) -> None:
        """Store the stack that is making ``node`` in its ``_origin`` slot."""
        # 2: past this method's caller, always the package's (settle, or record_origin)
        frame: FrameType | None = sys._getframe(2)
        while frame is not None:
            mine = _USERS.get(id(frame.f_code))
            if mine is None:
                mine = _classify(frame.f_code)
            if mine:
                break
            frame = frame.f_back
        if frame is None:
            node._origin = ()  # made with no frame of the user's
            return
        if frame is self._frame and frame.f_lasti == self._offset:
            node._origin = self._stack  # the usual case: made where the last node was
            return
        path = self._path
        if path and path[-1].frame is frame and not path[-1].resumable:
            call = path[-1]  # the same call as the last node, at another instruction
        else:
            call = self._walk(frame)
        node._origin = stack = call.stack()
        if not call.resumable:
            self._frame, self._offset, self._stack = frame, frame.f_lasti, stack

    def _walk(self, frame: FrameType | None) -> _Call:
        """Bring the known path up to date for a node made in ``frame`` and return its call.

        Walks up to the first known call of a plain function: it still runs, so everything
        above it is as it was. Each frame met on the way is a new call, except a known
        generator's, which keeps its number (its callers may have changed)."""
        known = {id(call.frame): call for call in self._path}
        met: list[tuple[FrameType, int]] = []  # (frame, its call number or 0 for a new call)
        stop: _Call | None = None
        while frame is not None:
            mine = _USERS.get(id(frame.f_code))
            if mine is None:
                mine = _classify(frame.f_code)
            if mine:
                call = known.get(id(frame))
                if call is not None and not call.resumable:
                    stop = call
                    break
                met.append((frame, call.call if call is not None else 0))
            frame = frame.f_back
        path = self._path[: self._path.index(stop) + 1] if stop is not None else []
        for made, number in reversed(met):
            if not number:
                number = self._calls.get(id(made.f_code), 0) + 1
                self._calls[id(made.f_code)] = number
            path.append(_Call(made, number, path[-1].stack() if path else ()))
        self._path = path
        return path[-1]


# id(code) -> whether frames running it are the user's (see _classify). Keyed by id, because a
# code object hashes its whole contents; the code objects are kept, so no id is reused.
_USERS: dict[int, bool] = {}
_KEPT: list[CodeType] = []
_NOT_USERS: list[str] = []  # folders of code that is not the user's, filled on first use


_COMPREHENSIONS = frozenset(("<listcomp>", "<dictcomp>", "<setcomp>", "<genexpr>"))


def _classify(code: CodeType) -> bool:
    """Whether frames running ``code`` are the user's: not in this package, the standard
    library or an installed package's folder, not frozen (``<frozen runpy>``), and not a
    comprehension (Python 3.11 runs one in a frame of its own; 3.12 inlines it)."""
    if not _NOT_USERS:
        import site
        import sysconfig

        paths = sysconfig.get_paths()
        folders = {paths[name] for name in ("stdlib", "platstdlib", "purelib", "platlib")}
        folders.update(site.getsitepackages())
        folders.add(site.getusersitepackages())
        _NOT_USERS.extend(os.path.join(os.path.abspath(f), "") for f in folders if f)
        _NOT_USERS.append(_PACKAGE)
    file = code.co_filename
    if file.startswith("<frozen ") or code.co_name in _COMPREHENSIONS:
        mine = False  # a comprehension runs as part of the line that holds it
    else:
        path = os.path.abspath(file) if not file.startswith("<") else file
        mine = not any(path.startswith(folder) for folder in _NOT_USERS)
    _KEPT.append(code)
    _USERS[id(code)] = mine
    return mine
