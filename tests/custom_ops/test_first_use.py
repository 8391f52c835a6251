"""custom_op's check at the first use: a wrong ``local`` raises, naming the operand, both
numbers and the likely mistake; a kink defers the check; ``check=False`` turns it off."""

from __future__ import annotations

import math

import pytest

from tinygrad_edu import LocalDerivativeError, Value, custom_op

from tests.custom_ops.softplus import make_softplus, sigmoid


@pytest.mark.parametrize(
    "forward, local, kind, words",
    [
        (lambda x: math.log1p(math.exp(x)), lambda x, out: (-sigmoid(x),), "sign", "a sign error"),
        (lambda x: x * x, lambda x, out: (x,), "scale", "off by a constant factor of ½"),
        (
            lambda x: math.log1p(math.exp(x)),
            lambda x, out: (sigmoid(out),),
            "wrong-point",
            "the derivative at the wrong point",
        ),
        (lambda x: math.sin(x), lambda x, out: (math.sin(x),), "other", "check local's formula"),
    ],
)
def test_a_wrong_local_raises_at_the_first_use_naming_the_likely_mistake(
    forward, local, kind, words
):
    op = custom_op("mine", forward, local)
    x = Value(0.5)
    with pytest.raises(LocalDerivativeError) as raised:
        op(x)
    error = raised.value
    assert isinstance(error, ValueError)
    assert (error.op, error.operand, error.kind) == ("mine", 0, kind)
    assert error.expected == pytest.approx(_slope(forward, 0.5), rel=1e-6)
    assert error.got == local(0.5, out=forward(0.5))[0]
    message = str(error)
    assert message.startswith("custom op 'mine': local gives ∂mine/∂x = ")
    assert "at x = 0.5" in message and "central difference of forward gives" in message
    assert words in message and "check=False" in message
    assert not op.checked


def _slope(f, x, h=1e-7):
    return (f(x + h) - f(x - h)) / (2 * h)


def test_swapped_derivatives_of_two_operands_are_named():
    op = custom_op("xyy", lambda x, y: x * y * y, lambda x, y, out: (2 * x * y, y * y))
    with pytest.raises(LocalDerivativeError, match=r"∂xyy/∂x = 1.5 at x = 0.5, y = 1.5") as raised:
        op(0.5, Value(1.5))
    assert raised.value.kind == "swapped" and "derivatives for x and y are swapped" in str(
        raised.value
    )


def test_the_check_runs_once_and_a_flag_turns_it_off():
    softplus = make_softplus()
    assert not softplus.checked
    softplus(Value(0.1))
    assert softplus.checked
    wrong = custom_op("wrong", lambda x: x * x, lambda x, out: (x,), check=False)
    y = Value(3.0)
    wrong(y).backward()
    assert y.grad == 3.0 and not wrong.checked  # unchecked, as asked: the wrong rule runs


def test_the_check_waits_for_a_point_away_from_a_kink():
    hinge = custom_op("hinge", lambda x: max(x, 0.0), lambda x, out: (1.0 if x > 0 else 0.0,))
    hinge(Value(0.0))  # a kink: central differences say 0.5 there, which proves nothing
    assert not hinge.checked
    hinge(Value(2.0))
    assert hinge.checked


def test_a_derivative_wrong_only_for_negative_inputs_is_caught_at_a_positive_first_use():
    wrong_abs = custom_op("wrong_abs", abs, lambda x, out: (1.0,))  # right only for x > 0
    with pytest.raises(LocalDerivativeError, match=r"∂wrong_abs/∂x = 1 at x = −0\.5") as caught:
        wrong_abs(Value(0.5))  # the first input is positive: the flipped point shows it
    assert (caught.value.kind, caught.value.expected) == ("sign", pytest.approx(-1.0))
    right_abs = custom_op("right_abs", abs, lambda x, out: (1.0 if x > 0 else -1.0,))
    right_abs(Value(0.5))
    assert right_abs.checked


def test_points_where_forward_is_undefined_are_passed_over():
    log = custom_op("mylog", lambda x: math.log(x), lambda x, out: (1.0 / x,))
    log(Value(2.0))  # log(−2) and the other negative points raise: not checked there
    assert log.checked
