"""Numerics at the edges of the float range: saturating activations, stable losses, errors
that name the op, its input and its label, and anomaly mode stopping at the guilty op."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tinygrad_edu import (
    MLP,
    AnomalyError,
    Value,
    binary_cross_entropy_with_logits,
    detect_anomaly,
    no_grad,
    softmax,
    softmax_cross_entropy,
    train,
)

EXTREMES = [1000.0, -1000.0, 745.0, -745.0, 709.8, -709.8, 1e308, -1e308, 0.0, -0.0]
finite_floats = st.floats(allow_nan=False, allow_infinity=False)


def value_and_grad(op, x: float, label: str = "x") -> tuple[float, float]:
    leaf = Value(x, label=label)
    out = op(leaf)
    out.backward()
    return out.data, leaf.grad


# ----- saturating activations --------------------------------------------------------------


@pytest.mark.parametrize("x", EXTREMES)
@pytest.mark.parametrize("op", [Value.sigmoid, Value.tanh], ids=["sigmoid", "tanh"])
def test_sigmoid_and_tanh_of_extremes_are_finite_with_finite_gradients(op, x):
    data, grad = value_and_grad(op, x)
    assert math.isfinite(data) and math.isfinite(grad)
    assert grad >= 0.0


@pytest.mark.parametrize("x, expected", [(1000.0, 1.0), (-1000.0, 0.0), (745.0, 1.0)])
def test_sigmoid_saturates_to_exactly_zero_or_one(x, expected):
    assert value_and_grad(Value.sigmoid, x) == (expected, 0.0)


def test_sigmoid_of_minus_745_keeps_the_smallest_subnormal_instead_of_zero():
    # e^-745 is the smallest positive double; e^x/(1+e^x) keeps it, 1/(1+e^-x) would give 0
    data, grad = value_and_grad(Value.sigmoid, -745.0)
    assert data == 5e-324 and grad == 5e-324


@pytest.mark.parametrize("x, expected", [(1000.0, 1.0), (-1000.0, -1.0), (745.0, 1.0)])
def test_tanh_saturates_to_plus_or_minus_one_with_zero_gradient(x, expected):
    assert value_and_grad(Value.tanh, x) == (expected, 0.0)


@settings(max_examples=300, deadline=None)
@given(finite_floats)
def test_activations_stay_in_range_with_finite_nonnegative_gradients(x):
    for op, low, high in [(Value.sigmoid, 0.0, 1.0), (Value.tanh, -1.0, 1.0)]:
        data, grad = value_and_grad(op, x)
        assert low <= data <= high
        assert math.isfinite(grad) and grad >= 0.0
    data, grad = value_and_grad(Value.relu, x)
    assert data == max(x, 0.0) and grad == (1.0 if x > 0 else 0.0)


@settings(max_examples=200, deadline=None)
@given(st.floats(-700.0, 700.0))
def test_sigmoid_agrees_with_its_tanh_form(x):
    # σ(x) = e^(x/2) / (2 cosh(x/2)): an independent formula, free of cancellation
    expected = math.exp(0.5 * x) / (2.0 * math.cosh(0.5 * x))
    assert math.isclose(Value(x).sigmoid().data, expected, rel_tol=1e-13)


# ----- stable losses -------------------------------------------------------------------------


@pytest.mark.parametrize("shift", [0.0, 1000.0, -1000.0, 5000.0, 1e6])
def test_softmax_cross_entropy_is_shift_invariant_for_logits_in_the_thousands(shift):
    base = [0.5, 2.0, -1.0]
    reference = softmax_cross_entropy(base, 1).data
    logits = [Value(z + shift, label=f"z{k}") for k, z in enumerate(base)]
    loss = softmax_cross_entropy(logits, 1)
    loss.backward()
    # the shifted logits are rounded, so the loss agrees to the rounding of the shift
    assert math.isclose(loss.data, reference, rel_tol=0, abs_tol=4 * math.ulp(shift) + 1e-15)
    probabilities = [p.data for p in softmax(logits)]
    expected = [p - (k == 1) for k, p in enumerate(probabilities)]
    assert [z.grad for z in logits] == pytest.approx(expected, abs=1e-12)
    assert all(math.isfinite(z.grad) for z in logits)


def test_softmax_cross_entropy_with_a_huge_gap_is_exact():
    logits = [Value(3000.0), Value(-3000.0)]
    assert softmax_cross_entropy(logits, 0).data == 0.0
    wrong = softmax_cross_entropy(logits, 1)
    wrong.backward()
    assert wrong.data == 6000.0
    assert [z.grad for z in logits] == [1.0, -1.0]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.floats(-1e4, 1e4), min_size=2, max_size=5), st.data())
def test_softmax_cross_entropy_is_finite_for_any_logits_in_the_thousands(logits, data):
    label = data.draw(st.integers(0, len(logits) - 1))
    zs = [Value(z) for z in logits]
    loss = softmax_cross_entropy(zs, label)
    loss.backward()
    assert math.isfinite(loss.data) and loss.data >= 0.0
    assert all(math.isfinite(z.grad) for z in zs)
    assert math.isclose(sum(z.grad for z in zs), 0.0, abs_tol=1e-9)


@pytest.mark.parametrize("z", [1000.0, -1000.0, 745.0, -745.0])
@pytest.mark.parametrize("y", [0.0, 1.0])
def test_bce_with_logits_is_finite_at_the_extremes(z, y):
    logit = Value(z)
    loss = binary_cross_entropy_with_logits(logit, y)
    loss.backward()
    assert math.isfinite(loss.data) and math.isfinite(logit.grad)
    # ∂/∂z = σ(z) − y
    assert logit.grad == pytest.approx(Value(z).sigmoid().data - y, abs=1e-15)


# ----- errors that name the op, the input and the label ------------------------------------


def test_exp_of_1000_raises_overflow_naming_exp_the_input_and_the_label():
    with pytest.raises(OverflowError) as caught:
        Value(1000.0, label="z3").exp()
    message = str(caught.value)
    assert "exp" in message and "1000.0" in message and "'z3'" in message


def test_exp_overflow_of_an_unlabelled_node_says_so():
    with pytest.raises(OverflowError, match=r"'exp' overflows .*the leaf 710"):
        Value(710.0).exp()


def test_exp_just_below_overflow_and_far_below_zero_are_fine():
    assert math.isfinite(Value(709.78).exp().data)
    assert value_and_grad(Value.exp, -1000.0) == (0.0, 0.0)


@pytest.mark.parametrize("x", [0.0, -0.0, -1.0, -1e-300, -math.inf, math.nan])
def test_log_of_zero_negative_or_nan_raises_value_error_naming_log_and_label(x):
    with pytest.raises(ValueError) as caught:
        Value(x, label="p").log()
    message = str(caught.value)
    assert "log" in message and "'p'" in message and repr(x) in message


def test_log_adds_no_silent_epsilon():
    for x in [1e-300, 5e-324, 1.0, 1e300]:
        assert Value(x).log().data == math.log(x)


@pytest.mark.parametrize(
    "base, exponent, error, fragment",
    [
        (-8.0, 1 / 3, ValueError, "is undefined"),
        (0.0, -1.0, ValueError, "is undefined"),
        (10.0, 400.0, OverflowError, "overflows"),
    ],
)
def test_power_domain_errors_name_the_op_and_the_operands(base, exponent, error, fragment):
    with pytest.raises(error, match=rf"'\*\*.*' {fragment} .*'b' = {base!r}"):
        Value(base, label="b") ** exponent


def test_value_exponent_overflow_names_pow():
    with pytest.raises(OverflowError, match=r"'pow' overflows .*'base' = 2.0, 'n' = 2000.0"):
        Value(2.0, label="base") ** Value(2000.0, label="n")


def test_an_int_too_large_for_a_float_raises_overflow_without_printing_it():
    with pytest.raises(OverflowError, match=r"Value\(\) got int of about 10\*\*400") as caught:
        Value(10**400)
    assert len(str(caught.value)) < 200
    # Python refuses to print ints of more than 4300 digits; the message must still appear
    with pytest.raises(OverflowError, match="the operand of '\\+'"):
        Value(1.0) + 10**5000


def test_division_by_zero_names_both_nodes():
    with pytest.raises(ZeroDivisionError, match=r"'a' = 1.0 by zero \('b'\)"):
        Value(1.0, label="a") / Value(0.0, label="b")


# ----- backward never crashes where the forward value existed ------------------------------


@pytest.mark.parametrize(
    "x, n, expected",
    [
        (0.0, 0.5, math.inf),  # √x has a vertical tangent at 0
        (0.0, 0.0, 0.0),  # x⁰ is constant
        (1e-300, -1.0, -math.inf),  # −1/x² beyond the float range
        (-1e-300, -1.0, -math.inf),
        (-1e-120, -2.0, math.inf),  # −2/x³ with x < 0
        (0.0, 2.0, 0.0),
    ],
)
def test_power_gradient_is_the_ieee_limit_instead_of_a_crash(x, n, expected):
    leaf = Value(x)
    out = leaf**n
    out.backward()
    assert leaf.grad == expected
    assert out.local_derivatives()[0] == expected


def test_division_by_a_tiny_number_gives_an_infinite_gradient_not_a_crash():
    a, b = Value(1.0), Value(1e-200)
    (a / b).backward()
    assert a.grad == 1e200 and b.grad == -math.inf


# ----- anomaly mode ---------------------------------------------------------------------------


def test_anomaly_mode_raises_at_the_forward_op_naming_op_inputs_and_labels():
    a, b = Value(1e200, label="a"), Value(1e200, label="b")
    with detect_anomaly(), pytest.raises(AnomalyError) as caught:
        a * b
    message = str(caught.value)
    assert "'*'" in message and "inf" in message
    assert "'a' = 1e+200" in message and "'b' = 1e+200" in message
    assert f"(built at {__file__}, line " in message  # the line of the user's code


def test_anomaly_mode_catches_nan_from_inf_minus_inf():
    big = Value(math.inf, label="big")
    with detect_anomaly(), pytest.raises(AnomalyError, match=r"op '-' gives nan .*'big' = inf"):
        big - big


def test_anomaly_mode_raises_in_backward_at_the_op_that_made_the_gradient_infinite():
    x = Value(0.0, label="x")
    root = (x**0.5 + 1.0).tanh()
    with detect_anomaly(), pytest.raises(AnomalyError) as caught:
        root.backward()
    message = str(caught.value)
    assert "backward of op '**0.5'" in message and "gradient inf" in message and "'x'" in message


def test_anomaly_mode_in_the_middle_of_a_network_names_the_layer_node():
    model = MLP(1, [1], activation="linear", output_activation="linear", seed=0)
    model.parameter("W1[0,0]").data = 1e300
    with detect_anomaly(), pytest.raises(AnomalyError, match=r"Σwx\+b.*'W1\[0,0\]' = 1e\+300"):
        model([1e300])


def test_without_anomaly_mode_an_overflow_is_an_overflow_error_naming_the_op():
    a, b = Value(1e200, label="a"), Value(1e200)
    with pytest.raises(
        OverflowError, match=r"'\*' gives inf for input 'a' = 1e\+200, the leaf 1e\+200"
    ):
        a * b
    with pytest.raises(OverflowError, match="the result overflows a float"):
        Value(1e308) * 10
    with pytest.raises(ValueError, match="'-' gives nan .*already infinite or NaN"):
        Value(math.inf) - Value(math.inf)


def test_anomaly_mode_changes_no_finite_result():
    def run() -> list[float]:
        model = MLP(2, [3, 2], activation="tanh", output_activation="sigmoid", seed=3)
        loss = softmax_cross_entropy(model([0.3, -0.7]), 1)
        loss.backward()
        return [loss.data, *(p.grad for p in model.parameters())]

    plain = run()
    with detect_anomaly():
        checked = run()
    assert checked == plain


def test_modes_are_restored_after_an_anomaly_and_nest_with_no_grad():
    with pytest.raises(AnomalyError), detect_anomaly():
        Value(1e308) * 10.0
    with pytest.raises(OverflowError):  # anomaly mode is off again: a plain OverflowError
        Value(1e308) * 10.0
    with detect_anomaly():
        with no_grad():
            assert Value(2.0).exp().children == ()  # no graph under no_grad
            with pytest.raises(AnomalyError):
                Value(1e308) + 1e308  # but values are still checked
        assert Value(2.0).exp().children != ()


def test_training_under_anomaly_mode_stops_at_the_op_before_the_loss_check():
    model = MLP(1, [1], activation="linear", output_activation="linear", seed=0)
    model.parameter("W1[0,0]").data = 1e10
    with detect_anomaly(), pytest.raises(AnomalyError, match=r"Σwx\+b.*'x\[0\]' = 1e\+300"):
        train(model, [[1e300]], [0.0], lr=1.0, epochs=3, print_every=0)
