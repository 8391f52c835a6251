"""The lenses read graphs of other engines' classes: a learner's micrograd-style or
microgpt-style ``Value``, and micrograd 0.1.0 itself. A class they cannot read is named with
its module, never "must be a Value, got Value"."""

from __future__ import annotations

import math

import pytest

from tinygrad_edu import chain_paths, draw_dot, explain, stepper
from tinygrad_edu.lenses.foreign import Mirrored
from tinygrad_edu.lenses.index import GraphIndex

from tests.exercises.learners import correct_local, correct_micrograd
from tests.lenses.pages import embedded_data


def neuron(cls):
    """L = tanh(x·w + b)·x, with x used twice, in the learner's class."""
    x, w, b = cls(0.8), cls(-1.7), cls(0.3)
    loss = (x * w + b).tanh() * x
    return loss, x, w, b


def true_grads() -> tuple[float, float, float]:
    x, w, b = 0.8, -1.7, 0.3
    t = math.tanh(x * w + b)
    d = 1 - t * t
    return (t + x * d * w, x * d * x, x * d)


@pytest.mark.parametrize("engine", [correct_local, correct_micrograd], ids=["local", "micrograd"])
def test_a_learners_graph_is_drawn_explained_and_stepped(engine):
    loss, x, w, b = neuron(engine.Value)
    loss.backward()
    assert [x.grad, w.grad, b.grad] == pytest.approx(true_grads(), rel=1e-12)
    index = GraphIndex.of(loss)
    assert index.mirror is not None and index.given is loss
    assert all(
        node._operation is None or issubclass(node._operation, Mirrored) for node in index.order
    )
    assert len(index.leaves) == 3 and len(index.interior) == 4

    drawing = draw_dot(loss, highlight=w)
    source = drawing.source
    assert source.count("->") > 0 and "#d62728" in source  # w's path is lit
    assert "grad" in source

    paths = chain_paths(loss, x)
    assert len(paths) == 2  # x is used twice: two paths
    assert sum(p.product for p in paths) == pytest.approx(x.grad, rel=1e-12)
    text = explain(loss, w)
    assert "path 1 of 1" in text and "check:" in text

    page = stepper(loss, highlight=x)
    data = embedded_data(page.html())
    assert len(data["steps"]) == 4
    final = {edge["child"]: edge["after"] for step in data["steps"] for edge in step["edges"]}
    mirrored_x = index.node(x, "test")
    assert final[index.position[mirrored_x]] == pytest.approx(x.grad, rel=1e-12)
    assert x.grad == pytest.approx(true_grads()[0])  # the learner's own graph is untouched


def test_a_learners_wrong_backward_shows_in_explains_check():
    loss, x, w, b = neuron(correct_local.Value)
    loss.backward()
    w.grad = 0.5  # as if the learner's backward had put a wrong number here
    text = explain(loss, w)
    check = next(line for line in text.splitlines() if line.startswith("check:"))
    assert "= 0.5 differs from the sum" in check  # the chain rule with the learner's locals


def test_the_real_micrograd_is_read_too():
    micrograd = pytest.importorskip("micrograd.engine")
    x, w = micrograd.Value(0.5), micrograd.Value(-2.0)
    y = (x * w).relu() + x * x
    y.backward()
    paths = chain_paths(y, x)
    assert sum(p.product for p in paths) == pytest.approx(x.grad)
    assert draw_dot(y).source.startswith("digraph")


class Value:  # a class called Value that follows no protocol
    def __init__(self, data: float) -> None:
        self.data = data


def test_a_class_the_lenses_cannot_read_is_named_with_its_module():
    with pytest.raises(TypeError) as caught:
        draw_dot(Value(1.0))
    message = str(caught.value)
    assert "tests.lenses.test_foreign" in message
    assert "got Value" not in message.replace("got a Value from module", "")


class Half:
    """data and grad, but no graph: named too."""

    def __init__(self) -> None:
        self.data, self.grad = 1.0, 0.0


def test_a_class_with_data_and_grad_but_no_graph_says_what_it_lacks():
    with pytest.raises(TypeError, match=r"Half from module 'tests.lenses.test_foreign'.*_children"):
        explain(Half(), "x")


def test_a_node_of_another_graph_is_refused():
    loss, *_ = neuron(correct_local.Value)
    other = correct_local.Value(2.0)
    with pytest.raises(ValueError, match="not a node of the graph"):
        chain_paths(loss, other)
