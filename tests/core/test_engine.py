"""The engine: values, local derivatives, the chain rule and its bookkeeping."""

from __future__ import annotations

import math

import pytest

from tinygrad_edu import Value, gradcheck, interior_order, topological_order
from tinygrad_edu.core.ops import ALL_OPS, Abs, Op, WeightedSumOfData

# One catalogue of unary functions drives both value and gradient tests:
# (name, Value function, float function, its derivative, a safe input range).
UNARY = [
    ("exp", Value.exp, math.exp, math.exp, (-5.0, 5.0)),
    ("log", Value.log, math.log, lambda x: 1.0 / x, (0.1, 5.0)),
    (
        "sigmoid",
        Value.sigmoid,
        lambda x: 1 / (1 + math.exp(-x)),
        lambda x: math.exp(-x) / (1 + math.exp(-x)) ** 2,
        (-5.0, 5.0),
    ),
    ("tanh", Value.tanh, math.tanh, lambda x: 1 - math.tanh(x) ** 2, (-3.0, 3.0)),
    ("relu", Value.relu, lambda x: max(0.0, x), lambda x: 1.0 if x > 0 else 0.0, (-3.0, 3.0)),
    ("neg", Value.__neg__, lambda x: -x, lambda x: -1.0, (-3.0, 3.0)),
    ("square", lambda v: v**2, lambda x: x * x, lambda x: 2 * x, (-3.0, 3.0)),
    ("cube", lambda v: v**3, lambda x: x**3, lambda x: 3 * x * x, (-3.0, 3.0)),
    ("reciprocal", lambda v: 1.0 / v, lambda x: 1 / x, lambda x: -1 / x**2, (0.5, 3.0)),
    ("two_to_the", lambda v: 2**v, lambda x: 2**x, lambda x: 2**x * math.log(2), (-3.0, 3.0)),
    ("sqrt", lambda v: v**0.5, math.sqrt, lambda x: 0.5 / math.sqrt(x), (0.1, 4.0)),
]


def _points(low: float, high: float, n: int = 7) -> list[float]:
    return [low + (high - low) * (k + 0.5) / n for k in range(n)]


@pytest.mark.parametrize("name, op, f, df, bounds", UNARY, ids=[u[0] for u in UNARY])
def test_unary_value_and_derivative(name, op, f, df, bounds):
    for x0 in _points(*bounds):
        x = Value(x0, label="x")
        y = op(x)
        y.backward()
        assert y.data == pytest.approx(f(x0), rel=1e-14, abs=1e-15)
        assert x.grad == pytest.approx(df(x0), rel=1e-12, abs=1e-15)
        if name != "relu" or abs(x0) > 1e-3:
            assert gradcheck(op, [x0])


BINARY = [
    ("+", lambda a, b: a + b, lambda a, b: (1.0, 1.0)),
    ("-", lambda a, b: a - b, lambda a, b: (1.0, -1.0)),
    ("*", lambda a, b: a * b, lambda a, b: (b, a)),
    ("/", lambda a, b: a / b, lambda a, b: (1 / b, -a / b**2)),
    ("pow", lambda a, b: a**b, lambda a, b: (b * a ** (b - 1), a**b * math.log(a))),
]


@pytest.mark.parametrize("name, op, grads", BINARY, ids=[b[0] for b in BINARY])
def test_binary_gradients(name, op, grads):
    for a0, b0 in [(0.7, 1.3), (2.5, -0.4), (1.1, 3.0)]:
        a, b = Value(a0), Value(b0)
        out = op(a, b)
        out.backward()
        da, db = grads(a0, b0)
        assert (a.grad, b.grad) == pytest.approx((da, db), rel=1e-12)
        assert gradcheck(op, [a0, b0])


def test_reflected_operators_match_forward_ones():
    x = Value(3.0)
    assert (2 * x).data == 6.0
    assert (1 - x).data == -2.0
    assert (10.0 / x).data == pytest.approx(10 / 3)
    assert (2**x).data == 8.0
    assert (5 + x).data == 8.0
    assert (-x).data == -3.0
    assert (+x) is x


def test_each_op_is_recorded_with_ordered_children():
    a, b = Value(2.0, label="a"), Value(3.0, label="b")
    out = a - b
    assert out.op == "-"
    assert out.children == (a, b)
    assert (b - a).children == (b, a)
    assert a.op == "" and a.children == ()
    assert out.local_derivatives() == (1.0, -1.0)


def test_sigmoid_is_its_own_op_with_local_derivative_s_times_one_minus_s():
    x = Value(0.46)
    a = x.sigmoid()
    assert a.op == "sigmoid"
    assert a.children == (x,)
    s = 1 / (1 + math.exp(-0.46))
    assert a.local_derivatives() == pytest.approx((s * (1 - s),), rel=1e-15)


@pytest.mark.parametrize("bad", ["abc", None, [1.0], {}, 1 + 2j, True])
def test_value_rejects_non_numbers(bad):
    with pytest.raises(TypeError, match="real number"):
        Value(bad)


def test_operators_reject_non_numbers_with_a_clear_message():
    x = Value(1.0)
    with pytest.raises(TypeError, match=r"'\+' needs a Value or a real number.*str 'x'"):
        x + "x"
    with pytest.raises(TypeError, match=r"'\*'"):
        x * None
    with pytest.raises(TypeError, match=r"'\+'"):
        "x" + x
    with pytest.raises(TypeError, match="exponent"):
        x ** "2"


def test_x_times_x_gets_both_contributions():
    x = Value(3.0)
    y = x * x
    assert y.children == (x, x)
    y.backward()
    assert x.grad == 6.0


def test_reused_interior_node_gets_both_contributions():
    x = Value(2.0)
    h = x * 3.0  # interior, used twice below
    y = h * h + h
    y.backward()
    # y = 9x² + 3x  →  dy/dx = 18x + 3
    assert x.grad == 39.0


def test_second_backward_adds_exactly_one_more_copy_to_leaves():
    x, w = Value(0.3), Value(-1.7)
    hidden = (x * w).tanh()
    y = hidden * hidden + hidden.sigmoid()
    y.backward()
    first = (x.grad, w.grad, hidden.grad)
    y.backward()
    assert (x.grad, w.grad) == (2 * first[0], 2 * first[1])
    # interior gradients describe the latest call only
    assert hidden.grad == first[2]
    y.backward()
    assert x.grad == pytest.approx(3 * first[0], rel=1e-15)


def test_backward_on_a_leaf_accumulates_one():
    x = Value(5.0)
    x.backward()
    x.backward()
    assert x.grad == 2.0


def test_long_chain_needs_no_recursion():
    x = Value(1.0)
    y = x
    for _ in range(200_000):
        y = y + 1.0
    y.backward()
    assert y.data == 200_001.0
    assert x.grad == 1.0


def test_topological_order_puts_children_first_and_is_deterministic():
    a, b = Value(1.0, label="a"), Value(2.0, label="b")
    c = a * b
    d = c + a
    e = d * c
    order = topological_order(e)
    assert order[-1] is e
    position = {id(n): i for i, n in enumerate(order)}
    for node in order:
        for child in node.children:
            assert position[id(child)] < position[id(node)]
    assert len(order) == 5
    assert [n.label or n.op for n in order] == [n.label or n.op for n in topological_order(e)]
    assert interior_order(e) == [n for n in order if n.children]


def test_every_op_backward_equals_local_times_upstream_bitwise():
    """Each op's ``backward`` and its ``local`` must say the same thing, bit for bit."""
    ops: set[type[Op] | None] = set()
    a, b = Value(0.37), Value(1.9)
    outs = [
        a + b,
        a - b,
        a * b,
        a / b,
        -a,
        a**3,
        a**b,
        a.exp(),
        b.log(),
        a.sigmoid(),
        a.tanh(),
        a.relu(),
        (-a).relu(),
    ]
    from tinygrad_edu.core import weighted_sum

    outs.append(weighted_sum([a, b], [b, Value(-0.3)], Value(0.2)))
    outs.append(weighted_sum([a, b, a], [b, a, b], a))  # a and b three times each
    outs.append(sum(w * x for w, x in [(a, b), (b, a), (a, a)]))  # a folded Σ of products
    outs.append(sum([a, a * b, b]))  # a folded Σ of terms others hold
    from tinygrad_edu.microgpt import Value as MicrogptValue

    outs.append(MicrogptValue(0.5, (a, b, a), (0.3, -1.7, 2.1)))  # a node made by hand
    for out in outs:
        ops.add(out._operation)
        for child in out.children:
            child.grad = 0.0
        out.grad = 0.731
        out._operation.backward(out)
        expected: dict[int, float] = {}
        children, locals_ = out.children, out.local_derivatives()
        for position in out._operation.edge_order(out):  # the order the op says it adds in
            child = children[position]
            expected[id(child)] = expected.get(id(child), 0.0) + locals_[position] * 0.731
        for child in out.children:
            assert child.grad == expected[id(child)]
    assert ops == set(ALL_OPS) - {Abs, WeightedSumOfData}


def test_repr_and_data():
    x = Value(2.5, label="x")
    assert repr(x) == "Value(data=2.5, grad=0.0, label='x')"
    assert x.sigmoid().data == pytest.approx(1 / (1 + math.exp(-2.5)))


def test_second_backward_adds_this_calls_gradient_once_like_pytorch():
    """Contributions +1 and −1 cancel around a tiny gradient; added one by one onto the
    earlier gradient they would swallow it. Each call sums its own gradient from zero."""
    x = Value(1.1566250141884477e-221)
    out = ((x * x) + (x - x)).tanh()
    out.backward()
    first = x.grad
    assert first == 2 * 1.1566250141884477e-221
    out.backward()
    assert x.grad == first + first


def test_stopping_backward_steps_early_keeps_earlier_gradients():
    x = Value(0.5, label="x")
    y = (x * 3.0).tanh()
    y.backward()
    earlier = x.grad
    steps = y.backward_steps()
    with pytest.warns(UserWarning, match="already holds? a gradient from an earlier backward"):
        next(steps)  # only the tanh node: nothing reaches x yet
    steps.close()
    assert x.grad == earlier
