"""micrograd's demo workload, written once for every contender the benchmarks compare.

The workload: an MLP with 2 inputs, two hidden layers of 16 ReLU units and one linear output
(micrograd's ``MLP(2, [16, 16, 1])``), 100 "two moons" points with labels y ∈ {−1, +1}, and
one training step of

    L = (1/N) Σₙ max(0, 1 − yₙ·sₙ)  +  α Σₚ p²        (α = 1e-4, sₙ the score of point n)

followed by ``zero_grad``, ``backward`` and the update p ← p − η·∂L/∂p.

Every contender starts from the same weights (micrograd's U(−1, 1) initialisation, zero
biases) and exposes the same two calls: ``step()`` runs one training step and returns the
loss; ``gradients()`` lists ∂L/∂p after it, layer by layer, neuron by neuron, weights before
the bias (micrograd's parameter order).
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence

SIZES = (2, 16, 16, 1)
ALPHA = 1e-4
LEARNING_RATE = 0.05

Weights = list[list[list[float]]]  # weights[l][i][j]: from input i to neuron j of layer l
Biases = list[list[float]]


def make_moons(n: int = 100, noise: float = 0.1, seed: int = 1):
    """Two interleaving half circles, as scikit-learn's ``make_moons`` draws them.

    The upper moon is (cos t, sin t) and the lower one (1 − cos t, 1/2 − sin t) for t evenly
    spaced in [0, π], plus Gaussian noise of standard deviation ``noise``. Labels are −1 for the
    upper moon and +1 for the lower one, the hinge loss's convention. Returns ``(X, y)``.
    """
    rng = random.Random(seed)
    upper = n // 2
    lower = n - upper
    X: list[list[float]] = []
    y: list[float] = []
    for k in range(upper):
        t = math.pi * k / max(upper - 1, 1)
        X.append([math.cos(t), math.sin(t)])
        y.append(-1.0)
    for k in range(lower):
        t = math.pi * k / max(lower - 1, 1)
        X.append([1.0 - math.cos(t), 0.5 - math.sin(t)])
        y.append(1.0)
    X = [[a + rng.gauss(0.0, noise), b + rng.gauss(0.0, noise)] for a, b in X]
    return X, y


def initial_parameters(sizes: Sequence[int] = SIZES, seed: int = 0) -> tuple[Weights, Biases]:
    """micrograd's initialisation: every weight U(−1, 1), every bias 0."""
    rng = random.Random(seed)
    weights = [
        [[rng.uniform(-1.0, 1.0) for _ in range(nout)] for _ in range(nin)]
        for nin, nout in zip(sizes[:-1], sizes[1:], strict=True)
    ]
    biases = [[0.0] * nout for nout in sizes[1:]]
    return weights, biases


class Contender:
    """One engine running the workload: ``step()`` and ``gradients()``; the graph engines
    also have ``loss_graph()``, which builds the loss without stepping."""

    name = "?"

    def step(self) -> float:
        raise NotImplementedError

    def gradients(self) -> list[float]:
        raise NotImplementedError


# ----- tinygrad_edu ----------------------------------------------------------------------


class TinygradEdu(Contender):
    """The library as a user writes it: ``MLP.from_weights``, ``losses.hinge``, ``SGD``.

    ``fused=True`` (the default model): one Σwx+b node per neuron, and the L2 term Σp² as
    one more such node (the dot product of the parameters with themselves).
    ``fused=False``: micrograd's graph node for node, binary ``*`` and ``+`` everywhere.
    """

    def __init__(self, weights: Weights, biases: Biases, X, y, fused: bool = True) -> None:
        from tinygrad_edu.core import Value, weighted_sum
        from tinygrad_edu.nn import MLP, SGD, hinge

        self.name = "tinygrad_edu " + ("(default, fused)" if fused else "(fused=False)")
        self.model = MLP.from_weights(
            weights, biases, activation="relu", output_activation="linear", fused=fused
        )
        self.params = self.model.parameters()
        self.optimizer = SGD(self.params, lr=LEARNING_RATE)
        self.X, self.y, self.fused = X, y, fused
        self._hinge, self._Value, self._weighted_sum = hinge, Value, weighted_sum

    def _l2(self):
        params = self.params
        if self.fused:  # Σp² = 0 + p₁·p₁ + p₂·p₂ + …, one node
            return self._weighted_sum(params, params, self._Value(0.0))
        total = self._Value(0.0)
        for p in params:
            total = total + p * p
        return total

    def loss_graph(self):
        scores = [self.model(x) for x in self.X]
        return self._hinge(scores, self.y) * (1.0 / len(self.X)) + ALPHA * self._l2()

    def step(self) -> float:
        loss = self.loss_graph()
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        return loss.data

    def gradients(self) -> list[float]:
        return [p.grad for p in self.params]


# ----- micrograd 0.1.0 -------------------------------------------------------------------


class Micrograd(Contender):
    """micrograd's own ``MLP`` and ``Value``, the loss written the way its demo writes it."""

    name = "micrograd 0.1.0"

    def __init__(self, weights: Weights, biases: Biases, X, y) -> None:
        from micrograd.engine import Value
        from micrograd.nn import MLP

        self.model = MLP(len(weights[0]), [len(b) for b in biases])
        for layer, matrix, layer_biases in zip(self.model.layers, weights, biases, strict=True):
            for j, neuron in enumerate(layer.neurons):
                for i, w in enumerate(neuron.w):
                    w.data = matrix[i][j]
                neuron.b.data = layer_biases[j]
        self.params = self.model.parameters()
        self.inputs = [[Value(v) for v in x] for x in X]
        self.y = y

    def loss_graph(self):
        scores = [self.model(x) for x in self.inputs]
        losses = [(1 + -yn * s).relu() for yn, s in zip(self.y, scores, strict=True)]
        data_loss = sum(losses) * (1.0 / len(losses))
        return data_loss + ALPHA * sum(p * p for p in self.params)

    def step(self) -> float:
        loss = self.loss_graph()
        self.model.zero_grad()
        loss.backward()
        for p in self.params:
            p.data -= LEARNING_RATE * p.grad
        return loss.data

    def gradients(self) -> list[float]:
        return [float(p.grad) for p in self.params]


# ----- PyTorch, one 0-d tensor per number --------------------------------------------------


class TorchScalars(Contender):
    """PyTorch with a 0-dimensional float64 tensor per parameter: the same scalar graph."""

    name = "PyTorch scalar tensors"

    def __init__(self, weights: Weights, biases: Biases, X, y) -> None:
        import torch

        self.torch = torch
        self.w = [
            [
                [
                    torch.tensor(matrix[i][j], dtype=torch.float64, requires_grad=True)
                    for i in range(len(matrix))
                ]
                for j in range(len(matrix[0]))
            ]
            for matrix in weights
        ]  # w[l][j][i]: neuron j's weights, like a micrograd Neuron
        self.b = [
            [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in layer]
            for layer in biases
        ]
        self.params = [
            p
            for wl, bl in zip(self.w, self.b, strict=True)
            for ws, b in zip(wl, bl, strict=True)
            for p in (*ws, b)
        ]
        self.X = [[torch.tensor(v, dtype=torch.float64) for v in x] for x in X]
        self.y = y

    def _score(self, x):
        last = len(self.w) - 1
        for l, (wl, bl) in enumerate(zip(self.w, self.b, strict=True)):
            out = []
            for ws, b in zip(wl, bl, strict=True):
                h = b
                for w, v in zip(ws, x, strict=True):
                    h = h + w * v
                out.append(h if l == last else self.torch.relu(h))
            x = out
        return x[0]

    def step(self) -> float:
        torch = self.torch
        total = torch.tensor(0.0, dtype=torch.float64)
        for x, yn in zip(self.X, self.y, strict=True):
            total = total + torch.relu(1.0 - yn * self._score(x))
        l2 = torch.tensor(0.0, dtype=torch.float64)
        for p in self.params:
            l2 = l2 + p * p
        loss = total * (1.0 / len(self.X)) + ALPHA * l2
        for p in self.params:
            p.grad = None
        loss.backward()
        with torch.no_grad():
            for p in self.params:
                p -= LEARNING_RATE * p.grad
        return loss.item()

    def gradients(self) -> list[float]:
        return [p.grad.item() for p in self.params]


# ----- the floor: plain floats, derivatives written by hand --------------------------------


class PlainFloats(Contender):
    """No graph at all: lists of floats, a forward pass that keeps the activations and a
    backward pass written by hand. The fastest pure Python can do this step."""

    name = "plain floats (the floor)"

    def __init__(self, weights: Weights, biases: Biases, X, y) -> None:
        # w[l][j] lists neuron j's incoming weights
        self.w = [[[row[j] for row in matrix] for j in range(len(matrix[0]))] for matrix in weights]
        self.b = [list(layer) for layer in biases]
        self.X, self.y = X, y
        self.gw: list[list[list[float]]] = []
        self.gb: list[list[float]] = []

    def step(self) -> float:
        w, b, n_layers = self.w, self.b, len(self.w)
        gw = [[[0.0] * len(ws) for ws in wl] for wl in w]
        gb = [[0.0] * len(bl) for bl in b]
        scale = 1.0 / len(self.X)
        data_loss = 0.0
        for x, yn in zip(self.X, self.y, strict=True):
            acts = [x]  # a⁽⁰⁾ … a⁽ᴸ⁾
            for l in range(n_layers):
                a = acts[-1]
                hs = []
                for ws, bias in zip(w[l], b[l], strict=True):
                    h = bias
                    for wi, ai in zip(ws, a, strict=True):
                        h += wi * ai
                    hs.append(h)
                acts.append(hs if l == n_layers - 1 else [h if h > 0.0 else 0.0 for h in hs])
            margin = 1.0 - yn * acts[-1][0]
            if margin <= 0.0:  # max(0, margin) is flat here: no gradient
                continue
            data_loss += margin
            deltas = [-yn * scale]  # ∂L/∂h of the output layer
            for l in range(n_layers - 1, -1, -1):
                a = acts[l]
                below = [0.0] * len(a)
                for j, d in enumerate(deltas):
                    g, ws = gw[l][j], w[l][j]
                    for i, ai in enumerate(a):
                        g[i] += ai * d
                        below[i] += ws[i] * d
                    gb[l][j] += d
                if l:  # through the ReLU of the layer below
                    deltas = [d if ai > 0.0 else 0.0 for d, ai in zip(below, a, strict=True)]
        l2 = 0.0
        for l in range(n_layers):
            for j, ws in enumerate(w[l]):
                for i, wi in enumerate(ws):
                    l2 += wi * wi
                    gw[l][j][i] += 2.0 * ALPHA * wi
                l2 += b[l][j] * b[l][j]
                gb[l][j] += 2.0 * ALPHA * b[l][j]
        for l in range(n_layers):
            for j, ws in enumerate(w[l]):
                for i in range(len(ws)):
                    ws[i] -= LEARNING_RATE * gw[l][j][i]
                b[l][j] -= LEARNING_RATE * gb[l][j]
        self.gw, self.gb = gw, gb
        return data_loss * scale + ALPHA * l2

    def gradients(self) -> list[float]:
        return [
            g
            for gl, bl in zip(self.gw, self.gb, strict=True)
            for gs, gbj in zip(gl, bl, strict=True)
            for g in (*gs, gbj)
        ]


def contenders(X, y, seed: int = 0, torch: bool = True) -> list[Contender]:
    """Every contender, each from the same initial weights; PyTorch only if it is installed."""
    weights, biases = initial_parameters(SIZES, seed)
    made: list[Contender] = [
        Micrograd(weights, biases, X, y),
        TinygradEdu(weights, biases, X, y, fused=True),
        TinygradEdu(weights, biases, X, y, fused=False),
        PlainFloats(weights, biases, X, y),
    ]
    if torch:
        try:
            made.insert(1, TorchScalars(weights, biases, X, y))
        except ImportError:
            pass
    return made


# ----- micrograd's demo loop, as lesson code writes it ---------------------------------------


def demo_training(Value, MLP, X, y, steps: int = 100) -> list[tuple[float, float]]:
    """micrograd's demo: ``random.seed(1337)``, ``MLP(2, [16, 16, 1])``, then ``steps`` SGD
    steps on the mean hinge loss plus 1e-4·Σp², the rate falling from 1.0 by 0.9 over 100
    steps. ``Value`` and ``MLP`` are whichever ``micrograd`` the caller imported. Returns each
    step's (loss, accuracy)."""
    random.seed(1337)
    model = MLP(2, [16, 16, 1])
    history = []
    for k in range(steps):
        inputs = [list(map(Value, xrow)) for xrow in X]
        scores = list(map(model, inputs))
        losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(y, scores, strict=True)]
        data_loss = sum(losses) * (1.0 / len(losses))
        reg_loss = ALPHA * sum(p * p for p in model.parameters())
        total_loss = data_loss + reg_loss
        accuracy = [(yi > 0) == (s.data > 0) for yi, s in zip(y, scores, strict=True)]
        model.zero_grad()
        total_loss.backward()
        learning_rate = 1.0 - 0.9 * k / 100
        for p in model.parameters():
            p.data -= learning_rate * p.grad
        history.append((total_loss.data, sum(accuracy) / len(accuracy)))
    return history


# ----- a GPT-shaped step on scalars --------------------------------------------------------


class TinyGPT:
    """A one-layer transformer on scalar Values, the shape of a character-level GPT step:
    token and position embeddings, RMS normalisation, causal multi-head attention with a
    key-value cache filled position by position, a ReLU MLP, residual connections, and the
    cross-entropy of the next character. Each part is a plain function, as a learner writes
    it, so that ``origins()`` has calls to record (``gpt`` → ``linear``, ``softmax``, …).
    """

    def __init__(self, Value, vocab: int = 27, width: int = 16, heads: int = 4, block: int = 8):
        rng = random.Random(42)

        def matrix(rows: int, cols: int):
            return [[Value(rng.gauss(0.0, 0.08)) for _ in range(cols)] for _ in range(rows)]

        self.Value, self.width, self.heads = Value, width, heads
        self.wte, self.wpe = matrix(vocab, width), matrix(block, width)
        self.wq, self.wk, self.wv, self.wo = (matrix(width, width) for _ in range(4))
        self.up, self.down = matrix(4 * width, width), matrix(width, 4 * width)
        self.head = matrix(vocab, width)
        self.params = [
            p
            for m in (self.wte, self.wpe, self.wq, self.wk, self.wv, self.wo)
            + (self.up, self.down, self.head)
            for row in m
            for p in row
        ]

    def loss(self, tokens: Sequence[int]):
        """The mean next-token cross-entropy over ``tokens``."""
        keys: list = []
        values: list = []
        losses = [
            cross_entropy(self.gpt(token, position, keys, values), target)
            for position, (token, target) in enumerate(zip(tokens[:-1], tokens[1:], strict=True))
        ]
        return sum(losses[1:], losses[0]) * (1.0 / len(losses))

    def gpt(self, token: int, position: int, keys: list, values: list):
        x = [t + p for t, p in zip(self.wte[token], self.wpe[position], strict=True)]
        x = rmsnorm(x)
        skip = x
        x = rmsnorm(x)
        keys.append(linear(x, self.wk))
        values.append(linear(x, self.wv))
        x = [a + b for a, b in zip(linear(attention(linear(x, self.wq), keys, values, self.heads),
                                          self.wo), skip, strict=True)]  # fmt: skip
        skip = x
        x = [h.relu() for h in linear(rmsnorm(x), self.up)]
        x = [a + b for a, b in zip(linear(x, self.down), skip, strict=True)]
        return linear(x, self.head)

    def step(self, tokens: Sequence[int], lr: float = 0.01) -> float:
        loss = self.loss(tokens)
        for p in self.params:
            p.grad = 0.0
        loss.backward()
        for p in self.params:
            p.data -= lr * p.grad
        return loss.data


def linear(x, w):
    """W x, one sum of products per row."""
    return [sum((wi * xi for wi, xi in zip(row, x, strict=True)), row[0] * 0.0) for row in w]


def rmsnorm(x):
    """x / √(mean(x²) + ε)."""
    scale = (sum((xi * xi for xi in x), x[0] * 0.0) * (1.0 / len(x)) + 1e-5) ** -0.5
    return [xi * scale for xi in x]


def softmax(logits):
    """e^(zᵢ − max z) / Σⱼ e^(zⱼ − max z)."""
    top = max(z.data for z in logits)
    exps = [(z - top).exp() for z in logits]
    total = sum(exps[1:], exps[0])
    return [e / total for e in exps]


def attention(q, keys, values, heads: int):
    """Each head's causal attention of the query over every cached key, values mixed by it."""
    size = len(q) // heads
    out = []
    for h in range(heads):
        span = slice(h * size, (h + 1) * size)
        scores = [
            sum((a * b for a, b in zip(q[span], k[span], strict=True)), q[0] * 0.0)
            * (1.0 / size**0.5)
            for k in keys
        ]
        weights = softmax(scores)
        for i in range(size):
            out.append(
                sum((w * v[span][i] for w, v in zip(weights, values, strict=True)), q[0] * 0.0)
            )
    return out


def cross_entropy(logits, target: int):
    """−log softmax(logits)[target]."""
    return -softmax(logits)[target].log()
