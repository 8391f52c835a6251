"""Training that does nothing: an epoch after which no parameter has changed.

No node holds inf or NaN, but a diverging run need not overflow: with sigmoid or tanh units,
a learning rate far too large (``lr=1e150``) throws the weights so far out in the first steps
that every unit's output is exactly 0 or 1 (sigmoid) or ±1 (tanh) in floating point. There
the derivative σ′ = σ(1 − σ), or 1 − tanh², is exactly 0: every gradient is 0, no parameter
moves, the loss stays flat, and the run ends at chance without an error. ReLU units whose
input is negative for every example ("dead" units) stop the gradient the same way.

So :func:`train` compares the parameters before and after each epoch (one pass over them, a
vanishing cost next to the epoch) and, the first time an epoch changed none of them, warns
with :class:`TrainingStalledWarning`, naming the likely cause it finds in the model.
"""

from __future__ import annotations

from collections.abc import Sequence

from tinygrad_edu.core import Value, no_grad
from tinygrad_edu.nn import MLP

EXAMPLES_LOOKED_AT = 20  # enough to tell a unit stuck for every input from one that is not
HUGE_WEIGHT = 1e6  # far beyond what any initialiser or sane training gives


class TrainingStalledWarning(UserWarning):
    """An epoch of training changed no parameter: every gradient was 0."""


def saturated_units(model: MLP, X: Sequence[Sequence[float]]) -> tuple[int, int, list[str]]:
    """How many units give an output whose derivative is exactly 0 for every example looked
    at, out of how many, and the activations concerned."""
    stuck: list[bool] | None = None
    names: list[str] = []
    with no_grad():
        for x in list(X)[:EXAMPLES_LOOKED_AT]:
            layers = model.forward_all(list(x))[1:]
            flags = []
            names = []
            for k, outputs in enumerate(layers):
                name = model.output_activation if k == len(layers) - 1 else model.activation
                flags += [_flat(name, a) for a in outputs]
                names += [name] * len(outputs)
            stuck = flags if stuck is None else [a and b for a, b in zip(stuck, flags, strict=True)]
    stuck = stuck or []
    kinds = sorted({name for name, s in zip(names, stuck, strict=True) if s})
    return sum(stuck), len(stuck), kinds


def _flat(activation: str, output: Value) -> bool:
    """Whether the activation's derivative is exactly 0 at this output."""
    a = output.data
    if activation == "sigmoid":
        return a * (1.0 - a) == 0.0
    if activation == "tanh":
        return 1.0 - a * a == 0.0
    if activation == "relu":
        return a == 0.0
    return False


def stalled_message(
    model: MLP, X: Sequence[Sequence[float]], epoch: int, loss: float, lr: float | None
) -> str:
    """Why epoch ``epoch`` changed nothing, as far as the model shows it."""
    message = (
        f"epoch {epoch} changed no parameter: every gradient was 0, so training does "
        f"nothing from here on (the loss stays at {loss:.6g})"
    )
    stuck, units, kinds = saturated_units(model, X)
    largest = max(abs(p.data) for p in model.parameters())
    if stuck:
        why = {
            "sigmoid": "a sigmoid gives exactly 0 or 1, where σ′ = σ(1 − σ) is 0",
            "tanh": "a tanh gives exactly ±1, where 1 − tanh² is 0",
            "relu": "a ReLU whose input is never positive has derivative 0 (a dead unit)",
        }
        reasons = "; ".join(why[kind] for kind in kinds)
        message += (
            f". {stuck} of the {units} units are saturated for every example looked at "
            f"({reasons}), so no gradient passes through them"
        )
    if largest > HUGE_WEIGHT:
        rate = f" (lr={lr:g})" if lr is not None else ""
        message += (
            f". The weights are now up to {largest:.3g}: the learning rate{rate} is likely "
            "far too large, and the first steps threw them there; try a smaller one"
        )
    elif stuck:
        message += "; try another initialisation or seed, or scale the inputs"
    return message
