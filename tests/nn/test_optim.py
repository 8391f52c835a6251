"""Optimisers: the documents' update W ← W − η·∂E/∂W, momentum and Adam."""

from __future__ import annotations

import math

import pytest

from tinygrad_edu import SGD, Adam, Value


def test_sgd_is_the_documents_update():
    w, b = Value(0.5), Value(-0.2)
    w.grad, b.grad = 0.3, -0.1
    SGD([w, b], lr=0.005).step()
    assert w.data == 0.5 - 0.005 * 0.3
    assert b.data == -0.2 - 0.005 * -0.1


def test_sgd_momentum_accumulates_velocity():
    w = Value(1.0)
    opt = SGD([w], lr=0.1, momentum=0.9)
    w.grad = 1.0
    opt.step()
    opt.step()  # same gradient: v = 1, then 0.9·1 + 1 = 1.9
    assert w.data == pytest.approx(1.0 - 0.1 * 1.0 - 0.1 * 1.9)


def test_adam_matches_its_equations():
    w = Value(0.0)
    opt = Adam([w], lr=0.1)
    w.grad = 2.0
    opt.step()
    # first step: m̂ = g, v̂ = g², so the step is lr·g/(|g| + ε)
    assert w.data == pytest.approx(-0.1 * 2.0 / (2.0 + 1e-8))
    w.grad = -1.0
    opt.step()
    m = 0.9 * 0.2 + 0.1 * -1.0
    v = 0.999 * 0.004 + 0.001 * 1.0
    m_hat, v_hat = m / (1 - 0.9**2), v / (1 - 0.999**2)
    assert w.data == pytest.approx(
        -0.1 * 2.0 / (2.0 + 1e-8) - 0.1 * m_hat / (math.sqrt(v_hat) + 1e-8)
    )


def test_zero_grad_clears_parameters():
    params = [Value(1.0), Value(2.0)]
    for p in params:
        p.grad = 5.0
    SGD(params, lr=0.1).zero_grad()
    assert [p.grad for p in params] == [0.0, 0.0]


@pytest.mark.parametrize(
    "lr, error", [(0.0, ValueError), (-1.0, ValueError), (math.nan, ValueError), ("0.1", TypeError)]
)
def test_learning_rate_must_be_positive(lr, error):
    with pytest.raises(error, match="learning rate"):
        SGD([Value(1.0)], lr=lr)


def test_bad_parameters_are_rejected():
    with pytest.raises(ValueError, match="empty"):
        SGD([], lr=0.1)
    with pytest.raises(TypeError, match="Values"):
        SGD([1.0], lr=0.1)
    with pytest.raises(ValueError, match="momentum"):
        SGD([Value(1.0)], lr=0.1, momentum=1.5)
