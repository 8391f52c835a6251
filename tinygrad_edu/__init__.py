"""tinygrad_edu: a scalar autograd engine for learning, teaching and debugging backpropagation.

Every number is a :class:`Value` that remembers the op that made it; ``backward()`` applies the
chain rule in reverse topological order. The parts, each in its own folder:

* ``core``: the engine (``Value``, the ops, ``backward()``, the modes);
* ``lenses``: read-only views of a graph (paths, ``explain``, drawings, ``gradcheck``);
* ``nn``: neurons, layers, the MLP, losses and optimisers;
* ``training``: the loop, its history and its checkpoints;
* ``files``, ``torch_bridge``: the network as plain data, on disk and in PyTorch.
* ``micrograd``: micrograd 0.1.0's ``Value`` and ``nn`` as a drop-in (``install()``).
"""

from tinygrad_edu.core import (
    AnomalyError,
    BackwardStep,
    EdgeStep,
    Value,
    detect_anomaly,
    interior_order,
    no_grad,
    topological_order,
    weighted_sum,
)
from tinygrad_edu.files.json_file import CheckpointError
from tinygrad_edu.lenses.draw import GraphTooLargeError, draw_dot
from tinygrad_edu.lenses.explain import explain
from tinygrad_edu.lenses.gradcheck import gradcheck, numerical_gradient
from tinygrad_edu.lenses.paths import ChainEdge, ChainPath, chain_paths
from tinygrad_edu.nn import (
    MLP,
    SGD,
    Adam,
    Layer,
    Neuron,
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    from_torch,
    half_sum_squared_error,
    hinge,
    load_into,
    load_model,
    mean_squared_error,
    save_model,
    softmax,
    softmax_cross_entropy,
    sum_squared_error,
)
from tinygrad_edu.torch_bridge import to_torch
from tinygrad_edu.training import History, evaluate, predict, train

__version__ = "0.1.0"

__all__ = [
    "MLP",
    "SGD",
    "Adam",
    "AnomalyError",
    "BackwardStep",
    "ChainEdge",
    "CheckpointError",
    "ChainPath",
    "EdgeStep",
    "GraphTooLargeError",
    "History",
    "Layer",
    "Neuron",
    "Value",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "chain_paths",
    "detect_anomaly",
    "draw_dot",
    "evaluate",
    "explain",
    "from_torch",
    "gradcheck",
    "half_sum_squared_error",
    "hinge",
    "interior_order",
    "load_into",
    "load_model",
    "mean_squared_error",
    "no_grad",
    "numerical_gradient",
    "predict",
    "save_model",
    "softmax",
    "softmax_cross_entropy",
    "sum_squared_error",
    "to_torch",
    "topological_order",
    "train",
    "weighted_sum",
]
