"""Gradients of the documents' network against PyTorch float64 (CI installs torch)."""

from __future__ import annotations

import pytest

from tinygrad_edu import MLP, Value, half_sum_squared_error, softmax_cross_entropy
from tinygrad_edu.datasets import DOCUMENT_001

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch


def test_document_001_network_matches_torch_float64():
    y = [1.0, 0.0]
    model = MLP.from_weights(DOCUMENT_001.weights)
    x_nodes = [Value(v) for v in DOCUMENT_001.x]
    loss = half_sum_squared_error(model(x_nodes), y)
    loss.backward()

    x = torch.tensor(DOCUMENT_001.x, dtype=torch.float64, requires_grad=True)
    Ws = [torch.tensor(W, dtype=torch.float64, requires_grad=True) for W in DOCUMENT_001.weights]
    a = x
    for W in Ws:
        a = torch.sigmoid(a @ W)
    torch_loss = 0.5 * ((a - torch.tensor(y, dtype=torch.float64)) ** 2).sum()
    torch_loss.backward()

    assert loss.data == pytest.approx(torch_loss.item(), rel=1e-14)
    for l, W in enumerate(Ws):
        for i, row in enumerate(W.grad.tolist()):
            for j, g in enumerate(row):
                assert model.layers[l].neurons[j].w[i].grad == pytest.approx(
                    g, rel=1e-12, abs=1e-16
                )
    assert [v.grad for v in x_nodes] == pytest.approx(x.grad.tolist(), rel=1e-12)


def test_softmax_cross_entropy_matches_torch_for_large_logits():
    logits = [1000.0, -2000.0, 999.5, 3000.0]
    values = [Value(z) for z in logits]
    loss = softmax_cross_entropy(values, 2)
    loss.backward()
    t = torch.tensor(logits, dtype=torch.float64, requires_grad=True)
    ref = torch.nn.functional.cross_entropy(t.unsqueeze(0), torch.tensor([2]))
    ref.backward()
    assert loss.data == pytest.approx(ref.item(), rel=1e-14)
    assert [v.grad for v in values] == pytest.approx(t.grad.tolist(), rel=1e-12, abs=1e-300)
