"""tinygrad_edu.micrograd.engine.Value against micrograd 0.1.0's own Value: the same graph node
for node, the same numbers, the same prints; and the drop-in's nodes are tinygrad_edu Values."""

from __future__ import annotations

import math

import pytest

from tinygrad_edu import AnomalyError, detect_anomaly, no_grad
from tinygrad_edu.core import Value as CoreValue
from tinygrad_edu.micrograd.engine import Value

# Each expression is written once and run on both engines; a = 1.5, b = -0.75.
EXPRESSIONS = {
    "a + b": lambda a, b: a + b,
    "a * b": lambda a, b: a * b,
    "-a": lambda a, b: -a,
    "a - b": lambda a, b: a - b,
    "a - 3": lambda a, b: a - 3,
    "3 - a": lambda a, b: 3 - a,
    "1 + a": lambda a, b: 1 + a,
    "2 * a": lambda a, b: 2 * a,
    "a / b": lambda a, b: a / b,
    "a / 4": lambda a, b: a / 4,
    "2 / a": lambda a, b: 2 / a,
    "a ** 2": lambda a, b: a**2,
    "a ** 2.0": lambda a, b: a**2.0,
    "a ** -1": lambda a, b: a**-1,
    "a ** 0.5": lambda a, b: a**0.5,
    "(a * b).relu()": lambda a, b: (a * b).relu(),
    "(a - b).relu()": lambda a, b: (a - b).relu(),
    "a * a": lambda a, b: a * a,
    "sum([a, b])": lambda a, b: sum([a, b]),
}


@pytest.mark.parametrize("convert", [math.tanh, math.exp, float])
def test_the_drop_in_refuses_math_functions_as_micrograd_does(convert):
    x = Value(0.5, label="x")
    with pytest.raises(TypeError, match=r"x\.tanh\(\).*x\.data"):
        convert(x)
    assert x.tanh().data == math.tanh(0.5)  # the op keeps the graph


def shape(v):
    """The graph below ``v`` as micrograd's attributes show it: op, value, and the operands'
    shapes (sorted, as ``_prev`` is a set)."""
    return (v._op, float(v.data), tuple(sorted(shape(child) for child in v._prev)))


def trace(root) -> tuple[set, set]:
    nodes, edges, pending = set(), set(), [root]
    while pending:
        v = pending.pop()
        if v not in nodes:
            nodes.add(v)
            for child in v._prev:
                edges.add((child, v))
                pending.append(child)
    return nodes, edges


def both(expression, real_micrograd):
    ours = [Value(1.5), Value(-0.75)]
    theirs = [real_micrograd.engine.Value(1.5), real_micrograd.engine.Value(-0.75)]
    return (ours, expression(*ours)), (theirs, expression(*theirs))


@pytest.mark.parametrize("name", list(EXPRESSIONS))
def test_each_operator_builds_micrograds_graph_with_its_numbers(name, real_micrograd):
    (ours, out), (theirs, reference) = both(EXPRESSIONS[name], real_micrograd)
    assert type(out) is Value
    assert shape(out) == shape(reference)
    assert [len(part) for part in trace(out)] == [len(part) for part in trace(reference)]
    assert out.data == reference.data
    out.backward()
    reference.backward()
    assert [x.grad for x in ours] == [x.grad for x in theirs]  # bit for bit


def test_the_symbols_are_micrograds():
    a = Value(3.0)
    assert [(a**2)._op, (a**2.0)._op, (a**-1)._op, (a / 2)._op, (-a)._op] == [
        "**2",
        "**2.0",
        "**-1",
        "*",
        "*",
    ]
    assert a.relu()._op == "ReLU" and (a - 1)._op == "+" and a._op == ""
    division = a / Value(2.0)  # a * b**-1
    assert sorted(child._op for child in division._prev) == ["", "**-1"]


def test_a_larger_expression_matches_micrograd_node_for_node(real_micrograd):
    def expression(a, b):
        c = a * b + b**3
        c = c + (c + 1) - a / 4
        d = (b - a).relu() * 2 + 3 / (c**2 + 1)
        return -d + 1.5 * c

    (ours, out), (theirs, reference) = both(expression, real_micrograd)
    assert shape(out) == shape(reference)
    assert out.data == reference.data  # the forward pass does not depend on any order
    out.backward()
    reference.backward()
    for mine, micrograds in zip(ours, theirs, strict=True):
        assert mine.grad == pytest.approx(micrograds.grad, rel=1e-15)


def test_values_print_as_micrograds_do(real_micrograd):
    reference = real_micrograd.engine.Value
    assert repr(Value(2.5)) == repr(reference(2.5)) == "Value(data=2.5, grad=0)"
    x, y = Value(2.5), reference(2.5)
    out, expected = x * x + 1, y * y + 1
    assert repr(out) == repr(expected)
    out.backward()
    expected.backward()
    assert repr(out) == repr(expected) == "Value(data=7.25, grad=1)"
    assert repr(x) == repr(y) == "Value(data=2.5, grad=5.0)"
    assert f"{x}" == f"{y}"


def test_data_is_always_a_float_where_micrograd_keeps_an_int(real_micrograd):
    assert real_micrograd.engine.Value(2).data == 2 and repr(Value(2)) == "Value(data=2.0, grad=0)"


def test_the_signature_and_micrograds_attributes():
    x = Value(2.0, label="x")
    made = Value(5.0, (x, x), "f")
    assert (x.label, x._op, x._prev, made._op, made._prev) == ("x", "", set(), "f", {x})
    assert made.children == (x,)  # a child given twice is one operand, as in micrograd's set
    assert isinstance(made, CoreValue) and made.op == "f"


def test_the_cores_other_ops_give_drop_in_values_with_their_gradients():
    x, n = Value(0.5), Value(3.0)
    for out, derivative in [
        (x.exp(), math.exp(0.5)),
        (x.tanh(), 1 - math.tanh(0.5) ** 2),
        (x.sigmoid(), math.exp(-0.5) / (1 + math.exp(-0.5)) ** 2),
        (x.log(), 2.0),
        (abs(-x), 1.0),
        (x**n, 3 * 0.5**2),
    ]:
        assert type(out) is Value
        x.grad = 0.0
        out.backward()
        assert x.grad == pytest.approx(derivative, rel=1e-12)


def test_bad_operands_and_results_raise_in_the_users_terms():
    x = Value(2.0)
    with pytest.raises(TypeError, match=r"'\+' needs a Value or a real number.*str 'a'"):
        x + "a"
    with pytest.raises(TypeError, match=r"'-' needs a Value or a real number"):
        "a" - x
    with pytest.raises(TypeError, match="needs a real number"):
        Value("2")
    with pytest.raises(OverflowError, match="'\\*' gives inf"):
        Value(1e308) * 10
    with pytest.raises(ValueError, match="'\\*\\*-1' is undefined"):
        Value(0.0) / Value(0.0)
    with pytest.raises(ZeroDivisionError, match="by the number 0"):
        x / 0
    with pytest.raises(ValueError, match="'\\*\\*0.5' is undefined"):
        Value(-4.0) ** 0.5  # micrograd would return a complex number here


def test_no_grad_and_detect_anomaly_apply():
    x = Value(2.0)
    with no_grad():
        out = x * 3 + Value(1.0, (x,), "f")
    assert type(out) is Value and out._prev == set()
    with pytest.raises(RuntimeError, match="no_grad"):
        out.backward()
    with detect_anomaly(), pytest.raises(AnomalyError, match="test_engine.py"):
        Value(1e308) * 10


def test_a_second_backward_adds_one_copy_where_micrograd_over_counts(real_micrograd):
    """micrograd's issues #53 and #102: its interior nodes keep their gradient, so a second
    backward() adds it again below them; here each leaf gets exactly one more copy."""

    def twice(value_class):
        x = value_class(3.0)
        y = x * 2  # an interior node between the root and the leaf
        z = y * y
        z.backward()
        first = x.grad
        z.backward()
        return first, x.grad

    assert twice(Value) == (24.0, 48.0)
    assert twice(real_micrograd.engine.Value) == (24.0, 72.0)
