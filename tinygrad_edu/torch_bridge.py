"""The road to PyTorch: the same network as a ``torch.nn.Sequential``, and back again.

``to_torch(model)`` gives, for each layer l, a ``Linear(n_{l-1}, n_l)`` followed by the layer's
activation module (``Sigmoid``, ``Tanh`` or ``ReLU``; nothing for ``"linear"``), in float64.
PyTorch's ``Linear`` computes y = x·Wᵀ + b and stores ``weight`` with shape (out, in), so
``weight[j][i]`` is our ``W[i, j]``, the weight from input i to neuron j.

torch is imported only inside these functions; the package itself never needs it (see the
README for installing the CPU build). The bridge deals in plain data
(:mod:`tinygrad_edu.model_data`): ``MLP.from_torch`` builds the network from what
:func:`data_from_torch` reads.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tinygrad_edu.core.ops import ALL_OPS
from tinygrad_edu.model_data import Architecture, HasModelData, ModelData, model_data_of

if TYPE_CHECKING:
    import torch

# Each activation's name and the torch.nn module computing it ("linear" has none).
_MODULES = {op.symbol: op.torch_module for op in ALL_OPS if op.activation and op.torch_module}


def _torch() -> Any:
    try:
        import torch
    except ImportError:
        raise ImportError(
            "the PyTorch bridge needs torch; for the CPU build: "
            "pip install torch --index-url https://download.pytorch.org/whl/cpu"
        ) from None
    return torch


def to_torch(model: HasModelData) -> torch.nn.Sequential:
    """A float64 ``torch.nn.Sequential`` of Linear and activation modules with exactly the
    weights of ``model``, so it computes the same outputs (to rounding: PyTorch may add the
    products of a Linear in another order). torch's global random state is not touched."""
    data = model_data_of(model, "to_torch")
    for activation in (data.architecture.activation, data.architecture.output_activation):
        if activation not in _MODULES and activation != "linear":
            raise ValueError(
                f"to_torch: the activation {activation!r} has no torch.nn module (the bridge "
                f"knows {', '.join(map(repr, [*_MODULES, 'linear']))}); a custom op cannot "
                "be moved to PyTorch"
            )
    torch = _torch()
    modules = []
    sizes = data.architecture.sizes
    for l, (matrix, biases) in enumerate(zip(data.weights, data.biases, strict=True)):
        # skip_init: no random initialisation that would be overwritten (and use up torch's RNG)
        linear = torch.nn.utils.skip_init(
            torch.nn.Linear, sizes[l], sizes[l + 1], dtype=torch.float64
        )
        weight = [list(column) for column in zip(*matrix, strict=True)]  # (out, in)
        with torch.no_grad():
            linear.weight.copy_(torch.tensor(weight, dtype=torch.float64))
            linear.bias.copy_(torch.tensor(biases, dtype=torch.float64))
        modules.append(linear)
        arch = data.architecture
        activation = arch.output_activation if l == len(data.weights) - 1 else arch.activation
        if activation in _MODULES:
            modules.append(getattr(torch.nn, _MODULES[activation])())
    return torch.nn.Sequential(*modules)  # type: ignore[no-any-return]  # torch is Any here


def data_from_torch(sequential: object, fused: bool = True) -> ModelData:
    """The network of ``sequential`` as plain data, for ``MLP.from_torch``: Linear modules,
    each followed by at most one ``Sigmoid``, ``Tanh``, ``ReLU`` or ``Identity``; all hidden
    layers must share one activation, as in an MLP. Weights of any float dtype are read
    exactly as float64."""
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
    sizes = [len(weights[0]), *(len(b) for b in biases)]
    activation = hidden.pop() if hidden else output
    return ModelData(Architecture(sizes, activation, output, "torch", fused), weights, biases)
