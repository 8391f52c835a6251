"""Loss functions: values, gradients (closed form and gradcheck), stability, bad input."""

from __future__ import annotations

import math

import pytest

from tinygrad_edu import (
    Value,
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    gradcheck,
    half_sum_squared_error,
    hinge,
    mean_squared_error,
    softmax,
    softmax_cross_entropy,
    sum_squared_error,
)
from tinygrad_edu.nn import get_loss

OUTS, TARGETS = [0.8, 0.1, 0.4], [1.0, 0.0, 1.0]


def _grads(loss_fn, outs, targets):
    values = [Value(o) for o in outs]
    loss = loss_fn(values, targets)
    loss.backward()
    return loss.data, [v.grad for v in values]


def test_half_sum_squared_error_gradient_is_a_minus_y():
    value, grads = _grads(half_sum_squared_error, OUTS, TARGETS)
    assert value == pytest.approx(0.5 * (0.04 + 0.01 + 0.36))
    assert grads == pytest.approx([o - t for o, t in zip(OUTS, TARGETS, strict=True)])


def test_sum_squared_error_gradient_is_two_times_a_minus_y():
    value, grads = _grads(sum_squared_error, OUTS, TARGETS)
    assert value == pytest.approx(0.41)
    assert grads == pytest.approx([2 * (o - t) for o, t in zip(OUTS, TARGETS, strict=True)])


def test_mean_squared_error_divides_by_the_count():
    value, grads = _grads(mean_squared_error, OUTS, TARGETS)
    assert value == pytest.approx(0.41 / 3)
    assert grads == pytest.approx([2 * (o - t) / 3 for o, t in zip(OUTS, TARGETS, strict=True)])


def test_binary_cross_entropy_and_its_logit_form_agree():
    logits = [2.0, -1.0, 0.3]
    probs = [1 / (1 + math.exp(-z)) for z in logits]
    value, _ = _grads(binary_cross_entropy, probs, TARGETS)
    expected = -sum(
        t * math.log(p) + (1 - t) * math.log(1 - p) for p, t in zip(probs, TARGETS, strict=True)
    )
    assert value == pytest.approx(expected, rel=1e-12)
    value_logits, grads = _grads(binary_cross_entropy_with_logits, logits, TARGETS)
    assert value_logits == pytest.approx(expected, rel=1e-12)
    assert grads == pytest.approx([p - t for p, t in zip(probs, TARGETS, strict=True)], rel=1e-12)


def test_bce_with_logits_is_finite_for_huge_logits():
    value, grads = _grads(binary_cross_entropy_with_logits, [800.0, -800.0], [0.0, 1.0])
    assert value == pytest.approx(1600.0)
    assert grads == pytest.approx([1.0, -1.0])


def test_softmax_sums_to_one_and_cross_entropy_gradient_is_p_minus_onehot():
    logits = [1.0, 2.0, 0.5, -1.0]
    probs = [p.data for p in softmax(logits)]
    assert sum(probs) == pytest.approx(1.0)
    values = [Value(z) for z in logits]
    loss = softmax_cross_entropy(values, 1)
    loss.backward()
    assert loss.data == pytest.approx(-math.log(probs[1]))
    assert [v.grad for v in values] == pytest.approx([p - (k == 1) for k, p in enumerate(probs)])


def test_softmax_cross_entropy_is_stable_for_logits_in_the_thousands():
    values = [Value(z) for z in (5000.0, 4990.0, -3000.0)]
    loss = softmax_cross_entropy(values, 1)
    loss.backward()
    assert loss.data == pytest.approx(10.0 + math.log1p(math.exp(-10.0)), rel=1e-12)
    assert all(math.isfinite(v.grad) for v in values)


def test_hinge_is_micrograds_margin_loss():
    value, grads = _grads(hinge, [0.5, -2.0, 1.5], [1.0, -1.0, -1.0])
    assert value == pytest.approx(0.5 + 0.0 + 2.5)
    assert grads == pytest.approx([-1.0, 0.0, 1.0])
    with pytest.raises(ValueError, match="-1 or \\+1"):
        hinge([0.5], [0.0])


@pytest.mark.parametrize(
    "loss_fn, outs, target",
    [
        (half_sum_squared_error, [0.3, -0.2], [1.0, 0.0]),
        (mean_squared_error, [0.3, -0.2], [1.0, 0.0]),
        (binary_cross_entropy, [0.3, 0.6], [1.0, 0.0]),
        (binary_cross_entropy_with_logits, [1.3, -0.6], [1.0, 0.0]),
        (hinge, [0.3, -0.2], [1.0, 1.0]),
    ],
)
def test_losses_pass_gradcheck(loss_fn, outs, target):
    assert gradcheck(lambda *v: loss_fn(list(v), target), outs)


def test_softmax_cross_entropy_passes_gradcheck():
    assert gradcheck(lambda *v: softmax_cross_entropy(list(v), 2), [0.2, -1.0, 0.7, 0.1])


def test_mismatched_lengths_and_bad_labels_are_named():
    with pytest.raises(ValueError, match="2 outputs but 3 targets"):
        mean_squared_error([Value(1.0), Value(2.0)], [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="label 4 is out of range 0..2"):
        softmax_cross_entropy([1.0, 2.0, 3.0], 4)
    with pytest.raises(TypeError, match="int class index"):
        softmax_cross_entropy([1.0, 2.0], 1.0)
    with pytest.raises(TypeError, match="target must be a number"):
        mean_squared_error([1.0], ["a"])
    with pytest.raises(ValueError, match="unknown loss 'l1'"):
        get_loss("l1")
