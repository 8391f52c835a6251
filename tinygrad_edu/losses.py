"""Loss functions over ``Value`` nodes. Each returns one ``Value`` whose ``backward()`` gives
∂loss/∂(every parameter), with the math in the docstring.

Outputs and targets may be single values or equal-length sequences.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from tinygrad_edu.engine import Value, as_value

Outputs = Value | float | Sequence[Value | float]
Loss = Callable[[Outputs, object], Value]


def _pairs(outputs: Outputs, targets: object, name: str) -> list[tuple[Value, float]]:
    outs = list(outputs) if isinstance(outputs, Sequence) else [outputs]
    tgts = list(targets) if isinstance(targets, Sequence) else [targets]
    if len(outs) != len(tgts):
        raise ValueError(f"{name}: {len(outs)} outputs but {len(tgts)} targets")
    if not outs:
        raise ValueError(f"{name}: no outputs to compare")
    return [(as_value(o, name), _target(t, name)) for o, t in zip(outs, tgts, strict=True)]


def _target(t: object, name: str) -> float:
    if isinstance(t, Value):
        return t.data
    if isinstance(t, bool) or not isinstance(t, (int, float)):
        raise TypeError(f"{name}: a target must be a number, got {type(t).__name__} {t!r}")
    return float(t)


def _sum(terms: list[Value]) -> Value:
    total = terms[0]
    for term in terms[1:]:
        total = total + term
    return total


def half_sum_squared_error(outputs: Outputs, targets: object) -> Value:
    """E = ½ Σₖ (aₖ − yₖ)², documents 001 and 003: ∂E/∂aₖ = aₖ − yₖ."""
    return 0.5 * _sum([(a - y) ** 2 for a, y in _pairs(outputs, targets, "half_sum_squared_error")])


def sum_squared_error(outputs: Outputs, targets: object) -> Value:
    """ΔL = Σₖ (yₖ − ŷₖ)², document 004: ∂ΔL/∂ŷₖ = 2(ŷₖ − yₖ)."""
    return _sum([(y - a) ** 2 for a, y in _pairs(outputs, targets, "sum_squared_error")])


def mean_squared_error(outputs: Outputs, targets: object) -> Value:
    """MSE = (1/K) Σₖ (aₖ − yₖ)²."""
    pairs = _pairs(outputs, targets, "mean_squared_error")
    return _sum([(a - y) ** 2 for a, y in pairs]) * (1.0 / len(pairs))


def binary_cross_entropy(outputs: Outputs, targets: object) -> Value:
    """BCE = −Σₖ [yₖ ln pₖ + (1 − yₖ) ln(1 − pₖ)] for probabilities 0 < pₖ < 1.

    A probability of exactly 0 or 1 raises from ``log`` (no hidden epsilon); for saturating
    sigmoid outputs use :func:`binary_cross_entropy_with_logits` on the pre-activation.
    """
    terms = []
    for p, y in _pairs(outputs, targets, "binary_cross_entropy"):
        terms.append(-(y * p.log() + (1.0 - y) * (1.0 - p).log()))
    return _sum(terms)


def binary_cross_entropy_with_logits(logits: Outputs, targets: object) -> Value:
    """BCE of p = σ(z), computed from the logit z without overflow:
    ln(1 + eᶻ) − y·z, written as max(z, 0) − y·z + ln(1 + e^(−|z|)).  ∂/∂z = σ(z) − y."""
    terms = []
    for z, y in _pairs(logits, targets, "binary_cross_entropy_with_logits"):
        if z.data >= 0.0:
            terms.append(z - y * z + ((-z).exp() + 1.0).log())
        else:
            terms.append(-y * z + (z.exp() + 1.0).log())
    return _sum(terms)


def softmax(logits: Sequence[Value | float]) -> list[Value]:
    """pₖ = e^(zₖ − m) / Σⱼ e^(zⱼ − m), with m = maxⱼ zⱼ so no exponent overflows."""
    zs = [as_value(z, "softmax") for z in logits]
    if not zs:
        raise ValueError("softmax: no logits")
    m = max(z.data for z in zs)
    exps = [(z - m).exp() for z in zs]
    total = _sum(exps)
    return [e / total for e in exps]


def softmax_cross_entropy(logits: Sequence[Value | float], label: int) -> Value:
    """L = −ln softmax(z)_y = ln Σⱼ e^(zⱼ − m) + m − z_y,  ∂L/∂zₖ = softmax(z)ₖ − [k = y].

    Subtracting m = max z (a constant) changes nothing mathematically and keeps logits in
    the thousands finite.
    """
    zs = [as_value(z, "softmax_cross_entropy") for z in logits]
    if isinstance(label, bool) or not isinstance(label, int):
        raise TypeError(
            f"softmax_cross_entropy: the label must be an int class index, got {label!r}"
        )
    if not 0 <= label < len(zs):
        raise ValueError(f"softmax_cross_entropy: label {label} is out of range 0..{len(zs) - 1}")
    m = max(z.data for z in zs)
    total = _sum([(z - m).exp() for z in zs])
    return total.log() + m - zs[label]


def hinge(outputs: Outputs, targets: object) -> Value:
    """Σₖ max(0, 1 − yₖ·sₖ) for labels yₖ ∈ {−1, +1}, as in micrograd's demo."""
    pairs = _pairs(outputs, targets, "hinge")
    for _, y in pairs:
        if y not in (-1.0, 1.0):
            raise ValueError(f"hinge: targets must be -1 or +1, got {y!r}")
    return _sum([(1.0 - y * s).relu() for s, y in pairs])


LOSSES: dict[str, Loss] = {
    "half_sse": half_sum_squared_error,
    "sse": sum_squared_error,
    "mse": mean_squared_error,
    "bce": binary_cross_entropy,
    "bce_logits": binary_cross_entropy_with_logits,
    "softmax_ce": softmax_cross_entropy,
    "hinge": hinge,
}


def get_loss(loss: str | Loss) -> Loss:
    """A loss function given by name (one of ``LOSSES``) or as a callable."""
    if callable(loss):
        return loss
    if not isinstance(loss, str):
        raise TypeError(f"loss must be a name or a function, got {type(loss).__name__} {loss!r}")
    if loss in LOSSES:
        return LOSSES[loss]
    raise ValueError(f"unknown loss {loss!r}; choose one of {', '.join(LOSSES)} or pass a function")
