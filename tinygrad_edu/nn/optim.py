"""Optimisers: they read each parameter's ``.grad`` and change its ``.data``.

SGD is the documents' update  W ← W − η·∂E/∂W  (document 003, equations 26 and 27). Each
optimiser declares its hyperparameters and its state, so that a training checkpoint can save
and check them, and restores its state itself.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import ClassVar

from tinygrad_edu import checks
from tinygrad_edu.core import Value
from tinygrad_edu.core.messages import node_name

State = dict[str, int | list[float]]


class Optimizer:
    """Holds the parameters; ``zero_grad()`` clears their gradients, ``step()`` updates them.

    Class attributes:
        hyperparameters: the names of the numbers that define the update (``lr``, …); a
            resumed run must use the same ones.
        state_names: the names of what the optimiser learns as it runs (an int or one float
            per parameter), saved in checkpoints.
        nonnegative_state: those of the state that can never be negative (a checkpoint
            holding a negative one has been tampered with and is refused).
    """

    hyperparameters: ClassVar[tuple[str, ...]] = ("lr", "weight_decay")
    state_names: ClassVar[tuple[str, ...]] = ()
    nonnegative_state: ClassVar[tuple[str, ...]] = ()

    def __init__(self, params: Iterable[Value], lr: float, weight_decay: float = 0.0) -> None:
        if callable(params) and not isinstance(params, Iterable):
            raise TypeError(
                "the optimiser got a method, not the parameters: write "
                "SGD(model.parameters(), ...), with the brackets"
            )
        if isinstance(params, Value) or not isinstance(params, Iterable):
            raise TypeError(f"the optimiser needs a list of parameters, got {params!r}")
        self.params = list(params)
        if not self.params:
            raise ValueError("the optimiser got an empty parameter list")
        seen: set[int] = set()
        for p in self.params:
            if not isinstance(p, Value):
                raise TypeError(f"parameters must be Values, got {type(p).__name__} {p!r}")
            if id(p) in seen:  # its update would be applied twice each step
                raise ValueError(f"the parameter {node_name(p)} is in the list twice")
            seen.add(id(p))
        self.lr = checks.positive_number("the learning rate", lr)
        self.weight_decay = checks.number_in("weight_decay", weight_decay, 0.0)

    def zero_grad(self) -> None:
        for p in self.params:
            p.grad = 0.0

    def step(self) -> None:
        raise NotImplementedError

    def state(self) -> State:
        """What the optimiser has learnt so far, as plain numbers (copies)."""
        state: State = {}
        for name in self.state_names:
            value = getattr(self, name)
            state[name] = value if isinstance(value, int) else list(value)
        return state

    def load_state(self, state: Mapping[str, int | list[float]]) -> None:
        """Take back a :meth:`state` (checked by the caller: same names, kinds and lengths)."""
        for name in self.state_names:
            value = state[name]
            setattr(self, name, value if isinstance(value, int) else list(value))

    def _gradient(self, p: Value) -> float:
        """∂E/∂p plus the weight decay term λ·p (the gradient of ½λ·p²)."""
        if self.weight_decay:
            return p.grad + self.weight_decay * p.data
        return p.grad


class SGD(Optimizer):
    """Stochastic gradient descent with optional momentum μ and weight decay λ:

        g ← ∂E/∂p + λ·p,      v ← μ·v + g,      p ← p − η·v

    With μ = λ = 0 this is exactly p ← p − η·∂E/∂p.
    """

    hyperparameters = ("lr", "momentum", "weight_decay")
    state_names = ("velocity",)

    def __init__(
        self,
        params: Iterable[Value],
        lr: float,
        momentum: float = 0.0,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(params, lr, weight_decay)
        self.momentum = checks.number_in("momentum", momentum, 0.0, 1.0)
        self.velocity = [0.0] * len(self.params)

    def step(self) -> None:
        lr, mu = self.lr, self.momentum
        if mu == 0.0 and not self.weight_decay:
            for p in self.params:
                p.data -= lr * p.grad
            return
        velocity = self.velocity
        for k, p in enumerate(self.params):
            velocity[k] = mu * velocity[k] + self._gradient(p)
            p.data -= lr * velocity[k]


class Adam(Optimizer):
    """Adam (Kingma and Ba, 2015): per-parameter steps from running moments of the gradient.

        g ← ∂E/∂p + λ·p,   m ← β₁m + (1−β₁)g,   v ← β₂v + (1−β₂)g²,   p ← p − η·m̂/(√v̂ + ε)

    with m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ).
    """

    hyperparameters = ("lr", "beta1", "beta2", "eps", "weight_decay")
    state_names = ("t", "m", "v")
    nonnegative_state = ("v",)  # a running mean of g²: √v̂ of a negative v is not a number

    def __init__(
        self,
        params: Iterable[Value],
        lr: float = 0.001,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(params, lr, weight_decay)
        self.beta1, self.beta2 = _check_betas(betas)
        self.eps = checks.number_in("eps", eps, 0.0, low_included=False)
        self.t = 0
        self.m = [0.0] * len(self.params)
        self.v = [0.0] * len(self.params)

    def step(self) -> None:
        self.t += 1
        b1, b2 = self.beta1, self.beta2
        correction1 = 1.0 - b1**self.t
        correction2 = 1.0 - b2**self.t
        for k, p in enumerate(self.params):
            g = self._gradient(p)
            self.m[k] = b1 * self.m[k] + (1.0 - b1) * g
            self.v[k] = b2 * self.v[k] + (1.0 - b2) * g * g
            m_hat = self.m[k] / correction1
            v_hat = self.v[k] / correction2
            p.data -= self.lr * m_hat / (math.sqrt(v_hat) + self.eps)


def _check_betas(betas: object) -> tuple[float, float]:
    """Adam's (β₁, β₂), each in [0, 1): at β = 1 the bias correction 1 − βᵗ would be 0."""
    if isinstance(betas, (str, bytes)) or not isinstance(betas, (tuple, list)):
        raise TypeError(f"betas must be a pair (beta1, beta2), got {betas!r}")
    if len(betas) != 2:
        raise ValueError(f"betas must be a pair (beta1, beta2), got {len(betas)} values")
    return (
        checks.number_in("beta1", betas[0], 0.0, 1.0),
        checks.number_in("beta2", betas[1], 0.0, 1.0),
    )
