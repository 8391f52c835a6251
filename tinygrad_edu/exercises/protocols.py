"""The two ways a learner's ``Value`` can keep its graph, and how to run one node's rule.

* **micrograd's protocol**: each node has ``data``, ``grad``, ``_prev`` (its children) and
  ``_op`` (a symbol), and a per-node ``_backward()`` that adds to its children's ``grad``;
  ``backward()`` orders the nodes and calls each ``_backward()``. A node's rule can then be
  run on its own: set the gradients, call ``_backward()``, read them back.
* **the local-gradients protocol**: each node has ``_children`` and ``_local_grads`` (one
  number per child, ∂node/∂child), and ``backward()`` itself multiplies and adds. A node's
  rule is then its ``_local_grads``; how they are multiplied and added is ``backward()``'s
  job, which only whole-graph probes can check.

Learners' nodes are compared by identity (``id``) here, never with their ``==`` or hash,
which a learner's class may define in any way.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Sequence
from typing import Any, ClassVar

from tinygrad_edu.exercises.diagnosis import close


class ProtocolError(TypeError):
    """The class follows neither protocol; the message says what it lacks."""


class Protocol:
    """How to read a learner's node and run its rule."""

    name: ClassVar[str]
    description: ClassVar[str]
    can_overwrite: ClassVar[bool]  # the node's rule writes the children's grad itself

    @staticmethod
    def children(node: Any) -> list[Any]:
        raise NotImplementedError

    @staticmethod
    def op_name(node: Any) -> str | None:
        """The node's op as the class names it (micrograd's ``_op``), if it names it."""
        name = getattr(node, "_op", None)
        return name if isinstance(name, str) and name else None

    def op_of(self, node: Any) -> str | None:
        """The node's op: as the class names it, else recognised from its numbers."""
        return self.op_name(node) or recognise(node, self.children(node))

    def run_rules(
        self, out: Any, operands: Sequence[Any], before: Sequence[float], upstream: float
    ) -> list[float]:
        """The operands' gradients after the rules of the nodes from ``out`` down to them,
        with ``out.grad = upstream`` and each operand's gradient ``before`` to start with."""
        raise NotImplementedError

    def interior(self, out: Any, operands: Sequence[Any]) -> list[Any]:
        """The nodes between ``out`` and the operands that have children, ``out`` first and
        each node before its children (the order backward visits them)."""
        stop = {id(operand) for operand in operands}
        order: list[Any] = []
        seen = set(stop)
        stack: list[tuple[Any, bool]] = [(out, False)]
        while stack:
            node, expanded = stack.pop()
            if expanded:
                order.append(node)
                continue
            if id(node) in seen or not self.children(node):
                continue
            seen.add(id(node))
            stack.append((node, True))
            stack.extend((child, False) for child in self.children(node))
        return order[::-1]


class Micrograd(Protocol):
    name = "micrograd"
    description = "micrograd's protocol: data, grad, _prev, _op, _backward() and backward()"
    can_overwrite = True

    @staticmethod
    def children(node: Any) -> list[Any]:
        return list(getattr(node, "_prev", ()) or ())

    def run_rules(
        self, out: Any, operands: Sequence[Any], before: Sequence[float], upstream: float
    ) -> list[float]:
        nodes = self.interior(out, operands)
        for node in nodes:
            node.grad = 0.0
        out.grad = upstream
        for operand, grad in zip(operands, before, strict=True):
            operand.grad = grad
        for node in nodes:
            node._backward()
        return [float(operand.grad) for operand in operands]


class LocalGradients(Protocol):
    name = "local gradients"
    description = "the local-gradients protocol: data, grad, _children, _local_grads and backward()"
    can_overwrite = False

    @staticmethod
    def children(node: Any) -> list[Any]:
        return list(getattr(node, "_children", ()) or ())

    def run_rules(
        self, out: Any, operands: Sequence[Any], before: Sequence[float], upstream: float
    ) -> list[float]:
        grads = {id(out): upstream}
        for node in self.interior(out, operands):
            children, local_grads = self.children(node), list(node._local_grads)
            if len(children) != len(local_grads):
                raise ValueError(
                    f"a node has {len(children)} children but {len(local_grads)} local "
                    "gradients; _local_grads needs one number per child, in the same order"
                )
            upstream_here = grads.get(id(node), 0.0)
            for child, local in zip(children, local_grads, strict=True):
                grads[id(child)] = grads.get(id(child), 0.0) + float(local) * upstream_here
        return [b + grads.get(id(op), 0.0) for op, b in zip(operands, before, strict=True)]


# The ops a node may be made by, recognised by what it computed from its children's numbers
# (at the probes' points no two of them agree); "-a" built as a * -1 is a "*" node.
_BINARY: tuple[tuple[str, Callable[[float, float], float]], ...] = (
    ("+", lambda a, b: a + b),
    ("*", lambda a, b: a * b),
    ("-", lambda a, b: a - b),
    ("/", lambda a, b: a / b if b else math.nan),
)
_UNARY: tuple[tuple[str, Callable[[float], float]], ...] = (
    ("neg", lambda x: -x),
    ("exp", math.exp),
    ("log", math.log),
    ("tanh", math.tanh),
    ("sigmoid", lambda x: 0.5 * (1.0 + math.tanh(x / 2.0))),
    ("relu", lambda x: max(x, 0.0)),
)
_POWERS = (2.0, 3.0, -1.0, -2.0, 0.5)


def recognise(node: Any, children: Sequence[Any]) -> str | None:
    """The op that computes ``node.data`` from its children's numbers, if one does."""
    try:
        xs, out = [float(child.data) for child in children], float(node.data)
    except (AttributeError, TypeError, ValueError):
        return None
    return recognise_numbers(xs, out)


def recognise_numbers(xs: Sequence[float] | None, out: float | None) -> str | None:
    """The op that computes ``out`` from the numbers ``xs``, if one does."""
    if xs is None or out is None:
        return None
    candidates: list[tuple[str, Callable[..., float]]] = []
    if len(xs) == 2:
        candidates += _BINARY
    elif len(xs) == 1:
        candidates += _UNARY
        candidates += [(f"**{n:g}", lambda x, n=n: math.pow(x, n)) for n in _POWERS]
    for name, forward in candidates:
        try:
            if close(forward(*xs), out):
                return name
        except (ArithmeticError, ValueError):
            continue
    return None


REQUIRED = ("data", "grad", "backward")


def _first_node(a: Any, b: Any) -> tuple[Any, str]:
    """``a * b``, or ``a + b`` for a class without ``*``; else ``None`` and what they raised."""
    errors = []
    for operation, symbol in ((operator.mul, "*"), (operator.add, "+")):
        try:
            return operation(a, b), ""
        except Exception as error:  # the class may support only one of them
            errors.append(f"a {symbol} b raised {type(error).__name__}: {error}")
    return None, "; ".join(errors)


def detect(value_class: type) -> Protocol:
    """The protocol of ``value_class``, read from a node it makes (``a * b``, else ``a + b``).

    Raises:
        ProtocolError: if it cannot make leaves or nodes, or follows neither protocol.
    """
    name = value_class.__name__
    try:
        a, b = value_class(0.5), value_class(2.0)
    except Exception as error:
        raise ProtocolError(
            f"check_engine makes leaves with {name}(number), but {name}(0.5) raised "
            f"{type(error).__name__}: {error}"
        ) from None
    node, why = _first_node(a, b)
    if node is None:
        raise ProtocolError(f"{name} supports neither a * b nor a + b ({why})")
    missing = [attribute for attribute in REQUIRED if not hasattr(node, attribute)]
    if missing:
        raise ProtocolError(f"{name}'s nodes have no {', '.join(missing)}")
    if hasattr(node, "_prev") and callable(getattr(node, "_backward", None)):
        return Micrograd()
    if hasattr(node, "_children") and hasattr(node, "_local_grads"):
        return LocalGradients()
    raise ProtocolError(
        f"{name} follows neither protocol check_engine knows: micrograd's (_prev and a "
        "per-node _backward()) or the local-gradients one (_children and _local_grads)"
    )
