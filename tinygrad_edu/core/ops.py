"""The ops: one class each, holding all of its math.

An op class says, in one place:

* ``symbol``: how drawings, steps and explanations show the op;
* ``forward``: its value f from its operands' numbers (the docstring gives f and f′);
* ``local(out)``: the local derivatives ∂out/∂operandᵢ at the node ``out``;
* ``backward(out)``: the chain rule at ``out``, ``operand.grad += local × out.grad``;
* ``rule`` and ``formula``: the words and the formula that ``explain()`` prints.

``backward`` is written out for the ops on every neuron's path (``+``, ``-``, ``*``, the
activations, Σwx+b), where a written rule is measured to be about three times faster than
the generic loop; the rare ops use the generic rule of :class:`Op`, which multiplies
``local`` by the upstream gradient. Both compute each contribution as exactly
``local * upstream``, so they agree bit for bit (a test holds this). To stop in a debugger
where a rule runs: ``import tinygrad_edu.core.ops as ops``, then ``b ops.Sigmoid.backward``.

A node keeps its operands in two slots, ``_a`` and ``_b``, so that it is one object for
Python's garbage collector; each op's ``children(out)`` gives them as an ordered tuple. The
rules of ``+``, ``*`` and Σwx+b return early when the upstream gradient is exactly 0 (below a
ReLU that is off, say): each contribution would be ±0, which leaves every gradient as it is,
because no node holds an infinite or NaN value (see ``Value``).

``ALL_OPS`` at the end is the one table of ops. To add a unary op, write its class here, add
it to ``ALL_OPS`` and give ``Value`` a one-line method (see the README, "Adding an op").
Ops made at run time (``tinygrad_edu.custom_op``) are added with :func:`register`, and
:func:`all_ops` gives the table with them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import partial
from itertools import chain, islice
from operator import is_not
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from tinygrad_edu.core.engine import Value


class Op:
    """An operation of the graph. Subclasses set the class attributes and the methods.

    Attributes:
        symbol: the op's name in drawings, steps and explanations (``"*"``, ``"sigmoid"``).
        arity: how many operands it takes (a Σwx+b node takes any number).
        function: the name of the ``Value`` method and of the ``--expr`` function that make
            it (``"tanh"``), for ops written as calls; ``None`` for operators.
        activation: whether an ``MLP`` may use it as an activation.
        torch_module: the ``torch.nn`` module computing the same function (``"Tanh"``).
        apply: for an op made at run time (:func:`register`), the function that makes its
            node from Values; ``None`` for the built-in ops, which ``Value``'s methods make.
        operand_names: for an op whose operand order matters (a − b), what the step-through
            page calls each operand (``("a", "b")``); empty where the order does not matter.
        ordered_formula: the same op written with those names (``"a − b"``), or ``None``.
        derivative_symbol: how the layer view writes f′ for an activation (``"σ′"``); empty
            means the symbol with a prime (``"softplus′"``).
        derivative_latex: the same in LaTeX (``r"\\sigma'"``); empty means ``f'``.
    """

    symbol: ClassVar[str] = "?"
    arity: ClassVar[int] = 1
    function: ClassVar[str | None] = None
    activation: ClassVar[bool] = False
    torch_module: ClassVar[str | None] = None
    apply: ClassVar[Callable[..., Value] | None] = None
    operand_names: ClassVar[tuple[str, ...]] = ()
    ordered_formula: ClassVar[str | None] = None
    derivative_symbol: ClassVar[str] = ""
    derivative_latex: ClassVar[str] = ""

    @classmethod
    def derivative_text(cls) -> str:
        """f′ of this op as the layer view writes it: ``σ′``, ``tanh′``, ``softplus′``."""
        return cls.derivative_symbol or f"{cls.symbol}′"

    @classmethod
    def derivative_tex(cls) -> str:
        """f′ of this op in LaTeX: ``σ′`` as ``\\sigma'``, or ``f'`` for an op without its own."""
        return cls.derivative_latex or "f'"

    @classmethod
    def name(cls, out: Value) -> str:
        """The symbol shown for the node ``out`` (``x ** 2`` shows ``**2``)."""
        return cls.symbol

    @classmethod
    def children(cls, out: Value) -> tuple[Value, ...]:
        """The operands of ``out``, in order; an operand used twice appears twice."""
        return (out._a,) if cls.arity == 1 else (out._a, out._b)

    @staticmethod
    def walk(out: Value, walked: set[int], leaves: bool) -> Iterator[Value]:
        """The operands that the topological sort visits below ``out``, in order. Only
        Σwx+b, whose nodes share operand tuples, skips any: see :meth:`WeightedSum.walk`."""
        return iter((out._a,))

    @staticmethod
    def local(out: Value) -> Sequence[float]:
        """∂out/∂operandᵢ for each operand, in the order of ``children``."""
        raise NotImplementedError

    @classmethod
    def recompute(cls, out: Value) -> float | None:
        """The op's value from its operands' data *now*, computed as it was when ``out`` was
        made (so it equals ``out.data`` bit for bit while no operand's ``.data`` changed);
        ``None`` for an op that cannot say (one written by hand). May raise as the op does."""
        forward: Callable[..., float] | None = getattr(cls, "forward", None)
        if forward is None:
            return None
        return forward(*[child.data for child in cls.children(out)])

    @classmethod
    def edge_order(cls, out: Value) -> Iterable[int]:
        """The positions in ``children`` in the order ``backward`` adds along them, which the
        stepper follows to leave the same bits: in order, for every op but Σwx+b (and only
        the weights and the bias for Σwx+b over data)."""
        return range(len(cls.children(out)))

    @classmethod
    def backward(cls, out: Value) -> None:
        """The chain rule at ``out``: each operand's gradient grows by local × upstream."""
        upstream = out.grad
        for child, local in zip(cls.children(out), cls.local(out), strict=True):
            child.grad += local * upstream

    @staticmethod
    def rule(out: Value, operand: int, args: Sequence[str], result: str) -> str:
        """∂result/∂args[operand] in symbols, for ``explain()`` (``1 - tanh²(x)``)."""
        raise NotImplementedError

    @classmethod
    def formula(cls, out: Value, args: Sequence[str]) -> str:
        """One level of the node's formula, operands by name: ``tanh(x)``, ``a * b``."""
        if len(args) > 4:
            return f"{cls.name(out)}({', '.join(args[:3])}, … {len(args)} operands)"
        return f"{cls.name(out)}({', '.join(args)})"


class BinaryOperator(Op):
    """An op written between its two operands: ``a + b``."""

    arity = 2

    @staticmethod
    def walk(out: Value, walked: set[int], leaves: bool) -> Iterator[Value]:
        return iter((out._a, out._b))

    @classmethod
    def formula(cls, out: Value, args: Sequence[str]) -> str:
        return f"{args[0]} {cls.name(out)} {args[1]}"


class Add(BinaryOperator):
    """a + b:  ∂/∂a = 1,  ∂/∂b = 1."""

    symbol = "+"

    @staticmethod
    def forward(a: float, b: float) -> float:
        return a + b

    @staticmethod
    def local(out: Value) -> tuple[float, float]:
        return (1.0, 1.0)

    @staticmethod
    def backward(out: Value) -> None:
        upstream = out.grad
        if upstream == 0.0:
            return  # nothing to pass down (see the module's docstring)
        out._a.grad += upstream
        out._b.grad += upstream

    @staticmethod
    def rule(out: Value, operand: int, args: Sequence[str], result: str) -> str:
        return "1"


class Sub(BinaryOperator):
    """a − b:  ∂/∂a = 1,  ∂/∂b = −1."""

    symbol = "-"
    operand_names = ("a", "b")
    ordered_formula = "a − b"

    @staticmethod
    def forward(a: float, b: float) -> float:
        return a - b

    @staticmethod
    def local(out: Value) -> tuple[float, float]:
        return (1.0, -1.0)

    @staticmethod
    def backward(out: Value) -> None:
        upstream = out.grad
        out._a.grad += upstream
        out._b.grad += -1.0 * upstream

    @staticmethod
    def rule(out: Value, operand: int, args: Sequence[str], result: str) -> str:
        return "1" if operand == 0 else "-1"


class Mul(BinaryOperator):
    """a · b:  ∂/∂a = b,  ∂/∂b = a."""

    symbol = "*"

    @staticmethod
    def forward(a: float, b: float) -> float:
        return a * b

    @staticmethod
    def local(out: Value) -> tuple[float, float]:
        return (out._b.data, out._a.data)

    @staticmethod
    def backward(out: Value) -> None:
        upstream = out.grad
        if upstream == 0.0:
            return  # nothing to pass down (see the module's docstring)
        a, b = out._a, out._b
        a.grad += b.data * upstream
        b.grad += a.data * upstream

    @staticmethod
    def rule(out: Value, operand: int, args: Sequence[str], result: str) -> str:
        return f"the other operand {args[1 - operand]}"


class Div(BinaryOperator):
    """a / b:  ∂/∂a = 1/b,  ∂/∂b = −a/b² = −(a/b)/b.

    −(a/b)/b reuses the forward value and, unlike −a/(b·b), cannot divide by a b² that
    underflowed to 0 (b = 1e-200); it is also the order of operations PyTorch uses.
    """

    symbol = "/"
    operand_names = ("a", "b")
    ordered_formula = "a / b"

    @staticmethod
    def forward(a: float, b: float) -> float:
        return a / b

    @staticmethod
    def local(out: Value) -> tuple[float, float]:
        b = out._b.data
        return (1.0 / b, -out.data / b)

    @staticmethod
    def rule(out: Value, operand: int, args: Sequence[str], result: str) -> str:
        return f"1/{args[1]}" if operand == 0 else f"-{args[0]}/{args[1]}²"


class Neg(Op):
    """−a:  ∂/∂a = −1."""

    symbol = "neg"

    @staticmethod
    def forward(a: float) -> float:
        return -a

    @staticmethod
    def local(out: Value) -> tuple[float]:
        return (-1.0,)

    @staticmethod
    def rule(out: Value, operand: int, args: Sequence[str], result: str) -> str:
        return "-1"

    @classmethod
    def formula(cls, out: Value, args: Sequence[str]) -> str:
        return f"-{args[0]}"


class PowConst(Op):
    """xⁿ with a number n:  ∂/∂x = n·xⁿ⁻¹.

    n is a constant of the op, kept in the node (``_b``) and shown in its symbol
    (``x ** 2`` is the op ``**2``), so it is not an operand and gets no gradient.
    """

    symbol = "**"

    @staticmethod
    def forward(x: float, n: float) -> float:
        return math.pow(x, n)

    @classmethod
    def name(cls, out: Value) -> str:
        return f"**{exponent_text(out._b)}"

    @classmethod
    def recompute(cls, out: Value) -> float:
        return cls.forward(out._a.data, out._b)  # n is the op's constant, not an operand

    @staticmethod
    def local(out: Value) -> tuple[float]:
        return (power_derivative(out._a.data, out._b),)

    @staticmethod
    def rule(out: Value, operand: int, args: Sequence[str], result: str) -> str:
        n = exponent_text(out._b)
        return f"{n}·{args[0]}^({n} - 1)"

    @classmethod
    def formula(cls, out: Value, args: Sequence[str]) -> str:
        return f"{args[0]} ** {exponent_text(out._b)}"


class Pow(BinaryOperator):
    """xⁿ with a Value n:  ∂/∂x = n·xⁿ⁻¹,  ∂/∂n = xⁿ·ln x.

    ln x is undefined for x ≤ 0. At x = 0 with n ≥ 0 we take the limit 0 (as PyTorch does);
    for x < 0 the derivative with respect to the exponent is NaN, which anomaly mode reports.
    """

    symbol = "pow"
    operand_names = ("a", "b")
    ordered_formula = "a ** b"

    @staticmethod
    def forward(x: float, n: float) -> float:
        return math.pow(x, n)

    @staticmethod
    def local(out: Value) -> tuple[float, float]:
        x, n = out._a.data, out._b.data
        if x > 0.0:
            d_exponent = out.data * math.log(x)
        elif x == 0.0 and n >= 0.0:
            d_exponent = 0.0
        else:
            d_exponent = math.nan
        return (power_derivative(x, n), d_exponent)

    @staticmethod
    def rule(out: Value, operand: int, args: Sequence[str], result: str) -> str:
        x, n = args
        return f"{n}·{x}^({n} - 1)" if operand == 0 else f"{x}^{n}·ln {x}"

    @classmethod
    def formula(cls, out: Value, args: Sequence[str]) -> str:
        return f"{args[0]} ** {args[1]}"


def power_derivative(x: float, n: float) -> float:
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


def exponent_text(n: float) -> str:
    """``2`` for 2.0, ``0.5`` for 0.5: a constant exponent as a learner would write it."""
    return str(int(n)) if n.is_integer() and abs(n) < 1e15 else repr(n)


class Exp(Op):
    """eˣ:  ∂/∂x = eˣ, the node's own value."""

    symbol = "exp"
    function = "exp"

    @staticmethod
    def forward(x: float) -> float:
        return math.exp(x)

    @staticmethod
    def local(out: Value) -> tuple[float]:
        return (out.data,)

    @staticmethod
    def rule(out: Value, operand: int, args: Sequence[str], result: str) -> str:
        return f"exp({args[0]}) = {result}"


class Log(Op):
    """ln x, for x > 0:  ∂/∂x = 1/x."""

    symbol = "log"
    function = "log"

    @staticmethod
    def forward(x: float) -> float:
        return math.log(x)

    @staticmethod
    def local(out: Value) -> tuple[float]:
        return (1.0 / out._a.data,)

    @staticmethod
    def rule(out: Value, operand: int, args: Sequence[str], result: str) -> str:
        return f"1/{args[0]}"


class Sigmoid(Op):
    """σ(x) = 1/(1 + e⁻ˣ):  ∂/∂x = σ(x)·(1 − σ(x)), from the node's own value."""

    symbol = "sigmoid"
    function = "sigmoid"
    activation = True
    torch_module = "Sigmoid"
    derivative_symbol = "σ′"
    derivative_latex = r"\sigma'"

    @staticmethod
    def forward(x: float) -> float:
        if x >= 0.0:
            return 1.0 / (1.0 + math.exp(-x))
        e = math.exp(x)  # e⁻ˣ would overflow for very negative x; eˣ/(1 + eˣ) is the same
        return e / (1.0 + e)

    @staticmethod
    def local(out: Value) -> tuple[float]:
        s = out.data
        return (s * (1.0 - s),)

    @staticmethod
    def backward(out: Value) -> None:
        s = out.data
        out._a.grad += (s * (1.0 - s)) * out.grad

    @staticmethod
    def rule(out: Value, operand: int, args: Sequence[str], result: str) -> str:
        x = args[0]
        return f"σ({x})·(1 - σ({x})) = {result}·(1 - {result})"


class Tanh(Op):
    """tanh x = (e²ˣ − 1)/(e²ˣ + 1):  ∂/∂x = 1 − tanh²x, from the node's own value."""

    symbol = "tanh"
    function = "tanh"
    activation = True
    torch_module = "Tanh"
    derivative_symbol = "tanh′"
    derivative_latex = r"\tanh'"

    @staticmethod
    def forward(x: float) -> float:
        return math.tanh(x)  # saturates to ±1 without overflow

    @staticmethod
    def local(out: Value) -> tuple[float]:
        t = out.data
        return (1.0 - t * t,)

    @staticmethod
    def backward(out: Value) -> None:
        t = out.data
        out._a.grad += (1.0 - t * t) * out.grad

    @staticmethod
    def rule(out: Value, operand: int, args: Sequence[str], result: str) -> str:
        return f"1 - tanh²({args[0]}) = 1 - {result}²"


class Relu(Op):
    """max(0, x):  ∂/∂x = 1 for x > 0, else 0.

    At x = 0 the derivative does not exist; we take the subgradient 0, as PyTorch does, so a
    unit sitting exactly at the kink passes no gradient.
    """

    symbol = "relu"
    function = "relu"
    activation = True
    torch_module = "ReLU"
    derivative_symbol = "relu′"
    derivative_latex = r"\mathrm{relu}'"

    @staticmethod
    def forward(x: float) -> float:
        return x if x > 0.0 else 0.0

    @staticmethod
    def local(out: Value) -> tuple[float]:
        return (1.0 if out.data > 0.0 else 0.0,)

    @staticmethod
    def backward(out: Value) -> None:
        if out.data > 0.0:
            out._a.grad += 1.0 * out.grad

    @staticmethod
    def rule(out: Value, operand: int, args: Sequence[str], result: str) -> str:
        return f"1 if {args[0]} > 0, else 0"


class Abs(Op):
    """|x|:  ∂/∂x = 1 for x > 0, −1 for x < 0, and 0 at the kink x = 0 (as in PyTorch)."""

    symbol = "abs"
    function = "abs"

    @staticmethod
    def forward(x: float) -> float:
        return abs(x)

    @staticmethod
    def local(out: Value) -> tuple[float]:
        x = out._a.data
        return (1.0 if x > 0.0 else -1.0 if x < 0.0 else 0.0,)

    @staticmethod
    def rule(out: Value, operand: int, args: Sequence[str], result: str) -> str:
        return f"the sign of {args[0]} (0 at 0)"


class WeightedSum(Op):
    """h = Σᵢ wᵢ·xᵢ + b, a whole neuron's pre-activation in one node:
    ∂h/∂wᵢ = xᵢ,  ∂h/∂xᵢ = wᵢ,  ∂h/∂b = 1.

    Operands, in order: w₁ … wₙ, x₁ … xₙ, b: one edge per weight and per input. The node
    keeps them in two tuples it shares rather than copies: ``_a`` is the neuron's own
    ``(w₁, …, wₙ, b)`` and ``_b`` the layer's inputs ``(x₁, …, xₙ)``, one tuple per layer
    call. ``tinygrad_edu.core.fused`` makes these nodes.

    Backward adds along the edges pairwise, w₁ x₁ w₂ x₂ … b (``edge_order``), in one loop:
    a node that is both a weight and an input gets its shares in that order.
    """

    symbol = "Σwx+b"
    arity = -1  # any number of operands

    @classmethod
    def children(cls, out: Value) -> tuple[Value, ...]:
        parameters: tuple[Value, ...] = out._a
        inputs: tuple[Value, ...] = out._b
        return parameters[:-1] + inputs + parameters[-1:]

    @staticmethod
    def walk(out: Value, walked: set[int], leaves: bool) -> Iterator[Value]:
        """The weights, the inputs and the bias, skipping what the sort need not look at:

        * a weight tuple or an input tuple that an earlier node shared (a neuron's weights
          are in every example's node, a layer's inputs in every neuron's) was walked
          already, and all its nodes visited;
        * when the sort lists no leaves (``backward()``'s sort), a tuple of leaves whose
          gradients are all 0 (the weights after ``zero_grad()``, the pixels of an image):
          the sort would only have looked at each for an earlier gradient.

        Interior nodes are met in the same order either way, so every float sum is the same.
        The sort (``order.py``) inlines the usual case, both tuples walked, below a unit f(h).
        """
        parameters, inputs = out._a, out._b
        new_weights, new_inputs = id(parameters) not in walked, id(inputs) not in walked
        if not (new_weights or new_inputs):  # the usual case: only the bias is left
            return iter((parameters[-1],))
        parts: list[Iterable[Value]] = []
        if new_weights:
            walked.add(id(parameters))
            if leaves or _has_interior_or_gradient(parameters):
                parts.append(islice(parameters, len(inputs)))
        if new_inputs:
            walked.add(id(inputs))
            if leaves or _has_interior_or_gradient(inputs):
                parts.append(inputs)
        parts.append((parameters[-1],))
        return chain.from_iterable(parts)

    @classmethod
    def recompute(cls, out: Value) -> float:
        """b + w₁x₁ + w₂x₂ + …, in the order ``fused.py`` sums."""
        parameters = out._a
        total: float = parameters[-1].data
        for w, x in zip(parameters, out._b):  # noqa: B905 - the bias is left out, as below
            total += w.data * x.data
        return total

    @staticmethod
    def edge_order(out: Value) -> list[int]:
        n = len(out._b)  # the weight wᵢ is at position i, its input xᵢ at n + i
        return [p for i in range(n) for p in (i, n + i)] + [2 * n]

    @staticmethod
    def local(out: Value) -> list[float]:
        parameters, inputs = out._a, out._b
        derivatives = [x.data for x in inputs]  # for each weight: the input it multiplies
        derivatives += [w.data for w in parameters[:-1]]  # for each input: its weight
        derivatives.append(1.0)  # for the bias
        return derivatives

    @staticmethod
    def backward(out: Value) -> None:
        upstream = out.grad
        if upstream == 0.0:
            return  # nothing to pass down (see the module's docstring)
        parameters, inputs = out._a, out._b
        # zip stops at the last input, so the bias at the end of `parameters` is left out
        for w, x in zip(parameters, inputs):  # noqa: B905
            w.grad += x.data * upstream
            x.grad += w.data * upstream
        parameters[-1].grad += 1.0 * upstream

    @staticmethod
    def rule(out: Value, operand: int, args: Sequence[str], result: str) -> str:
        n = len(args) // 2
        if operand < n:
            return f"the input {args[n + operand]} that {args[operand]} multiplies"
        return f"the weight {args[operand - n]} on {args[operand]}" if operand < 2 * n else "1"


class GivenLocal(Op):
    """A node made by hand with its local derivatives given: microgpt's
    ``Value(data, children, local_grads)``. f is whatever computed ``data``;
    ∂out/∂childᵢ = ``local_grads[i]``, numbers fixed when the node was made.

    The node keeps its children, in order and with repeats, as a tuple in ``_a`` and the
    local derivatives, one per child, as a tuple in ``_b``: exactly the two tuples it was
    given. ``backward`` is microgpt's whole chain rule, one loop over the pairs.
    """

    symbol = "given"
    arity = -1  # any number of children

    @classmethod
    def children(cls, out: Value) -> tuple[Value, ...]:
        children: tuple[Value, ...] = out._a
        return children

    @staticmethod
    def walk(out: Value, walked: set[int], leaves: bool) -> Iterator[Value]:
        return iter(out._a)

    @staticmethod
    def local(out: Value) -> tuple[float, ...]:
        derivatives: tuple[float, ...] = out._b
        return derivatives

    @staticmethod
    def backward(out: Value) -> None:
        upstream = out.grad
        for child, local in zip(out._a, out._b):  # noqa: B905 - made of equal length
            child.grad += local * upstream

    @staticmethod
    def rule(out: Value, operand: int, args: Sequence[str], result: str) -> str:
        return "the local derivative given with the node"


def _has_interior_or_gradient(nodes: tuple[Value, ...]) -> bool:
    """Whether any node an op made, or any leaf holding a gradient, is among ``nodes``
    (a neuron has hundreds of weights, an image hundreds of pixels). A plain loop: its
    attribute reads are specialised to the slots, three times quicker than
    ``any(map(attrgetter(...), nodes))``, which looks each attribute up by name."""
    for node in nodes:
        if node._operation is not None or node.grad:
            return True
    return False


class WeightedSumOfData(WeightedSum):
    """Σwx+b over inputs that are data, as ``train()`` builds its first layer: the same node,
    edges and local derivatives, but backward does not compute gradients of the inputs
    (nobody reads a pixel's gradient; PyTorch's inputs do not require grad either)."""

    @staticmethod
    def edge_order(out: Value) -> list[int]:
        n = len(out._b)  # the weights, then the bias: no edge into an input is taken
        return [*range(n), 2 * n]

    @staticmethod
    def backward(out: Value) -> None:
        upstream = out.grad
        if upstream == 0.0:
            return  # nothing to pass down (see the module's docstring)
        parameters = out._a
        for w, x in zip(parameters, out._b):  # noqa: B905 - the bias is left out, as above
            w.grad += x.data * upstream
        parameters[-1].grad += 1.0 * upstream


_is_operand = partial(is_not, None)  # a FoldedSum's second operand of a lone term is None


class FoldedSum(Op):
    """s = t₀ + t₁ + … + tₙ as ``sum()`` builds it, folded into one node while it is built:
    ∂s/∂tᵢ = 1, and for a term kept as a product wᵢ·xᵢ, ∂s/∂wᵢ = xᵢ and ∂s/∂xᵢ = wᵢ.

    ``sum(w * x for w, x in zip(ws, xs))`` makes a chain of 2n binary ``*`` and ``+`` nodes;
    folded, it is one node with an edge per term, or two for a product that nobody else holds,
    drawn and stepped like Σwx+b (``tinygrad_edu.core.fold`` says when it folds). The value
    is summed left to right, as the chain sums it, so the two give bit-identical values.

    ``_a`` lists each term's first operand (the term itself, or wᵢ), ``_b`` its second (None,
    or xᵢ). Backward goes through the terms from the last one, as the chain's backward meets
    them, a product's w before its x, as ``*`` adds (``edge_order``).
    """

    symbol = "Σ"
    arity = -1  # any number of operands

    @classmethod
    def children(cls, out: Value) -> tuple[Value, ...]:
        return tuple(v for a, b in zip(out._a, out._b) for v in ((a,) if b is None else (a, b)))  # noqa: B905

    @staticmethod
    def walk(out: Value, walked: set[int], leaves: bool) -> Iterator[Value]:
        # the children in order without building their tuple: each term's operands, the
        # None of a lone term left out (all in C: a Σ of a linear map has 2n of them)
        return filter(_is_operand, chain.from_iterable(zip(out._a, out._b)))  # noqa: B905

    @staticmethod
    def local(out: Value) -> list[float]:
        derivatives: list[float] = []
        for a, b in zip(out._a, out._b):  # noqa: B905 - the two lists grow together
            if b is None:
                derivatives.append(1.0)
            else:
                derivatives += (b.data, a.data)
        return derivatives

    @staticmethod
    def edge_order(out: Value) -> list[int]:
        starts, position = [], 0
        for b in out._b:
            starts.append(position)
            position += 1 if b is None else 2
        order: list[int] = []
        for start, b in zip(reversed(starts), reversed(out._b)):  # noqa: B905
            order += (start,) if b is None else (start, start + 1)
        return order

    @staticmethod
    def backward(out: Value) -> None:
        upstream = out.grad
        if upstream == 0.0:
            return  # nothing to pass down (see the module's docstring)
        for a, b in zip(reversed(out._a), reversed(out._b)):  # noqa: B905
            if b is None:
                a.grad += upstream
            else:  # the product's rule, as ops.Mul.backward
                a.grad += b.data * upstream
                b.grad += a.data * upstream

    @staticmethod
    def rule(out: Value, operand: int, args: Sequence[str], result: str) -> str:
        position = 0
        for b in out._b:
            width = 1 if b is None else 2
            if operand < position + width:
                if b is None:
                    return "1"
                other = args[position + 1] if operand == position else args[position]
                return f"the other factor {other} of its product"
            position += width
        raise IndexError(operand)


# The one table of ops: drawings, explanations, the expression parser, the networks' choice
# of activations and the PyTorch bridge all read it.
ALL_OPS: tuple[type[Op], ...] = (
    Add, Sub, Mul, Div, Neg, PowConst, Pow, Exp, Log, Sigmoid, Tanh, Relu, Abs,
    WeightedSum, WeightedSumOfData, FoldedSum, GivenLocal,
)  # fmt: skip


# ----- ops made at run time ---------------------------------------------------------------
# tinygrad_edu.custom_op makes an op class at run time; registering it here lets the tables
# read from the ops (the networks' activations) see it too.
_REGISTERED: dict[str, type[Op]] = {}


def register(op: type[Op]) -> None:
    """Add an op made at run time to the table, after the built-in ones. An op of the same
    symbol registered earlier is replaced (a notebook cell run twice); a built-in symbol is
    refused with a ValueError."""
    if any(builtin.symbol == op.symbol for builtin in ALL_OPS):
        raise ValueError(f"{op.symbol!r} is a built-in op; choose another symbol")
    _REGISTERED.pop(op.symbol, None)
    _REGISTERED[op.symbol] = op


def unregister(symbol: str) -> None:
    """Remove the op registered under ``symbol``, if there is one."""
    _REGISTERED.pop(symbol, None)


def all_ops() -> tuple[type[Op], ...]:
    """``ALL_OPS``, then the registered ops in the order they were registered."""
    return ALL_OPS + tuple(_REGISTERED.values())
