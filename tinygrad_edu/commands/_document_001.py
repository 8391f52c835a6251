"""Document 001's worked example as a loss graph, shared by ``graph`` and ``explain``."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from tinygrad_edu.datasets import DOCUMENT_001
from tinygrad_edu.engine import Value, topological_order
from tinygrad_edu.losses import half_sum_squared_error
from tinygrad_edu.nn import MLP

# The document computes E = ½(a⁽³⁾ − y)² but never gives y; we pick y = [1, 0]: the first
# output should fire and the second should not, so both outputs carry a visible error.
TARGETS = (1.0, 0.0)

DESCRIPTION = (
    "document 001's 3-3-5-2 sigmoid network (biases 0) on its input x = [0.3, 0.7, 0.5], "
    "with E = ½ Σₖ (a3[k] − y[k])²"
)


def document_001_loss(targets: Sequence[float] = TARGETS) -> tuple[Value, MLP]:
    """The network of document 001 and its loss E, after ``E.backward()``.

    The loss is labelled ``E`` and the targets ``y[0]``, ``y[1]``, so drawings and
    explanations read like the document.
    """
    model = MLP.from_weights(DOCUMENT_001.weights)
    outputs = model(DOCUMENT_001.x)
    loss = half_sum_squared_error(outputs, list(targets))
    loss.label = "E"
    position = {id(a): k for k, a in enumerate(outputs)}
    for node in topological_order(loss):  # the targets are the constants in aₖ − yₖ
        if node.op == "-" and id(node.children[0]) in position:
            node.children[1].label = f"y[{position[id(node.children[0])]}]"
    loss.backward()
    return loss, model


def reading_order(names: Iterable[str]) -> list[str]:
    """Distinct labels as a reader scans for them: W1[0,0] … W3[4,1], then b…, x…, the rest."""
    rank = {"W": 0, "b": 1, "x": 2}
    return sorted(set(names), key=lambda name: (rank.get(name[:1], 3), name))
