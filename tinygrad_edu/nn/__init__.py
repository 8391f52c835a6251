"""Networks built from ``Value`` nodes: neurons, layers and the MLP; the losses, each with its
rules for targets; and the optimisers, each with its hyperparameters and state."""

from tinygrad_edu.nn.activations import ACTIVATIONS
from tinygrad_edu.nn.init import INITIALISERS, initial_weights
from tinygrad_edu.nn.layer import Layer
from tinygrad_edu.nn.losses import (
    LOSSES,
    Loss,
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    get_loss,
    half_sum_squared_error,
    hinge,
    mean_squared_error,
    softmax,
    softmax_cross_entropy,
    sum_squared_error,
)
from tinygrad_edu.nn.mlp import MLP, from_torch, load_into, load_model, save_model
from tinygrad_edu.nn.neuron import Neuron
from tinygrad_edu.nn.optim import SGD, Adam, Optimizer

__all__ = [
    "ACTIVATIONS",
    "INITIALISERS",
    "LOSSES",
    "MLP",
    "SGD",
    "Adam",
    "Layer",
    "Loss",
    "Neuron",
    "Optimizer",
    "binary_cross_entropy",
    "from_torch",
    "binary_cross_entropy_with_logits",
    "get_loss",
    "half_sum_squared_error",
    "hinge",
    "initial_weights",
    "load_into",
    "load_model",
    "mean_squared_error",
    "save_model",
    "softmax",
    "softmax_cross_entropy",
    "sum_squared_error",
]
