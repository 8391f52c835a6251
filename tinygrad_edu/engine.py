"""The scalar autograd engine: one ``Value`` per number, the chain rule over a graph of them.

Every op has three parts, kept next to each other:

* its forward value, computed in the ``Value`` method that builds the node (``__mul__``, ...);
* ``local(out)``: the local derivatives ∂out/∂childᵢ, read by the teaching tools;
* ``backward(out)``: the chain rule for that op, ``child.grad += local × out.grad``.

``Value.backward()`` calls each node's ``backward`` in reverse topological order. Drawings,
chain-rule paths and ``backward_steps()`` read ``local``; both give bit-identical gradients.

This module imports nothing else from the package.
"""

from __future__ import annotations

import gc
import math
import reprlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from numbers import Real

Number = float | int


class _Mode:
    """Process-wide switches, in the spirit of ``torch.no_grad`` and ``detect_anomaly``."""

    grad_enabled = True
    anomaly = False
    plain = True  # grad_enabled and not anomaly: the fast path of every op

    @classmethod
    def set(cls, grad_enabled: bool, anomaly: bool) -> None:
        cls.grad_enabled, cls.anomaly = grad_enabled, anomaly
        cls.plain = grad_enabled and not anomaly


def _describe(value: object) -> str:
    try:  # shortened, so a huge list or int cannot flood (or break) the message
        shown = reprlib.repr(value)
    except Exception:  # a broken __repr__ must not hide the user's real mistake
        shown = "<unprintable>"
    return f"{type(value).__name__} {shown}"


def _to_float(data: object, what: str = "Value()") -> float:
    """Convert a real number to float, or raise a TypeError that says what was given
    (an OverflowError for an int too large for a float)."""
    if isinstance(data, bool) or not isinstance(data, Real):
        raise TypeError(f"{what} needs a real number (int or float), got {_describe(data)}")
    try:
        return float(data)
    except OverflowError:
        raise OverflowError(
            f"{what} got {type(data).__name__} {_magnitude(data)}, too large for a float "
            f"(the largest is about 1.8e308)"
        ) from None


def _magnitude(number: Real) -> str:
    try:
        return f"of about 10**{math.floor(math.log10(abs(number)))}"
    except (ValueError, OverflowError, TypeError):
        return "of unprintable size"


class Value:
    """A scalar in a computation graph: its number, its gradient and how it was made.

    Attributes:
        data: the forward value.
        grad: ∂E/∂(this node) after ``E.backward()``. Leaves (nodes with no children, such as
            weights and inputs) *accumulate* over calls to ``backward()``, as PyTorch leaves do;
            an interior node holds the gradient of the latest ``backward()`` through it.
        label: a name for drawings and explanations, for example ``"W1[0,2]"``.
    """

    # Five slots and no __dict__: a node costs a fraction of an ordinary Python object.
    __slots__ = ("data", "grad", "label", "_op", "_children")

    def __init__(
        self,
        data: Number,
        label: str = "",
        _op: type[Op] | None = None,
        _children: tuple[Value, ...] = (),
    ) -> None:
        if type(data) is not float:
            data = _to_float(data)
        if type(label) is not str:
            raise TypeError(f"Value label must be a str, got {_describe(label)}")
        self.data = data
        self.grad = 0.0
        self.label = label
        self._op = _op
        self._children = _children

    # ----- structure ---------------------------------------------------------------------

    @property
    def op(self) -> str:
        """The symbol of the op that made this node (``"+"``, ``"sigmoid"``, ...); ``""`` for
        a leaf."""
        return self._op.symbol if self._op else ""

    @property
    def children(self) -> tuple[Value, ...]:
        """The operands, in order; an operand used twice (``x * x``) appears twice."""
        return self._children

    def local_derivatives(self) -> tuple[float, ...]:
        """∂self/∂childᵢ for each child, in the order of ``children``; ``()`` for a leaf."""
        return tuple(self._op.local(self)) if self._op else ()

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        op = f", op={self.op!r}" if self._op else ""
        return f"Value(data={self.data!r}, grad={self.grad!r}{label}{op})"

    def __float__(self) -> float:
        return self.data

    def _name(self) -> str:
        return f"'{self.label}'" if self.label else "(unlabelled)"

    # ----- building nodes: each op tries the fast path, then the checked one -------------

    def __add__(self, other: Value | Number) -> Value:
        if type(other) is not Value:
            other = as_value(other, "+")
        if _Mode.plain:
            return _node(self.data + other.data, Add, (self, other))
        return _checked_node(self.data + other.data, Add, (self, other))

    def __radd__(self, other: Number) -> Value:
        return as_value(other, "+").__add__(self)

    def __sub__(self, other: Value | Number) -> Value:
        if type(other) is not Value:
            other = as_value(other, "-")
        if _Mode.plain:
            return _node(self.data - other.data, Sub, (self, other))
        return _checked_node(self.data - other.data, Sub, (self, other))

    def __rsub__(self, other: Number) -> Value:
        return as_value(other, "-").__sub__(self)

    def __mul__(self, other: Value | Number) -> Value:
        if type(other) is not Value:
            other = as_value(other, "*")
        if _Mode.plain:
            return _node(self.data * other.data, Mul, (self, other))
        return _checked_node(self.data * other.data, Mul, (self, other))

    def __rmul__(self, other: Number) -> Value:
        return as_value(other, "*").__mul__(self)

    def __truediv__(self, other: Value | Number) -> Value:
        other = as_value(other, "/")
        if other.data == 0.0:
            raise ZeroDivisionError(
                f"'/' divides {self.data!r} (node {self._name()}) by zero (node {other._name()})"
            )
        return _checked_node(self.data / other.data, Div, (self, other))

    def __rtruediv__(self, other: Number) -> Value:
        return as_value(other, "/").__truediv__(self)

    def __neg__(self) -> Value:
        return _checked_node(-self.data, Neg, (self,))

    def __pos__(self) -> Value:
        return self

    def __pow__(self, exponent: Value | Number) -> Value:
        """xⁿ. A number exponent is a constant (op ``"**"``) and gets no gradient;
        a ``Value`` exponent (op ``"pow"``) also gets ∂xⁿ/∂n = xⁿ·ln x."""
        if isinstance(exponent, Value):
            op: type[Op] = Pow
        else:
            exponent = Value(_to_float(exponent, "the exponent of '**'"))
            op = PowConst
        data = _call_math(math.pow, "**", self, exponent)
        return _checked_node(data, op, (self, exponent))

    def __rpow__(self, base: Number) -> Value:
        return as_value(base, "**").__pow__(self)

    def exp(self) -> Value:
        """eˣ. Raises OverflowError, naming the node, where eˣ exceeds the float range."""
        return _checked_node(_call_math(math.exp, "exp", self), Exp, (self,))

    def log(self) -> Value:
        """The natural logarithm ln x, for x > 0 only: no epsilon is added behind your back."""
        if not self.data > 0.0:
            raise ValueError(
                f"log of {self.data!r} at node {self._name()}: log needs a positive input"
            )
        return _checked_node(math.log(self.data), Log, (self,))

    def sigmoid(self) -> Value:
        """σ(x) = 1/(1 + e⁻ˣ), computed without overflow for any finite x."""
        x = self.data
        if x >= 0.0:
            s = 1.0 / (1.0 + math.exp(-x))
        else:  # e⁻ˣ would overflow for very negative x; eˣ/(1 + eˣ) is the same number
            e = math.exp(x)
            s = e / (1.0 + e)
        if _Mode.plain:
            return _node(s, Sigmoid, (self,))
        return _checked_node(s, Sigmoid, (self,))

    def tanh(self) -> Value:
        """tanh x = (e²ˣ − 1)/(e²ˣ + 1); ``math.tanh`` saturates to ±1 without overflow."""
        return _checked_node(math.tanh(self.data), Tanh, (self,))

    def relu(self) -> Value:
        """max(0, x)."""
        x = self.data
        if _Mode.plain:
            return _node(x if x > 0.0 else 0.0, Relu, (self,))
        return _checked_node(x if x > 0.0 else 0.0, Relu, (self,))

    # ----- the chain rule ------------------------------------------------------------------

    def backward(self) -> None:
        """Fill ``.grad`` of every node below this one with ∂self/∂node.

        Sets ∂self/∂self = 1, then visits the interior nodes in reverse topological order and
        runs each op's backward rule, which adds ``local derivative × upstream gradient`` to
        every child.

        Calling it a second time adds exactly one more copy of each leaf's gradient (leaves
        accumulate, as PyTorch leaves do): interior gradients are reset to 0 at the start of
        each call, so an earlier call's values are never propagated twice. Call
        ``MLP.zero_grad()`` (or set ``leaf.grad = 0.0``) between training steps.
        """
        with gc_paused():  # the sort's bookkeeping has no cycles, so nothing for the GC to do
            order, held = _start_backward(self)
            try:
                if _Mode.anomaly:
                    for node in reversed(order):
                        node._op.backward(node)
                        _check_backward(node)
                else:
                    for node in reversed(order):
                        node._op.backward(node)
            finally:
                _finish_backward(held)

    def backward_steps(self) -> Iterator[BackwardStep]:
        """``backward()`` one node at a time: yields a :class:`BackwardStep` per interior node.

        Each step has been applied when it is yielded. Running the generator to the end leaves
        exactly the gradients that ``backward()`` leaves.
        """
        order, held = _start_backward(self)
        try:
            for node in reversed(order):
                yield _apply_step(node)
        finally:  # also when the caller stops early: earlier leaf gradients are never lost
            _finish_backward(held)


def _start_backward(root: Value) -> tuple[list[Value], dict[Value, float]]:
    """Order the interior nodes and reset their gradients; set ∂root/∂root = 1.

    Leaves that already hold a gradient (from an earlier ``backward()``) are set aside at 0
    and returned with that gradient: this call's gradient is then summed from zero and added
    to it once, at the end, as PyTorch accumulates. So two calls give exactly g + g, even
    where this call's contributions cancel (+1, −1, +tiny) and would swallow a small g.
    """
    held: dict[Value, float] = {}
    order = _depth_first(root, leaves=False, held=held)
    if not root._children and root.grad:
        held[root] = root.grad
    for node in order:
        node.grad = 0.0
    for leaf in held:
        leaf.grad = 0.0
    root.grad += 1.0  # ∂root/∂root
    return order, held


def _finish_backward(held: dict[Value, float]) -> None:
    for leaf, earlier in held.items():
        leaf.grad = earlier + leaf.grad


@dataclass(frozen=True)
class EdgeStep:
    """One edge of a backward step: ``child.grad += local × upstream``."""

    child: Value
    local: float
    contribution: float


@dataclass(frozen=True)
class BackwardStep:
    """What backward did at one node: its upstream gradient and what each child received."""

    node: Value
    upstream: float
    edges: tuple[EdgeStep, ...]

    def __str__(self) -> str:
        node = self.node
        where = f"{node.label} ({node.op})" if node.label else _display_name(node)
        lines = [f"at {where}: upstream gradient {self.upstream:.6g}"]
        for edge in self.edges:
            lines.append(
                f"  grad of {_display_name(edge.child)} += local {edge.local:.6g}"
                f" × upstream {self.upstream:.6g} = {edge.contribution:.6g}"
            )
        return "\n".join(lines)


def _display_name(node: Value) -> str:
    """The label, or what an unlabelled node is: ``the '*' node (-6)``, ``the leaf 2``."""
    if node.label:
        return node.label
    if node._op:
        return f"the '{node.op}' node ({node.data:.4g})"
    return f"the leaf {node.data:.4g}"


def _apply_step(node: Value) -> BackwardStep:
    upstream = node.grad
    edges = []
    for child, local in zip(node._children, node._op.local(node), strict=True):
        contribution = local * upstream
        child.grad += contribution  # the chain rule for one edge, as in each op's backward
        edges.append(EdgeStep(child, local, contribution))
    if _Mode.anomaly:
        _check_backward(node)
    return BackwardStep(node, upstream, tuple(edges))


def as_value(x: Value | Number, op: str = "") -> Value:
    """Return ``x`` if it is a ``Value``; wrap a real number as a new leaf."""
    if isinstance(x, Value):
        return x
    if isinstance(x, bool) or not isinstance(x, Real):
        where = f"'{op}'" if op else "this operation"
        raise TypeError(f"{where} needs a Value or a real number as operand, got {_describe(x)}")
    if type(x) is float:
        return Value(x)
    return Value(_to_float(x, f"the operand of '{op}'" if op else "this operation"))


def weighted_sum(weights: Sequence[Value], inputs: Sequence[Value], bias: Value) -> Value:
    """One n-ary node h = Σᵢ wᵢ·xᵢ + b: a whole neuron's pre-activation.

    Children are ``(w₁ … wₙ, x₁ … xₙ, b)``: one edge per weight and per input, so
    ∂h/∂wᵢ = xᵢ, ∂h/∂xᵢ = wᵢ and ∂h/∂b = 1 stay visible edge by edge. The sum is taken in the
    order b + w₁x₁ + w₂x₂ + …, the order of a chain of binary ``+`` nodes starting at b, so
    this node and that chain give bit-identical values and gradients.
    """
    return layer_weighted_sums([weights], inputs, [bias])[0]


def layer_weighted_sums(
    weight_rows: Sequence[Sequence[Value]], inputs: Sequence[Value], biases: Sequence[Value]
) -> list[Value]:
    """hⱼ = Σᵢ wⱼᵢ·xᵢ + bⱼ for every neuron j of a layer: the nodes :func:`weighted_sum` makes,
    one per neuron, with the inputs' numbers read once for the whole layer."""
    inputs = tuple(inputs)
    n = len(inputs)
    plain = _Mode.plain
    sums = []
    try:
        input_data = [x.data for x in inputs]
        for weights, bias in zip(weight_rows, biases, strict=True):
            if len(weights) != n:
                raise ValueError(f"weighted_sum: {len(weights)} weights but {n} inputs")
            total = bias.data
            # no strict=: the lengths were just checked, and in Python 3.11 a keyword argument
            # makes this zip cost twice as much, paid once per neuron
            for w, x in zip(weights, input_data):  # noqa: B905
                total += w.data * x
            children = tuple(weights) + inputs + (bias,)  # concatenation beats (*a, *b, c)
            if plain:
                sums.append(_node(total, WeightedSum, children))
            else:
                sums.append(_checked_node(total, WeightedSum, children))
    except (AttributeError, TypeError):  # checked here, off the hot path
        for weights, bias in zip(weight_rows, biases, strict=True):
            for v in (*weights, *inputs, bias):
                if type(v) is not Value:
                    raise TypeError(f"weighted_sum needs Values, got {_describe(v)}") from None
        raise
    return sums


def _checked_node(data: float, op: type[Op], children: tuple[Value, ...]) -> Value:
    """Make the node for an op result, honouring ``no_grad`` and ``detect_anomaly``."""
    if _Mode.anomaly and not math.isfinite(data):
        raise AnomalyError(
            f"op '{op.symbol}' produced {data!r} from inputs {_operands(children)}"
        )
    if _Mode.grad_enabled:
        return _node(data, op, children)
    return Value(data)


_new_object = object.__new__


def _node(data: float, op: type[Op], children: tuple[Value, ...]) -> Value:
    """A new interior node. Ops call this instead of ``Value()``: their result is already a
    float and needs no label, so the constructor's checks would be wasted on every node."""
    node = _new_object(Value)
    node.data = data
    node.grad = 0.0
    node.label = ""
    node._op = op
    node._children = children
    return node


def _call_math(fn, op: str, *nodes: Value) -> float:
    """Run a math function and turn its bare errors into ones that name the op and nodes."""
    try:
        return fn(*(node.data for node in nodes))
    except OverflowError:
        raise OverflowError(f"{op} overflows a float for input {_operands(nodes)}") from None
    except (ValueError, ZeroDivisionError):
        raise ValueError(f"{op} is undefined for input {_operands(nodes)}") from None


# ----- the ops: local derivatives and backward rule side by side -------------------------
#
# ``local`` returns ∂out/∂childᵢ for the teaching tools (drawings, paths, backward_steps).
# ``backward`` applies ``child.grad += local × out.grad`` for each child, written out so that
# a debugger stepping into it lands on the rule itself. Each contribution is computed as
# exactly ``local * upstream``, so both views give bit-identical gradients (a test checks).
#
# The rules of +, · and Σwx+b (the ops of every neuron) stop early when the upstream gradient
# is exactly 0, as below a ReLU that is off or a hinge term that is satisfied: each
# contribution would then be ±0, and adding ±0 leaves every gradient as it is. For · and
# Σwx+b this needs finite local derivatives, which a finite forward value guarantees (an
# infinite or NaN factor makes the product and the sum infinite or NaN); with a non-finite
# value the rule runs in full, so a 0 × ∞ still turns into the NaN that PyTorch gives.


class Op:
    """An operation in the graph: its symbol, its local derivatives and its backward rule."""

    symbol = "?"

    @staticmethod
    def local(out: Value) -> Sequence[float]:
        raise NotImplementedError

    @staticmethod
    def backward(out: Value) -> None:
        raise NotImplementedError


class Add(Op):
    """a + b:  ∂/∂a = 1,  ∂/∂b = 1."""

    symbol = "+"

    @staticmethod
    def local(out: Value) -> tuple[float, float]:
        return (1.0, 1.0)

    @staticmethod
    def backward(out: Value) -> None:
        if out.grad == 0.0:
            return  # nothing to pass down (see the note above the ops)
        a, b = out._children
        a.grad += out.grad
        b.grad += out.grad


class Sub(Op):
    """a − b:  ∂/∂a = 1,  ∂/∂b = −1."""

    symbol = "-"

    @staticmethod
    def local(out: Value) -> tuple[float, float]:
        return (1.0, -1.0)

    @staticmethod
    def backward(out: Value) -> None:
        a, b = out._children
        a.grad += out.grad
        b.grad += -1.0 * out.grad


class Mul(Op):
    """a · b:  ∂/∂a = b,  ∂/∂b = a."""

    symbol = "*"

    @staticmethod
    def local(out: Value) -> tuple[float, float]:
        a, b = out._children
        return (b.data, a.data)

    @staticmethod
    def backward(out: Value) -> None:
        upstream = out.grad
        if upstream == 0.0 and math.isfinite(out.data):
            return  # nothing to pass down (see the note above the ops)
        a, b = out._children
        a.grad += b.data * upstream
        b.grad += a.data * upstream


class Div(Op):
    """a / b:  ∂/∂a = 1/b,  ∂/∂b = −a/b² = −(a/b)/b.

    −(a/b)/b reuses the forward value and, unlike −a/(b·b), cannot divide by a b² that
    underflowed to 0 (b = 1e-200); it is also the order of operations PyTorch uses.
    """

    symbol = "/"

    @staticmethod
    def local(out: Value) -> tuple[float, float]:
        b = out._children[1].data
        return (1.0 / b, -out.data / b)

    @staticmethod
    def backward(out: Value) -> None:
        a, b = out._children
        upstream = out.grad
        a.grad += (1.0 / b.data) * upstream
        b.grad += (-out.data / b.data) * upstream


class Neg(Op):
    """−a:  ∂/∂a = −1."""

    symbol = "neg"

    @staticmethod
    def local(out: Value) -> tuple[float]:
        return (-1.0,)

    @staticmethod
    def backward(out: Value) -> None:
        out._children[0].grad += -1.0 * out.grad


class PowConst(Op):
    """xⁿ with a number n:  ∂/∂x = n·xⁿ⁻¹.  n is a constant: it gets 0."""

    symbol = "**"

    @staticmethod
    def local(out: Value) -> tuple[float, float]:
        x, n = out._children
        return (_power_derivative(x.data, n.data), 0.0)

    @staticmethod
    def backward(out: Value) -> None:
        x, n = out._children
        x.grad += _power_derivative(x.data, n.data) * out.grad


class Pow(Op):
    """xⁿ with a Value n:  ∂/∂x = n·xⁿ⁻¹,  ∂/∂n = xⁿ·ln x.

    ln x is undefined for x ≤ 0. At x = 0 with n ≥ 0 we take the limit 0 (as PyTorch does);
    for x < 0 the derivative with respect to the exponent is NaN, which anomaly mode reports.
    """

    symbol = "pow"

    @staticmethod
    def local(out: Value) -> tuple[float, float]:
        x, n = out._children
        if x.data > 0.0:
            d_exponent = out.data * math.log(x.data)
        elif x.data == 0.0 and n.data >= 0.0:
            d_exponent = 0.0
        else:
            d_exponent = math.nan
        return (_power_derivative(x.data, n.data), d_exponent)

    @staticmethod
    def backward(out: Value) -> None:
        d_base, d_exponent = Pow.local(out)  # rare op: reuse the case analysis above
        x, n = out._children
        x.grad += d_base * out.grad
        n.grad += d_exponent * out.grad


def _power_derivative(x: float, n: float) -> float:
    """∂xⁿ/∂x = n·xⁿ⁻¹, with IEEE 754's answers where ``math.pow`` raises instead.

    The forward value existed, so the derivative must not crash: at a pole (√x at x = 0)
    it is ±inf, past the float range ±inf, and for n = 0 it is 0 (x⁰ is constant), as in
    PyTorch. Anomaly mode then reports the infinite gradient at this op.
    """
    try:
        return n * math.pow(x, n - 1.0)
    except (ValueError, OverflowError):
        if n == 0.0:
            return 0.0
        power = n - 1.0
        if x < 0.0 and not power.is_integer():
            return math.nan  # a negative base to a fractional power has no real value
        odd = power.is_integer() and abs(math.fmod(power, 2.0)) == 1.0
        negative = odd and math.copysign(1.0, x) < 0.0
        return n * (-math.inf if negative else math.inf)


class Exp(Op):
    """eˣ:  ∂/∂x = eˣ, the node's own value."""

    symbol = "exp"

    @staticmethod
    def local(out: Value) -> tuple[float]:
        return (out.data,)

    @staticmethod
    def backward(out: Value) -> None:
        out._children[0].grad += out.data * out.grad


class Log(Op):
    """ln x:  ∂/∂x = 1/x."""

    symbol = "log"

    @staticmethod
    def local(out: Value) -> tuple[float]:
        return (1.0 / out._children[0].data,)

    @staticmethod
    def backward(out: Value) -> None:
        x = out._children[0]
        x.grad += (1.0 / x.data) * out.grad


class Sigmoid(Op):
    """σ(x) = 1/(1 + e⁻ˣ):  ∂/∂x = σ(x)·(1 − σ(x)), from the node's own value."""

    symbol = "sigmoid"

    @staticmethod
    def local(out: Value) -> tuple[float]:
        s = out.data
        return (s * (1.0 - s),)

    @staticmethod
    def backward(out: Value) -> None:
        s = out.data
        out._children[0].grad += (s * (1.0 - s)) * out.grad


class Tanh(Op):
    """tanh x:  ∂/∂x = 1 − tanh²x."""

    symbol = "tanh"

    @staticmethod
    def local(out: Value) -> tuple[float]:
        t = out.data
        return (1.0 - t * t,)

    @staticmethod
    def backward(out: Value) -> None:
        t = out.data
        out._children[0].grad += (1.0 - t * t) * out.grad


class Relu(Op):
    """max(0, x):  ∂/∂x = 1 for x > 0, else 0.

    At x = 0 the derivative does not exist; we take the subgradient 0, as PyTorch does, so a
    unit sitting exactly at the kink passes no gradient.
    """

    symbol = "relu"

    @staticmethod
    def local(out: Value) -> tuple[float]:
        return (1.0 if out.data > 0.0 else 0.0,)

    @staticmethod
    def backward(out: Value) -> None:
        if out.data > 0.0:
            out._children[0].grad += 1.0 * out.grad


class WeightedSum(Op):
    """h = Σᵢ wᵢ·xᵢ + b, children (w₁…wₙ, x₁…xₙ, b):  ∂h/∂wᵢ = xᵢ, ∂h/∂xᵢ = wᵢ, ∂h/∂b = 1."""

    symbol = "Σwx+b"

    @staticmethod
    def local(out: Value) -> list[float]:
        children = out._children
        n = len(children) // 2
        derivatives = [x.data for x in children[n : 2 * n]]  # for each weight: its input
        derivatives += [w.data for w in children[:n]]  # for each input: its weight
        derivatives.append(1.0)  # for the bias
        return derivatives

    @staticmethod
    def backward(out: Value) -> None:
        upstream = out.grad
        if upstream == 0.0 and math.isfinite(out.data):
            return  # nothing to pass down (see the note above the ops)
        children = out._children
        n = len(children) // 2
        weights, inputs = children[:n], children[n:-1]
        for w, x in zip(weights, inputs, strict=True):
            w.grad += x.data * upstream
        for w, x in zip(weights, inputs, strict=True):  # a second pass: local()'s edge order
            x.grad += w.data * upstream
        children[-1].grad += 1.0 * upstream


# ----- graph order -----------------------------------------------------------------------


def topological_order(root: Value) -> list[Value]:
    """Every node reachable from ``root``, each after all of its children; ``root`` is last.

    Iterative depth-first search, so a chain of a million nodes needs no recursion. Children
    are visited in their stored order, so the order is the same on every run.
    """
    return _depth_first(root, leaves=True)


def interior_order(root: Value) -> list[Value]:
    """Like :func:`topological_order`, without the leaves: the nodes that backward visits."""
    return _depth_first(root, leaves=False)


def _depth_first(
    root: Value, leaves: bool, held: dict[Value, float] | None = None
) -> list[Value]:
    """The walk behind both orders. With ``held``, leaves met with a non-zero gradient are
    recorded there with it (for ``backward()``; none after ``zero_grad()``)."""
    order: list[Value] = []
    if not root._children:
        return [root] if leaves else order
    visited = {root}
    # The path from root to the current node, as two stacks: the nodes, and for each one an
    # iterator over the children not yet looked at (two stacks, so no tuple per node).
    # A node is appended once every child is done, so no node can come before its children.
    path = [root]
    pending = [iter(root._children)]
    while pending:
        for child in pending[-1]:
            if child._children:
                if child not in visited:
                    visited.add(child)
                    path.append(child)
                    pending.append(iter(child._children))
                    break
            elif leaves:
                if child not in visited:
                    visited.add(child)
                    order.append(child)
            elif held is not None and child.grad and child not in held:
                held[child] = child.grad
        else:
            pending.pop()
            order.append(path.pop())
    return order


# ----- modes -----------------------------------------------------------------------------


class no_grad:  # noqa: N801 - named like torch.no_grad, which learners meet next
    """Context manager: ops inside it compute values but build no graph.

    Use it for evaluation, predictions and decision-boundary grids: nothing is kept alive for
    a backward pass that will never come.
    """

    def __enter__(self) -> no_grad:
        self._saved = (_Mode.grad_enabled, _Mode.anomaly)
        _Mode.set(False, _Mode.anomaly)
        return self

    def __exit__(self, *exc_info: object) -> None:
        _Mode.set(*self._saved)


class detect_anomaly:  # noqa: N801 - named like torch.autograd.detect_anomaly
    """Context manager: raise :class:`AnomalyError` at the op whose value or gradient
    becomes NaN or infinite, naming the op, its inputs and their labels."""

    def __enter__(self) -> detect_anomaly:
        self._saved = (_Mode.grad_enabled, _Mode.anomaly)
        _Mode.set(_Mode.grad_enabled, True)
        return self

    def __exit__(self, *exc_info: object) -> None:
        _Mode.set(*self._saved)


class gc_paused:  # noqa: N801 - a mode like no_grad
    """Context manager: pause Python's cyclic garbage collector, e.g. for one training step.

    A graph of Values has no reference cycles (a node refers to its children, never to its
    users), so reference counting frees a step's graph the moment its last reference goes.
    The cyclic collector can free none of it, yet while the graph grows it is triggered by
    every few hundred new nodes and re-scans them, which can double the time of a step with
    a large graph. ``train()`` runs each step inside this context. Any cyclic garbage made
    inside is collected as usual after it; a collector that was already off stays off.
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


def _operands(children: Sequence[Value]) -> str:
    shown = ", ".join(f"{c._name()}={c.data!r}" for c in children[:6])
    return shown + (f", ... ({len(children)} in all)" if len(children) > 6 else "")


def _check_backward(node: Value) -> None:
    for child in node._children:
        if not math.isfinite(child.grad):
            raise AnomalyError(
                f"backward of op '{node.op}' at node {node._name()} (value {node.data!r}, "
                f"upstream gradient {node.grad!r}) gave gradient {child.grad!r} to node "
                f"{child._name()} (value {child.data!r}); inputs {_operands(node._children)}"
            )
