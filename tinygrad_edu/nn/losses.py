"""Loss functions over ``Value`` nodes. Each returns one ``Value`` whose ``backward()`` gives
∂loss/∂(every parameter), with its math in the class docstring, and each states its own
rules for targets (:meth:`Loss.check_target`), which ``train()`` applies to a whole dataset
before any parameter changes, and the loss itself to every call.

Outputs and targets may be single values or equal-length sequences. The loss node is
labelled ``E`` and each target leaf ``y[k]``, as in the documents.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar

from tinygrad_edu import checks, notation
from tinygrad_edu.core import Value, as_value
from tinygrad_edu.core.leaves import data_leaf
from tinygrad_edu.core.messages import describe

Outputs = Value | float | Sequence[Value | float]
LossFunction = Callable[[Outputs, object], Value]


class Loss:
    """A loss: call it with the outputs and the targets of one example."""

    name: ClassVar[str] = ""  # its name for ``train(loss=...)``
    function_name: ClassVar[str] = ""  # the module's name for it, ``half_sum_squared_error``
    targets_are_labels: ClassVar[bool] = False  # an int class label instead of a vector
    needs_probabilities: ClassVar[bool] = False  # outputs in (0, 1): a sigmoid output layer

    def __call__(self, outputs: Outputs, targets: object) -> Value:
        loss = self.compute(*self.pairs(outputs, targets))
        loss.label = notation.LOSS
        return loss

    def compute(self, outputs: list[Value], targets: list[Value]) -> Value:
        raise NotImplementedError

    def check_target(self, target: float) -> None:
        """Raise a ValueError, worded to follow the target's name ("is 2.0, but …"), if
        this loss cannot use ``target``."""

    def check_targets(self, Y: Sequence[object], nout: int, what: str = "target") -> None:
        """Every target of a dataset, for a model with ``nout`` outputs: one number per
        output, each allowed by :meth:`check_target`."""
        for m, y in enumerate(Y):
            targets = list(y) if isinstance(y, Sequence) else [y]
            if len(targets) != nout:
                raise ValueError(
                    f"{what} {m} is a single number, but the model has {nout} outputs; "
                    f"give a list of {nout} targets (or use loss='softmax_ce' for class labels)"
                )
            for t in targets:
                try:
                    self.check_target(checks.data_of(t))
                except ValueError as error:
                    raise ValueError(f"{what} {m} {error}") from None

    def pairs(self, outputs: Outputs, targets: object) -> tuple[list[Value], list[Value]]:
        """The outputs as nodes and the targets as leaves ``y[k]``, checked."""
        outs = list(outputs) if isinstance(outputs, Sequence) else [outputs]
        tgts = list(targets) if isinstance(targets, Sequence) else [targets]
        if len(outs) != len(tgts):
            raise ValueError(f"{self}: {len(outs)} outputs but {len(tgts)} targets")
        if not outs:
            raise ValueError(f"{self}: no outputs to compare")
        name = str(self)
        leaves = []
        for k, t in enumerate(tgts):
            if type(t) is float:  # the usual target, and already a float
                number = t
            else:
                number = t.data if isinstance(t, Value) else checks.number(f"{name}: a target", t)
            try:
                self.check_target(number)
            except ValueError as error:
                raise ValueError(f"{name}: target {k} {error}") from None
            leaves.append(data_leaf(Value, number, notation.target(k)))
        return [o if type(o) is Value else as_value(o, name) for o in outs], leaves

    def __str__(self) -> str:
        return self.function_name


def _sum(terms: list[Value]) -> Value:
    total = terms[0]
    for term in terms[1:]:
        total = total + term
    return total


class HalfSumSquaredError(Loss):
    """E = ½ Σₖ (aₖ − yₖ)², documents 001 and 003:  ∂E/∂aₖ = aₖ − yₖ."""

    name = "half_sse"
    function_name = "half_sum_squared_error"

    def compute(self, outputs: list[Value], targets: list[Value]) -> Value:
        return 0.5 * _sum([(a - y) ** 2 for a, y in zip(outputs, targets, strict=True)])


class SumSquaredError(Loss):
    """ΔL = Σₖ (yₖ − ŷₖ)², document 004:  ∂ΔL/∂ŷₖ = 2(ŷₖ − yₖ)."""

    name = "sse"
    function_name = "sum_squared_error"

    def compute(self, outputs: list[Value], targets: list[Value]) -> Value:
        return _sum([(y - a) ** 2 for a, y in zip(outputs, targets, strict=True)])


class MeanSquaredError(Loss):
    """MSE = (1/K) Σₖ (aₖ − yₖ)²:  ∂MSE/∂aₖ = (2/K)(aₖ − yₖ)."""

    name = "mse"
    function_name = "mean_squared_error"

    def compute(self, outputs: list[Value], targets: list[Value]) -> Value:
        squares = [(a - y) ** 2 for a, y in zip(outputs, targets, strict=True)]
        return _sum(squares) * (1.0 / len(squares))


class BinaryCrossEntropy(Loss):
    """BCE = −Σₖ [yₖ ln pₖ + (1 − yₖ) ln(1 − pₖ)] for probabilities 0 < pₖ < 1 and targets
    0 ≤ yₖ ≤ 1:  ∂BCE/∂pₖ = (pₖ − yₖ)/(pₖ(1 − pₖ)).

    A probability of exactly 0 or 1 raises from ``log`` (no hidden epsilon); for saturating
    sigmoid outputs use :class:`BinaryCrossEntropyWithLogits` on the pre-activation.
    """

    name = "bce"
    function_name = "binary_cross_entropy"
    needs_probabilities = True

    def compute(self, outputs: list[Value], targets: list[Value]) -> Value:
        terms = [
            -(y * p.log() + (1.0 - y) * (1.0 - p).log())
            for p, y in zip(outputs, targets, strict=True)
        ]
        return _sum(terms)

    def check_target(self, target: float) -> None:
        if not 0.0 <= target <= 1.0:
            raise ValueError(f"is {target!r}, but cross-entropy needs targets in [0, 1]")


class BinaryCrossEntropyWithLogits(BinaryCrossEntropy):
    """BCE of p = σ(z), computed from the logit z without overflow:
    ln(1 + eᶻ) − y·z, written as max(z, 0) − y·z + ln(1 + e^(−|z|)):  ∂/∂z = σ(z) − y."""

    name = "bce_logits"
    function_name = "binary_cross_entropy_with_logits"
    needs_probabilities = False

    def compute(self, outputs: list[Value], targets: list[Value]) -> Value:
        terms = []
        for z, y in zip(outputs, targets, strict=True):
            if z.data >= 0.0:
                terms.append(z - y * z + ((-z).exp() + 1.0).log())
            else:
                terms.append(-y * z + (z.exp() + 1.0).log())
        return _sum(terms)


class Hinge(Loss):
    """Σₖ max(0, 1 − yₖ·sₖ) for labels yₖ ∈ {−1, +1}, as in micrograd's demo:
    ∂/∂sₖ = −yₖ where the margin yₖ·sₖ < 1, else 0."""

    name = "hinge"
    function_name = "hinge"

    def compute(self, outputs: list[Value], targets: list[Value]) -> Value:
        return _sum([(1.0 - y * s).relu() for s, y in zip(outputs, targets, strict=True)])

    def check_target(self, target: float) -> None:
        if target not in (-1.0, 1.0):
            raise ValueError(f"is {target!r}, but hinge needs targets -1 or +1")


def softmax(logits: Sequence[Value | float]) -> list[Value]:
    """pₖ = e^(zₖ − m) / Σⱼ e^(zⱼ − m), with m = maxⱼ zⱼ so no exponent overflows."""
    zs = [as_value(z, "softmax") for z in logits]
    if not zs:
        raise ValueError("softmax: no logits")
    m = max(z.data for z in zs)
    exps = [(z - m).exp() for z in zs]
    total = _sum(exps)
    return [e / total for e in exps]


class SoftmaxCrossEntropy(Loss):
    """L = −ln softmax(z)_y = ln Σⱼ e^(zⱼ − m) + m − z_y for an int class label y:
    ∂L/∂zₖ = softmax(z)ₖ − [k = y].

    Subtracting m = max z (a constant) changes nothing mathematically and keeps logits in
    the thousands finite.
    """

    name = "softmax_ce"
    function_name = "softmax_cross_entropy"
    targets_are_labels = True

    def __call__(self, outputs: Outputs, targets: object) -> Value:
        label = targets
        zs = [
            as_value(z, str(self))
            for z in (outputs if isinstance(outputs, Sequence) else [outputs])
        ]
        if not zs:
            raise ValueError(f"{self}: no logits")
        if isinstance(label, bool) or not isinstance(label, int):
            raise TypeError(f"{self}: the label must be an int class index, got {describe(label)}")
        if not 0 <= label < len(zs):
            raise ValueError(f"{self}: label {label} is out of range 0..{len(zs) - 1}")
        m = max(z.data for z in zs)
        total = _sum([(z - m).exp() for z in zs])
        loss = total.log() + m - zs[label]
        loss.label = notation.LOSS
        return loss

    def check_targets(self, Y: Sequence[object], nout: int, what: str = "target") -> None:
        if nout < 2:
            raise ValueError(
                f"softmax_ce needs one output per class, at least 2; this model has {nout}"
            )
        for m, y in enumerate(Y):
            if isinstance(y, bool) or not isinstance(y, int):
                raise TypeError(
                    f"{what} {m} must be an int class label for softmax_ce, got {describe(y)}"
                )
            if not 0 <= y < nout:
                raise ValueError(
                    f"{what} {m} is class {y}, but the model has {nout} outputs: "
                    f"labels must be in 0..{nout - 1}"
                )


half_sum_squared_error = HalfSumSquaredError()
sum_squared_error = SumSquaredError()
mean_squared_error = MeanSquaredError()
binary_cross_entropy = BinaryCrossEntropy()
binary_cross_entropy_with_logits = BinaryCrossEntropyWithLogits()
hinge = Hinge()
softmax_cross_entropy = SoftmaxCrossEntropy()

LOSSES: dict[str, Loss] = {
    loss.name: loss
    for loss in (
        half_sum_squared_error,
        sum_squared_error,
        mean_squared_error,
        binary_cross_entropy,
        binary_cross_entropy_with_logits,
        softmax_cross_entropy,
        hinge,
    )
}


def get_loss(loss: str | Loss | LossFunction) -> Loss | LossFunction:
    """A loss given by name (one of ``LOSSES``) or as a callable."""
    if callable(loss):
        return loss
    if not isinstance(loss, str):
        raise TypeError(f"loss must be a name or a function, got {describe(loss)}")
    if loss in LOSSES:
        return LOSSES[loss]
    raise ValueError(f"unknown loss {loss!r}; choose one of {', '.join(LOSSES)} or pass a function")
