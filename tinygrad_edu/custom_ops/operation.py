"""``custom_op``: the function over Values, and the op class it makes at run time.

The op class follows the op protocol of :mod:`tinygrad_edu.core.ops`: ``children`` and
``walk`` give its operands (kept in ``_a`` and ``_b``, or all of them as a tuple in ``_a`` for
three or more, as Σwx+b keeps its own), ``local`` calls the user's ``local`` with the operands'
numbers and ``out=`` the node's value, the generic ``backward`` of :class:`~tinygrad_edu.core.
ops.Op` multiplies by the upstream gradient, and ``rule`` gives ``explain()`` its words. It is
registered under its symbol (:func:`tinygrad_edu.core.ops.register`).
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from tinygrad_edu.checks import is_number
from tinygrad_edu.core import Value, as_value, make_node, ops
from tinygrad_edu.core.messages import describe, magnitude, math_error, operand_list
from tinygrad_edu.custom_ops.first_use import check_local

Rule = str | Sequence[str] | Callable[[int, Sequence[str], str], str] | None


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
        self.forward, self._local = forward, local
        self._checked = False

    @property
    def symbol(self) -> str:
        return self.operation.symbol

    @property
    def subject(self) -> str:
        """How the first-use check's message names the op."""
        return f"custom op {self.symbol!r}"

    @property
    def fix(self) -> str:
        """What the first-use check's message advises."""
        return "fix local, or pass check=False to skip this check"

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
            result = self.forward(*xs)
        except (OverflowError, ValueError, ZeroDivisionError) as error:
            raise math_error(error, symbol, values) from None
        if not is_number(result):
            raise TypeError(
                f"custom op {symbol!r}: forward must return a number, got {describe(result)}"
            )
        data = _as_float(result, f"custom op {symbol!r}: forward", values)
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
        return tuple(_as_float(x, f"custom op {self.symbol!r}: local") for x in result)

    def __repr__(self) -> str:
        return f"custom_op({self.symbol!r}: {self.symbol}({', '.join(self.names)}))"


def _as_float(number: Any, what: str, operands: Sequence[Value] = ()) -> float:
    """A result of the user's function as a float; an int too large for one is an
    OverflowError naming the op (and its input)."""
    try:
        return float(number)
    except OverflowError:
        at = f" for input {operand_list(operands)}" if operands else ""
        raise OverflowError(
            f"{what} gives an int {magnitude(number)}{at}, too large for a float (the "
            "largest is about 1.8e308)"
        ) from None


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
    if not symbol[0].isalpha() or not all(c.isalnum() or c in "_'′" for c in symbol):
        raise ValueError(
            f"custom_op: the symbol {symbol!r} must be a name of letters and digits that "
            "starts with a letter, such as 'softplus': signs such as '**2' or '+' are how "
            "the built-in ops are shown"
        )
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
        def walk(out: Value, walked: set[int], leaves: bool) -> Iterator[Value]:
            return iter(operands_of(out))

        @staticmethod
        def local(out: Value) -> tuple[float, ...]:
            return function.local_values([child.data for child in operands_of(out)], out.data)

        @classmethod
        def recompute(cls, out: Value) -> float:
            return float(function.forward(*[child.data for child in operands_of(out)]))

        @staticmethod
        def rule(out: Value, operand: int, args: Sequence[str], result: str) -> str:
            return words(operand, args, result)

    CustomOperation.__name__ = CustomOperation.__qualname__ = f"CustomOp_{symbol}"
    CustomOperation.__doc__ = f"{symbol}({', '.join(names)}), made with custom_op."
    return CustomOperation
