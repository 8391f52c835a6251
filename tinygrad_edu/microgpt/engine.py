"""microgpt's ``Value``, built on tinygrad_edu's engine.

microgpt's protocol: ``Value(data, children=(), local_grads=())``; a node keeps ``data``,
``grad``, ``_children`` and ``_local_grads``, and ``backward()`` runs, for every node from the
root down, ``child.grad += local_grad * v.grad``. This ``Value`` builds microgpt's graph node
for node, with the local derivatives microgpt computes, except that a ``sum()`` is one node:

===================  ===========================  ======================================
you write            microgpt builds              node (op: children) and local grads
===================  ===========================  ======================================
``a + b``, ``a * b``   the op itself                ``+: a, b`` (1, 1); ``*: a, b`` (b, a)
``1 + a``, ``2 * a``   ``a + 1``, ``a * 2``         the number becomes a leaf, second
``sum(xs)``          ``0 + x₁``, then ``+ x₂`` …    one ``Σ: x₁, 0, x₂, …`` (1 each), below
``-a``               ``a * -1``                   ``*: a, -1``
``a - b``, ``a - 3``   ``a + (-b)``, ``a + (-3)``     ``+: a, (*: b, -1)``; ``+: a, -3``
``a / b``, ``a / 4``   ``a * b**-1``, ``a * 4**-1``   ``*: a, (**-1: b)``; ``*: a, 0.25``
``x ** n``           the op ``**n``               n·xⁿ⁻¹ (n is a number, not a child)
``x.log()``          ``log: x``                   1/x
``x.exp()``          ``exp: x``                   eˣ, the node's own value
``x.relu()``         ``relu: x``                  1.0 if x > 0, else 0.0
``Value(d, cs, ls)``   a node made by hand          ``given: *cs`` with ``ls`` as given
===================  ===========================  ======================================

``sum()``'s chain is folded into one Σ node while it is built (:mod:`tinygrad_edu.core.fold`,
the op :class:`~tinygrad_edu.core.ops.FoldedSum`): each ``+`` of a partial sum that nobody else
holds appends the term to the Σ node instead of making a node, and a product ``w * x`` that
nobody else holds is kept in it as its two factors, so ``sum(w * x for …)``, 90% of a GPT's
nodes, is one node with an edge per factor, in microgpt's order (w₁, x₁, 0, w₂, x₂, …), each
with microgpt's local derivative (x₁, w₁, 1, x₂, w₂, …). A partial sum or a product that anybody
holds (a variable, a list, another node) stays a node, as microgpt builds it; where reference
counts cannot be read, or inside ``unfolded()``, nothing is folded and the graph is microgpt's
node for node.

The engine visits the nodes in microgpt's order (a depth-first search over the children in
their order, then the reverse), and each op adds ``local × upstream`` as microgpt does, so
values and gradients are bit-identical to microgpt's own class (a test holds this on a GPT of
microgpt's shape: the fold adds each Σ node's terms as microgpt's chain adds them, and on that
graph no node gets a share between two links of a chain; on other graphs a gradient may differ
in the last bits, as a reordered float sum does). The nodes are tinygrad_edu Values in every
other way: ``no_grad()`` and ``detect_anomaly()`` apply, no op makes a node holding inf or NaN,
and a second ``backward()`` through the same graph adds exactly one more copy of each leaf's
gradient (microgpt's adds the interior nodes' old gradients again, as micrograd does).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from numbers import Real
from typing import Any

from tinygrad_edu.core import Value as CoreValue
from tinygrad_edu.core import ops
from tinygrad_edu.core.engine import make_node, settle
from tinygrad_edu.core.fold import TEMPORARY, folding, getrefcount
from tinygrad_edu.core.messages import describe, math_error, node_name, to_float
from tinygrad_edu.core.modes import Mode

Number = float | int

_new = object.__new__
_ADD, _MUL, _FOLDED = ops.Add, ops.Mul, ops.FoldedSum  # read on every +, module globals
_TEMPORARY = TEMPORARY  # the reference count of a value nobody holds (fold.py)
_count = getrefcount  # sys.getrefcount, or -1 (never TEMPORARY) where it cannot be read


class Value(CoreValue):
    """microgpt's ``Value(data, children=(), local_grads=())`` on tinygrad_edu's engine.

    ``Value(0.5)`` is a leaf. ``Value(f, (x, y), (dfdx, dfdy))`` is a node made by hand: its
    children, in order, and ∂node/∂childᵢ for each, numbers fixed now (the op
    :class:`~tinygrad_edu.core.ops.GivenLocal`). ``grad`` starts as microgpt's int 0; ``grad``
    and ``data`` may be set directly (``p.grad = 0``, ``p.data -= lr * g``).
    """

    __slots__ = ()  # a node stays one small object without a __dict__, as microgpt's is

    def __init__(
        self,
        data: Number,
        children: Sequence[CoreValue] = (),
        local_grads: Sequence[Number] = (),
    ) -> None:
        self.data = data if type(data) is float else to_float(data)
        self.grad = 0
        self.label = ""
        if not (children or local_grads):
            self._operation = self._a = self._b = None
            return
        self._operation, self._a, self._b = ops.GivenLocal, *_checked(children, local_grads)
        settle(self)  # the core's rules for a new node: inf or NaN, no_grad(), anomaly mode

    # ----- microgpt's names for a node's parts -------------------------------------------

    @property
    def _children(self) -> tuple[CoreValue, ...]:
        """The children, in order: the nodes this one was computed from."""
        return self.children

    @property
    def _local_grads(self) -> tuple[float, ...]:
        """∂self/∂childᵢ for each child, in the order of ``_children``."""
        return self.local_derivatives()

    # ----- microgpt's ops, node for node (see the module's table) -------------------------

    def __add__(self, other: CoreValue | Number) -> Value:
        cls = type(self)  # a script's class under `tinygrad-edu run` is a subclass
        if type(other) is not cls:
            other = _operand(other, "+")
        data = self.data + other.data
        # sum()'s next step on a Σ node that nobody else holds (core/fold.py): the term joins
        # it in place, a product nobody holds as its two factors. Written out rather than
        # calling fold.extend_sum: this line runs for 90% of a GPT's nodes.
        if self._operation is _FOLDED and _count(self) == _TEMPORARY:
            if data - data == 0.0 and Mode.plain:  # else a node, so make_node's rules hold
                if other._operation is _MUL and _count(other) == _TEMPORARY:
                    self._a.append(other._a)
                    self._b.append(other._b)
                else:
                    self._a.append(other)
                    self._b.append(None)
                self.data = data
                return self
        return make_node(data, _ADD, self, other, cls)  # type: ignore[return-value]

    def __radd__(self, other: Number) -> Value:  # sum() starts at the int 0: 0 + x is x + 0
        if other.__class__ is int and other == 0 and folding() and Mode.plain:
            # sum()'s first step, x₁ + 0 as microgpt makes it: a Σ node of x₁ and 0
            zero = _leaf(0.0)
            if self._operation is _MUL and _count(self) == _TEMPORARY:
                terms = [self._a, zero], [self._b, None]
            else:
                terms = [self, zero], [None, None]
            return make_node(self.data + 0.0, _FOLDED, *terms, type(self))  # type: ignore[return-value]
        return self + other

    def __mul__(self, other: CoreValue | Number) -> Value:
        cls = type(self)
        if type(other) is not cls:
            other = _operand(other, "*")
        # make_node, written out: every term of a linear map's sum() is one of these
        node = _new(cls)
        node.data = data = self.data * other.data
        node.grad, node.label = 0.0, ""
        node._operation, node._a, node._b = _MUL, self, other
        if data - data != 0.0 or not Mode.plain:  # inf or NaN, or a mode: the core's rules
            settle(node)
        return node

    def __rmul__(self, other: Number) -> Value:
        return self * other

    def __pow__(self, exponent: CoreValue | Number) -> Value:
        """xⁿ for a number n: the op ``**n`` with local derivative n·xⁿ⁻¹."""
        if isinstance(exponent, CoreValue):  # not microgpt's, but the core's op `pow`
            return _adopt(CoreValue.__pow__(self, exponent), type(self))
        n = to_float(exponent, "the exponent of '**'")
        try:
            data = math.pow(self.data, n)  # the bits of Python's self.data ** exponent
        except (OverflowError, ValueError, ZeroDivisionError) as error:
            raise math_error(error, f"**{ops.exponent_text(n)}", (self,)) from None
        return make_node(data, ops.PowConst, self, n, type(self))  # type: ignore[return-value]

    def log(self) -> Value:
        """ln x, for x > 0, with local derivative 1/x."""
        if not self.data > 0.0:
            raise ValueError(
                f"log of {self.data!r} at {node_name(self)}: log needs a positive input"
            )
        return make_node(math.log(self.data), ops.Log, self, None, type(self))  # type: ignore[return-value]

    def exp(self) -> Value:
        """eˣ, with local derivative eˣ."""
        try:
            data = math.exp(self.data)
        except OverflowError as error:
            raise math_error(error, "exp", (self,)) from None
        return make_node(data, ops.Exp, self, None, type(self))  # type: ignore[return-value]

    def relu(self) -> Value:
        """max(0, x), with local derivative 1.0 for x > 0, else 0.0."""
        x = self.data
        return make_node(x if x > 0.0 else 0.0, ops.Relu, self, None, type(self))  # type: ignore[return-value]

    def __neg__(self) -> Value:
        return self * -1.0

    def __sub__(self, other: CoreValue | Number) -> Value:
        return self + (-other)

    def __rsub__(self, other: Number) -> Value:
        return other + (-self)

    def __truediv__(self, other: CoreValue | Number) -> Value:
        if isinstance(other, CoreValue):
            return self * other**-1
        return self * _reciprocal(self, other)

    def __rtruediv__(self, other: Number) -> Value:
        return other * self**-1

    # the core's other ops (not microgpt's), as nodes of this Value
    def tanh(self) -> Value:
        return _adopt(CoreValue.tanh(self), type(self))

    def sigmoid(self) -> Value:
        return _adopt(CoreValue.sigmoid(self), type(self))

    def abs(self) -> Value:
        return _adopt(CoreValue.abs(self), type(self))


# ----- making nodes ------------------------------------------------------------------------


def _leaf(data: float) -> Value:
    """A new leaf for a number operand, without the constructor's checks."""
    node = _new(Value)
    node.data, node.grad, node.label = data, 0.0, ""
    node._operation = node._a = node._b = None
    return node


def _operand(x: object, op: str) -> CoreValue:
    """microgpt's ``other if isinstance(other, Value) else Value(other)``."""
    if type(x) is float:  # first: isinstance(x, CoreValue) asks the ABCs of a float
        return _leaf(x)
    if isinstance(x, CoreValue):
        return x
    return _leaf(to_float(x, f"the operand of '{op}'"))


def _adopt(made: CoreValue, cls: type[Value]) -> Value:
    """A node the core made, as a node of ``cls`` (the same op and operands)."""
    node = _new(cls)
    node.data, node.grad, node.label = made.data, made.grad, made.label
    node._operation, node._a, node._b = made._operation, made._a, made._b
    return node


def _reciprocal(x: Value, divisor: object) -> float:
    """microgpt's ``divisor ** -1`` for a number divisor (``x / 4`` is ``x * 0.25``)."""
    if isinstance(divisor, bool) or not isinstance(divisor, Real):
        raise TypeError(f"'/' needs a Value or a real number as divisor, got {describe(divisor)}")
    if divisor == 0:
        raise ZeroDivisionError(f"'/' divides {node_name(x)} = {x.data!r} by the number 0")
    reciprocal: Any = divisor**-1
    return to_float(reciprocal, "the divisor of '/'")


def _checked(children: object, local_grads: object) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """The children and their local derivatives as two tuples of equal length, or the error
    that says what is wrong with them."""
    where = "Value(data, children, local_grads)"
    for name, given in (("children", children), ("local_grads", local_grads)):
        if isinstance(given, (str, bytes, CoreValue)) or not isinstance(given, (tuple, list)):
            raise TypeError(f"{where}: {name} must be a tuple, got {describe(given)}")
    kids: tuple[Any, ...] = tuple(children)  # type: ignore[arg-type]
    grads: tuple[Any, ...] = tuple(local_grads)  # type: ignore[arg-type]
    for child in kids:
        if not isinstance(child, CoreValue):
            raise TypeError(f"{where}: every child must be a Value, got {describe(child)}")
    for grad in grads:
        if isinstance(grad, CoreValue):
            raise TypeError(
                f"{where}: a local gradient must be a number, got a Value ({node_name(grad)}); "
                "use its .data: a local derivative is a number, not part of the graph"
            )
        if isinstance(grad, bool) or not isinstance(grad, Real):
            raise TypeError(f"{where}: a local gradient must be a number, got {describe(grad)}")
    if len(kids) != len(grads):
        raise ValueError(
            f"{where}: {len(kids)} children but {len(grads)} local gradients; give one local "
            "derivative ∂data/∂child for each child, in the same order"
        )
    return kids, grads
