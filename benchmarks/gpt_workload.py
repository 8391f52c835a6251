# ruff: noqa: B905 - the model reads like the learner's scripts it stands for: plain zip()
"""A GPT of microgpt's shape, trained one name a step, on any ``Value`` class that speaks
microgpt's protocol; and ``ProtocolValue``, a class written from that protocol to compare with.

The model: a character-level GPT with learned token and position embeddings, one layer of
4-head causal self-attention and a ReLU MLP (16 → 64 → 16), RMS normalisation before each
block, residual connections, no biases, and a separate output matrix; n_embd 16, context 16.
Weights are drawn from N(0, 0.08²). One training step takes one name, predicts each next
character (the token ``BOS`` marks both ends), averages the cross-entropies, runs
``backward()`` and updates every weight with Adam (β₁ 0.85, β₂ 0.99, learning rate 0.01
decaying linearly to 0). Every number is a scalar node: one step builds some 60,000 nodes.

The same code runs on every class, so two classes that build the same graph and compute the
same local derivatives in the same order give the same bits.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from tinygrad_edu.datasets import load_names


class ProtocolValue:
    """A scalar node as microgpt's protocol has it, written for this benchmark: ``data``,
    ``grad``, the ``_children`` it was computed from and ``_local_grads``, ∂self/∂child for
    each; every op returns a new node with those, and ``backward()`` walks the graph once,
    children first, then from the root down adds ``local × upstream`` to each child."""

    __slots__ = ("data", "grad", "_children", "_local_grads")

    def __init__(self, data: Any, children: tuple = (), local_grads: tuple = ()) -> None:
        self.data = data
        self.grad = 0
        self._children = children
        self._local_grads = local_grads

    def __add__(self, other: Any) -> ProtocolValue:
        if not isinstance(other, ProtocolValue):
            other = ProtocolValue(other)
        return ProtocolValue(self.data + other.data, (self, other), (1, 1))

    def __mul__(self, other: Any) -> ProtocolValue:
        if not isinstance(other, ProtocolValue):
            other = ProtocolValue(other)
        return ProtocolValue(self.data * other.data, (self, other), (other.data, self.data))

    def __pow__(self, n: float) -> ProtocolValue:
        return ProtocolValue(self.data**n, (self,), (n * self.data ** (n - 1),))

    def log(self) -> ProtocolValue:
        return ProtocolValue(math.log(self.data), (self,), (1 / self.data,))

    def exp(self) -> ProtocolValue:
        return ProtocolValue(math.exp(self.data), (self,), (math.exp(self.data),))

    def relu(self) -> ProtocolValue:
        return ProtocolValue(max(0, self.data), (self,), (float(self.data > 0),))

    def __neg__(self) -> ProtocolValue:
        return self * -1

    def __radd__(self, other: Any) -> ProtocolValue:
        return self + other

    def __sub__(self, other: Any) -> ProtocolValue:
        return self + (-other)

    def __rsub__(self, other: Any) -> ProtocolValue:
        return other + (-self)

    def __rmul__(self, other: Any) -> ProtocolValue:
        return self * other

    def __truediv__(self, other: Any) -> ProtocolValue:
        return self * other**-1

    def __rtruediv__(self, other: Any) -> ProtocolValue:
        return other * self**-1

    def backward(self) -> None:
        # children first, by a depth-first search that resumes each node's children where it
        # left them (the order of a recursive search, without its depth limit)
        order: list[ProtocolValue] = []
        seen = {self}
        stack = [(self, iter(self._children))]
        while stack:
            node, pending = stack[-1]
            for child in pending:
                if child not in seen:
                    seen.add(child)
                    stack.append((child, iter(child._children)))
                    break
            else:
                stack.pop()
                order.append(node)
        self.grad = 1
        for node in reversed(order):
            for child, local in zip(node._children, node._local_grads):
                child.grad += local * node.grad


@dataclass
class Shape:
    """microgpt's size: 1 layer, 16 channels, 4 heads of 4, a context of 16 characters."""

    n_layer: int = 1
    n_embd: int = 16
    n_head: int = 4
    block_size: int = 16

    @property
    def head_dim(self) -> int:
        return self.n_embd // self.n_head


@dataclass
class GPT:
    """The weights of one model, built on one ``Value`` class, and its Adam state."""

    value: Callable[[float], Any]
    names: list[str]
    shape: Shape = field(default_factory=Shape)
    seed: int = 42
    weights: dict[str, list[list[Any]]] = field(init=False)
    parameters: list[Any] = field(init=False)
    steps_done: int = 0

    def __post_init__(self) -> None:
        rng = random.Random(self.seed)
        self.letters = sorted(set("".join(self.names)))
        self.bos = len(self.letters)
        vocab = self.bos + 1
        s = self.shape

        def matrix(rows: int, cols: int) -> list[list[Any]]:
            return [[self.value(rng.gauss(0, 0.08)) for _ in range(cols)] for _ in range(rows)]

        self.weights = {
            "tokens": matrix(vocab, s.n_embd),
            "positions": matrix(s.block_size, s.n_embd),
            "output": matrix(vocab, s.n_embd),
        }
        for layer in range(s.n_layer):
            for part, (rows, cols) in {
                "query": (s.n_embd, s.n_embd),
                "key": (s.n_embd, s.n_embd),
                "value": (s.n_embd, s.n_embd),
                "mix": (s.n_embd, s.n_embd),
                "up": (4 * s.n_embd, s.n_embd),
                "down": (s.n_embd, 4 * s.n_embd),
            }.items():
                self.weights[f"{layer}.{part}"] = matrix(rows, cols)
        self.parameters = [p for m in self.weights.values() for row in m for p in row]
        self.first_moment = [0.0] * len(self.parameters)
        self.second_moment = [0.0] * len(self.parameters)

    def tokens(self, name: str) -> list[int]:
        return [self.bos] + [self.letters.index(c) for c in name] + [self.bos]

    def loss(self, name: str) -> Any:
        """The mean cross-entropy of predicting each next character of ``name``."""
        tokens = self.tokens(name)
        count = min(self.shape.block_size, len(tokens) - 1)
        cache: list[tuple[list[Any], list[Any]]] = [([], []) for _ in range(self.shape.n_layer)]
        losses = []
        for position in range(count):
            logits = self.logits(tokens[position], position, cache)
            losses.append(-softmax(logits)[tokens[position + 1]].log())
        return (1 / count) * sum(losses)

    def logits(self, token: int, position: int, cache: list[tuple[list[Any], list[Any]]]) -> Any:
        w, s = self.weights, self.shape
        x = rms_normalize([t + p for t, p in zip(w["tokens"][token], w["positions"][position])])
        for layer in range(s.n_layer):
            keys, values = cache[layer]
            skip = x
            x = rms_normalize(x)
            q = matvec(w[f"{layer}.query"], x)
            keys.append(matvec(w[f"{layer}.key"], x))
            values.append(matvec(w[f"{layer}.value"], x))
            heads: list[Any] = []
            for h in range(s.n_head):
                lo, hi = h * s.head_dim, (h + 1) * s.head_dim
                scores = [dot(q[lo:hi], k[lo:hi]) / s.head_dim**0.5 for k in keys]
                weights = softmax(scores)
                heads += [sum(a * v[j] for a, v in zip(weights, values)) for j in range(lo, hi)]
            x = [a + b for a, b in zip(matvec(w[f"{layer}.mix"], heads), skip)]
            skip = x
            hidden = [u.relu() for u in matvec(w[f"{layer}.up"], rms_normalize(x))]
            x = [a + b for a, b in zip(matvec(w[f"{layer}.down"], hidden), skip)]
        return matvec(w["output"], x)

    def step(self, total_steps: int = 1000) -> float:
        """One training step on the next name; returns its loss."""
        name = self.names[self.steps_done % len(self.names)]
        loss = self.loss(name)
        loss.backward()
        self.adam(total_steps)
        self.steps_done += 1
        return float(loss.data)

    def adam(self, total_steps: int) -> None:
        t = self.steps_done
        rate = 0.01 * (1 - t / total_steps)
        b1, b2 = 0.85, 0.99
        m, v = self.first_moment, self.second_moment
        for i, p in enumerate(self.parameters):
            m[i] = b1 * m[i] + (1 - b1) * p.grad
            v[i] = b2 * v[i] + (1 - b2) * p.grad**2
            corrected_m = m[i] / (1 - b1 ** (t + 1))
            corrected_v = v[i] / (1 - b2 ** (t + 1))
            p.data -= rate * corrected_m / (corrected_v**0.5 + 1e-8)
            p.grad = 0


def dot(ws: Sequence[Any], xs: Sequence[Any]) -> Any:
    return sum(w * x for w, x in zip(ws, xs))


def matvec(matrix: Sequence[Sequence[Any]], xs: Sequence[Any]) -> list[Any]:
    return [dot(row, xs) for row in matrix]


def softmax(zs: Sequence[Any]) -> list[Any]:
    top = max(z.data for z in zs)  # a number: subtracting it changes no gradient
    exps = [(z - top).exp() for z in zs]
    total = sum(exps)
    return [e / total for e in exps]


def rms_normalize(xs: Sequence[Any]) -> list[Any]:
    mean_square = sum(x * x for x in xs) / len(xs)
    scale = (mean_square + 1e-5) ** -0.5
    return [x * scale for x in xs]


def shuffled_names(seed: int = 42) -> list[str]:
    """The bundled names in a fixed shuffled order."""
    names = load_names()
    random.Random(seed).shuffle(names)
    return names
