"""A learner's script in micrograd's style, for the tests: its own Value(data, _children, _op)
with closures for backward, one method the engine lacks (softplus), a few gradient steps."""

import math


class Value:
    def __init__(self, data, _children=(), _op=""):
        self.data = data
        self.grad = 0
        self._backward = lambda: None
        self._prev = set(_children)
        self._op = _op

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data + other.data, (self, other), "+")

        def _backward():
            self.grad += out.grad
            other.grad += out.grad

        out._backward = _backward
        return out

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._backward = _backward
        return out

    def softplus(self):
        out = Value(math.log1p(math.exp(self.data)), (self,), "softplus")

        def _backward():
            self.grad += 1 / (1 + math.exp(-self.data)) * out.grad

        out._backward = _backward
        return out

    def __radd__(self, other):
        return self + other

    def __rmul__(self, other):
        return self * other

    def backward(self):
        topo, visited = [], set()

        def build(v):
            if v not in visited:
                visited.add(v)
                for child in v._prev:
                    build(child)
                topo.append(v)

        build(self)
        self.grad = 1
        for v in reversed(topo):
            v._backward()


w, b = Value(0.3), Value(-0.2)
for step in range(5):
    loss = (w * 1.5 + b).softplus() * 2 + w * w
    w.grad = b.grad = 0
    loss.backward()
    w.data -= 0.1 * w.grad
    b.data -= 0.1 * b.grad
    print(f"step {step} loss {loss.data:.6f} w {w.data:.6f}")
print(type(w).__name__, type(w).__mro__[1].__module__)
