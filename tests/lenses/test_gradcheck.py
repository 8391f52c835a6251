"""The package's own central-difference checker."""

from __future__ import annotations

import pytest

from tinygrad_edu import MLP, Value, gradcheck, half_sum_squared_error, numerical_gradient
from tinygrad_edu.core.ops import Mul
from tinygrad_edu.lenses.gradcheck import GradcheckError


def test_numerical_gradient_of_a_product():
    estimates = numerical_gradient(lambda x, y: x * y + x**2, [3.0, -2.0])
    assert estimates == pytest.approx([-2.0 + 6.0, 3.0], rel=1e-8)


def test_gradcheck_accepts_a_whole_network_through_its_parameters():
    model = MLP(3, [4, 2], activation="tanh", seed=4)
    params = model.parameters()
    assert gradcheck(lambda *_: half_sum_squared_error(model([0.2, -0.4, 0.9]), [1.0, 0.0]), params)


def test_gradcheck_restores_data_and_grads():
    x = Value(1.5)
    x.grad = 7.0
    gradcheck(lambda v: v.exp(), [x])
    assert (x.data, x.grad) == (1.5, 7.0)


def test_gradcheck_catches_a_wrong_backward_rule(monkeypatch):
    def wrong_mul_backward(out):
        a, b = out.children
        a.grad += b.data * out.grad
        b.grad += 2 * a.data * out.grad  # deliberately wrong

    monkeypatch.setattr(Mul, "backward", staticmethod(wrong_mul_backward))
    with pytest.raises(GradcheckError, match=r"y: backward 1\.0, central difference 0\.5"):
        gradcheck(lambda x, y: x * y, [Value(0.5, label="x"), Value(3.0, label="y")])
    assert gradcheck(lambda x, y: x * y, [0.5, 3.0], raise_exception=False) is False
