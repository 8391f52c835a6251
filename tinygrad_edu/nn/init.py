"""Starting weights (biases start at 0)."""

from __future__ import annotations

import math
from typing import Protocol

from tinygrad_edu import checks

INITIALISERS = ("xavier", "he", "uniform")


class RandomSource(Protocol):
    """A ``random.Random``, or the ``random`` module itself (its global generator)."""

    def uniform(self, a: float, b: float) -> float: ...

    def gauss(self, mu: float, sigma: float) -> float: ...


def initial_weights(nin: int, nout: int, init: str, rng: RandomSource) -> list[list[float]]:
    """An ``nin × nout`` matrix of starting weights, ``W[i][j]`` from input i to neuron j.

    * ``"xavier"``: W ~ N(0, 2/(n_in + n_out)), document 003's equation 1;
    * ``"he"``: W ~ N(0, 2/n_in), suited to ReLU;
    * ``"uniform"``: W ~ U(−1, 1), as micrograd does.
    """
    checks.choice("init", init, INITIALISERS)
    if init == "uniform":
        return [[rng.uniform(-1.0, 1.0) for _ in range(nout)] for _ in range(nin)]
    variance = 2.0 / (nin + nout) if init == "xavier" else 2.0 / nin
    std = math.sqrt(variance)
    return [[rng.gauss(0.0, std) for _ in range(nout)] for _ in range(nin)]
