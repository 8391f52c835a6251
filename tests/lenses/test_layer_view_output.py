"""``layer_view``'s text, HTML and LaTeX; what it says when an entry is not ``.grad``; and
its errors for graphs it cannot read as an MLP's layers."""

from __future__ import annotations

import random
import re

import pytest

from tinygrad_edu import MLP, Value, half_sum_squared_error, layer_view
from tinygrad_edu.datasets import DOCUMENT_001


def document_001():
    model = MLP.from_weights(DOCUMENT_001.weights)
    E = half_sum_squared_error(model(DOCUMENT_001.x), [1.0, 0.0])
    E.backward()
    return E, model


def batch(model: MLP, X, y=1.0) -> Value:
    E = half_sum_squared_error(model(X[0]), y)
    for x in X[1:]:
        E = E + half_sum_squared_error(model(x), y)
    E.backward()
    return E


def lines_fit(text: str, width: int = 80) -> None:
    too_long = [line for line in text.splitlines() if len(line) > width]
    assert not too_long, too_long


def test_the_text_of_document_001_shows_each_layer_from_the_last_back():
    E, model = document_001()
    text = str(layer_view(E, model))
    lines_fit(text)
    heads = [text.index(f"Layer {l}:") for l in (3, 2, 1)]
    assert heads == sorted(heads)
    for sup in ("⁽³⁾", "⁽²⁾", "⁽¹⁾"):
        assert f"δ{sup} = ∂E/∂a{sup} ⊙ σ′(h{sup})" in text
    assert "∂E/∂W⁽³⁾ = a⁽²⁾ᵀδ⁽³⁾" in text and "∂E/∂W⁽¹⁾ = xᵀδ⁽¹⁾" in text
    assert "check: all 12 entries equal W3[i,j].grad and b3[j].grad bit for bit" in text
    assert "check: all 20 entries equal W2[i,j].grad" in text
    assert "check: all 3 of W⁽¹⁾δ⁽¹⁾ equal x[i].grad bit for bit" in text
    # every weight gradient is printed, with 6 significant digits
    for p in model.parameters():
        if p.label.startswith("W"):
            assert f" {p.grad:.6g}" in text, p.label
    assert f"{model.parameter('W1[0,2]').grad:.6g}" == "0.000952078"


def test_the_text_of_a_mini_batch_has_a_row_per_example_and_sums_them():
    model = MLP(3, [2, 2], activation="relu", output_activation="linear", seed=3)
    E = batch(model, [[0.1, 0.2, 0.3], [1.0, -1.0, 0.5], [0.0, 0.4, -0.2]], [0.5, -0.5])
    view = layer_view(E, model)
    text = str(view)
    lines_fit(text)
    assert "(3 examples, in the order" in text
    assert "∂E/∂W⁽²⁾ = Σₙ aₙ⁽¹⁾ᵀδₙ⁽²⁾: [i,j] sums an edge h2[j] → W2[i,j] per example" in text
    assert text.count("n=3 ∂E/∂a⁽") == 2
    assert (
        "Σₙ δₙ⁽²⁾" in text and "Layer 2: 2 inputs a⁽¹⁾, 2 linear neurons (a = h, so f′ = 1)" in text
    )


def test_a_big_network_is_summarised_to_80_columns():
    rng = random.Random(0)
    model = MLP(64, [30, 10], seed=0)
    E = batch(model, [[rng.random() for _ in range(64)] for _ in range(6)], [0.0] * 10)
    view = layer_view(E, model)
    text = str(view)
    lines_fit(text)
    assert "⋮ 56 more rows and 18 more columns: view.layer(1).weight_grad" in text
    assert "… 2 more examples: view.layer(1).input_grads" in text
    assert "check: all 1950 entries equal W1[i,j].grad and b1[j].grad bit for bit" in text
    assert len(view.layer(1).weight_grad) == 64  # the view itself holds everything
    html = view._repr_html_()
    assert "56 more rows" in html and "… 18 more" in html


def test_html_is_tables_with_the_edges_of_each_entry():
    E, model = document_001()
    html = layer_view(E, model)._repr_html_()
    assert html.startswith("<div>") and html.endswith("</div>")
    assert html.count("<table") == 9  # δ, ∂E/∂W and Wδ for each of 3 layers
    assert "<script" not in html and "http" not in html and "src=" not in html
    grad = model.parameter("W1[0,2]").grad
    title = f'title="W1[0,2]: the sum of 1 edge(s) into it from h1[2], {grad:.6g}; equals'
    assert title in html
    assert "background" not in html  # nothing to shade


def test_latex_is_one_aligned_block_of_bmatrices():
    E, model = document_001()
    latex = layer_view(E, model).latex()
    assert latex.startswith(r"\begin{aligned}") and latex.endswith(r"\end{aligned}")
    assert latex.count(r"\begin{bmatrix}") == latex.count(r"\end{bmatrix}") == 3 * 6
    depth = 0
    for char in latex:
        depth += {"{": 1, "}": -1}.get(char, 0)
        assert depth >= 0
    assert depth == 0
    assert not re.search(r"\^\{[^{}]*\}_\w*\^", latex)  # no double superscripts
    assert r"\frac{\partial E}{\partial W^{(1)}} &= x^{\top} \delta^{(1)}" in latex
    assert f"{model.parameter('W3[0,1]').grad:.6g}" in latex


def test_latex_of_a_mini_batch_sums_over_examples():
    model = MLP(2, [2, 1], seed=1)
    latex = layer_view(batch(model, [[0.1, 0.2], [0.3, 0.4]]), model).latex()
    assert r"\sum_n a_n^{(1)\top} \delta_n^{(2)}" in latex
    assert r"\sum_n x_n^{\top} \delta_n^{(1)}" in latex


# ----- entries that are not .grad say why ----------------------------------------------------


def test_a_penalty_on_the_weights_is_reported_entry_by_entry():
    model = MLP(2, [2, 1], seed=6)
    data = half_sum_squared_error(model([0.5, 0.5]), 1.0)
    E = data + 0.01 * sum(w * w for w in model.layers[1].neurons[0].w)
    E.backward()
    view = layer_view(E, model)
    assert not view.matches_grad and view.layer(1).mismatches() == []
    wrong = view.layer(2).mismatches()
    assert [entry.node.label for entry in wrong] == ["W2[0,0]", "W2[1,0]"]
    for entry in wrong:
        # the entry is the data term alone: the penalty's 2w·0.01 is the rest of .grad
        assert entry.grad == pytest.approx(entry.value + 0.02 * entry.node.data, rel=1e-12)
        assert "also uses it through 2 edge(s)" in entry.reason
    text = str(view)
    lines_fit(text)
    assert "check: 2 of 3 entries differ from the parameters' .grad:" in text
    assert "shaded" in view._repr_html_() and "background:#fdd" in view._repr_html_()


def test_gradients_left_from_an_earlier_backward_are_reported():
    model = MLP(2, [1], seed=1)
    E = half_sum_squared_error(model([1.0, 2.0]), 0.0)
    E.backward()
    E.backward()  # without zero_grad(): the leaves hold two passes
    view = layer_view(E, model)
    entry = view.layer(1).weight_entries[0][0]
    assert entry.grad == 2 * entry.value and not entry.equals_grad
    assert "earlier backward(); call model.zero_grad()" in entry.reason
    model.zero_grad()
    E.backward()
    assert layer_view(E, model).matches_grad


def test_inputs_without_gradients_are_reported():
    model = MLP(2, [2, 1], seed=1)
    E = half_sum_squared_error(model([1.0, 2.0], input_grads=False), 0.0)
    E.backward()
    view = layer_view(E, model)
    assert view.matches_grad
    first = view.layer(1).input_entries[0]
    assert all(entry.grad == 0.0 and entry.value != 0.0 for entry in first)
    assert "called with input_grads=False" in first[0].reason
    assert "check: 2 of 2 of W⁽¹⁾δ⁽¹⁾ differ from x[i].grad:" in str(view)


# ----- errors ------------------------------------------------------------------------------------


def test_arguments_of_the_wrong_type():
    E, model = document_001()
    with pytest.raises(TypeError, match="needs the loss Value as root, got float 1.0"):
        layer_view(1.0, model)  # type: ignore[arg-type]
    with pytest.raises(
        TypeError,
        match=r"needs the MLP \(tinygrad_edu's, or the micrograd drop-in's\) that computed "
        r"the root, got list",
    ):
        layer_view(E, model.layers)  # type: ignore[arg-type]


def test_before_backward():
    model = MLP.from_weights(DOCUMENT_001.weights)
    E = half_sum_squared_error(model(DOCUMENT_001.x), [1.0, 0.0])
    with pytest.raises(ValueError, match=r"'E' has grad 0.0, not 1: call E.backward\(\) before"):
        layer_view(E, model)


def test_a_root_that_does_not_depend_on_the_model():
    E, _ = document_001()
    with pytest.raises(ValueError, match="their weights are another model's"):
        layer_view(E, MLP.from_weights(DOCUMENT_001.weights))  # equal numbers, other Values
    other = Value(2.0) * Value(3.0)
    other.backward()
    with pytest.raises(ValueError, match="does not depend on this model: no weight"):
        layer_view(other, MLP(2, [1]))


def test_graphs_that_are_not_an_mlp_s():
    model = MLP(2, [1], seed=0)
    w0, w1, b = model.parameters()
    hand = (w0 * 0.5 + w1 * 0.25 + b).sigmoid()  # the model's numbers, not its neurons
    hand.backward()
    with pytest.raises(ValueError, match=r"uses parameters of this model \(W1\[0,0\], W1\[1,0\]"):
        layer_view(hand, model)
    out = model([0.5, 0.25])
    twice = out + out.children[0]  # h used beside its activation
    twice.backward()
    with pytest.raises(ValueError, match="'h1\\[0\\]' is used by 2 nodes, not only by its"):
        layer_view(twice, model)
    h = model([0.5, 0.25]).children[0]
    h.backward()
    with pytest.raises(ValueError, match="the graph starts at 'h1\\[0\\]', below its activation"):
        layer_view(h, model)


def test_repr_and_layer_lookup():
    E, model = document_001()
    view = layer_view(E, model)
    assert repr(view) == "<LayerView of 'E': layers [1, 2, 3], 1 example(s)>"
    assert repr(view.layer(2)) == "<layer 2: 3 inputs, 5 sigmoid neurons, 1 example(s)>"
    with pytest.raises(KeyError, match="the view has no layer 4; its layers are 1, 2, 3"):
        view.layer(4)
