"""Ops of your own, first-class and checked: ``custom_op(symbol, forward, local)``.

    >>> import math
    >>> softplus = custom_op(
    ...     "softplus",
    ...     forward=lambda x: math.log1p(math.exp(x)),            # f(x) = ln(1 + eˣ)
    ...     local=lambda x, out: (1.0 / (1.0 + math.exp(-x)),),   # f′(x) = σ(x)
    ...     rule="σ({x})",
    ... )

``softplus(v)`` makes one node of a new op class built on the op protocol of
:mod:`tinygrad_edu.core.ops`: ``local`` gives its local derivatives from its operands' numbers
and its own value (``out=``), and the generic rule of :class:`~tinygrad_edu.core.ops.Op`
multiplies them by the upstream gradient. So ``backward()``, ``backward_steps()``,
``draw_dot``, ``chain_paths``, ``explain`` (with ``rule``'s words), ``gradcheck``,
``no_grad`` and ``detect_anomaly`` treat it as one of their own, and a network may use a
one-operand op as its activation. The op is registered under its symbol, so a saved model
that uses it loads in any program that has made it first.

The first time the op is used, ``local`` is compared with central differences of
``forward`` at the actual inputs, (f(x + h) − f(x − h)) / 2h; a mismatch raises
:class:`LocalDerivativeError`, naming the operand, both numbers and the likely mistake.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from tinygrad_edu.checks import is_number
from tinygrad_edu.core import Value, as_value, make_node, ops
from tinygrad_edu.core.messages import describe, math_error
from tinygrad_edu.exercises.diagnosis import factor_words, nice_factor, number

Rule = str | Sequence[str] | Callable[[int, Sequence[str], str], str] | None
RTOL, ATOL = 1e-4, 1e-6  # as gradcheck: central differences agree to about 4 digits


class LocalDerivativeError(ValueError):
    """A custom op's ``local`` disagrees with central differences of its ``forward``.

    Attributes: ``op`` (the symbol), ``operand`` (its index), ``kind`` (``"sign"``,
    ``"scale"``, ``"wrong-point"``, ``"swapped"`` or ``"other"``), ``expected`` (the central
    difference) and ``got`` (what ``local`` gave).
    """

    def __init__(self, message: str, op: str, operand: int, kind: str, expected: float, got: float):
        super().__init__(message)
        self.op, self.operand, self.kind = op, operand, kind
        self.expected, self.got = expected, got


class CustomOp:
    """The function ``custom_op`` returns: calling it with Values (or numbers) makes one node
    of its op. ``operation`` is the op class; ``check`` whether the first use is checked."""

    def __init__(
        self,
        operation: type[ops.Op],
        names: tuple[str, ...],
        forward: Callable[..., Any],
        local: Callable[..., Any],
        check: bool,
    ) -> None:
        self.operation = operation
        self.names = names
        self.check = check
        self._forward, self._local = forward, local
        self._checked = False

    @property
    def symbol(self) -> str:
        return self.operation.symbol

    @property
    def checked(self) -> bool:
        """Whether ``local`` has been compared with central differences yet."""
        return self._checked

    def __call__(self, *operands: Value | float) -> Value:
        symbol, arity = self.symbol, len(self.names)
        if len(operands) != arity:
            raise TypeError(
                f"{symbol} takes {arity} operand{'s' if arity > 1 else ''} "
                f"({', '.join(self.names)}), got {len(operands)}"
            )
        values = [as_value(x, symbol) for x in operands]
        xs = [v.data for v in values]
        try:
            result = self._forward(*xs)
        except (OverflowError, ValueError, ZeroDivisionError) as error:
            raise math_error(error, symbol, values) from None
        if not is_number(result):
            raise TypeError(
                f"custom op {symbol!r}: forward must return a number, got {describe(result)}"
            )
        data = float(result)
        if self.check and not self._checked and math.isfinite(data):
            self._checked = check_local(self, xs, data)
        if arity == 1:
            return make_node(data, self.operation, values[0])
        if arity == 2:
            return make_node(data, self.operation, values[0], values[1])
        return make_node(data, self.operation, tuple(values))

    def local_values(self, xs: Sequence[float], out: float) -> tuple[float, ...]:
        """``local(*xs, out=out)``, checked: one real number per operand."""
        result = self._local(*xs, out=out)
        arity = len(self.names)
        if arity == 1 and is_number(result):
            result = (result,)  # one operand: a bare number is as good as a 1-tuple
        if (
            not isinstance(result, (tuple, list))
            or len(result) != arity
            or not all(is_number(x) for x in result)
        ):
            raise TypeError(
                f"custom op {self.symbol!r}: local must return {arity} number"
                f"{'s' if arity > 1 else ''}, one per operand ({', '.join(self.names)}), "
                f"got {describe(result)}"
            )
        return tuple(float(x) for x in result)

    def __repr__(self) -> str:
        return f"custom_op({self.symbol!r}: {self.symbol}({', '.join(self.names)}))"


def custom_op(
    symbol: str,
    forward: Callable[..., Any],
    local: Callable[..., Any],
    rule: Rule = None,
    check: bool = True,
) -> CustomOp:
    """A new op: ``forward(*xs) -> float`` gives its value from its operands' numbers and
    ``local(*xs, out=...) -> tuple`` its local derivatives ∂out/∂xᵢ, one per operand.

    Args:
        symbol: its name in drawings, steps, explanations and model files (``"softplus"``);
            not a built-in op's. Making an op of the same symbol again replaces it.
        forward: a function of a fixed number of floats.
        local: a function of the same floats and the keyword ``out``, the forward value.
        rule: the words ``explain()`` prints for ∂out/∂xᵢ: a template with the operands'
            names as ``{0}``, ``{1}`` (or by ``forward``'s parameter names, ``{x}``) and the
            result as ``{out}``, such as ``"σ({x})"``; one template per operand for several
            operands; or a function ``rule(operand, args, result) -> str``. By default
            ``softplus′(x)``.
        check: compare ``local`` with central differences at the first use.

    Raises:
        TypeError, ValueError: for a bad symbol, function or rule, naming it.
    """
    symbol = _checked_symbol(symbol)
    names = _operand_names(symbol, forward)
    if not callable(local):
        raise TypeError(f"custom_op {symbol!r}: local must be a function, got {describe(local)}")
    _check_takes_out(symbol, local)
    if not isinstance(check, bool):
        raise TypeError(f"custom_op {symbol!r}: check must be True or False, got {describe(check)}")
    words = _rule_function(symbol, names, rule)
    function = CustomOp(ops.Op, names, forward, local, check)
    function.operation = _op_class(symbol, names, function, words)
    ops.register(function.operation)
    return function


def _checked_symbol(symbol: object) -> str:
    if not isinstance(symbol, str) or not symbol or len(symbol) > 40:
        raise TypeError(
            f"custom_op: the symbol must be a short name such as 'softplus', got {describe(symbol)}"
        )
    if any(c.isspace() for c in symbol) or not symbol.isprintable():
        raise ValueError(f"custom_op: the symbol {symbol!r} must be one word, without spaces")
    if symbol == "linear" or any(
        op.symbol == symbol or op.function == symbol for op in ops.ALL_OPS
    ):
        raise ValueError(f"custom_op: {symbol!r} is a built-in op; choose another symbol")
    return symbol


def _operand_names(symbol: str, forward: object) -> tuple[str, ...]:
    """The names of ``forward``'s operands, read from its signature."""
    if not callable(forward):
        raise TypeError(
            f"custom_op {symbol!r}: forward must be a function, got {describe(forward)}"
        )
    try:
        parameters = list(inspect.signature(forward).parameters.values())
    except (TypeError, ValueError):
        raise TypeError(
            f"custom_op {symbol!r}: cannot read how many operands forward takes; "
            "write it as def forward(x): ... or lambda x: ..."
        ) from None
    if any(p.kind is p.VAR_POSITIONAL for p in parameters):
        raise TypeError(
            f"custom_op {symbol!r}: forward must take a fixed number of operands, not *args"
        )
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    names = tuple(p.name for p in parameters if p.kind in positional and p.default is p.empty)
    if not names:
        raise TypeError(f"custom_op {symbol!r}: forward takes no operand")
    return names


def _check_takes_out(symbol: str, local: Callable[..., Any]) -> None:
    try:
        parameters = inspect.signature(local).parameters.values()
    except (TypeError, ValueError):
        return  # a builtin without a signature: its first call will tell
    if not any(p.name == "out" or p.kind is p.VAR_KEYWORD for p in parameters):
        raise TypeError(
            f"custom_op {symbol!r}: local must take the operands and the keyword out (the "
            "forward value), as in lambda x, out: (...,)"
        )


def _rule_function(
    symbol: str, names: tuple[str, ...], rule: Rule
) -> Callable[[int, Sequence[str], str], str]:
    """``rule`` as a function ``(operand, args, result) -> str``, tried on the names."""
    if rule is None:
        if len(names) == 1:
            return lambda operand, args, result: f"{symbol}′({args[0]})"
        return lambda operand, args, result: f"∂{symbol}/∂{args[operand]}"
    if callable(rule):
        function = rule
    else:
        templates = (rule,) * len(names) if isinstance(rule, str) and len(names) == 1 else rule
        if isinstance(templates, str) or len(templates) != len(names):
            raise ValueError(
                f"custom_op {symbol!r}: give rule one template per operand "
                f"({', '.join(names)}), got {describe(rule)}"
            )

        def function(operand: int, args: Sequence[str], result: str) -> str:
            keywords = {**dict(zip(names, args, strict=True)), "out": result}
            return str(templates[operand]).format(*args, **keywords)

    for operand in range(len(names)):
        try:
            text = function(operand, names, "out")
        except (IndexError, KeyError, ValueError, TypeError) as error:
            raise ValueError(
                f"custom_op {symbol!r}: the rule for {names[operand]} does not fit ({error!r}): "
                f"write the operands as {{0}} or {{{names[0]}}} and the result as {{out}}"
            ) from None
        if not isinstance(text, str) or not text:
            raise ValueError(
                f"custom_op {symbol!r}: the rule must give words, got {describe(text)}"
            )
    return function


def _op_class(
    symbol: str,
    names: tuple[str, ...],
    function: CustomOp,
    words: Callable[[int, Sequence[str], str], str],
) -> type[ops.Op]:
    """The op class of a custom op: its operands in ``_a`` (and ``_b``), or all of them as a
    tuple in ``_a`` for three or more, as Σwx+b keeps its own."""
    count = len(names)
    op_symbol = symbol  # the class body below cannot read `symbol`: it defines its own

    def operands_of(out: Value) -> tuple[Value, ...]:
        if count == 1:
            return (out._a,)
        return (out._a, out._b) if count == 2 else tuple(out._a)

    class CustomOperation(ops.Op):
        symbol = op_symbol
        arity = count
        activation = count == 1
        apply = function

        @classmethod
        def children(cls, out: Value) -> tuple[Value, ...]:
            return operands_of(out)

        @staticmethod
        def walk(out: Value, walked: set[int]) -> Iterator[Value]:
            return iter(operands_of(out))

        @staticmethod
        def local(out: Value) -> tuple[float, ...]:
            return function.local_values([child.data for child in operands_of(out)], out.data)

        @staticmethod
        def rule(out: Value, operand: int, args: Sequence[str], result: str) -> str:
            return words(operand, args, result)

    CustomOperation.__name__ = CustomOperation.__qualname__ = f"CustomOp_{symbol}"
    CustomOperation.__doc__ = f"{symbol}({', '.join(names)}), made with custom_op."
    return CustomOperation


# ----- the check at the first use ----------------------------------------------------------


def check_local(function: CustomOp, xs: Sequence[float], out: float) -> bool:
    """Compare ``local`` with central differences of ``forward`` at ``xs``.

    Returns whether the check was made: not at a point where ``forward`` has a kink or is
    undefined nearby (then the next use tries again).

    Raises:
        LocalDerivativeError: where they disagree, with the likely mistake.
    """
    ours = function.local_values(xs, out)
    numerical = []
    for i in range(len(xs)):
        slope = _slope(function._forward, xs, i)
        if slope is None:
            return False
        numerical.append(slope)
    for i, (u, d) in enumerate(zip(ours, numerical, strict=True)):
        if not _agree(u, d):
            kind, words = _likely_mistake(function, xs, out, ours, numerical, i)
            name, symbol = function.names[i], function.symbol
            at = ", ".join(f"{n} = {number(x)}" for n, x in zip(function.names, xs, strict=True))
            raise LocalDerivativeError(
                f"custom op {symbol!r}: local gives ∂{symbol}/∂{name} = {number(u)} at {at} "
                f"(out = {number(out)}), but a central difference of forward gives "
                f"{number(d)}: {words}; fix local, or pass check=False to skip this check",
                symbol,
                i,
                kind,
                d,
                u,
            )
    return True


def _agree(u: float, d: float) -> bool:
    return abs(u - d) <= ATOL + RTOL * abs(d)


def _slope(forward: Callable[..., Any], xs: Sequence[float], i: int) -> float | None:
    """∂forward/∂xᵢ by central differences, or ``None`` near a kink or a domain's edge
    (where the one-sided slopes differ, or forward fails)."""
    h = 1e-5 * max(1.0, abs(xs[i]))

    def f(x: float) -> float:
        return float(forward(*[x if j == i else v for j, v in enumerate(xs)]))

    try:
        low, middle, high = f(xs[i] - h), f(xs[i]), f(xs[i] + h)
    except (ArithmeticError, ValueError):
        return None
    if not all(math.isfinite(v) for v in (low, middle, high)):
        return None
    left, right = (middle - low) / h, (high - middle) / h
    if abs(left - right) > 1e-3 * max(1.0, abs(left), abs(right)):
        return None  # a kink here: the two one-sided slopes differ
    return (high - low) / (2.0 * h)


def _likely_mistake(
    function: CustomOp,
    xs: Sequence[float],
    out: float,
    ours: Sequence[float],
    numerical: Sequence[float],
    i: int,
) -> tuple[str, str]:
    """The kind of mistake that makes ``ours[i]`` differ, and how to say it."""
    u, d = ours[i], numerical[i]
    if d != 0.0 and _agree(-u, d):
        return "sign", "a sign error (yours is −1 × the right value)"
    for j in range(len(xs)):
        if j != i and _agree(u, numerical[j]) and _agree(ours[j], d):
            name, other = function.names[i], function.names[j]
            return "swapped", f"the derivatives for {name} and {other} are swapped"
    if len(xs) == 1:
        try:
            exchanged = function.local_values([out], xs[0])
        except (ArithmeticError, ValueError, TypeError):
            exchanged = ()
        if exchanged and _agree(exchanged[0], d):
            name = function.names[0]
            return "wrong-point", (
                f"local(out, out={name}) would give the right value, so yours reads the input "
                f"{name} where it needs the output out, or the other way round: the "
                "derivative at the wrong point"
            )
    factor = nice_factor(u, d)
    if factor is not None:
        return "scale", f"off by a constant factor of {factor_words(factor)}"
    return "other", "not a sign, a constant factor or the wrong point: check local's formula"
