"""A small GPT-shaped model as a learner writes it, one plain function per part, for tests
that need a graph built under ``origins()`` (``gpt`` → ``linear``, ``softmax``, ``rmsnorm``)."""

from __future__ import annotations

import random

from tinygrad_edu import Value


def linear(x: list[Value], w: list[list[Value]]) -> list[Value]:
    return [sum((wi * xi for wi, xi in zip(row, x, strict=True)), Value(0.0)) for row in w]


def rmsnorm(x: list[Value]) -> list[Value]:
    scale = (sum((xi * xi for xi in x), Value(0.0)) * (1.0 / len(x)) + 1e-5) ** -0.5
    return [xi * scale for xi in x]


def softmax(logits: list[Value]) -> list[Value]:
    top = max(z.data for z in logits)
    exps = [(z - top).exp() for z in logits]
    total = sum(exps[1:], exps[0])
    return [e / total for e in exps]


class Gpt:
    def __init__(self, vocab: int = 5, width: int = 4, seed: int = 0) -> None:
        rng = random.Random(seed)

        def matrix(rows: int, cols: int) -> list[list[Value]]:
            return [[Value(rng.gauss(0.0, 0.5)) for _ in range(cols)] for _ in range(rows)]

        self.wte, self.wpe = matrix(vocab, width), matrix(8, width)
        self.wq, self.wk, self.wv = matrix(width, width), matrix(width, width), matrix(width, width)
        self.head = matrix(vocab, width)

    def gpt(self, token: int, position: int, keys: list, values: list) -> list[Value]:
        x = rmsnorm([t + p for t, p in zip(self.wte[token], self.wpe[position], strict=True)])
        q = linear(x, self.wq)
        keys.append(linear(x, self.wk))
        values.append(linear(x, self.wv))
        scores = [sum((a * b for a, b in zip(q, k, strict=True)), Value(0.0)) for k in keys]
        weights = softmax(scores)
        mixed = [
            sum((w * v[i] for w, v in zip(weights, values, strict=True)), Value(0.0))
            for i in range(len(q))
        ]
        return linear([a + b for a, b in zip(x, mixed, strict=True)], self.head)

    def loss(self, tokens: list[int]) -> Value:
        keys: list = []
        values: list = []
        losses = []
        for position, (token, target) in enumerate(zip(tokens[:-1], tokens[1:], strict=True)):
            probabilities = softmax(self.gpt(token, position, keys, values))
            losses.append(-probabilities[target].log())
        return sum(losses[1:], losses[0]) * (1.0 / len(losses))
