"""The road to PyTorch: the same network as a ``torch.nn.Sequential``, and back again.

``to_torch(model)`` gives, for each layer l, a ``Linear(n_{l-1}, n_l)`` followed by the layer's
activation module (``Sigmoid``, ``Tanh`` or ``ReLU``; nothing for ``"linear"``), in float64.
PyTorch's ``Linear`` computes y = x·Wᵀ + b and stores ``weight`` with shape (out, in), so
``weight[j][i]`` is our ``W[i, j]``, the weight from input i to neuron j.

torch is imported only inside these functions; the package itself never needs it. Install it
with the ``torch`` extra: ``pip install 'tinygrad_edu[torch]'``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tinygrad_edu.nn import MLP

if TYPE_CHECKING:
    import torch

# Our activation names and the torch.nn module class for each ("linear" has no module).
_MODULES = {"sigmoid": "Sigmoid", "tanh": "Tanh", "relu": "ReLU"}


def _torch() -> Any:
    try:
        import torch
    except ImportError:
        raise ImportError(
            "the PyTorch bridge needs torch: pip install 'tinygrad_edu[torch]'"
        ) from None
    return torch


def to_torch(model: MLP) -> torch.nn.Sequential:
    """A float64 ``torch.nn.Sequential`` of Linear and activation modules with exactly the
    weights of ``model``, so it computes the same outputs (to rounding: PyTorch may add the
    products of a Linear in another order). torch's global random state is not touched."""
    if not isinstance(model, MLP):
        raise TypeError(f"to_torch needs an MLP, got {type(model).__name__}")
    torch = _torch()
    modules = []
    for layer in model.layers:
        # skip_init: no random initialisation that would be overwritten (and use up torch's RNG)
        linear = torch.nn.utils.skip_init(
            torch.nn.Linear, layer.nin, layer.nout, dtype=torch.float64
        )
        weight = [[w.data for w in neuron.w] for neuron in layer.neurons]  # (out, in)
        with torch.no_grad():
            linear.weight.copy_(torch.tensor(weight, dtype=torch.float64))
            linear.bias.copy_(torch.tensor(layer.biases(), dtype=torch.float64))
        modules.append(linear)
        activation = layer.neurons[0].activation
        if activation != "linear":
            modules.append(getattr(torch.nn, _MODULES[activation])())
    return torch.nn.Sequential(*modules)


def from_torch(sequential: torch.nn.Sequential, fused: bool = True) -> MLP:
    """An :class:`MLP` with the weights of ``sequential``: Linear modules, each followed by at
    most one ``Sigmoid``, ``Tanh``, ``ReLU`` or ``Identity``; all hidden layers must share one
    activation, as in an MLP. Weights of any float dtype are read exactly as float64."""
    torch = _torch()
    if not isinstance(sequential, torch.nn.Sequential):
        raise TypeError(f"from_torch needs a torch.nn.Sequential, got {type(sequential).__name__}")
    names = {getattr(torch.nn, cls): name for name, cls in _MODULES.items()}
    names[torch.nn.Identity] = "linear"
    weights: list[list[list[float]]] = []
    biases: list[list[float]] = []
    activations: list[str] = []
    for k, module in enumerate(sequential):
        where = f"module {k} ({type(module).__name__})"
        if isinstance(module, torch.nn.Linear):
            if weights and module.in_features != len(biases[-1]):
                raise ValueError(
                    f"{where} has {module.in_features} inputs, but the Linear before it has "
                    f"{len(biases[-1])} outputs"
                )
            if not module.weight.is_floating_point():  # complex weights have no MLP counterpart
                dtype = module.weight.dtype
                raise ValueError(f"{where} has {dtype} weights; an MLP needs real ones")
            matrix = module.weight.detach().to(torch.float64).tolist()  # (out, in)
            weights.append([list(row) for row in zip(*matrix, strict=True)])  # W[i][j]
            if module.bias is None:
                biases.append([0.0] * module.out_features)
            else:
                biases.append(module.bias.detach().to(torch.float64).tolist())
            activations.append("linear")
        elif type(module) in names:
            if not weights:
                raise ValueError(f"{where} comes before any Linear; an MLP starts with a Linear")
            if type(sequential[k - 1]) in names:  # k > 0: a Linear came before
                raise ValueError(f"{where}: an MLP layer has one activation after its Linear")
            activations[-1] = names[type(module)]
        else:
            raise ValueError(
                f"{where} has no counterpart in an MLP; use Linear, Sigmoid, Tanh, ReLU "
                f"and Identity"
            )
    if not weights:
        raise ValueError("the Sequential has no Linear module: there is no layer to copy")
    hidden = set(activations[:-1])
    if len(hidden) > 1:
        raise ValueError(
            f"the hidden layers use different activations {sorted(hidden)}; an MLP has one "
            f"activation for all hidden layers"
        )
    output = activations[-1]
    model = MLP.from_weights(weights, biases, hidden.pop() if hidden else output, output, fused)
    model.init = "torch"
    return model
