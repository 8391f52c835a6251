"""The rules a learner meets first with a ``Value``: what Python's own expressions do with it
(format, round, abs, comparisons, max, ==), a value without a graph, a second pass of steps,
how powers and −0 are shown, and where anomaly mode says a node was built."""

from __future__ import annotations

import math
import warnings

import pytest

from tinygrad_edu import AnomalyError, Value, detect_anomaly, no_grad

# ----- Python's own expressions ------------------------------------------------------------


def test_format_and_f_strings_format_the_data():
    v = Value(0.123456, label="v")
    assert f"{v:.4f}" == "0.1235" == format(v, ".4f")
    assert f"{v:>10.2e}" == f"{0.123456:>10.2e}"
    assert f"{v}" == str(v) == repr(v)  # no format spec: the node itself


def test_round_gives_a_number():
    v = Value(2.71828)
    assert round(v, 3) == 2.718 and type(round(v, 3)) is float
    assert round(v) == 3 and type(round(v)) is int


@pytest.mark.parametrize(
    "convert", [math.tanh, math.exp, math.log, math.sqrt, math.floor, float, int, complex]
)
def test_math_functions_and_number_conversions_refuse_a_value_instead_of_cutting_the_graph(
    convert,
):
    x = Value(2.0, label="x")
    with pytest.raises(TypeError) as refused:
        convert(x)
    message = str(refused.value)
    assert "'x'" in message and "x.tanh()" in message and "x.data" in message
    assert "no gradient" in message


def test_the_way_math_tanh_used_to_lose_the_gradient_now_fails_loudly_and_the_method_works():
    x = Value(0.5, label="x")
    with pytest.raises(TypeError, match=r"x\.tanh\(\)"):
        x * math.tanh(x)  # before: a constant tanh(0.5), and x.grad = tanh(0.5) only
    y = x * x.tanh()
    y.backward()
    t = math.tanh(0.5)
    assert x.grad == pytest.approx(t + 0.5 * (1 - t * t))


def test_an_unlabelled_value_is_called_v_in_the_advice():
    with pytest.raises(TypeError, match=r"the leaf 3.*v\.exp\(\).*v\.data"):
        math.exp(Value(3.0))


def test_a_value_is_true_as_an_object_so_node_or_default_works():
    zero = Value(0.0)
    assert bool(zero) and (zero or None) is zero  # a node, not a truth value: read .data


def test_abs_is_an_op_with_the_sign_as_its_derivative():
    for x, grad in ((-2.0, -1.0), (3.0, 1.0), (0.0, 0.0)):
        v = Value(x, label="v")
        a = abs(v)
        assert isinstance(a, Value) and a.op == "abs" and a.data == abs(x)
        a.backward()
        assert v.grad == grad


def test_comparisons_compare_the_data_so_max_and_sorted_pick_nodes():
    small, large = Value(-1.5, label="small"), Value(2.0, label="large")
    assert small < large and small <= large and large > small and large >= small
    assert not (large < small) and small <= Value(-1.5) and small >= Value(-1.5)
    assert small < 0 and large > 1.5  # a number on the other side works too
    assert max([small, large]) is large and min([small, large]) is small
    assert sorted([large, small]) == [small, large]
    with pytest.raises(TypeError, match="comparing a Value"):
        small < "abc"  # noqa: B015 - the comparison is the test


def test_equality_and_hashing_stay_by_identity():
    a, b = Value(1.0), Value(1.0)
    assert a == a and a != b  # the same number, two nodes
    assert len({a, b}) == 2 and {a: "first"}[a] == "first"


# ----- a value without a graph -------------------------------------------------------------


def test_backward_on_a_value_computed_under_no_grad_raises_saying_so():
    x = Value(2.0, label="x")
    with no_grad():
        y = x * x
    with pytest.raises(RuntimeError, match=r"computed under no_grad\(\), so it has no graph"):
        y.backward()
    with pytest.raises(RuntimeError, match=r"no_grad"):
        list(y.backward_steps())
    assert x.grad == 0.0
    x.backward()  # a leaf made by hand is no such value: ∂x/∂x = 1
    assert x.grad == 1.0


# ----- stepping after a backward() ---------------------------------------------------------


def test_steps_after_a_backward_warn_and_show_the_earlier_gradient_during_the_pass():
    x = Value(2.0, label="x")
    y = x * x  # x is the only leaf
    y.backward()
    assert x.grad == 4.0
    seen = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in y.backward_steps():
            seen.append(x.grad)  # during the pass: the gradient of the earlier backward()
    (warning,) = caught
    assert warning.category is UserWarning
    assert "1 leaf already holds a gradient" in str(warning.message)  # one leaf, not "1 leaves"
    assert "zero_grad()" in str(warning.message)
    assert seen == [4.0]
    assert x.grad == 8.0  # this pass's share, added at the end


# ----- how nodes are shown -----------------------------------------------------------------


def test_a_negative_zero_is_shown_as_zero_in_steps():
    zero = Value(0.0, label="z")
    product = -1 * zero
    assert math.copysign(1.0, product.data) == -1.0  # IEEE 754: −1·0 is −0.0
    text = "\n".join(str(step) for step in (product * 2.0).backward_steps())
    assert "-0" not in text and "grad of the '*' node (0) +=" in text


def test_a_constant_exponent_is_inside_its_op_and_a_value_exponent_makes_pow():
    x = Value(3.0, label="x")
    square = x**2
    assert square.op == "**2" and square.children == (x,)
    power = 2**x  # the base 2 becomes a leaf, as in 2 * x; both operands get gradients
    assert power.op == "pow" and [c.data for c in power.children] == [2.0, 3.0]
    power.backward()
    assert power.children[0].grad == 3.0 * 2.0**2  # n·xⁿ⁻¹ for the base
    assert math.isclose(x.grad, 8.0 * math.log(2.0), rel_tol=1e-15)  # xⁿ·ln x


# ----- where anomaly mode says a node was built ---------------------------------------------


def test_anomaly_mode_names_the_line_that_built_the_node_in_backward_too():
    with detect_anomaly():
        x = Value(0.0, label="x")
        root = x**0.5  # the line the message must name
        line = _line_of("root = x**0.5")
        with pytest.raises(AnomalyError) as caught:
            root.backward()
    message = str(caught.value)
    assert message.startswith("backward of op '**0.5'") and "gradient inf" in message
    assert f"(built at {__file__}, line {line})" in message


def _line_of(text: str) -> int:
    with open(__file__, encoding="utf-8") as source:
        return next(n for n, line in enumerate(source, start=1) if line.strip().startswith(text))
