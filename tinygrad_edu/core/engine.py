"""The scalar autograd engine: ``Value``, the nodes the ops make, and ``backward()``.

Read it top to bottom to follow ``c = a * b`` and then ``c.backward()``:

1. ``Value.__mul__`` computes a·b and :func:`make_node` records the result as a node that
   remembers its op (``Mul``) and its operands ``a`` and ``b``, in order.
2. ``Value.backward`` lists the nodes below ``c`` children first, sets ∂c/∂c = 1, and runs
   each node's op ``backward`` from ``c`` down. The sort to read is ``order.py`` (a
   depth-first search, about 20 lines); ``backward`` calls ``walk.py``, the same order, just
   faster (a test holds the two equal on random graphs, and the gradients bit for bit).
3. ``ops.Mul.backward`` (in ``ops.py``, with every op's math) adds ``b · c.grad`` to ``a.grad``
   and ``a · c.grad`` to ``b.grad``: the chain rule for one node.

The lesson is those three files: ``engine.py``, ``order.py`` and ``ops.py``. Everything else
in ``core`` is efficiency (``walk.py``, ``fused.py``: the Σwx+b node) or the rules around the
lesson (``modes.py``, ``messages.py``, ``steps.py``, ``protocols.py``).

This module imports nothing from the package outside ``core``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from numbers import Real
from typing import Any

from tinygrad_edu.core import messages, ops
from tinygrad_edu.core.fold import TEMPORARY, extend_sum, first_terms, folding, getrefcount
from tinygrad_edu.core.leaves import data_leaf
from tinygrad_edu.core.messages import check_gradients, describe, node_name
from tinygrad_edu.core.modes import Mode, current, gc_paused
from tinygrad_edu.core.origins import CallSite
from tinygrad_edu.core.protocols import MicrogradNames, NumberProtocol
from tinygrad_edu.core.staleness import check_not_stale
from tinygrad_edu.core.steps import BackwardStep, replay
from tinygrad_edu.core.walk import depth_first, put_back

Number = float | int
NO_GRAPH = "computed under no_grad()"  # the _b of a leaf that an op made under no_grad()


class Value(NumberProtocol, MicrogradNames):
    """A scalar in a computation graph: its number, its gradient and how it was made.

    Attributes:
        data: the forward value, always a float.
        grad: ∂root/∂(this node) after ``root.backward()``. Leaves (nodes no op made, such as
            weights and inputs) *accumulate* over calls to ``backward()``, as PyTorch leaves
            do; an interior node holds the gradient of the latest ``backward()`` through it.
        label: a name for drawings and explanations, for example ``"W1[0,2]"``.

    No op makes a node that holds ±inf or NaN: an op whose result is not a finite float
    raises at once, naming the op and its operands (``OverflowError`` when finite operands
    overflow, ``ValueError`` when an operand already was inf or NaN; under
    ``detect_anomaly()`` an ``AnomalyError`` that also gives the line that built it).
    Gradients follow IEEE 754 and may become inf or NaN (√x at 0); ``detect_anomaly()``
    stops at the first one.

    ``==`` and hashing are by identity, so nodes can be dict keys. ``<``, ``>``, ``<=`` and
    ``>=`` compare ``.data`` (so ``max(values)`` picks a node), ``format(v, ".3f")`` and
    ``round(v, 3)`` give numbers, and ``abs(v)`` is an op with a gradient. ``float(v)``,
    ``int(v)`` and so ``math.tanh(v)`` raise a TypeError: a plain number has no gradient,
    so write ``v.tanh()`` for the op and ``v.data`` for the number.
    """

    # Seven slots and no __dict__: a node is one small object for Python's garbage collector.
    # ``_origin`` is set only under origins() or detect_anomaly() (read it with origin_of).
    __slots__ = ("data", "grad", "label", "_operation", "_a", "_b", "_origin")

    data: float
    grad: float
    label: str
    _operation: type[ops.Op] | None  # the op that made the node; None for a leaf
    _a: Any  # the operands, stored as the op's ``children`` reads them: usually
    _b: Any  # the first and the second operand (see ops.py)
    _origin: tuple[CallSite, ...]  # where it was made, under origins(); else unset

    def __init__(self, data: Number, label: str = "") -> None:
        if type(data) is not float:
            data = messages.to_float(data)
        if type(label) is not str:
            raise TypeError(messages.label_problem(label))
        self.data = data
        self.grad = 0.0
        self.label = label
        self._operation = None
        self._a = self._b = None

    # ----- building nodes --------------------------------------------------------------

    def __add__(self, other: Value | Number) -> Value:
        if type(other) is not Value:
            other = as_value(other, "+")
        if self._operation is ops.FoldedSum and getrefcount(self) == TEMPORARY:
            # a sum() being built that nobody else holds: the term joins its Σ node (fold.py)
            # (the count is read before the call, whose arguments would add references)
            term_is_temporary = getrefcount(other) == TEMPORARY
            if extend_sum(self, other, term_is_temporary):
                return self
        return make_node(self.data + other.data, ops.Add, self, other)  # ops.Add.forward, inlined

    def __radd__(self, other: Number) -> Value:
        if other.__class__ is int and other == 0 and folding() and Mode.plain:
            term_is_temporary = getrefcount(self) == TEMPORARY  # sum()'s first step: fold.py
            terms = first_terms(Value(0.0), self, term_is_temporary)
            return make_node(0.0 + self.data, ops.FoldedSum, *terms, type(self))
        return as_value(other, "+").__add__(self)

    def __sub__(self, other: Value | Number) -> Value:
        if type(other) is not Value:
            other = as_value(other, "-")
        return make_node(self.data - other.data, ops.Sub, self, other)  # ops.Sub.forward, inlined

    def __rsub__(self, other: Number) -> Value:
        return as_value(other, "-").__sub__(self)

    def __mul__(self, other: Value | Number) -> Value:
        if type(other) is not Value:
            other = as_value(other, "*")
        return make_node(self.data * other.data, ops.Mul, self, other)  # ops.Mul.forward, inlined

    def __rmul__(self, other: Number) -> Value:
        return as_value(other, "*").__mul__(self)

    def __truediv__(self, other: Value | Number) -> Value:
        other = as_value(other, "/")
        if other.data == 0.0:
            raise ZeroDivisionError(
                f"'/' divides {node_name(self)} = {self.data!r} by zero ({node_name(other)})"
            )
        return make_node(ops.Div.forward(self.data, other.data), ops.Div, self, other)

    def __rtruediv__(self, other: Number) -> Value:
        return as_value(other, "/").__truediv__(self)

    def __neg__(self) -> Value:
        return make_node(ops.Neg.forward(self.data), ops.Neg, self)

    def __pos__(self) -> Value:
        return self

    def __pow__(self, exponent: Value | Number) -> Value:
        """xⁿ. A number exponent is a constant of the op (``x ** 2`` is the op ``**2``);
        a ``Value`` exponent is an operand (op ``pow``) with ∂xⁿ/∂n = xⁿ·ln x."""
        if isinstance(exponent, Value):
            data = _call_math(ops.Pow.forward, "pow", (self.data, exponent.data), (self, exponent))
            return make_node(data, ops.Pow, self, exponent)
        n = messages.to_float(exponent, "the exponent of '**'")
        data = _call_math(
            ops.PowConst.forward, f"**{ops.exponent_text(n)}", (self.data, n), (self,)
        )
        return make_node(data, ops.PowConst, self, n)

    def __rpow__(self, base: Number) -> Value:
        return as_value(base, "**").__pow__(self)

    def abs(self) -> Value:
        """|x|, also written ``abs(x)``."""
        return make_node(ops.Abs.forward(self.data), ops.Abs, self)

    def __abs__(self) -> Value:
        return self.abs()

    def exp(self) -> Value:
        """eˣ. Raises OverflowError, naming the node, where eˣ exceeds the float range."""
        return make_node(_call_math(ops.Exp.forward, "exp", (self.data,), (self,)), ops.Exp, self)

    def log(self) -> Value:
        """The natural logarithm ln x, for x > 0 only: no epsilon is added behind your back."""
        if not self.data > 0.0:
            raise ValueError(
                f"log of {self.data!r} at {node_name(self)}: log needs a positive input"
            )
        return make_node(ops.Log.forward(self.data), ops.Log, self)

    def sigmoid(self) -> Value:
        """σ(x) = 1/(1 + e⁻ˣ), computed without overflow for any finite x."""
        return make_node(ops.Sigmoid.forward(self.data), ops.Sigmoid, self)

    def tanh(self) -> Value:  # saturates to ±1 without overflow
        return make_node(ops.Tanh.forward(self.data), ops.Tanh, self)

    def relu(self) -> Value:  # max(0, x)
        x = self.data
        return make_node(x if x > 0.0 else 0.0, ops.Relu, self)  # Relu.forward, inlined

    # ----- the chain rule ----------------------------------------------------------------

    def backward(self) -> None:
        """Fill ``.grad`` of every node below this one with ∂self/∂node.

        Sets ∂self/∂self = 1, then visits the interior nodes from this one down, each after
        all the nodes that use it (reverse topological order), and runs each op's backward
        rule, which adds ``local derivative × upstream gradient`` to each operand.

        Interior gradients are reset at the start of each call; leaves accumulate, as in
        PyTorch: each call sums its gradient from zero and adds it to the earlier one once,
        so a second call adds exactly one more copy. Call ``zero_grad()`` between steps.

        All or nothing: when an op's rule raises (a custom op's ``local``, an
        ``AnomalyError``, Ctrl-C), every leaf's ``.grad`` is put back as it was before the
        call and the interior nodes' go back to 0 (as before any pass), and a note on the
        error names the node where the pass stopped.

        A ``.data`` changed after the graph was built makes its gradients meaningless; the
        check costs a forward pass, so only ``detect_anomaly()`` makes it (see
        ``staleness.py``).

        Raises:
            RuntimeError: for a value computed under ``no_grad()``, which has no graph.
            ValueError: a ``StaleGraphError``, under ``detect_anomaly()``, for a graph whose
                ``.data`` changed since it was built.
        """
        _check_has_graph(self)
        if self._operation is None:
            self.grad += 1.0  # a leaf: ∂x/∂x = 1, and nothing below it
            return
        with gc_paused():  # the sort's bookkeeping has no cycles, so nothing for the GC to do
            order, held = _start_backward(self, set_aside=True)
            node = self
            try:  # costs nothing until an error (Python 3.11's exceptions are zero-cost)
                if Mode.anomaly:
                    for node in reversed(order):
                        node._operation.backward(node)  # type: ignore[union-attr]
                        check_gradients(node)
                else:
                    for node in reversed(order):
                        node._operation.backward(node)  # type: ignore[union-attr]
            except BaseException as error:
                put_back(order, held)
                error.add_note(messages.stopped_at(self, node))
                raise
            for leaf, earlier in held.items():
                leaf.grad = earlier + leaf.grad

    def backward_steps(self) -> Iterator[BackwardStep]:
        """``backward()`` one node at a time: yields a :class:`BackwardStep` per interior node,
        after applying it. Run to the end, it leaves exactly the gradients ``backward()`` does.

        Leaves that hold a gradient from an earlier ``backward()`` keep showing it during the
        pass, and this pass's share is added to it at the end (as ``backward()`` adds); a
        warning says so, because replaying the steps after a ``backward()`` doubles them.
        Call ``zero_grad()`` first to watch one pass from zero.

        Raises ``StaleGraphError``, naming the node, where a ``.data`` changed after the
        graph was built (see ``staleness.py``), before any gradient changes.
        """
        _check_has_graph(self)
        if self._operation is None:
            self.grad += 1.0
            return
        yield from replay(*_start_backward(self, set_aside=False))

    # ----- reading a node ----------------------------------------------------------------

    @property
    def op(self) -> str:
        """The symbol of the op that made this node (``"+"``, ``"sigmoid"``, ``"**2"``);
        ``""`` for a leaf."""
        return self._operation.name(self) if self._operation else ""

    @property
    def children(self) -> tuple[Value, ...]:
        """The operands, in order; an operand used twice (``x * x``) appears twice."""
        return self._operation.children(self) if self._operation else ()

    def local_derivatives(self) -> tuple[float, ...]:
        """∂self/∂childᵢ for each child, in the order of ``children``; ``()`` for a leaf."""
        return tuple(self._operation.local(self)) if self._operation else ()

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        op = f", op={self.op!r}" if self._operation else ""
        return f"Value(data={self.data!r}, grad={self.grad!r}{label}{op})"


# ----- node making -----------------------------------------------------------------------

_new = object.__new__


def make_node(
    data: float,
    operation: type[ops.Op],
    a: Any,
    b: Any = None,
    node_class: type[Value] | None = None,
) -> Value:
    """The node for an op's result ``data``, made by ``operation`` from the operands it keeps
    in ``a`` and ``b`` (see its ``children``); a ``node_class`` of a subclass of ``Value``
    makes the node one of it (``tinygrad_edu.micrograd``'s Value).

    Raises where ``data`` is inf or NaN (see :class:`Value`). Under ``no_grad()`` the result
    is a leaf without a graph; under ``origins()`` or ``detect_anomaly()`` where it was made is
    recorded.
    """
    node = _new(node_class or Value)  # no constructor checks: the result is already a float
    node.data, node.grad, node.label = data, 0.0, ""
    node._operation, node._a, node._b = operation, a, b
    if data - data != 0.0 or not Mode.plain:  # inf or NaN (true only for those), or a mode
        settle(node)
    return node


def settle(node: Value) -> None:
    """The rules for a node an op just made (by ``make_node``, or by hand): raise for inf or
    NaN; record where it was made under ``origins()`` or ``detect_anomaly()``; under
    ``no_grad()`` make it a leaf. The modes are this thread's own."""
    if node.data - node.data != 0.0:
        raise messages.not_finite(node)
    if Mode.plain:
        return
    modes = current()
    if not modes.grad_enabled:
        node._operation, node._a, node._b = None, None, NO_GRAPH
    elif modes.recorder is not None:
        modes.recorder.record(node)


def _call_math(
    fn: Callable[..., float], name: str, args: tuple[float, ...], operands: tuple[Value, ...]
) -> float:
    """Run a math function; its bare errors become ones that name the op and operands."""
    try:
        return fn(*args)
    except (OverflowError, ValueError, ZeroDivisionError) as error:
        raise messages.math_error(error, name, operands) from None


def as_value(x: Value | Number, op: str = "") -> Value:
    """Return ``x`` if it is a ``Value``; wrap a real number as a new leaf (a data leaf,
    see ``leaves.py``)."""
    if isinstance(x, Value):
        return x
    if type(x) is float:  # the usual constant (1.0 - x), without the checks below
        return data_leaf(Value, x)
    where = f"'{op}'" if op else "this operation"
    if isinstance(x, bool) or not isinstance(x, Real):
        raise TypeError(f"{where} needs a Value or a real number as operand, got {describe(x)}")
    return data_leaf(Value, messages.to_float(x, f"the operand of {where}"))


def _check_has_graph(root: Value) -> None:
    if root._b is NO_GRAPH and root._operation is None:
        raise RuntimeError(
            f"{node_name(root)} was computed under no_grad(), so it has no graph to run "
            "backward() through; compute it outside no_grad() to get gradients"
        )


# ----- backward's bookkeeping ------------------------------------------------------------


def _start_backward(root: Value, set_aside: bool) -> tuple[list[Value], dict[Value, float]]:
    """Order the interior nodes, reset their gradients and set ∂root/∂root = 1, after
    checking that the graph is not stale for ``backward_steps()`` and under anomaly mode.

    Returns the order and the leaves that already hold a gradient (none after
    ``zero_grad()``), with it. With ``set_aside`` those leaves start this pass at 0, so that
    this pass's gradient is summed from zero and then added to the earlier one once, as
    PyTorch accumulates: two calls give exactly g + g, even where this pass's contributions
    cancel (+1, −1, +tiny) and would swallow a small g.
    """
    if Mode.anomaly or not set_aside:  # a forward pass more: not on backward()'s fast path
        check_not_stale(root, "backward_steps()" if not set_aside else "detect_anomaly()")
    held: dict[Value, float] = {}
    order = depth_first(root, leaves=False, held=held)  # leaves their gradients at 0
    if set_aside:
        for leaf in held:
            leaf.grad = 0.0
    root.grad = 1.0  # ∂root/∂root
    return order, held
