"""What the step-through tests share: the graphs they step through, the page's embedded data,
and what each node should show after k steps, from Python's own ``backward_steps()``."""

from __future__ import annotations

import json
import math
import re

from tinygrad_edu import MLP, Value, half_sum_squared_error, topological_order
from tinygrad_edu.datasets import DOCUMENT_001

DATA = re.compile(r'<script type="application/json" class="stepper-data">(.*?)</script>', re.S)


def embedded_data(page: str) -> dict:
    """The JSON the page's script reads."""
    (text,) = DATA.findall(page)
    return json.loads(text)


def issue_example() -> Value:
    """The issue's graph: L = tanh(x·w)·x, where x is used twice."""
    x = Value(0.8, label="x")
    w = Value(-1.7, label="w")
    loss = (x * w).tanh() * x
    loss.label = "L"
    return loss


def square() -> Value:
    x = Value(3.0, label="x")
    s = x * x
    s.label = "s"
    return s


def ordered_ops() -> Value:
    """An expression with every op whose operand order matters: -, / and a Value power."""
    a, b, c = Value(1.5, label="a"), Value(0.5, label="b"), Value(2.0, label="c")
    f = (a - b) / c + a**b
    f.label = "f"
    return f


def document_001() -> tuple[Value, MLP]:
    """Document 001's 3-3-5-2 network and its loss E for the targets y = (1, 0)."""
    network = MLP.from_weights(DOCUMENT_001.weights)
    loss = half_sum_squared_error(network(DOCUMENT_001.x), [1.0, 0.0])
    loss.label = "E"
    return loss, network


def batch_loss(examples: int) -> Value:
    """A 2-8-8-1 network's loss over a batch: drawn with one box per neuron past 400 nodes."""
    model = MLP(2, [8, 8, 1], seed=0)
    outputs = [model([0.1 * k, -0.2 * k]) for k in range(examples)]
    return half_sum_squared_error(outputs, [0.5] * examples)


def records(root: Value):
    """Python's numbers: one backward pass from zero, as ``backward_steps()`` records it."""
    for node in topological_order(root):
        node.grad = 0.0
    return list(root.backward_steps())


def shown_after(root: Value, steps, k: int) -> dict[int, float]:
    """Each value's gradient after ``k`` steps, by topological position; absent = ``?``."""
    index = {node: n for n, node in enumerate(topological_order(root))}
    shown = {index[root]: 1.0}
    for step in steps[:k]:
        for edge in step.edges:
            shown[index[edge.child]] = edge.grad_after
    return shown


def same_number(shown: str, expected: float) -> bool:
    """Whether a page's text shows ``expected`` to the 4 significant digits it prints."""
    if math.isnan(expected):
        return shown == "nan"
    return float(shown) == float(f"{expected:.4g}")
