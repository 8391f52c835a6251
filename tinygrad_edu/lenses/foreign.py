"""Graphs of other engines' ``Value`` classes, shown by the lenses: a learner's own micrograd,
a copy of microgpt's class, micrograd itself.

The lenses read a graph of this engine's nodes. A graph made by another class is read once,
through one of the two protocols scalar engines use, into a *mirror*: a graph of this
engine's nodes with the same numbers, in which each node's op is :class:`Mirrored` (a node
with its local derivatives given), holding the local derivatives the other class gives (it
cannot hold that class's math):

* **micrograd's protocol**: ``data``, ``grad``, ``_prev`` (the children), ``_op`` (a
  symbol) and a per-node ``_backward()``. The local derivative ∂node/∂child is measured by
  running ``_backward()`` with ``node.grad = 1`` and the children's gradients at 0 (they
  are put back). ``_prev`` is often a set: its order is Python's, and a child used twice
  (``x * x``) is one edge carrying both uses.
* **the local-gradients protocol** (microgpt's): ``data``, ``grad``, ``_children`` and
  ``_local_grads``, one number per child, in order.

Each mirror node keeps the other node's ``.data``, ``.grad`` and ``label`` (if it has a str
one), so a drawing shows the learner's own gradients and ``explain``'s check line compares
the chain rule with them. A class the lenses cannot read gets a ``TypeError`` that names the
class, its module and what its nodes lack.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tinygrad_edu.core import Value, ops
from tinygrad_edu.core.engine import settle

if TYPE_CHECKING:
    from tinygrad_edu.core.engine import Value as CoreValue

__all__ = ["Mirror", "Mirrored", "class_name", "mirror", "mirrored_op"]


class Mirrored(ops.GivenLocal):
    """A node of another engine: a node with its local derivatives given (its children in
    ``_a``, one local derivative each in ``_b``, as :class:`~tinygrad_edu.core.ops.GivenLocal`
    keeps them), shown with the symbol the other class gives its op (micrograd's ``_op``):
    one subclass per symbol, :func:`mirrored_op`."""

    symbol = "f"

    @staticmethod
    def rule(out: CoreValue, operand: int, args: Sequence[str], result: str) -> str:
        return f"the local derivative the node's own class gives, ∂{result}/∂{args[operand]}"


@functools.cache
def mirrored_op(symbol: str) -> type[Mirrored]:
    """The op of the other class's nodes named ``symbol`` (one class per symbol, made once)."""
    return type(f"Mirrored[{symbol}]", (Mirrored,), {"symbol": symbol, "__doc__": Mirrored.__doc__})


@dataclass
class Mirror:
    """A graph of another class read into this engine's nodes: ``root`` and, by ``id`` of
    each original node, its mirror (originals are compared by identity only, never with
    their own ``==`` or hash)."""

    root: Value
    given: Any  # the root as passed: a node of the other class
    nodes: dict[int, Value]
    originals: list[Any]  # kept alive, so no id is reused while the mirror lives
    class_name: str


def class_name(value: object) -> str:
    """``Value from module 'microgpt'``: a class named so that two classes called ``Value``
    are told apart."""
    cls = type(value)
    return f"{cls.__qualname__} from module {cls.__module__!r}"


def _protocol(node: Any) -> str | None:
    if hasattr(node, "_children") and hasattr(node, "_local_grads"):
        return "local gradients"
    if hasattr(node, "_prev") and callable(getattr(node, "_backward", None)):
        return "micrograd"
    return None


def _children(node: Any, protocol: str) -> list[Any]:
    return list((node._children if protocol == "local gradients" else node._prev) or ())


def _number(node: Any, attribute: str, what: str) -> float:
    try:
        number = float(getattr(node, attribute))
    except (AttributeError, TypeError, ValueError):
        raise TypeError(
            f"{what}: a node of {class_name(node)} has no number in .{attribute} "
            f"(got {getattr(node, attribute, None)!r})"
        ) from None
    return number


def _measured_locals(node: Any, children: list[Any]) -> tuple[float, ...]:
    """∂node/∂child for each child of a micrograd-protocol node: its ``_backward()`` run
    with ``node.grad = 1`` on children whose gradients start at 0 (all put back after)."""
    saved = [child.grad for child in children]
    saved_own = node.grad
    try:
        for child in children:
            child.grad = 0.0
        node.grad = 1.0
        node._backward()
        return tuple(float(child.grad) for child in children)
    except Exception:  # a rule that fails when run alone: its derivatives are unknown
        return tuple(math.nan for _ in children)
    finally:
        for child, grad in zip(children, saved, strict=True):
            child.grad = grad
        node.grad = saved_own


def mirror(root: Any, what: str) -> Mirror:
    """The graph below ``root``, a node of another engine's class, as this engine's nodes.

    Raises:
        TypeError: if ``root``'s class follows neither protocol (the message names the
            class, its module and what its nodes lack), or a node holds no number.
    """
    protocol = _protocol(root)
    if protocol is None or not hasattr(root, "data") or not hasattr(root, "grad"):
        raise TypeError(
            f"{what} must be a Value, got {class_name(root)}: its nodes have neither this "
            "engine's form nor one the lenses can read (data and grad, with _children and "
            "_local_grads as microgpt keeps them, or _prev and _backward() as micrograd does)"
        )
    nodes: dict[int, Value] = {}
    originals: list[Any] = []
    stack: list[tuple[Any, bool]] = [(root, False)]  # children first, without recursion
    while stack:
        node, ready = stack.pop()
        if id(node) in nodes:
            continue
        if isinstance(node, Value):  # a node of this engine inside the other graph
            nodes[id(node)] = node
            continue
        node_protocol = _protocol(node) or protocol
        children = _children(node, node_protocol)
        if not ready:
            stack.append((node, True))
            stack.extend((child, False) for child in reversed(children) if id(child) not in nodes)
            continue
        nodes[id(node)] = _mirror_node(node, node_protocol, children, nodes, what)
        originals.append(node)
    return Mirror(nodes[id(root)], root, nodes, originals, class_name(root))


def _mirror_node(
    node: Any, protocol: str, children: list[Any], made: dict[int, Value], what: str
) -> Value:
    label = getattr(node, "label", "")
    copy = Value(_number(node, "data", what), label if isinstance(label, str) else "")
    copy.grad = _number(node, "grad", what)
    if not children:
        return copy
    if protocol == "local gradients":
        given = tuple(node._local_grads)
        if len(given) != len(children):
            raise TypeError(
                f"{what}: a node of {class_name(node)} has {len(children)} children but "
                f"{len(given)} local gradients; _local_grads needs one number per child"
            )
        local_derivatives = tuple(float(local) for local in given)
    else:
        local_derivatives = _measured_locals(node, children)
    symbol = getattr(node, "_op", "")
    symbol = symbol if isinstance(symbol, str) and symbol else Mirrored.symbol
    copy._operation = mirrored_op(symbol)
    copy._a = tuple(made[id(child)] for child in children)
    copy._b = local_derivatives
    settle(copy)  # the engine's rules for a new node (no inf or NaN; the modes)
    return copy
