"""Optimisers: they read each parameter's ``.grad`` and change its ``.data``.

SGD is the documents' update  W ← W − η·∂E/∂W  (document 003, equations 26 and 27).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from tinygrad_edu.engine import Value


def _check_learning_rate(lr: object) -> float:
    if isinstance(lr, bool) or not isinstance(lr, (int, float)):
        raise TypeError(f"the learning rate must be a number, got {type(lr).__name__} {lr!r}")
    if not (lr > 0.0 and math.isfinite(lr)):
        raise ValueError(f"the learning rate must be a positive finite number, got {lr!r}")
    return float(lr)


def _check_number(
    name: str, value: object, low: float, low_included: bool, high: float = math.inf
) -> float:
    """A real number in the range (or [low, high) when ``low_included``), else a clear error."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a number, got {type(value).__name__} {value!r}")
    above = value >= low if low_included else value > low
    if not (above and value < high):
        bounds = f"{'[' if low_included else '('}{low:g}, {high:g})"
        raise ValueError(f"{name} must be in {bounds}, got {value!r}")
    return float(value)


def _check_betas(betas: object) -> tuple[float, float]:
    """Adam's (β₁, β₂), each in [0, 1): at β = 1 the bias correction 1 − βᵗ would be 0."""
    if isinstance(betas, (str, bytes)) or not isinstance(betas, (tuple, list)):
        raise TypeError(f"betas must be a pair (beta1, beta2), got {betas!r}")
    if len(betas) != 2:
        raise ValueError(f"betas must be a pair (beta1, beta2), got {len(betas)} values")
    return (
        _check_number("beta1", betas[0], low=0.0, low_included=True, high=1.0),
        _check_number("beta2", betas[1], low=0.0, low_included=True, high=1.0),
    )


class Optimizer:
    """Holds the parameters; ``zero_grad()`` clears their gradients, ``step()`` updates them."""

    def __init__(self, params: Iterable[Value], lr: float) -> None:
        self.params = list(params)
        if not self.params:
            raise ValueError("the optimiser got an empty parameter list")
        for p in self.params:
            if not isinstance(p, Value):
                raise TypeError(f"parameters must be Values, got {type(p).__name__} {p!r}")
        self.lr = _check_learning_rate(lr)

    def zero_grad(self) -> None:
        for p in self.params:
            p.grad = 0.0

    def step(self) -> None:
        raise NotImplementedError


class SGD(Optimizer):
    """Stochastic gradient descent with optional momentum μ:

        v ← μ·v + ∂E/∂p,      p ← p − η·v

    With μ = 0 this is exactly p ← p − η·∂E/∂p.
    """

    def __init__(self, params: Iterable[Value], lr: float, momentum: float = 0.0) -> None:
        super().__init__(params, lr)
        self.momentum = _check_number("momentum", momentum, 0.0, True, 1.0)
        self.velocity = [0.0] * len(self.params)

    def step(self) -> None:
        lr, mu = self.lr, self.momentum
        if mu == 0.0:
            for p in self.params:
                p.data -= lr * p.grad
            return
        velocity = self.velocity
        for k, p in enumerate(self.params):
            velocity[k] = mu * velocity[k] + p.grad
            p.data -= lr * velocity[k]


class Adam(Optimizer):
    """Adam (Kingma and Ba, 2015): per-parameter steps from running moments of the gradient.

        m ← β₁m + (1−β₁)g,   v ← β₂v + (1−β₂)g²,   p ← p − η·m̂/(√v̂ + ε)

    with m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ).
    """

    def __init__(
        self,
        params: Iterable[Value],
        lr: float = 0.001,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
    ) -> None:
        super().__init__(params, lr)
        self.beta1, self.beta2 = _check_betas(betas)
        self.eps = _check_number("eps", eps, low=0.0, low_included=False)
        self.t = 0
        self.m = [0.0] * len(self.params)
        self.v = [0.0] * len(self.params)

    def step(self) -> None:
        self.t += 1
        b1, b2 = self.beta1, self.beta2
        correction1 = 1.0 - b1**self.t
        correction2 = 1.0 - b2**self.t
        for k, p in enumerate(self.params):
            g = p.grad
            self.m[k] = b1 * self.m[k] + (1.0 - b1) * g
            self.v[k] = b2 * self.v[k] + (1.0 - b2) * g * g
            m_hat = self.m[k] / correction1
            v_hat = self.v[k] / correction2
            p.data -= self.lr * m_hat / (math.sqrt(v_hat) + self.eps)
