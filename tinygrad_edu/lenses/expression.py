"""Safe arithmetic expressions, such as ``"tanh(x * w + b)"``, built as a ``Value`` graph.

The text is parsed with :mod:`ast` and only a small grammar is accepted: numbers, variable
names, ``+ - * / **``, unary ``-`` and ``+``, and calls of exp, log, sigmoid, tanh and relu.
Nothing is ever evaluated as Python, so an expression cannot run code.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable, Mapping

from tinygrad_edu.core import Value, detect_anomaly
from tinygrad_edu.core.ops import ALL_OPS

# every op written as a call (``tanh(x)``), from the table of ops
FUNCTIONS: dict[str, Callable[[Value], Value]] = {
    op.function: getattr(Value, op.function) for op in ALL_OPS if op.function and op.arity == 1
}
MAX_LENGTH = 500  # a teaching expression fits in a line; this also bounds the parse depth
DEFAULT_VALUE = 0.5  # inside the domain of every function above

_BINARY: dict[type[ast.operator], Callable[[Value, Value], Value]] = {
    ast.Add: Value.__add__,
    ast.Sub: Value.__sub__,
    ast.Mult: Value.__mul__,
    ast.Div: Value.__truediv__,
    ast.Pow: Value.__pow__,
}


class ExpressionError(ValueError):
    """The expression is not in the accepted grammar, or cannot be computed."""


def variable_names(text: str) -> list[str]:
    """The variable names of the expression, in order of first appearance."""
    names: list[str] = []
    for node in ast.walk(_parse(text)):
        if isinstance(node, ast.Name) and node.id not in FUNCTIONS and node.id not in names:
            names.append(node.id)
    return names


def parse_expression(text: str, values: Mapping[str, float] | None = None) -> Value:
    """Build the graph of ``text``. Each variable becomes one leaf labelled with its name
    (so ``x * x`` uses the same leaf twice) with its value from ``values``, or
    ``DEFAULT_VALUE``; each number becomes an unlabelled leaf.

    Raises:
        ExpressionError: for anything outside the grammar, an unknown function, a value
            given for a name the expression does not use, or a math error such as log(-1).
    """
    values = dict(values or {})
    tree = _parse(text)
    unused = sorted(set(values) - set(variable_names(text)))
    if unused:
        raise ExpressionError(f"the expression has no variable {unused[0]!r}")
    leaves = {name: Value(value, label=name) for name, value in values.items()}
    try:
        with detect_anomaly():  # an overflow to inf (1e200 * 1e200) is an error, not a value
            return _build(tree.body, leaves)
    except ExpressionError:
        raise
    except (ArithmeticError, ValueError) as error:  # log(-1), 1/0, overflow
        raise ExpressionError(f"cannot compute {text.strip()!r}: {error}") from None


def _parse(text: str) -> ast.Expression:
    if not isinstance(text, str) or not text.strip():
        raise ExpressionError("the expression is empty")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"the expression has {len(text)} characters, at most {MAX_LENGTH}")
    try:
        return ast.parse(text.strip(), mode="eval")
    except ValueError as error:  # bytes that are not UTF-8 text, a NUL character
        raise ExpressionError(f"cannot parse the expression: {error}") from None
    except (SyntaxError, RecursionError, MemoryError) as error:
        reason = getattr(error, "msg", None) or type(error).__name__
        raise ExpressionError(f"cannot parse the expression: {reason}") from None


def _build(node: ast.expr, leaves: dict[str, Value]) -> Value:
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
            raise ExpressionError(f"{node.value!r} is not a number")
        try:
            number = float(node.value)
        except OverflowError:  # an int literal with hundreds of digits
            number = math.inf
        if not math.isfinite(number):
            raise ExpressionError("a number in the expression is too large for a float")
        return Value(number)
    if isinstance(node, ast.Name):
        if node.id in FUNCTIONS:
            raise ExpressionError(f"{node.id} is a function: write {node.id}(...)")
        if node.id not in leaves:
            leaves[node.id] = Value(DEFAULT_VALUE, label=node.id)
        return leaves[node.id]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
        exponent = _number(node.right)  # a number exponent is a constant, op "**"
        if exponent is not None:
            return _build(node.left, leaves) ** exponent
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        return _BINARY[type(node.op)](_build(node.left, leaves), _build(node.right, leaves))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        operand = _build(node.operand, leaves)
        return -operand if isinstance(node.op, ast.USub) else operand
    if isinstance(node, ast.Call):
        return _call(node, leaves)
    raise ExpressionError(
        f"{ast.unparse(node)!r} is not allowed: use numbers, names, + - * / **, and "
        f"{', '.join(FUNCTIONS)}"
    )


def _number(node: ast.expr) -> float | None:
    """The value of a literal number such as ``2`` or ``-0.5``; None for anything else."""
    sign = 1.0
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        sign = -1.0 if isinstance(node.op, ast.USub) else 1.0
        node = node.operand
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
        if not isinstance(node.value, bool):
            return sign * float(node.value)
    return None


def _call(node: ast.Call, leaves: dict[str, Value]) -> Value:
    name = node.func.id if isinstance(node.func, ast.Name) else ast.unparse(node.func)
    if name not in FUNCTIONS:
        raise ExpressionError(f"unknown function {name!r}; choose one of {', '.join(FUNCTIONS)}")
    if len(node.args) != 1 or node.keywords:
        raise ExpressionError(f"{name} takes exactly one argument")
    return FUNCTIONS[name](_build(node.args[0], leaves))
