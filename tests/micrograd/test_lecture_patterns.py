"""The patterns of micrograd lessons, run through install(): a trace()/draw_dot() written against
``_prev`` and ``_op``, ``_backward()`` called node by node, ``Value(data, label=...)``, and an
op added by hand. Each is written here the way such lesson code is written."""

from __future__ import annotations

import math
import random
import re

import graphviz
import pytest


def lesson_trace(root):
    """The lessons' trace(): every node and edge reachable through ``_prev``."""
    nodes, edges = set(), set()

    def build(v):
        if v not in nodes:
            nodes.add(v)
            for child in v._prev:
                edges.add((child, v))
                build(child)

    build(root)
    return nodes, edges


def lesson_draw_dot(root):
    """The lessons' draw_dot(): a record per value, an op node named id + ``_op``."""
    nodes, edges = lesson_trace(root)
    dot = graphviz.Digraph(format="svg", graph_attr={"rankdir": "LR"})
    for n in nodes:
        uid = str(id(n))
        dot.node(name=uid, label=f"{{ data {n.data:.4f} | grad {n.grad:.4f} }}", shape="record")
        if n._op:
            dot.node(name=uid + n._op, label=n._op)
            dot.edge(uid + n._op, uid)
    for n1, n2 in edges:
        dot.edge(str(id(n1)), str(id(n2)) + n2._op)
    return dot


def drawing(dot: graphviz.Digraph) -> list[str]:
    """The DOT lines with the object ids taken out, in a stable order."""
    return sorted(re.sub(r"\d{9,}", "N", line) for line in dot.source.splitlines())


def relu_example(micrograd):
    Value = micrograd.engine.Value
    x = Value(1.0)
    y = (x * 2 + 1).relu()
    y.backward()
    return y


def neuron_example(micrograd):
    from_nn = micrograd.nn
    random.seed(1337)
    n = from_nn.Neuron(2)
    x = [micrograd.engine.Value(1.0), micrograd.engine.Value(-2.0)]
    y = n(x)
    y.backward()
    return y


@pytest.mark.parametrize("example", [relu_example, neuron_example])
def test_a_lesson_draw_dot_draws_what_it_draws_on_micrograd(example, real_micrograd, micrograd):
    ours = lesson_draw_dot(example(micrograd))
    theirs = lesson_draw_dot(example(real_micrograd))
    assert drawing(ours) == drawing(theirs)
    assert any("label=ReLU" in line for line in drawing(ours))


def lesson_neuron(Value):
    """The lecture's neuron, o = tanh(x1·w1 + x2·w2 + b), with tanh written by hand."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    x1w1 = x1 * w1
    x1w1.label = "x1*w1"
    x2w2 = x2 * w2
    x2w2.label = "x2*w2"
    x1w1x2w2 = x1w1 + x2w2
    x1w1x2w2.label = "x1*w1 + x2*w2"
    n = x1w1x2w2 + b
    n.label = "n"
    t = (math.exp(2 * n.data) - 1) / (math.exp(2 * n.data) + 1)
    o = Value(t, (n,), "tanh")

    def _backward():
        n.grad += (1 - t**2) * o.grad

    o._backward = _backward
    o.label = "o"
    return locals()


def test_backward_by_hand_node_by_node_gives_what_backward_gives(micrograd):
    by_hand = lesson_neuron(micrograd.engine.Value)
    by_hand["o"].grad = 1.0
    for name in ["o", "n", "x1w1x2w2", "x2w2", "x1w1"]:
        by_hand[name]._backward()
    at_once = lesson_neuron(micrograd.engine.Value)
    at_once["o"].backward()
    leaves = ["x1", "x2", "w1", "w2", "b"]
    assert [by_hand[k].grad for k in leaves] == [at_once[k].grad for k in leaves]
    assert [round(by_hand[k].grad, 6) for k in leaves] == [-1.5, 0.5, 1.0, 0.0, 0.5]
    assert by_hand["o"]._op == "tanh" and by_hand["o"]._prev == {by_hand["n"]}


def test_tanh_from_exp_and_division_has_the_hand_written_gradient(micrograd):
    Value = micrograd.engine.Value
    n = Value(0.8813735870195432, label="n")
    e = (2 * n).exp()
    o = (e - 1) / (e + 1)
    o.backward()
    assert n.grad == pytest.approx(1 - math.tanh(n.data) ** 2, rel=1e-12)
    assert o._op == "*" and {child._op for child in o._prev} == {"+", "**-1"}


def test_labels_are_kept_and_named_by_the_teaching_tools(micrograd):
    from tinygrad_edu import explain

    neuron = lesson_neuron(micrograd.engine.Value)
    neuron["o"].backward()
    text = explain(neuron["o"], neuron["w1"])
    assert "path 1 of 1: o → n → x1*w1 + x2*w2 → x1*w1 → w1" in text
    assert "check: w1.grad = 1, equal to the sum" in text
