"""The engine: ``Value`` and its ops, ``backward()``, and the modes. It imports nothing else
from the package (a test holds this), so it can be read, and reused, on its own."""

from tinygrad_edu.core.engine import Value, as_value, make_node
from tinygrad_edu.core.fused import layer_chains, layer_weighted_sums, weighted_sum
from tinygrad_edu.core.modes import AnomalyError, detect_anomaly, gc_paused, no_grad
from tinygrad_edu.core.order import interior_order, topological_order
from tinygrad_edu.core.steps import BackwardStep, EdgeStep

__all__ = [
    "AnomalyError",
    "BackwardStep",
    "EdgeStep",
    "Value",
    "as_value",
    "detect_anomaly",
    "gc_paused",
    "interior_order",
    "layer_chains",
    "layer_weighted_sums",
    "make_node",
    "no_grad",
    "topological_order",
    "weighted_sum",
]
