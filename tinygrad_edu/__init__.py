"""tinygrad_edu: a scalar autograd engine for learning, teaching and debugging backpropagation.

Every number is a :class:`Value` that remembers the op that made it; ``backward()`` applies the
chain rule in reverse topological order. The parts, each in its own folder:

* ``core``: the engine (``Value``, the ops, ``backward()``, the modes);
* ``lenses``: read-only views of a graph (paths, ``explain``, drawings, ``gradcheck``);
* ``nn``: neurons, layers, the MLP, losses and optimisers;
* ``training``: the loop, its history and its checkpoints;
* ``files``, ``torch_bridge``: the network as plain data, on disk and in PyTorch;
* ``exercises``, ``custom_ops``: ``check_engine`` for your own engine, ``custom_op`` for your
  own op;
* ``micrograd``: micrograd 0.1.0's ``Value`` and ``nn`` as a drop-in (``install()``).

The engine, the networks and training are imported with the package; the lenses (drawing
needs graphviz), the files (json, hashlib), the PyTorch bridge, the exercises and custom ops
when a name of theirs is first used, so ``import tinygrad_edu`` stays quick.
"""

from types import ModuleType
from typing import TYPE_CHECKING

from tinygrad_edu.core import (
    AnomalyError,
    BackwardStep,
    CallSite,
    EdgeStep,
    Value,
    detect_anomaly,
    interior_order,
    no_grad,
    origin_of,
    topological_order,
    weighted_sum,
)
from tinygrad_edu.core.modes import origins
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
from tinygrad_edu.training import History, evaluate, predict, train

if TYPE_CHECKING:  # imported on first use, by __getattr__ below
    from tinygrad_edu.custom_ops import CustomOp, LocalDerivativeError, custom_op
    from tinygrad_edu.exercises import EngineReport, Problem, check_engine
    from tinygrad_edu.files.json_file import CheckpointError
    from tinygrad_edu.lenses.drawing.draw import GraphTooLargeError, draw_dot
    from tinygrad_edu.lenses.explain import explain
    from tinygrad_edu.lenses.gradcheck import gradcheck, numerical_gradient
    from tinygrad_edu.lenses.layers.view import layer_view
    from tinygrad_edu.lenses.paths import ChainEdge, ChainPath, chain_paths
    from tinygrad_edu.lenses.routes import Route, chain_routes
    from tinygrad_edu.lenses.stepper.page import stepper
    from tinygrad_edu.torch_bridge import to_torch

__version__ = "0.1.0"

__all__ = [
    "MLP",
    "SGD",
    "Adam",
    "AnomalyError",
    "BackwardStep",
    "CallSite",
    "ChainEdge",
    "CheckpointError",
    "ChainPath",
    "CustomOp",
    "EdgeStep",
    "EngineReport",
    "GraphTooLargeError",
    "History",
    "Layer",
    "LocalDerivativeError",
    "Neuron",
    "Problem",
    "Route",
    "Value",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "chain_paths",
    "chain_routes",
    "check_engine",
    "custom_op",
    "detect_anomaly",
    "draw_dot",
    "evaluate",
    "explain",
    "from_torch",
    "gradcheck",
    "half_sum_squared_error",
    "hinge",
    "interior_order",
    "layer_view",
    "load_into",
    "load_model",
    "mean_squared_error",
    "no_grad",
    "numerical_gradient",
    "origin_of",
    "origins",
    "predict",
    "save_model",
    "softmax",
    "softmax_cross_entropy",
    "stepper",
    "sum_squared_error",
    "to_torch",
    "topological_order",
    "train",
    "weighted_sum",
]


def __getattr__(name: str) -> object:
    """The names imported on first use (see the module's docstring)."""
    module: ModuleType
    if name in ("draw_dot", "GraphTooLargeError"):
        from tinygrad_edu.lenses.drawing import draw

        module = draw
    elif name == "explain":
        from tinygrad_edu.lenses import explain

        module = explain
    elif name in ("gradcheck", "numerical_gradient"):
        from tinygrad_edu.lenses import gradcheck

        module = gradcheck
    elif name == "stepper":
        from tinygrad_edu.lenses.stepper import page

        module = page
    elif name == "layer_view":
        from tinygrad_edu.lenses.layers import view

        module = view
    elif name in ("ChainEdge", "ChainPath", "chain_paths"):
        from tinygrad_edu.lenses import paths

        module = paths
    elif name in ("Route", "chain_routes"):
        from tinygrad_edu.lenses import routes

        module = routes
    elif name in ("custom_op", "CustomOp", "LocalDerivativeError"):
        from tinygrad_edu import custom_ops

        module = custom_ops
    elif name in ("check_engine", "EngineReport", "Problem"):
        from tinygrad_edu import exercises

        module = exercises
    elif name == "CheckpointError":
        from tinygrad_edu.files import json_file

        module = json_file
    elif name == "to_torch":
        from tinygrad_edu import torch_bridge

        module = torch_bridge
    else:
        raise AttributeError(f"module 'tinygrad_edu' has no attribute {name!r}")
    value = getattr(module, name)
    globals()[name] = value  # found directly from now on
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
