# ruff: noqa: B905 - a learner's script: plain zip(), as microgpt writes it
"""A learner's script in microgpt's style, for the tests: its own scalar autograd class of
microgpt's protocol, a small GPT over names, a few training steps, sampled names.

    python names_gpt.py [STEPS] [ACTIVATION]     # reads input.txt in the working directory

ACTIVATION is relu (the engine has it), gelu or bad_gelu (methods the engine lacks; bad_gelu
gives its node a derivative with the wrong sign).
"""

import math
import random
import sys

steps = int(sys.argv[1]) if len(sys.argv) > 1 else 3
activation = sys.argv[2] if len(sys.argv) > 2 else "relu"
random.seed(7)
names = [line.strip() for line in open("input.txt") if line.strip()]
random.shuffle(names)
letters = sorted(set("".join(names)))
END = len(letters)


class Value:
    __slots__ = ("data", "grad", "_children", "_local_grads")

    def __init__(self, data, children=(), local_grads=()):
        self.data = data
        self.grad = 0
        self._children = children
        self._local_grads = local_grads

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        return Value(self.data + other.data, (self, other), (1, 1))

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        return Value(self.data * other.data, (self, other), (other.data, self.data))

    def __pow__(self, k):
        return Value(self.data**k, (self,), (k * self.data ** (k - 1),))

    def exp(self):
        return Value(math.exp(self.data), (self,), (math.exp(self.data),))

    def log(self):
        return Value(math.log(self.data), (self,), (1 / self.data,))

    def relu(self):
        return Value(max(0, self.data), (self,), (float(self.data > 0),))

    def gelu(self):  # the tanh approximation, x·Φ(x)
        x = self.data
        t = math.tanh(0.7978845608 * (x + 0.044715 * x**3))
        dt = (1 - t * t) * 0.7978845608 * (1 + 3 * 0.044715 * x * x)
        return Value(0.5 * x * (1 + t), (self,), (0.5 * (1 + t) + 0.5 * x * dt,))

    def bad_gelu(self):
        out = self.gelu()
        return Value(out.data, (self,), (-out._local_grads[0],))

    def __neg__(self):
        return self * -1

    def __radd__(self, other):
        return self + other

    def __sub__(self, other):
        return self + (-other)

    def __rmul__(self, other):
        return self * other

    def __truediv__(self, other):
        return self * other**-1

    def backward(self):
        order, seen = [], set()

        def visit(v):
            if v not in seen:
                seen.add(v)
                for child in v._children:
                    visit(child)
                order.append(v)

        visit(self)
        self.grad = 1
        for v in reversed(order):
            for child, local in zip(v._children, v._local_grads):
                child.grad += local * v.grad


width, heads, context = 8, 2, 8
size = width // heads


def weights(rows, cols):
    return [[Value(random.gauss(0, 0.1)) for _ in range(cols)] for _ in range(rows)]


model = {
    "embed": weights(END + 1, width),
    "where": weights(context, width),
    "q": weights(width, width),
    "k": weights(width, width),
    "v": weights(width, width),
    "up": weights(2 * width, width),
    "down": weights(width, 2 * width),
    "out": weights(END + 1, width),
}
params = [p for m in model.values() for row in m for p in row]


def apply(m, x):
    return [sum(a * b for a, b in zip(row, x)) for row in m]


def normalized(x):
    scale = (sum(a * a for a in x) / len(x) + 1e-5) ** -0.5
    return [a * scale for a in x]


def probabilities(z):
    top = max(a.data for a in z)
    e = [(a - top).exp() for a in z]
    s = sum(e)
    return [a / s for a in e]


def predict(token, position, keys, vals):
    x = normalized([a + b for a, b in zip(model["embed"][token], model["where"][position])])
    q = apply(model["q"], x)
    keys.append(apply(model["k"], x))
    vals.append(apply(model["v"], x))
    mixed = []
    for h in range(heads):
        part = slice(h * size, (h + 1) * size)
        att = probabilities(
            [sum(a * b for a, b in zip(q[part], k[part])) / size**0.5 for k in keys]
        )
        mixed += [sum(w * v[j] for w, v in zip(att, vals)) for j in range(part.start, part.stop)]
    x = [a + b for a, b in zip(mixed, x)]
    hidden = [getattr(a, activation)() for a in apply(model["up"], normalized(x))]
    x = [a + b for a, b in zip(apply(model["down"], hidden), x)]
    return apply(model["out"], x)


for step in range(steps):
    tokens = [END] + [letters.index(c) for c in names[step]] + [END]
    n = min(context, len(tokens) - 1)
    keys, vals, losses = [], [], []
    for i in range(n):
        losses.append(-probabilities(predict(tokens[i], i, keys, vals))[tokens[i + 1]].log())
    loss = (1 / n) * sum(losses)
    loss.backward()
    for p in params:
        p.data -= 0.05 * p.grad
        p.grad = 0
    print(f"step {step + 1} loss {loss.data:.4f} raw {loss.data!r}")

for _ in range(3):
    keys, vals, token, name = [], [], END, ""
    for i in range(context):
        p = probabilities(predict(token, i, keys, vals))
        token = random.choices(range(END + 1), weights=[a.data for a in p])[0]
        if token == END:
            break
        name += letters[token]
    print("sample:", name)
