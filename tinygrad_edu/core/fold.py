"""Folding ``sum()``'s chain into one Σ node while it is built (the op :class:`~.ops.FoldedSum`).

``sum(w * x for w, x in zip(ws, xs))`` starts from the integer 0 and adds one term at a time,
so a plain engine makes a chain: ``0 + p₁`` then ``(0 + p₁) + p₂`` and so on, 2n nodes of
which nobody ever sees the partial sums. Here ``0 + t`` (Python's ``sum()`` starts so) makes a
Σ node, and adding a term to a Σ node *that nobody else holds* appends the term to it in place
instead of making a new node. A term that is a product nobody else holds is kept as its pair
(w, x) inside the Σ node, so the product is no node either. A transformer's ``linear()`` then
makes one node per output instead of 2n.

"Nobody else holds it" is read from the reference count, as NumPy elides temporaries: inside
``Value.__add__`` a partial sum that only ``sum()`` (or the expression being evaluated) holds
has exactly :data:`TEMPORARY` references, and one held by anybody else (a variable, a list, a
node built on it) has more. A sum someone holds therefore stays a node, and adding to it makes
an ordinary ``+`` node, so the fold never changes what anyone can see: the value is summed in
the same order, and every term is still an edge with its local derivative. Where the
reference count cannot be read (Python implementations other than CPython), nothing is folded.

``unfolded()`` turns the fold off in a block, for a lesson that wants the binary chain.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, cast

from tinygrad_edu.core import ops
from tinygrad_edu.core.modes import Mode

if TYPE_CHECKING:
    from tinygrad_edu.core.engine import Value


class _Probe:
    """Records the reference counts it sees inside ``__add__`` and ``__radd__``, called as
    ``Value``'s are: by ``sum()``, and by ``+`` on objects only the expression holds."""

    def __init__(self) -> None:
        self.seen: list[int] = []

    def __add__(self, other: _Probe) -> _Probe:
        mine, theirs = sys.getrefcount(self), sys.getrefcount(other)
        self.seen += (mine, theirs)
        return self

    def __radd__(self, other: int) -> _Probe:
        mine = sys.getrefcount(self)
        self.seen.append(mine)
        return self


def _temporary_count() -> int:
    """The reference count of an object nobody holds, seen inside ``__add__``; 0 (never
    equal to a count) where it cannot be read or the probes disagree."""
    if sys.implementation.name != "cpython" or not hasattr(sys, "getrefcount"):
        return 0
    in_sum = cast(_Probe, sum(_Probe() for _ in range(3)))  # 0 + p, then p + q and p + r
    seen = in_sum.seen + (_Probe() + _Probe()).seen
    return seen[0] if len(set(seen)) == 1 else 0


TEMPORARY = _temporary_count()
"""The reference count, read inside ``Value.__add__``, of a value nobody else holds."""

getrefcount = sys.getrefcount if TEMPORARY else (lambda value: -1)

_folding = [TEMPORARY > 0]  # a list, so unfolded() can switch it off and back


@contextmanager
def unfolded() -> Iterator[None]:
    """Inside the block, ``sum()`` builds the binary chain of ``+`` nodes (and ``*`` nodes),
    as an engine without the fold does. Not thread-local: it switches the whole process."""
    before = _folding[0]
    _folding[0] = False
    try:
        yield
    finally:
        _folding[0] = before


def folding() -> bool:
    """Whether ``sum()`` folds its chain now."""
    return _folding[0]


def first_terms(zero: Value, term: Value, term_is_temporary: bool) -> tuple[list[Any], list[Any]]:
    """The operands (``_a``, ``_b``) of the Σ node of ``0 + term``, the first step of
    ``sum()``: the constant 0 (``zero``, the leaf the chain would have) and ``term``, as its
    pair (w, x) if it is a product nobody else holds."""
    if term_is_temporary and term._operation is ops.Mul:
        return [zero, term._a], [None, term._b]
    return [zero, term], [None, None]


def extend_sum(partial: Value, term: Value, term_is_temporary: bool) -> bool:
    """Append ``term`` to ``partial``, a Σ node nobody else holds, in place (a temporary
    product as its pair), and say so; ``False`` where the sum would hold inf or NaN or a mode
    is on, where ``partial + term`` must be an ordinary ``+`` node so every rule of
    ``make_node`` holds."""
    total = partial.data + term.data
    if total - total != 0.0 or not Mode.plain:
        return False
    if term_is_temporary and term._operation is ops.Mul:
        partial._a.append(term._a)
        partial._b.append(term._b)
    else:
        partial._a.append(term)
        partial._b.append(None)
    partial.data = total
    return True
