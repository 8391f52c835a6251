"""A GPT training step on scalars: the core ``Value`` with and without sum()'s fold, against a
node class of the ``Value(data, children, local_grads)`` protocol.

    python benchmarks/bench_gpt_fold.py [--rounds 7] [--n-embd 16] [--layers 1] [--write PATH]

The model is written here for the benchmark, in the shape of a tiny character-level GPT:
token and position embeddings, per layer an RMS norm, causal self-attention (4 heads, keys and
values kept per position), a residual, an RMS norm, a ReLU MLP of width 4·n_embd and a
residual, then the output projection, softmax and the mean negative log-likelihood over the
positions of one document of 16 tokens, one backward and an Adam update. Every linear map is
``sum(w * x for w, x in zip(row, x))``, as such scripts write it, which is what the fold turns
into one Σ node per output.

Three node classes run the same step from the same weights, taking turns in one process:

* ``protocol Value``: the class below, of the protocol ``Value(data, children, local_grads)``
  with a recursive-free topological sort and ``child.grad += local * v.grad``;
* ``core, unfolded``: ``tinygrad_edu.core.Value`` inside ``unfolded()``;
* ``core, folded``: ``tinygrad_edu.core.Value`` as it comes.

Each round runs one step of each (CPU time, garbage collection as Python does it by default,
a full collection untimed before each step); printed are the medians and quartiles, and the
median of each round's own ratio to the protocol Value. The losses and the gradients of the
three are compared after the first step (bit for bit, or the largest difference).
"""

# ruff: noqa: B905 - the model reads as such scripts write it: plain zip()
from __future__ import annotations

import argparse
import gc
import math
import random
import statistics
import time

from tinygrad_edu.core import Value as CoreValue
from tinygrad_edu.core.fold import unfolded


class ProtocolValue:
    """A scalar node of the protocol ``Value(data, children, local_grads)``."""

    __slots__ = ("data", "grad", "_children", "_local_grads")

    def __init__(self, data, children=(), local_grads=()):
        self.data = data
        self.grad = 0.0
        self._children = children
        self._local_grads = local_grads

    def __add__(self, other):
        other = other if isinstance(other, ProtocolValue) else ProtocolValue(other)
        return ProtocolValue(self.data + other.data, (self, other), (1.0, 1.0))

    def __mul__(self, other):
        other = other if isinstance(other, ProtocolValue) else ProtocolValue(other)
        return ProtocolValue(self.data * other.data, (self, other), (other.data, self.data))

    def __pow__(self, n):
        return ProtocolValue(self.data**n, (self,), (n * self.data ** (n - 1),))

    def log(self):
        return ProtocolValue(math.log(self.data), (self,), (1.0 / self.data,))

    def exp(self):
        e = math.exp(self.data)
        return ProtocolValue(e, (self,), (e,))

    def relu(self):
        return ProtocolValue(max(0.0, self.data), (self,), (float(self.data > 0.0),))

    def __neg__(self):
        return self * -1.0

    def __radd__(self, other):
        return self + other

    def __sub__(self, other):
        return self + (-other)

    def __rmul__(self, other):
        return self * other

    def __truediv__(self, other):
        return self * other**-1

    def backward(self):
        order, seen, stack = [], set(), [(self, False)]
        while stack:
            node, expanded = stack.pop()
            if expanded:
                order.append(node)
            elif id(node) not in seen:
                seen.add(id(node))
                stack.append((node, True))
                stack.extend((child, False) for child in reversed(node._children))
        self.grad = 1.0
        for node in reversed(order):
            for child, local in zip(node._children, node._local_grads):
                child.grad += local * node.grad


# ----- the model, written for any node class ---------------------------------------------


def linear(x, rows):
    return [sum(w * xi for w, xi in zip(row, x)) for row in rows]


def softmax(logits):
    top = max(v.data for v in logits)
    exps = [(v - top).exp() for v in logits]
    total = sum(exps)
    return [e / total for e in exps]


def rmsnorm(x):
    mean_square = sum(xi * xi for xi in x) / len(x)
    scale = (mean_square + 1e-5) ** -0.5
    return [xi * scale for xi in x]


class Gpt:
    """The weights as nested lists of nodes of one class, made from plain floats."""

    def __init__(self, floats, node_class) -> None:
        self.state = {
            name: [[node_class(w) for w in row] for row in matrix]
            for name, matrix in floats.items()
        }
        self.params = [p for matrix in self.state.values() for row in matrix for p in row]

    def forward(self, token, position, keys, values, n_layer, n_head):
        s = self.state
        x = [t + p for t, p in zip(s["wte"][token], s["wpe"][position])]
        x = rmsnorm(x)
        head_dim = len(x) // n_head
        for layer in range(n_layer):
            residual = x
            x = rmsnorm(x)
            q, k, v = (linear(x, s[f"l{layer}.{m}"]) for m in ("wq", "wk", "wv"))
            keys[layer].append(k)
            values[layer].append(v)
            attended = []
            for h in range(n_head):
                lo, hi = h * head_dim, (h + 1) * head_dim
                scores = [
                    sum(qi * ki for qi, ki in zip(q[lo:hi], kt[lo:hi])) / head_dim**0.5
                    for kt in keys[layer]
                ]
                weights = softmax(scores)
                attended += [
                    sum(weights[t] * values[layer][t][j] for t in range(len(weights)))
                    for j in range(lo, hi)
                ]
            x = [a + b for a, b in zip(linear(attended, s[f"l{layer}.wo"]), residual)]
            residual = x
            x = [h.relu() for h in linear(rmsnorm(x), s[f"l{layer}.fc1"])]
            x = [a + b for a, b in zip(linear(x, s[f"l{layer}.fc2"]), residual)]
        return linear(x, s["lm_head"])


def initial_floats(vocab, n_embd, block, n_layer, seed=0):
    rng = random.Random(seed)

    def matrix(rows, cols):
        return [[rng.gauss(0.0, 0.08) for _ in range(cols)] for _ in range(rows)]

    floats = {"wte": matrix(vocab, n_embd), "wpe": matrix(block, n_embd)}
    for layer in range(n_layer):
        for name in ("wq", "wk", "wv", "wo"):
            floats[f"l{layer}.{name}"] = matrix(n_embd, n_embd)
        floats[f"l{layer}.fc1"] = matrix(4 * n_embd, n_embd)
        floats[f"l{layer}.fc2"] = matrix(n_embd, 4 * n_embd)
    floats["lm_head"] = matrix(vocab, n_embd)
    return floats


class Contender:
    def __init__(self, name, node_class, floats, tokens, n_layer, n_head, fold=True):
        self.name, self.model, self.tokens, self.fold = name, Gpt(floats, node_class), tokens, fold
        self.n_layer, self.n_head = n_layer, n_head
        self.m = [0.0] * len(self.model.params)
        self.v = [0.0] * len(self.model.params)
        self.t = 0

    def loss(self):
        keys = [[] for _ in range(self.n_layer)]
        values = [[] for _ in range(self.n_layer)]
        losses = []
        for position, (token, target) in enumerate(zip(self.tokens, self.tokens[1:])):
            logits = self.model.forward(token, position, keys, values, self.n_layer, self.n_head)
            losses.append(-softmax(logits)[target].log())
        return (1 / len(losses)) * sum(losses)

    def step(self):
        if self.fold:
            loss = self.loss()
        else:
            with unfolded():
                loss = self.loss()
        loss.backward()
        self.t += 1
        lr, b1, b2 = 0.01, 0.85, 0.99
        for k, p in enumerate(self.model.params):  # Adam, over plain floats
            self.m[k] = b1 * self.m[k] + (1 - b1) * p.grad
            self.v[k] = b2 * self.v[k] + (1 - b2) * p.grad**2
            m_hat, v_hat = self.m[k] / (1 - b1**self.t), self.v[k] / (1 - b2**self.t)
            p.data -= lr * m_hat / (v_hat**0.5 + 1e-8)
            p.grad = 0.0
        return loss.data


def spread(values):
    low, _, high = statistics.quantiles(values, n=4)
    return f"{low:.2f}–{high:.2f}"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7, help="timed rounds (7)")
    parser.add_argument("--n-embd", type=int, default=16)
    parser.add_argument("--layers", type=int, default=1)
    parser.add_argument("--write", metavar="PATH", help="also write the table as Markdown")
    args = parser.parse_args(argv)
    vocab, block, n_head = 27, 16, 4
    rng = random.Random(1)
    tokens = [rng.randrange(vocab) for _ in range(block + 1)]
    floats = initial_floats(vocab, args.n_embd, block, args.layers)

    def contenders():
        return [
            Contender("protocol Value", ProtocolValue, floats, tokens, args.layers, n_head),
            Contender("core, unfolded", CoreValue, floats, tokens, args.layers, n_head, False),
            Contender("core, folded", CoreValue, floats, tokens, args.layers, n_head),
        ]

    first = contenders()
    losses = [c.step() for c in first]
    grads = [[p.data for p in c.model.params] for c in first]  # after one Adam step
    print(f"GPT step: n_embd {args.n_embd}, {args.layers} layer(s), {n_head} heads, "
          f"{block} positions, vocabulary {vocab}")  # fmt: skip
    print(
        "losses of the first step: " + ", ".join(f"{c.name} {x!r}" for c, x in zip(first, losses))
    )
    for c, g in zip(first[1:], grads[1:]):
        worst = max(abs(a - b) for a, b in zip(g, grads[1]))
        same = "bit-identical" if g == grads[1] else f"largest difference {worst:.1e}"
        print(f"  weights after one step, {c.name} vs core, unfolded: {same}")
    with unfolded():
        chain = first[1].loss()
    folded = first[2].loss()
    print(f"graph: {count_interior(chain):,} interior nodes unfolded, "
          f"{count_interior(folded):,} folded")  # fmt: skip
    del chain, folded

    engines = contenders()
    times = {c.name: [] for c in engines}
    for round_ in range(args.rounds + 1):
        for c in engines if round_ % 2 else engines[::-1]:
            gc.collect()
            start = time.process_time()
            c.step()
            if round_:  # the first round warms up
                times[c.name].append(time.process_time() - start)
    base = times["protocol Value"]
    print(f"one step, CPU time (ms), {args.rounds} rounds:")
    print(f"  {'':<18} {'median':>8} {'quartiles':>14} {'× faster (median of ratios)':>30}")
    rows = []
    for name, ts in times.items():
        ratio = statistics.median(b / t for b, t in zip(base, ts))
        ratios = spread([b / t for b, t in zip(base, ts)])
        print(f"  {name:<18} {statistics.median(ts) * 1e3:>8.1f} "
              f"{spread([t * 1e3 for t in ts]):>14} {ratio:>10.2f}x ({ratios})")  # fmt: skip
        rows.append(f"| {name} | {statistics.median(ts) * 1e3:.1f} | {ratio:.2f}x ({ratios}) |")
    if args.write:
        with open(args.write, "w", encoding="utf-8") as file:
            file.write(f"GPT step (n_embd {args.n_embd}, {args.layers} layer(s)), "
                       f"{args.rounds} rounds, CPU time:\n\n"
                       "| node class | ms per step (median) | × the protocol Value "
                       "(median of ratios, quartiles) |\n| --- | ---: | ---: |\n"
                       + "\n".join(rows) + "\n")  # fmt: skip
        print(f"wrote {args.write}")


def count_interior(root):
    from tinygrad_edu.core import interior_order

    return len(interior_order(root))


if __name__ == "__main__":
    main()
