"""The engine: ``Value`` and its ops, ``backward()``, and the modes. It imports nothing else
from the package (a test holds this), so it can be read, and reused, on its own.

The mode ``origins()`` is ``tinygrad_edu.origins`` (or ``core.modes.origins``): here the name
``origins`` is the module that records them, ``core/origins.py``."""

from tinygrad_edu.core.engine import Value, as_value, make_node
from tinygrad_edu.core.fused import layer_chains, layer_weighted_sums, weighted_sum
from tinygrad_edu.core.modes import (
    AnomalyError,
    detect_anomaly,
    gc_paused,
    no_grad,
    origin_of,
)
from tinygrad_edu.core.order import interior_order, topological_order
from tinygrad_edu.core.origins import CallSite
from tinygrad_edu.core.staleness import StaleGraphError, StaleNode, find_stale_node
from tinygrad_edu.core.steps import BackwardStep, EdgeStep

__all__ = [
    "AnomalyError",
    "BackwardStep",
    "CallSite",
    "EdgeStep",
    "StaleGraphError",
    "StaleNode",
    "Value",
    "as_value",
    "detect_anomaly",
    "find_stale_node",
    "gc_paused",
    "interior_order",
    "layer_chains",
    "layer_weighted_sums",
    "make_node",
    "no_grad",
    "origin_of",
    "topological_order",
    "weighted_sum",
]
