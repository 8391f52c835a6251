"""Argument checks with one wording: ``<name> must be <what>, got <type> <value>``.

A ``bool`` is never taken for a number (``True`` is an ``int`` in Python, but ``lr=True`` is
a mistake). Each check returns the value, converted where that is its job, so a caller
writes ``lr = checks.positive_number("lr", lr)``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from numbers import Real
from typing import TypeVar

from tinygrad_edu.core import Value
from tinygrad_edu.core.messages import count, describe, label_problem

T = TypeVar("T")


def _refuse(name: str, what: str, value: object) -> TypeError:
    return TypeError(f"{name} must be {what}, got {describe(value)}")


def is_number(value: object) -> bool:
    """A real number that is not a ``bool``."""
    return isinstance(value, Real) and not isinstance(value, bool)


def number(name: str, value: object) -> float:
    """Any real number, as a float (a TypeError otherwise)."""
    if not is_number(value):
        raise _refuse(name, "a number", value)
    return float(value)  # type: ignore[arg-type]


def data_of(value: object) -> float:
    """A Value's ``.data``, or a real number as a float: for data and targets, which may be
    given either way (``float(v)`` of a Value raises, so that math functions cannot cut
    the graph)."""
    return value.data if isinstance(value, Value) else float(value)  # type: ignore[arg-type]


def finite_number(name: str, value: object) -> float:
    """A finite real number."""
    result = number(name, value)
    if not math.isfinite(result):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    return result


def positive_number(name: str, value: object) -> float:
    """A finite number > 0 (a learning rate)."""
    result = number(name, value)
    if not (result > 0.0 and math.isfinite(result)):
        raise ValueError(f"{name} must be a positive finite number, got {value!r}")
    return result


def number_in(
    name: str, value: object, low: float, high: float = math.inf, low_included: bool = True
) -> float:
    """A number in [low, high), or in (low, high) with ``low_included=False``."""
    result = number(name, value)
    above = result >= low if low_included else result > low
    if not (above and result < high):
        bounds = f"{'[' if low_included else '('}{low:g}, {high:g})"
        raise ValueError(f"{name} must be in {bounds}, got {value!r}")
    return result


def integer(name: str, value: object, low: int | None = None) -> int:
    """An ``int`` (not a bool), at least ``low`` if given."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise _refuse(name, "an int" if low is None else f"an int ≥ {low}", value)
    if low is not None and value < low:
        raise ValueError(f"{name} must be an int ≥ {low}, got {value}")
    return value


def positive_int(name: str, value: object) -> int:
    """An ``int`` ≥ 1: a layer size, an epoch count, a batch size."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise _refuse(name, "a positive int", value)
    if value < 1:
        raise ValueError(f"{name} must be a positive int, got {value}")
    return value


def flag(name: str, value: object) -> bool:
    """``True`` or ``False`` only: a 0, a 1 or a string is a mistake here."""
    if not isinstance(value, bool):
        raise _refuse(name, "True or False", value)
    return value


def choice(name: str, value: object, choices: Sequence[T]) -> T:
    """One of ``choices``; a TypeError for a value of the wrong type, else a ValueError."""
    shown = ", ".join(map(repr, choices))
    kinds = {type(c) for c in choices}
    if not isinstance(value, tuple(kinds)) or isinstance(value, bool) and bool not in kinds:
        raise _refuse(name, f"one of {shown}", value)
    if value not in choices:
        raise ValueError(f"{name} must be one of {shown}; got {value!r}")
    return value  # type: ignore[return-value]


def sequence(name: str, value: object) -> Sequence[object]:
    """A list or tuple (a str or a dict also has a len(), but no items at 0, 1, …)."""
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise _refuse(name, "a list", value)
    return value


def node(name: str, value: object) -> Value:
    """A ``Value``: a node of a graph. What learners pass instead gets its own advice: the
    list of outputs of a model with several outputs, or a plain number, which has no graph."""
    if isinstance(value, Value):
        return value
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, Value) for v in value):
        values = count(len(value), "Value")
        raise TypeError(
            f"{name} must be one Value, got a {type(value).__name__} of {values} "
            "(a model with several outputs returns a list): pass the loss, or one output "
            "such as outputs[0]"
        )
    if is_number(value):
        raise TypeError(
            f"{name} must be a Value, got {describe(value)}: a plain number has no graph; "
            "build it from Values, e.g. x = Value(3.0) and then x * 2"
        )
    if type(value).__name__ == "Value":  # another engine's: say whose, not "Value, got Value"
        cls = type(value)
        raise TypeError(
            f"{name} must be a tinygrad_edu Value, got a Value from module {cls.__module__!r} "
            f"({cls.__module__}.{cls.__qualname__}), which this function cannot read"
        )
    raise _refuse(name, "a Value", value)


# 4,096 characters of up to 4 bytes each fill the 16 KB that graphviz's dot reads in one
# quoted string; a longer label cannot be drawn, and no reader could read it in a box.
MAX_DRAWN_LABEL = 4096


def string_labels(nodes: Sequence[Value]) -> None:
    """Every node's label is a str (``v.label = 5`` is not caught when it is set) that a
    drawing can hold: at most ``MAX_DRAWN_LABEL`` characters, without a character that no
    SVG or DOT file may contain (NUL and the other control characters but tab and line
    breaks, a lone UTF-16 surrogate). The error names the node and shows the label escaped."""
    for n in nodes:
        if type(n.label) is not str:
            raise TypeError(f"{label_problem(n.label)} (on the node of value {n.data:.6g})")
        label = n.label
        if len(label) > MAX_DRAWN_LABEL:
            problem = f"is {len(label):,} characters long, more than the {MAX_DRAWN_LABEL:,}"
            fix = "a drawing holds; give the node a shorter label"
        else:
            bad = next((c for c in label if _undrawable(c)), None)
            if bad is None:
                continue
            problem = f"holds the character {ascii(bad)}"
            fix = "which no SVG or DOT file may contain; give it a label of printable characters"
        shown = ascii(label[:40]) + ("..." if len(label) > 40 else "")
        raise ValueError(
            f"the label {shown} (on the node of value {n.data:.6g}) cannot be drawn: it "
            f"{problem}, {fix}"
        )


def _undrawable(c: str) -> bool:
    """A control character XML forbids (all below 32 but tab, line feed and carriage
    return), or half of a UTF-16 surrogate pair, which no UTF-8 file can encode."""
    code = ord(c)
    return (code < 32 and c not in "\t\n\r") or 0xD800 <= code <= 0xDFFF or code in (0xFFFE, 0xFFFF)
