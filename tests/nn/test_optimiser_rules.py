"""What an optimiser accepts (the parameters, once each, and not the method that lists them),
its weight decay, and where a network's starting weights come from without a seed."""

from __future__ import annotations

import math
import random

import pytest

from tinygrad_edu import MLP, SGD, Adam, Value, half_sum_squared_error


def test_the_parameters_method_itself_is_refused_with_what_to_write():
    model = MLP(2, [3, 1], seed=0)
    with pytest.raises(TypeError, match=r"write SGD\(model\.parameters\(\), \.\.\.\), with the"):
        SGD(model.parameters, lr=0.1)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"model\.parameters\(\)"):
        Adam(model.parameters)  # type: ignore[arg-type]


def test_a_parameter_listed_twice_is_refused_rather_than_updated_twice():
    params = MLP(2, [3, 1], seed=0).parameters()
    with pytest.raises(ValueError, match=r"'W1\[0,0\]' is in the list twice"):
        SGD(params + params, lr=1.0)
    with pytest.raises(ValueError, match="twice"):
        Adam([params[0], params[1], params[0]])


def test_sgd_weight_decay_adds_lambda_p_to_the_gradient():
    w = Value(0.5)
    w.grad = 0.3
    SGD([w], lr=0.1, weight_decay=0.01).step()
    assert w.data == 0.5 - 0.1 * (0.3 + 0.01 * 0.5)


def test_weight_decay_is_the_gradient_of_an_l2_term():
    """SGD with λ on E equals plain SGD on E + ½λ·Σp², parameter by parameter."""
    decay = 0.02
    with_decay, with_term = MLP(2, [3, 1], seed=4), MLP(2, [3, 1], seed=4)
    x, y = [0.3, -0.7], 1.0
    half_sum_squared_error(with_decay(x), y).backward()
    SGD(with_decay.parameters(), lr=0.5, weight_decay=decay).step()
    loss = half_sum_squared_error(with_term(x), y)
    for p in with_term.parameters():
        loss = loss + 0.5 * decay * p * p
    loss.backward()
    SGD(with_term.parameters(), lr=0.5).step()
    for a, b in zip(with_decay.parameters(), with_term.parameters(), strict=True):
        assert math.isclose(a.data, b.data, rel_tol=1e-12, abs_tol=1e-15)


def test_adam_weight_decay_enters_both_moments():
    w = Value(1.0)
    w.grad = 0.5
    Adam([w], lr=0.1, weight_decay=0.2).step()
    g = 0.5 + 0.2 * 1.0  # the first step of Adam moves by lr·g/(|g| + ε)
    assert w.data == pytest.approx(1.0 - 0.1 * g / (abs(g) + 1e-8), rel=1e-15)


@pytest.mark.parametrize("decay", [-0.1, "0.1", True])
def test_a_bad_weight_decay_is_refused(decay):
    with pytest.raises((TypeError, ValueError), match="weight_decay must be"):
        SGD([Value(1.0)], lr=0.1, weight_decay=decay)


def test_seed_none_draws_from_the_global_random_module():
    random.seed(2024)
    first = [p.data for p in MLP(3, [4, 2]).parameters()]
    random.seed(2024)
    second = [p.data for p in MLP(3, [4, 2]).parameters()]
    random.seed(2025)
    third = [p.data for p in MLP(3, [4, 2]).parameters()]
    assert first == second  # a notebook that seeds random gets the same network every run
    assert first != third
