"""chain_paths and explain: the chain rule as a sum over paths, with numbers."""

from __future__ import annotations

import math
from itertools import pairwise

import pytest
from hypothesis import given, settings

from tinygrad_edu import MLP, Value, chain_paths, explain, half_sum_squared_error
from tinygrad_edu.datasets import DOCUMENT_001
from tinygrad_edu.lenses.paths import count_paths

from tests.strategies import build, networks, programs

MAX_PATHS = 2000


def assert_paths_sum_to_grad(root: Value, leaf: Value) -> None:
    paths = chain_paths(root, leaf, max_paths=MAX_PATHS)
    products = [path.product for path in paths]
    scale = sum(abs(p) for p in products)
    assert abs(sum(products) - leaf.grad) <= 1e-12 * scale + 1e-300
    for path in paths:  # each path is a chain of real edges from root to leaf
        assert path.edges[0].parent is root and path.edges[-1].child is leaf
        for upper, lower in pairwise(path.edges):
            assert upper.child is lower.parent
        for edge in path.edges:
            assert edge.parent.children[edge.position] is edge.child
            assert edge.local == edge.parent.local_derivatives()[edge.position]


@settings(max_examples=200, deadline=None)
@given(programs())
def test_path_products_sum_to_grad_on_random_graphs(program):
    leaves, root = build(*program)
    root.backward()
    for leaf in leaves:
        count = count_paths(root, leaf).get(root, 0)
        if count > MAX_PATHS:
            with pytest.raises(ValueError, match=f"{count:,} paths"):
                chain_paths(root, leaf, max_paths=MAX_PATHS)
        else:
            assert len(chain_paths(root, leaf, max_paths=MAX_PATHS)) == count
            assert_paths_sum_to_grad(root, leaf)


@settings(max_examples=60, deadline=None)
@given(networks())
def test_path_products_sum_to_grad_on_random_networks(network):
    model, loss = network
    loss.backward()
    for parameter in model.parameters():
        assert_paths_sum_to_grad(loss, parameter)


def test_a_value_used_twice_gives_two_paths():
    x = Value(3.0, label="x")
    f = x * x
    f.backward()
    paths = chain_paths(f, x)
    assert [path.product for path in paths] == [3.0, 3.0]
    assert [path.edges[0].position for path in paths] == [0, 1]
    assert sum(path.product for path in paths) == x.grad == 6.0


def test_paths_of_a_small_graph_listed_in_operand_order():
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c = a * b  # ∂c/∂a = b
    d = c + a  # a reaches d directly and through c
    paths = chain_paths(d, a)
    assert [[node.label or node.op for node in path.nodes] for path in paths] == [
        ["+", "*", "a"],
        ["+", "a"],
    ]
    assert [path.product for path in paths] == [1.0 * -3.0, 1.0]


def test_the_root_has_one_empty_path_and_an_unrelated_node_none():
    x = Value(1.5, label="x")
    f = x.tanh()
    assert [path.product for path in chain_paths(f, f)] == [1.0]
    assert chain_paths(f, f)[0].nodes == ()
    assert chain_paths(f, Value(2.0)) == []


def test_exploding_path_counts_are_counted_not_walked():
    x = Value(1.0, label="x")
    node = x
    for _ in range(64):  # each doubling sends every path through both operands
        node = node + node
    with pytest.raises(ValueError) as error:
        chain_paths(node, x)
    message = str(error.value)
    assert f"{2**64:,} paths" in message and "max_paths=100,000" in message
    with pytest.raises(ValueError, match="positive int"):
        chain_paths(node, x, max_paths=0)


# ----- explain, on document 001's network ------------------------------------------------

TARGETS = [1.0, 0.0]


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


def document_001_by_hand() -> dict[str, list[float]]:
    """Document 001's forward pass in plain floats, as the document writes it."""
    W1, W2, W3 = DOCUMENT_001.weights
    x = DOCUMENT_001.x

    def layer(inputs, W):
        columns = range(len(W[0]))
        return [sigmoid(sum(a * row[j] for a, row in zip(inputs, W, strict=True))) for j in columns]

    a1 = layer(x, W1)
    a2 = layer(a1, W2)
    a3 = layer(a2, W3)
    return {"x": x, "a1": a1, "a2": a2, "a3": a3}


@pytest.fixture
def document_001():
    model = MLP.from_weights(DOCUMENT_001.weights)
    loss = half_sum_squared_error(model(DOCUMENT_001.x), TARGETS)
    loss.backward()
    return model, loss


def test_explain_w1_00_names_every_factor_of_equation_16_with_its_value(document_001):
    model, loss = document_001
    w = model.parameter("W1[0,0]")
    text = explain(loss, w)
    v = document_001_by_hand()
    W1, W2, W3 = DOCUMENT_001.weights
    assert [round(a, 3) for a in v["a3"]] == DOCUMENT_001.a3  # the document's printed output

    def d_sigmoid(a: float) -> float:
        return a * (1.0 - a)

    total = 0.0
    for k in range(2):
        for j in range(5):
            factors = {
                f"∂E/∂a3[{k}]": v["a3"][k] - TARGETS[k],  # eq. 4: a⁽³⁾ − y
                f"∂a3[{k}]/∂h3[{k}]": d_sigmoid(v["a3"][k]),  # eq. 5
                f"∂h3[{k}]/∂a2[{j}]": W3[j][k],  # eq. 7
                f"∂a2[{j}]/∂h2[{j}]": d_sigmoid(v["a2"][j]),  # eq. 8
                f"∂h2[{j}]/∂a1[0]": W2[0][j],  # eq. 12
                "∂a1[0]/∂h1[0]": d_sigmoid(v["a1"][0]),  # eq. 13
                "∂h1[0]/∂W1[0,0]": v["x"][0],  # eq. 14
            }
            for name, value in factors.items():
                assert f"{name} = " in text  # the where section defines each factor
                assert f"{value:.6g}" in text
            route = f"E → a3[{k}] → h3[{k}] → a2[{j}] → h2[{j}] → a1[0] → h1[0] → W1[0,0]"
            assert route in text
            total += math.prod(factors.values())
    assert math.isclose(total, w.grad, rel_tol=1e-12)  # equation 16 by hand equals backward
    assert "path 10 of 10" in text and "path 11" not in text
    assert f"= {w.grad:.6g}\ncheck: W1[0,0].grad = {w.grad:.6g}, equal to the sum" in text


def test_explain_lists_each_path_as_named_factors_over_their_values(document_001):
    model, loss = document_001
    text = explain(loss, model.parameter("W3[1,0]"))
    lines = text.splitlines()
    start = lines.index("path 1 of 1: E → a3[0] → h3[0] → W3[1,0]")
    names, values = lines[start + 1], lines[start + 2]
    assert names.split() == ["∂E/∂a3[0]", "·", "∂a3[0]/∂h3[0]", "·", "∂h3[0]/∂W3[1,0]"]
    a2_1 = document_001_by_hand()["a2"][1]
    assert values.split()[-1] == f"{a2_1:.6g}"  # ∂h3[0]/∂W3[1,0] = a2[1], eq. 6
    # each value sits under its factor's name: the separators line up
    assert [i for i, c in enumerate(values) if c == "×"] == [
        i for i, c in enumerate(names) if c == "·"
    ]


def test_explain_folds_the_unlabelled_loss_nodes_and_says_so(document_001):
    model, loss = document_001
    text = explain(loss, model.parameter("W3[0,0]"))
    assert "E is the root, which has no label." not in text  # the loss labels itself E
    assert "along E → (+) → (**2) → (-) → a3[0]" in text
    unfolded = explain(loss, model.parameter("W3[0,0]"), collapse=False)
    assert "∂E/∂a3[0]" not in unfolded
    assert "→ a3[0] → h3[0] → W3[0,0]" in unfolded and "(**2)" in unfolded


def test_explain_names_unlabelled_nodes_and_tells_the_two_edges_of_x_times_x_apart():
    x, y = Value(3.0, label="x"), Value(2.0, label="y")
    f = x * x + (x * y).tanh()
    f.backward()
    text = explain(f, x)
    assert "path 1 of 3: E → v1 → x (x as operand 1 of v1)" in text
    assert "path 2 of 3: E → v1 → x (x as operand 2 of v1)" in text
    assert "v1 = x * x = 9" in text
    assert "∂v1/∂x = the other operand x = 3 (*, operand 1)" in text
    assert f"check: x.grad = {x.grad:.6g}, equal to the sum" in text


def test_explain_check_line_reports_a_missing_or_repeated_backward():
    x = Value(0.5, label="x")
    f = (x * 3.0).sigmoid()
    f.label = "f"
    assert "f.backward() has not run" in explain(f, x)
    f.backward()
    f.backward()  # the leaf accumulates a second copy
    assert "differs from the sum" in explain(f, x)


def test_explain_trivial_cases_and_limits():
    x = Value(0.5, label="x")
    f = x.exp()
    assert explain(f, f) == "∂E/∂E = 1: the derivative of a node with respect to itself."
    assert "does not depend on 'w'" in explain(f, Value(1.0, label="w"))
    node = x
    for _ in range(12):
        node = node + node
    node.backward()
    text = explain(node, x)  # too many paths to list: added up route by route
    assert "the sum over the 4,096 paths" in text and "route by route" in text
    assert "check: x.grad = 4096, equal to the sum" in text
    assert all(len(line) <= 80 for line in text.splitlines())
    with pytest.raises(ValueError, match="4,096 paths.*explain.*adds them up route by route"):
        chain_paths(node, x, max_paths=1000)


def test_explain_adds_up_10_to_the_13_paths_by_route_to_the_gradient():
    x = Value(0.5, label="x")
    node = x
    for _ in range(44):  # 2^44 ≈ 1.8e13 paths
        node = node * 0.5 + node * 0.5
    node.label = "E"
    node.backward()
    text = explain(node, x)
    assert "17,592,186,044,416 paths" in text
    assert "equal to the sum to 1e-12 relative" in text
    assert len(text.splitlines()) < 60  # a screen or two


def test_a_constant_exponent_is_part_of_its_op_not_an_operand():
    x = Value(3.0, label="x")
    y = x**2
    y.label = "y"
    y.backward()
    assert y.op == "**2" and y.children == (x,)
    text = explain(y, x)
    assert "∂y/∂x = 2·x^(2 - 1) = 6 (**2)" in text
    assert "ln" not in text  # the rule x^n·ln x is for a Value exponent only
    n = Value(2.0, label="n")
    z = x**n
    z.backward()
    assert "x^n·ln x" in explain(z, n)


def test_explain_says_when_grad_comes_from_another_root():
    x = Value(0.5, label="x")
    a = (x * 3.0).tanh()
    a.label = "a"
    loss = a * a
    loss.backward()
    check = explain(a, x).splitlines()
    assert any("a.grad is" in line and "another root" in line for line in check)


def test_a_custom_op_at_the_root_is_named_among_the_factors_and_no_value_is_shown_twice():
    from tests.custom_ops.softplus import make_softplus

    softplus = make_softplus()
    x, w = Value(0.5, label="x"), Value(0.7, label="w")
    y = softplus(x * w)
    y.backward()
    text = explain(y, w)
    product = f"{w.grad:.6g}"
    assert f"(softplus) × 0.5 (*) = {product}" in text  # the root's own op, named
    assert "along E → (*) → w" in text
    block = text.split("path 1 of 1")[1].split("\n\n")[0]
    assert block.count(product) == 1, block  # one factor: its value is the path's product


def test_a_deep_chain_reusing_one_value_fails_early_with_the_edge_count():
    x = Value(1.0001, label="x")
    v = x
    for _ in range(3000):
        v = v * x  # 3,001 paths down to x, of 1 to 3,000 edges: 4.5 million edges
    with pytest.raises(
        ValueError,
        match=r"3,001 paths .* have 4,504,500 edges in all, more "
        r"than max_edges=1,000,000",
    ):
        chain_paths(v, x)
    with pytest.raises(ValueError, match="max_edges"):
        explain(v, x, max_paths=10_000)
    assert len(chain_paths(v, x, max_edges=5_000_000)) == 3001


@settings(max_examples=40, deadline=None)
@given(programs())
def test_the_edge_count_is_the_number_of_edges_listed(program):
    from tinygrad_edu.lenses.paths import _edges_listed

    leaves, root = build(*program)
    for leaf in leaves:
        paths = chain_paths(root, leaf)
        if leaf is not root and paths:
            counts = count_paths(root, leaf)
            assert _edges_listed(leaf, counts) == sum(len(p.edges) for p in paths)
