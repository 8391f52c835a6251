"""A learner's scalar autograd class, replaced by the engine's: what ``tinygrad-edu run`` does.

:func:`engine_class` takes the class a script defined and returns a subclass of the engine's
``Value`` for its protocol (:data:`PROTOCOLS`): microgpt's (``_children``, ``_local_grads``)
gives a subclass of ``tinygrad_edu.microgpt.Value``, micrograd's (``_prev``, ``_backward``) one
of ``tinygrad_edu.micrograd.Value``. The engine's methods replace the learner's of the same
name (``__add__``, ``relu``, ``backward`` …); the learner's others (a ``gelu``, a ``tanh`` the
engine does not have, a constant) are kept, and run unchanged: their ``Value(...)`` is the
script's global name, which now means the new class.

A kept method that returns a node made by hand (microgpt's ``Value(f, (self,), (df,))``,
micrograd's ``out._backward = …``) is checked at its first use, as ``custom_op`` checks an op:
each local derivative against a central difference of the method itself, with the same
:class:`~tinygrad_edu.custom_ops.LocalDerivativeError` when they disagree. Its nodes show the
method's name as their op.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from tinygrad_edu.core import Value as CoreValue
from tinygrad_edu.core import ops
from tinygrad_edu.custom_ops.first_use import check_local
from tinygrad_edu.microgpt.engine import Value as MicrogptValue
from tinygrad_edu.micrograd import Value as MicrogradValue
from tinygrad_edu.micrograd.ops import HandWritten

# protocol name: (the attributes that tell it, the engine's class for it)
PROTOCOLS: dict[str, tuple[tuple[str, str], type[CoreValue]]] = {
    "microgpt": (("_children", "_local_grads"), MicrogptValue),
    "micrograd": (("_prev", "_backward"), MicrogradValue),
}

# what every class has or Python adds: never "a method the engine lacks"
_CLASS_MACHINERY = {
    "__module__", "__qualname__", "__doc__", "__dict__", "__weakref__", "__slots__",
    "__firstlineno__", "__static_attributes__", "__annotations__", "__orig_bases__",
}  # fmt: skip
# the protocols' own attributes, which the engine's classes provide
_PROTOCOL_ATTRIBUTES = {"data", "grad", "label", "_children", "_local_grads", "_prev", "_op"}


@dataclass
class Swap:
    """What replacing one class did: the engine's class, and the learner's names it kept."""

    learner: str  # the class's name in the script
    protocol: str
    engine: type[CoreValue]
    kept: list[str] = field(default_factory=list)

    def summary(self) -> str:
        line = f"class {self.learner} ran as tinygrad_edu.{self.protocol}.Value"
        if self.kept:
            line += f", keeping your {', '.join(self.kept)}"
            if any(name in self.checked for name in self.kept):
                line += " (local derivatives checked at first use)"
        return line

    @property
    def checked(self) -> list[str]:
        return [name for name, value in vars(self.engine).items() if _is_checked(value)]


def engine_class(learner: type, protocol: str) -> Swap:
    """The engine's class standing in for ``learner``, a class of ``protocol``."""
    base = PROTOCOLS[protocol][1]
    namespace: dict[str, Any] = {
        "__module__": learner.__module__,
        "__qualname__": learner.__qualname__,
        "__doc__": learner.__doc__,
    }
    swap = Swap(learner.__name__, protocol, base)
    own_slots = set(_slots_of(learner))
    for name, value in vars(learner).items():
        if name in _CLASS_MACHINERY or name in own_slots or hasattr(base, name):
            continue
        namespace[name] = _checked_on_first_use(learner, name, value)
        swap.kept.append(name)
    if "__slots__" in vars(learner):
        # the learner's extra slots (a `param_idx`, say) stay; the protocol's are the engine's
        namespace["__slots__"] = tuple(sorted(own_slots - _PROTOCOL_ATTRIBUTES))
    swap.engine = type(learner.__name__, (base,), namespace)
    return swap


def _slots_of(cls: type) -> Sequence[str]:
    slots = vars(cls).get("__slots__", ())
    return (slots,) if isinstance(slots, str) else tuple(slots)


def _is_checked(value: object) -> bool:
    return callable(value) and hasattr(value, "first_use")


def _checked_on_first_use(learner: type, name: str, value: object) -> object:
    """A plain method wrapped so that its first hand-made node is checked; anything else as
    it was."""
    if not callable(value) or isinstance(value, (staticmethod, classmethod, type)):
        return value
    method: Callable[..., Any] = value
    named_op = type(f"Given_{name}", (ops.GivenLocal,), {"symbol": name})
    check = FirstUse(f"{learner.__name__}.{name}", name, method)

    @functools.wraps(method)
    def checked(self: Any, *args: Any, **kwargs: Any) -> Any:
        out = method(self, *args, **kwargs)
        if isinstance(out, CoreValue):
            if out._operation is ops.GivenLocal:
                out._operation = named_op  # drawings and steps show "gelu", not "given"
            if not check.done:
                check.done = check.run(self, args, kwargs, out)
        return out

    checked.first_use = check  # type: ignore[attr-defined]
    return checked


class FirstUse:
    """The first-use check of one kept method: the method is the op's ``forward``, the local
    derivatives its node was given are its ``local`` (the protocol ``check_local`` reads)."""

    def __init__(self, qualified: str, name: str, method: Callable[..., Any]) -> None:
        self.qualified, self.method = qualified, method
        self.symbol = name
        self.names: tuple[str, ...] = ()
        self.done = False
        self._call: Callable[[Sequence[float]], CoreValue] | None = None
        self._positions: list[int] = []

    @property
    def subject(self) -> str:
        return f"{self.qualified} (a node made with its local derivatives given)"

    @property
    def fix(self) -> str:
        return f"fix the local derivative that {self.qualified} gives its new node"

    def run(self, node: CoreValue, args: tuple[Any, ...], kwargs: dict[str, Any], out: Any) -> bool:
        """Check ``out``, made by ``node.method(*args, **kwargs)``; whether it was checked."""
        if out._operation is None or not issubclass(out._operation, (ops.GivenLocal, HandWritten)):
            return True  # made by the engine's own ops, whose derivatives are right
        operands = [node, *args]
        children = list(out.children)
        # the operands that are children of the node, once each: those can be varied
        checkable = [
            i
            for i, x in enumerate(operands)
            if isinstance(x, CoreValue) and sum(c is x for c in children) == 1
        ]
        if not checkable:
            return True  # nothing this check can vary
        self._positions = [children.index(operands[i]) for i in checkable]
        self.names = tuple("self" if i == 0 else f"argument {i}" for i in checkable)
        leaf = type(node)

        def call(xs: Sequence[float]) -> CoreValue:
            varied = list(operands)
            for i, x in zip(checkable, xs, strict=True):
                varied[i] = leaf(x)
            made: CoreValue = self.method(*varied, **kwargs)
            return made

        self._call = call
        return check_local(self, [operands[i].data for i in checkable], out.data)

    def forward(self, *xs: float) -> float:
        assert self._call is not None
        return self._call(xs).data

    def local_values(self, xs: Sequence[float], out: float) -> tuple[float, ...]:
        assert self._call is not None
        made = self._call(xs)
        derivatives = made.local_derivatives()
        return tuple(float(derivatives[p]) for p in self._positions)
