"""tinygrad_edu: a scalar autograd engine for learning, teaching and debugging backpropagation.

Every number is a :class:`Value` that remembers the op that made it; ``backward()`` applies the
chain rule in reverse topological order.
"""

from tinygrad_edu.checkpoint import CheckpointError, load_into, load_model, save_model
from tinygrad_edu.engine import (
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
from tinygrad_edu.explanation import explain
from tinygrad_edu.gradcheck import gradcheck, numerical_gradient
from tinygrad_edu.graph import ChainEdge, ChainPath, chain_paths
from tinygrad_edu.losses import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    half_sum_squared_error,
    hinge,
    mean_squared_error,
    softmax,
    softmax_cross_entropy,
    sum_squared_error,
)
from tinygrad_edu.nn import MLP, Layer, Neuron
from tinygrad_edu.optim import SGD, Adam
from tinygrad_edu.torch_bridge import from_torch, to_torch
from tinygrad_edu.train import History, evaluate, predict, train
from tinygrad_edu.viz import GraphTooLargeError, draw_dot

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
