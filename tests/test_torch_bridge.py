"""to_torch / from_torch: the same network in PyTorch, with the same weights and outputs."""

from __future__ import annotations

import math
import struct
import subprocess
import sys

import pytest

from tinygrad_edu import MLP, SGD, from_torch, mean_squared_error, to_torch
from tinygrad_edu.nn import ACTIVATIONS

REL = 1e-12


@pytest.fixture(scope="module")
def torch():
    return pytest.importorskip("torch")


def bits(model: MLP) -> list[bytes]:
    return [struct.pack("<d", p.data) for p in model.parameters()]


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=REL, abs_tol=1e-15)


PAIRS = [(h, o) for h in sorted(ACTIVATIONS) for o in sorted(ACTIVATIONS)]


@pytest.mark.parametrize("hidden, output", PAIRS)
def test_to_torch_builds_linear_and_activation_modules_in_float64(torch, hidden, output):
    model = MLP(3, [4, 2], activation=hidden, output_activation=output, seed=1)
    seq = to_torch(model)
    modules = {"sigmoid": torch.nn.Sigmoid, "tanh": torch.nn.Tanh, "relu": torch.nn.ReLU}
    expected = [torch.nn.Linear, modules.get(hidden), torch.nn.Linear, modules.get(output)]
    assert [type(m) for m in seq] == [m for m in expected if m is not None]
    linears = [m for m in seq if isinstance(m, torch.nn.Linear)]
    assert all(m.weight.dtype == torch.float64 and m.bias.dtype == torch.float64 for m in linears)
    # PyTorch stores (out, in): weight[j][i] is W[i, j], from input i to neuron j
    for l, linear in enumerate(linears, start=1):
        for j in range(linear.out_features):
            for i in range(linear.in_features):
                assert linear.weight[j, i].item() == model.parameter(f"W{l}[{i},{j}]").data
            assert linear.bias[j].item() == model.parameter(f"b{l}[{j}]").data


@pytest.mark.parametrize("hidden, output", PAIRS)
@pytest.mark.parametrize("fused", [True, False])
def test_round_trip_through_torch_keeps_every_bit(torch, hidden, output, fused):
    model = MLP(2, [5, 3, 2], activation=hidden, output_activation=output, init="he", seed=4)
    for p, x in zip(model.parameters(), [0.1, -0.0, 5e-324, 1 / 3], strict=False):
        p.data = x
    back = MLP.from_torch(to_torch(model), fused=fused)
    assert bits(back) == bits(model)
    assert back.sizes == model.sizes
    assert (back.activation, back.output_activation) == (hidden, output)
    assert all(n.fused is fused for layer in back.layers for n in layer.neurons)


@pytest.mark.parametrize("hidden, output", PAIRS)
def test_the_torch_network_computes_the_same_outputs(torch, hidden, output):
    model = MLP(3, [6, 4, 2], activation=hidden, output_activation=output, seed=7)
    seq = to_torch(model)
    for x in ([0.3, 0.7, 0.5], [-1.5, 2.0, 0.25], [0.0, 0.0, 0.0]):
        ours = [o.data for o in model(x)]
        theirs = seq(torch.tensor(x, dtype=torch.float64)).tolist()
        assert all(close(a, b) for a, b in zip(ours, theirs, strict=True)), (ours, theirs)


def test_one_training_step_moves_both_networks_the_same_way(torch):
    model = MLP(2, [3, 1], activation="tanh", output_activation="sigmoid", seed=2)
    seq = to_torch(model)
    x, y = [0.4, -0.6], 1.0
    loss = mean_squared_error(model(x), y)
    model.zero_grad()
    loss.backward()
    SGD(model.parameters(), lr=0.5).step()
    torch_optimizer = torch.optim.SGD(seq.parameters(), lr=0.5)
    torch_loss = torch.nn.functional.mse_loss(
        seq(torch.tensor(x, dtype=torch.float64)), torch.tensor([y], dtype=torch.float64)
    )
    torch_optimizer.zero_grad()
    torch_loss.backward()
    torch_optimizer.step()
    assert close(loss.data, torch_loss.item())
    after = from_torch(seq)
    assert all(
        close(a.data, b.data) for a, b in zip(model.parameters(), after.parameters(), strict=True)
    )


def test_from_torch_reads_a_float32_network_exactly(torch):
    torch.manual_seed(0)
    seq = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 1))
    model = from_torch(seq)
    assert model.sizes == [3, 4, 1] and model.activation == "relu"
    assert model.output_activation == "linear" and model.init == "torch"
    assert model.parameter("W1[2,1]").data == float(seq[0].weight[1, 2].item())
    x = [0.5, -0.25, 0.125]
    expected = seq.double()(torch.tensor(x, dtype=torch.float64)).item()
    assert close(model(x).data, expected)


def test_identity_and_bias_free_linears_are_understood(torch):
    seq = torch.nn.Sequential(
        torch.nn.Linear(2, 3, bias=False, dtype=torch.float64),
        torch.nn.Identity(),
        torch.nn.Linear(3, 1, dtype=torch.float64),
        torch.nn.Sigmoid(),
    )
    model = from_torch(seq)
    assert model.activation == "linear" and model.output_activation == "sigmoid"
    assert [model.parameter(f"b1[{j}]").data for j in range(3)] == [0.0, 0.0, 0.0]


def test_a_single_layer_network_round_trips(torch):
    model = MLP(4, [2], output_activation="tanh", seed=0)
    back = from_torch(to_torch(model))
    assert bits(back) == bits(model) and back.output_activation == "tanh"


def test_to_torch_leaves_torch_random_state_alone(torch):
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    to_torch(MLP(5, [8, 8, 2], seed=0))
    assert torch.equal(torch.rand(3), expected)


def bad_sequentials(torch):
    nn = torch.nn
    return [
        (nn.Sequential(), "no Linear"),
        (nn.Sequential(nn.ReLU(), nn.Linear(2, 1)), "before any Linear"),
        (
            nn.Sequential(nn.Linear(2, 3), nn.Linear(4, 1)),
            r"module 1 \(Linear\) has 4 inputs, but the Linear before it has 3",
        ),
        (
            nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Tanh(), nn.Linear(3, 1)),
            r"module 2 \(Tanh\): an MLP layer has one activation",
        ),
        (
            nn.Sequential(nn.Linear(2, 3), nn.Dropout(0.5), nn.Linear(3, 1)),
            r"module 1 \(Dropout\) has no counterpart",
        ),
        (nn.Sequential(nn.Sequential(nn.Linear(2, 1))), r"module 0 \(Sequential\)"),
        (nn.Sequential(nn.Linear(2, 3), nn.LeakyReLU(), nn.Linear(3, 1)), "LeakyReLU"),
        (
            nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 3), nn.Tanh(), nn.Linear(3, 1)),
            r"different activations \['relu', 'tanh'\]",
        ),
    ]


def test_networks_an_mlp_cannot_express_raise_value_error_naming_the_module(torch):
    for seq, message in bad_sequentials(torch):
        with pytest.raises(ValueError, match=message):
            from_torch(seq)


def test_wrong_types_raise_type_error(torch):
    with pytest.raises(TypeError, match="needs an MLP"):
        to_torch(torch.nn.Sequential())
    with pytest.raises(TypeError, match="needs a torch.nn.Sequential"):
        from_torch(MLP(2, [1]))
    with pytest.raises(TypeError, match="needs a torch.nn.Sequential"):
        MLP.from_torch(torch.nn.Linear(2, 1))


def test_without_torch_the_bridge_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # makes "import torch" fail
    with pytest.raises(ImportError, match=r"pip install torch"):
        to_torch(MLP(2, [1]))
    with pytest.raises(ImportError, match="needs torch"):
        MLP.from_torch(object())


def test_importing_the_package_and_the_bridge_does_not_import_torch():
    code = (
        "import sys, tinygrad_edu, tinygrad_edu.torch_bridge, tinygrad_edu.files.model_file\n"
        "from tinygrad_edu import MLP\n"
        "MLP(2, [1]).parameters()\n"
        "assert 'torch' not in sys.modules, 'torch was imported'\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
