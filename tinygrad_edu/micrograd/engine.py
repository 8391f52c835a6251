"""micrograd 0.1.0's ``Value``, built on tinygrad_edu's engine.

``Value(data, _children=(), _op='', label='')`` keeps micrograd's signature, and every operator
builds micrograd's graph node for node, so drawings match the lecture's:

==================  ==========================  ==================================
you write           micrograd builds            nodes (op: operands)
==================  ==========================  ==================================
``a + b``, ``a * b``  the op itself               ``+: a, b``, ``*: a, b``
``1 + a``, ``2 * a``  ``a + 1``, ``a * 2``        the number becomes a leaf, second
``-a``              ``a * -1``                  ``*: a, -1``
``a - b``           ``a + (-b)``                ``+: a, (*: b, -1)``; ``a - 3`` is ``+: a, -3``
``a / b``           ``a * b**-1``               ``*: a, (**-1: b)``
``x ** 2``          the op ``**2``              ``**2: x`` (the exponent is not an operand)
``x.relu()``        the op ``ReLU``             ``ReLU: x``
==================  ==========================  ==================================

The numbers are the core's ops' (``+``, ``*``, ``**n``, ReLU), computed as micrograd computes
them. The nodes are tinygrad_edu Values in every other way: ``backward()``, ``draw_dot``,
``explain``, ``chain_paths``, ``backward_steps()`` and ``gradcheck`` work on them, ``no_grad()``
and ``detect_anomaly()`` apply, and no op makes a node holding inf or NaN. ``.data`` is always
a float (``Value(2)`` prints ``data=2.0`` where micrograd prints ``data=2``); ``.grad`` starts as
micrograd's int 0. ``math.tanh(v)``, ``float(v)`` and the like raise a TypeError, as in
micrograd, saying to write ``v.tanh()`` (and ``v.data`` for the number). The core's extra ops
(``exp``, ``tanh``, ``sigmoid``, ``log``, ``abs``, a Value exponent) also return this Value.

An op written by hand, as the lecture does (``out = Value(t, (x,), 'tanh')``, then
``out._backward = f``), runs ``f`` in backward and shows the local derivatives it measures from
``f`` (see :class:`~tinygrad_edu.micrograd.ops.HandWritten`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from numbers import Real
from types import MethodType
from typing import Any

from tinygrad_edu.core import Value as CoreValue
from tinygrad_edu.core import ops
from tinygrad_edu.core.engine import NO_GRAPH, make_node, settle
from tinygrad_edu.core.leaves import DATA
from tinygrad_edu.core.messages import describe, math_error, node_name, to_float
from tinygrad_edu.core.modes import origin_of
from tinygrad_edu.micrograd.ops import CUSTOM_OP_HINT, HandWritten, Power, ReLU

Number = float | int


class _BackwardAttribute:
    """micrograd's ``node._backward``: reading it gives a function that applies this node's
    rule to its current ``.grad``; assigning a function makes that function the node's rule
    (micrograd's way of writing an op)."""

    def __get__(self, node: Value | None, owner: type | None = None) -> Any:
        if node is None:
            return self
        rule = vars(node).get("_backward")
        return rule if rule is not None else MethodType(CoreValue._backward, node)

    def __set__(self, node: Value, rule: Callable[[], object]) -> None:
        if not callable(rule):
            raise TypeError(f"_backward must be a function of no arguments, got {describe(rule)}")
        if node._operation is None and node._b is not NO_GRAPH:
            raise ValueError(
                f"{node_name(node)} is a leaf, made without _children: a _backward there has no "
                "operands to pass a gradient to. Make the op's result with "
                f"Value(data, _children, _op), then assign its _backward; or, {CUSTOM_OP_HINT}"
            )
        if node._operation is not None and node._operation is not HandWritten:
            # micrograd lets any node's rule be replaced: the node becomes a hand-written op
            node._a, node._b = tuple(dict.fromkeys(node.children)), node.op
            node._operation = HandWritten
        vars(node)["_backward"] = rule


class Value(CoreValue):
    """micrograd's ``Value(data, _children=(), _op='', label='')`` on tinygrad_edu's engine.

    ``Value(2.0)`` and ``Value(2.0, label='x')`` are leaves. ``Value(t, (x,), 'tanh')`` is an
    op written by hand: its operands are ``_children`` (each kept once, in order), its symbol
    ``_op``, and its rule the function you assign to ``_backward``.

    Where micrograd is wrong this keeps tinygrad_edu's behaviour: a second ``backward()``
    adds exactly one more copy of the gradient to each leaf (micrograd over-counts through
    interior nodes, its issues #53 and #102; see :meth:`backward`).
    """

    # No __slots__: the __dict__ holds a hand-written op's _backward, as micrograd's nodes do.
    _backward = _BackwardAttribute()

    def __init__(
        self, data: Number, _children: Iterable[CoreValue] = (), _op: str = "", label: str = ""
    ) -> None:
        super().__init__(data, label)
        self.grad = 0  # micrograd's int 0, so that a new Value prints as micrograd's does
        if type(_op) is not str:
            raise TypeError(f"Value(data, _children, _op): _op must be a str, got {describe(_op)}")
        operands = _operands_of(_children)
        if not operands:
            if _op:
                raise ValueError(
                    f"Value({self.data!r}, (), {_op!r}): an op needs its operands in _children"
                )
            return
        self._operation, self._a, self._b = HandWritten, operands, _op
        settle(self)  # the core's rules for a new node: inf or NaN, the modes

    # ----- micrograd's operators, node for node (see the module's table) ------------------

    def __add__(self, other: CoreValue | Number) -> Value:
        other = _operand(other, "+")
        return _node(self.data + other.data, ops.Add, self, other)

    def __radd__(self, other: Number) -> Value:
        return self + other

    def __mul__(self, other: CoreValue | Number) -> Value:
        other = _operand(other, "*")
        return _node(self.data * other.data, ops.Mul, self, other)

    def __rmul__(self, other: Number) -> Value:
        return self * other

    def __neg__(self) -> Value:
        return _negated(self, "-")

    def __sub__(self, other: CoreValue | Number) -> Value:
        return self + _negated(other, "-")

    def __rsub__(self, other: Number) -> Value:
        return -self + _number(other, "-")

    def __truediv__(self, other: CoreValue | Number) -> Value:
        if isinstance(other, CoreValue):
            return self * _power(other, -1)
        divisor = _number(other, "/")
        if divisor == 0.0:
            raise ZeroDivisionError(
                f"'/' divides {node_name(self)} = {self.data!r} by the number 0"
            )
        return self * divisor**-1

    def __rtruediv__(self, other: Number) -> Value:
        return _power(self, -1) * _number(other, "/")

    def __pow__(self, exponent: CoreValue | Number) -> Value:
        """xⁿ; a number n is a constant of the op (``**2``), a Value n an operand (``pow``)."""
        if isinstance(exponent, CoreValue):
            return _adopt(CoreValue.__pow__(self, exponent), type(self))
        return _power(self, exponent)

    def relu(self) -> Value:
        return _node(ops.Relu.forward(self.data), ReLU, self)

    # The core's other function ops (exp, log, tanh, sigmoid, abs, ...) are added below the
    # class from the op table, so every op the core has returns this Value here too.

    # ----- the chain rule ----------------------------------------------------------------

    def backward(self) -> None:
        """Fill ``.grad`` of every node below this one with ∂self/∂node (see the core's
        ``Value.backward``), then set ``self.grad`` to micrograd's int 1.

        One call gives micrograd's gradients. A second call differs, on purpose: here it adds
        exactly one more copy of the gradient to each leaf (interior gradients are reset at
        the start of each call, leaves accumulate, as in PyTorch). micrograd does not reset
        interior nodes, so its second call adds their old gradients again and over-counts
        every leaf below an interior node (micrograd issues #53 and #102). Call
        ``zero_grad()`` between steps in both.
        """
        super().backward()
        if self._operation is not None:
            self.grad = 1  # it is 1.0 already; micrograd's int 1 prints as micrograd prints

    def __repr__(self) -> str:
        return f"Value(data={self.data}, grad={self.grad})"


def _adopting(function: str) -> Callable[[CoreValue], Value]:
    """The core's method ``function`` (``exp``), making a node of this Value."""
    core_method: Callable[[CoreValue], CoreValue] = getattr(CoreValue, function)

    def method(self: CoreValue) -> Value:
        return _adopt(core_method(self), type(self))  # type: ignore[arg-type]  # a subclass

    method.__name__ = method.__qualname__ = function
    method.__doc__ = core_method.__doc__
    return method


for _op in ops.ALL_OPS:  # read from the one table of ops: a new op needs no line here
    if _op.function is not None and _op.function not in vars(Value):
        setattr(Value, _op.function, _adopting(_op.function))


# ----- making nodes ------------------------------------------------------------------------

_new = object.__new__


def _node(data: float, operation: type[ops.Op], a: Any, b: Any = None) -> Value:
    """The core's ``make_node``, making a node of this class, or of ``a``'s subclass of it
    (``tinygrad-edu run`` makes one for a script's class), whose grad starts at micrograd's
    int 0."""
    node_class = type(a) if isinstance(a, Value) else Value
    node = make_node(data, operation, a, b, node_class=node_class)
    node.grad = 0
    return node  # type: ignore[return-value]  # a node of node_class


def _adopt(made: CoreValue, cls: type[Value] | None = None) -> Value:
    """A node the core made, as a node of this Value or ``cls`` (the same op, operands and
    modes)."""
    node = _new(cls or Value)
    node.data, node.grad, node.label = made.data, 0, made.label
    node._operation, node._a, node._b = made._operation, made._a, made._b
    origin = origin_of(made)
    if origin is not None:
        node._origin = origin
    return node


def _leaf(data: float) -> Value:
    """A new leaf of this Value for a float, without the constructor's checks."""
    node = _new(Value)
    node.data, node.grad, node.label = data, 0, ""
    node._operation = node._a = None
    node._b = DATA  # a number made a leaf (see the core's data_leaf)
    return node


def _power(x: CoreValue, exponent: Number) -> Value:
    """micrograd's ``x ** n`` for a number n: the node ``**n`` of the core's math."""
    n = to_float(exponent, "the exponent of '**'")
    shown = exponent if type(exponent) in (int, float) else n  # micrograd's f'**{n}'
    try:
        data = ops.PowConst.forward(x.data, n)
    except (OverflowError, ValueError, ZeroDivisionError) as error:
        raise math_error(error, f"**{shown}", (x,)) from None
    return _node(data, Power, x, shown)


def fused_neuron(parameters: tuple[CoreValue, ...], inputs: tuple[CoreValue, ...]) -> Value:
    """One ``Σwx+b`` node for ``parameters = (w₁, …, wₙ, b)`` and ``inputs = (x₁, …, xₙ)``,
    summed as b + w₁x₁ + w₂x₂ + …, the order of micrograd's chain of ``+`` and ``*`` nodes,
    so both give bit-identical values and gradients."""
    total = parameters[-1].data
    for w, x in zip(parameters, inputs):  # noqa: B905 - stops before the bias, at the last input
        total += w.data * x.data
    return _node(total, ops.WeightedSum, parameters, inputs)


def _number(x: object, op: str) -> float:
    """A number operand as a float, or the core's TypeError naming the op."""
    if type(x) is float:
        return x
    if isinstance(x, bool) or not isinstance(x, Real):
        raise TypeError(f"'{op}' needs a Value or a real number as operand, got {describe(x)}")
    return to_float(x, f"the operand of '{op}'")


def _operand(x: CoreValue | Number, op: str) -> CoreValue:
    """micrograd's ``other if isinstance(other, Value) else Value(other)``, with the core's
    check of what a number is."""
    if isinstance(x, CoreValue):
        return x
    return _leaf(_number(x, op))


def _negated(x: CoreValue | Number, op: str) -> Value:
    """micrograd's ``-x``: ``x * -1`` for a Value, the leaf ``-x`` for a number."""
    if isinstance(x, CoreValue):
        return _node(x.data * -1.0, ops.Mul, x, _leaf(-1.0))
    return _leaf(-_number(x, op))


def _operands_of(children: Iterable[CoreValue]) -> tuple[CoreValue, ...]:
    if isinstance(children, str):
        raise TypeError(
            f"Value(data, _children, _op): the second argument is micrograd's _children, the "
            f"operands of an op, got str {children!r}; to name a value write "
            f"Value(data, label={children!r})"
        )
    if isinstance(children, (bytes, CoreValue)) or not isinstance(children, Iterable):
        raise TypeError(
            f"Value(data, _children, _op): _children must be a tuple of Values, "
            f"got {describe(children)}"
        )
    given = tuple(children)
    for x in given:
        if not isinstance(x, CoreValue):
            raise TypeError(
                f"Value(data, _children, _op): every child must be a Value, got {describe(x)}"
            )
    return tuple(dict.fromkeys(given))  # each once, in order, as micrograd's set has it
