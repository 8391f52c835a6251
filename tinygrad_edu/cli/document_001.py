"""Document 001's worked example as a loss graph, shared by ``graph`` and ``explain``."""

from __future__ import annotations

from collections.abc import Sequence

from tinygrad_edu.core import Value
from tinygrad_edu.datasets import DOCUMENT_001
from tinygrad_edu.nn import MLP, half_sum_squared_error

# The document computes E = ½(a⁽³⁾ − y)² but never gives y; we pick y = [1, 0]: the first
# output should fire and the second should not, so both outputs carry a visible error.
TARGETS = (1.0, 0.0)

DESCRIPTION = (
    "document 001's 3-3-5-2 sigmoid network (biases 0) on its input x = [0.3, 0.7, 0.5], "
    "with E = ½ Σₖ (a3[k] − y[k])²"
)


def document_001_loss(targets: Sequence[float] = TARGETS) -> tuple[Value, MLP]:
    """The network of document 001 and its loss E, after ``E.backward()``.

    The loss builds its graph labelled as the document writes it: the loss ``E``, the
    targets ``y[0]``, ``y[1]``.
    """
    model = MLP.from_weights(DOCUMENT_001.weights)
    loss = half_sum_squared_error(model(DOCUMENT_001.x), list(targets))
    loss.backward()
    return loss, model
