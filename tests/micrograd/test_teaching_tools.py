"""Every teaching tool on graphs that micrograd code builds through the drop-in: draw_dot,
explain, chain_paths, backward_steps and gradcheck, with neurons expanded and fused."""

from __future__ import annotations

import random

import pytest

from tinygrad_edu import chain_paths, draw_dot, explain, gradcheck, topological_order

from tests.micrograd import installed
from tests.micrograd.test_ops import product, tanh


def lesson_loss(fused: bool):
    """A small network and a hinge loss, written as micrograd's demo writes them."""
    with installed(fused=fused):
        from micrograd.engine import Value
        from micrograd.nn import MLP

        random.seed(1337)
        model = MLP(2, [3, 3, 1])
        xs, ys = [[0.5, -1.0], [-0.3, 0.8]], [1.0, -1.0]
        scores = [model(list(map(Value, x))) for x in xs]
        losses = [(1 + -y * s).relu() for y, s in zip(ys, scores, strict=True)]
        loss = sum(losses) * (1.0 / len(losses)) + 1e-4 * sum(p * p for p in model.parameters())
    return model, loss


@pytest.mark.parametrize("fused", [False, True])
def test_chain_paths_and_explain_add_up_to_every_gradient(fused):
    model, loss = lesson_loss(fused)
    loss.backward()
    for p in model.parameters():
        paths = chain_paths(loss, p)
        assert sum(path.product for path in paths) == pytest.approx(p.grad, rel=1e-12, abs=1e-15)
    first = model.parameters()[0]
    assert first.label == "W1[0,0]"
    assert "check: W1[0,0].grad = " in explain(loss, first)


@pytest.mark.parametrize("fused", [False, True])
def test_backward_steps_leave_exactly_backwards_gradients(fused):
    model, loss = lesson_loss(fused)
    loss.backward()
    stepped_model, stepped = lesson_loss(fused)  # the same weights, a new graph
    steps = list(stepped.backward_steps())
    expected = [p.grad for p in model.parameters()]
    assert [p.grad for p in stepped_model.parameters()] == expected
    loss = stepped
    assert len(steps) == sum(1 for node in topological_order(loss) if node.children)
    assert {step.node.op for step in steps} >= {"ReLU", "*", "+"}


def test_draw_dot_draws_micrograds_ops_and_fused_neurons():
    _, expanded = lesson_loss(fused=False)
    _, fused = lesson_loss(fused=True)
    expanded.backward()
    expanded_source = draw_dot(expanded, max_nodes=2000).source
    fused_source = draw_dot(fused, max_nodes=2000).source
    assert "label=ReLU" in expanded_source and 'label="**2"' not in expanded_source
    assert "Σwx+b" in fused_source and "Σwx+b" not in expanded_source
    assert fused_source.count("->") < expanded_source.count("->")


def test_a_hand_written_op_is_drawn_explained_and_stepped_like_any_other():
    with installed():
        from micrograd.engine import Value

        x, y = Value(0.4, label="x"), Value(-1.5, label="y")
        out = tanh(product(x, y) + x)
        out.label = "out"
    out.backward()
    assert "∂out/∂x" in explain(out, x) and "equal to the sum" in explain(out, x)
    assert "label=tanh" in draw_dot(out, show_local=True).source
    grads = (x.grad, y.grad)
    x.grad = y.grad = 0
    list(out.backward_steps())
    assert (x.grad, y.grad) == pytest.approx(grads, rel=1e-15)


def test_gradcheck_checks_functions_written_with_the_drop_in():
    with installed():
        from micrograd.engine import Value

        inputs = [Value(0.3), Value(-1.2)]

    assert gradcheck(lambda a, b: tanh(product(a, b) + a / b) ** 2 - (b - a).relu(), inputs)


@pytest.mark.parametrize("fused", [False, True])
def test_the_stepper_pages_a_drop_in_graph_and_changes_no_gradient(fused):
    from tinygrad_edu import stepper

    model, loss = lesson_loss(fused)
    loss.backward()
    before = [p.grad for p in model.parameters()]
    page = stepper(loss, highlight=model.parameters()[0], max_nodes=2000)
    assert page.steps == sum(1 for node in topological_order(loss) if node.children)
    assert [p.grad for p in model.parameters()] == before
    html = page.html()
    assert f'data-steps="{page.steps}"' in html and 'data-label="W1[0,0]"' in html


def test_the_stepper_pages_a_hand_written_op():
    from tinygrad_edu import stepper

    with installed():
        from micrograd.engine import Value

        x, y = Value(0.4, label="x"), Value(-1.5, label="y")
        out = tanh(product(x, y) + x)
        out.label = "out"
    page = stepper(out, highlight=x)
    assert page.steps == 3 and "tanh" in page.html()


def test_the_layer_view_reads_a_network_built_through_the_drop_in():
    import random

    from tinygrad_edu import layer_view
    from tinygrad_edu.micrograd import nn

    random.seed(1)
    for fused in (False, True):
        model = nn.MLP(2, [3, 1])
        for layer in model.layers:
            for neuron in layer.neurons:
                neuron.fused = fused
        data = (([0.5, -1.0], 1.0), ([0.2, 0.3], -1.0))
        loss = sum((model(x) - y) ** 2 for x, y in data)
        model.zero_grad()
        loss.backward()
        view = layer_view(loss, model)
        assert [layer.number for layer in view.layers] == [1, 2]
        assert view.layer(1).examples == 2 and view.layer(1).activation == "relu"
        assert view.matches_grad  # every weight and bias entry equals its .grad bit for bit
