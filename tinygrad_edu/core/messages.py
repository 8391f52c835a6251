"""How the engine names things in its messages: one wording for a node, an operand list and a
value that is not a number, so every error and every printed step reads the same way."""

from __future__ import annotations

import math
import reprlib
from collections.abc import Sequence
from numbers import Real
from typing import TYPE_CHECKING

from tinygrad_edu.core.modes import AnomalyError, Mode, built_at, origin_of, record_origin

if TYPE_CHECKING:
    from tinygrad_edu.core.engine import Value

MAX_OPERANDS_SHOWN = 6


def shown(x: float, spec: str = ".6g") -> str:
    """A number as drawings, steps and explanations show it: ``format(x, spec)``, but ``0``
    for −0.0. (−1·0 is −0.0 in IEEE 754; the sign of a zero changes no later sum or product
    a learner could see, so it is not shown.)"""
    return format(x + 0.0, spec)  # -0.0 + 0.0 is +0.0; every other x is unchanged


def count(n: int, singular: str, plural: str = "") -> str:
    """``1 epoch``, ``2 epochs``; ``plural`` where adding an s is wrong (``leaves``)."""
    return f"{n:,} {singular if n == 1 else plural or singular + 's'}"


def node_name(node: Value) -> str:
    """``'W1[0,2]'`` for a labelled node; ``the '*' node (-6)`` or ``the leaf 2`` otherwise."""
    if node.label:
        return repr(node.label)
    if node._operation is not None:
        return f"the {node.op!r} node ({shown(node.data)})"
    return f"the leaf {shown(node.data)}"


def operand_list(nodes: Sequence[Value]) -> str:
    """The operands of an op for an error message: ``'z' = 1000.0, the leaf 2``."""
    shown = [
        f"{node_name(node)} = {node.data!r}" if node.label else node_name(node)
        for node in nodes[:MAX_OPERANDS_SHOWN]
    ]
    more = len(nodes) - MAX_OPERANDS_SHOWN
    return ", ".join(shown) + (f", ... ({len(nodes)} in all)" if more > 0 else "")


def to_float(data: object, what: str = "Value()") -> float:
    """A real number as a float, or a TypeError that says what was given (an OverflowError
    for an int too large for a float). ``bool`` is not a number here."""
    if isinstance(data, bool) or not isinstance(data, Real):
        raise TypeError(f"{what} needs a real number (int or float), got {describe(data)}")
    try:
        return float(data)
    except OverflowError:
        raise OverflowError(
            f"{what} got {type(data).__name__} {magnitude(data)}, too large for a float "
            "(the largest is about 1.8e308)"
        ) from None


def describe(value: object) -> str:
    """A value that has the wrong type, shortened: ``str 'abc'``, ``list [1, 2, 3, ...]``."""
    try:  # shortened, so a huge list or int cannot flood (or break) the message
        shown = reprlib.repr(value)
    except Exception:  # a broken __repr__ must not hide the user's real mistake
        shown = "<unprintable>"
    return f"{type(value).__name__} {shown}"


def magnitude(number: Real) -> str:
    """``of about 10**400``: the size of a number too large to print or convert."""
    try:
        return f"of about 10**{math.floor(math.log10(abs(number)))}"
    except (ValueError, OverflowError, TypeError):
        return "of unprintable size"


def not_finite(node: Value) -> Exception:
    """The error for an op whose result is ±inf or NaN (no node may hold one)."""
    shown = f"{node.op!r} gives {node.data!r} for input {operand_list(node.children)}"
    if Mode.anomaly:
        if origin_of(node) is None:
            record_origin(node)
        return AnomalyError(f"op {shown}{built_at(node)}")
    if all(math.isfinite(child.data) for child in node.children):
        if node.data != node.data:  # NaN from finite operands: undefined, not too large
            return ValueError(f"{shown}: the result is not a number (undefined at this input)")
        return OverflowError(f"{shown}: the result overflows a float")
    return ValueError(f"{shown}: an operand is already infinite or NaN")


def math_error(error: Exception, name: str, operands: Sequence[Value]) -> Exception:
    """A math function's bare error, reworded to name the op and its operands."""
    if isinstance(error, OverflowError):
        return OverflowError(f"{name!r} overflows a float for input {operand_list(operands)}")
    return ValueError(f"{name!r} is undefined for input {operand_list(operands)}")


def stopped_at(root: Value, node: Value) -> str:
    """The note on an error that stopped ``root.backward()`` at ``node``."""
    return (
        f"backward() of {node_name(root)} stopped at {node_name(node)} (op {node.op!r}); "
        "every leaf's gradient is back as it was before the call"
    )


def no_plain_number(node: Value, conversion: str) -> str:
    """Why ``float(node)`` (and so ``math.tanh(node)``), ``int`` or ``complex`` of a Value is
    refused: its result would be a number without a graph, with gradient 0."""
    v = node.label if node.label.isidentifier() else "v"
    return (
        f"{conversion} of a Value ({node_name(node)}) would be a plain number cut from the "
        "graph, so no gradient could flow back through it (math.tanh, math.exp and the other "
        f"math functions call float()). Write {v}.tanh(), {v}.exp(), {v}.log(), "
        f"{v}.sigmoid(), {v}.relu() or {v} ** n to keep the gradient, and {v}.data for the "
        "number itself"
    )


def label_problem(label: object) -> str:
    """Why ``label`` cannot be a node's label, and for micrograd's ``Value(data, _children,
    _op)`` what to use instead."""
    if isinstance(label, tuple):
        return (
            f"Value(data, label): the label must be a str, got {describe(label)}. To make an "
            "op by hand as micrograd does, use tinygrad_edu.micrograd.engine.Value; to add an "
            "op with its derivative checked, use tinygrad_edu.custom_op"
        )
    return f"Value label must be a str, got {describe(label)}"


def check_gradients(node: Value) -> None:
    """Under ``detect_anomaly()``: raise at the first operand whose gradient the rule at
    ``node`` made inf or NaN."""
    children = node.children
    for child in children:
        if not math.isfinite(child.grad):
            raise AnomalyError(
                f"backward of op {node.op!r} at {node_name(node)}{built_at(node)} (value "
                f"{node.data!r}, upstream gradient {node.grad!r}) gave gradient {child.grad!r} "
                f"to {node_name(child)} (value {child.data!r}); inputs {operand_list(children)}"
            )
