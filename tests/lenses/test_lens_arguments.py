"""What the lenses take: one ``Value`` as the root (a TypeError that says what to pass for a
model's list of outputs or a number), a node or its label, string labels; the width of
``explain``; and how drawings show powers, negative zero and ``group="none"``."""

from __future__ import annotations

import contextlib
import io
import re

import pytest

from tinygrad_edu import MLP, Value, chain_paths, draw_dot, explain, half_sum_squared_error
from tinygrad_edu.cli import main
from tinygrad_edu.datasets import DOCUMENT_001


@pytest.fixture
def document_001() -> tuple[Value, MLP]:
    model = MLP.from_weights(DOCUMENT_001.weights)
    loss = half_sum_squared_error(model(DOCUMENT_001.x), [1.0, 0.0])
    loss.backward()
    return loss, model


# ----- the root and the node --------------------------------------------------------------


def test_drawing_a_models_list_of_outputs_is_a_type_error_saying_what_to_draw():
    outputs = MLP(2, [3, 2], seed=0)([0.5, -0.5])
    with pytest.raises(
        TypeError, match=r"got a list of 2 Values .*one output such as outputs\[0\]"
    ):
        draw_dot(outputs)


@pytest.mark.parametrize("lens", [draw_dot, lambda root: explain(root, Value(1.0))])
def test_a_number_as_the_root_is_a_type_error(lens):
    with pytest.raises(TypeError, match="must be a Value, got float 3.0: a plain number has no"):
        lens(3.0)


@pytest.mark.parametrize("root", ["E", None, {"E": 1}])
def test_other_roots_are_type_errors_naming_what_was_given(root):
    with pytest.raises(TypeError, match="the root must be a Value, got"):
        draw_dot(root)


def test_explain_and_chain_paths_accept_a_label_as_the_command_line_does(document_001):
    loss, model = document_001
    weight = model.parameter("W1[0,0]")
    assert explain(loss, "W1[0,0]") == explain(loss, weight)
    assert len(chain_paths(loss, "W1[0,0]")) == 10
    with pytest.raises(
        ValueError, match=r"no node of the graph is labelled 'W9\[0,0\]'; its labels"
    ):
        explain(loss, "W9[0,0]")


def test_a_label_on_several_nodes_asks_for_the_node(document_001):
    x = Value(1.0, label="x")
    twin = Value(2.0, label="x")
    with pytest.raises(ValueError, match="2 nodes of the graph are labelled 'x'; pass the node"):
        explain(x * twin, "x")


def test_explain_of_a_number_leaf_is_a_type_error(document_001):
    loss, _ = document_001
    with pytest.raises(TypeError, match="explain: the node must be a Value, got float 0.5"):
        explain(loss, 0.5)


def test_draw_dot_highlights_a_node_given_by_its_label(document_001):
    loss, model = document_001
    by_label = draw_dot(loss, highlight="W1[0,0]").source
    assert by_label == draw_dot(loss, highlight=model.parameter("W1[0,0]")).source


def test_a_label_that_is_not_a_string_is_a_type_error_before_graphviz_sees_it():
    v = Value(1.0)
    v.label = 5  # type: ignore[assignment] - a slot: not checked when it is set
    with pytest.raises(TypeError, match="label must be a str, got int 5"):
        draw_dot(v * 2)


# ----- the width of explain ---------------------------------------------------------------


def test_explain_fits_80_columns_by_default_and_a_width_on_request(document_001):
    loss, _ = document_001
    for width in (80, 60):
        text = explain(loss, "W1[0,0]", width=width)
        assert max(len(line) for line in text.splitlines()) <= width
    wide = explain(loss, "W1[0,0]", width=200)
    assert max(len(line) for line in wide.splitlines()) > 80  # the same text, unwrapped
    with pytest.raises(ValueError, match="width must be an int ≥ 40"):
        explain(loss, "W1[0,0]", width=20)


def test_a_wrapped_product_keeps_every_factor_over_its_value(document_001):
    loss, _ = document_001
    lines = explain(loss, "W1[0,0]").splitlines()
    start = lines.index("path 1 of 10: E → a3[0] → h3[0] → a2[0] → h2[0] → a1[0] → h1[0] → W1[0,0]")
    block = lines[start + 1 : lines.index("", start)]
    product = block.pop()  # "    = -5.68495e-05"
    names = [n for row in block[0::2] for n in re.split(r" · |^ {6}|^ {4}· ", row) if n.strip()]
    assert [n.strip() for n in names] == [
        "∂E/∂a3[0]", "∂a3[0]/∂h3[0]", "∂h3[0]/∂a2[0]", "∂a2[0]/∂h2[0]", "∂h2[0]/∂a1[0]",
        "∂a1[0]/∂h1[0]", "∂h1[0]/∂W1[0,0]",
    ]  # fmt: skip
    assert len(block) == 4  # two pairs of rows in 80 columns
    for name_row, value_row in zip(block[0::2], block[1::2], strict=True):
        separators = [i for i, c in enumerate(name_row) if c == "·"]
        assert separators == [i for i, c in enumerate(value_row) if c == "×"]
    assert product.startswith("    = ")


def test_the_command_lines_explain_fits_80_columns():
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["explain", "W1[0,0]"]) == 0
    assert max(len(line) for line in out.getvalue().splitlines()) <= 80


# ----- how drawings show things -----------------------------------------------------------


def test_negative_zero_is_drawn_as_zero():
    source = draw_dot(-1 * Value(0.0, label="z")).source
    assert "data -0" not in source and "data 0" in source


def test_a_constant_exponent_is_drawn_inside_its_op_and_a_value_exponent_as_pow():
    x = Value(3.0, label="x")
    square = draw_dot(x**2).source
    assert '[label="**2"' in square and "data 2\\n" not in square  # no leaf 2
    power = draw_dot(2**x).source
    assert "[label=pow" in power and "data 2\\n" in power  # the base is a leaf


def test_group_none_is_spelled_as_on_the_command_line(document_001):
    loss, _ = document_001
    assert draw_dot(loss, group="none").source == draw_dot(loss, group=None).source
