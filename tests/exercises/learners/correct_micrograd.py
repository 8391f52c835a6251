"""A correct lecture-style engine in micrograd's protocol, every op the checker probes."""

import math


class Value:
    def __init__(self, data, _children=(), _op=""):
        self.data = data
        self.grad = 0.0
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

    def __pow__(self, n):
        out = Value(self.data**n, (self,), f"**{n}")

        def _backward():
            self.grad += n * self.data ** (n - 1) * out.grad

        out._backward = _backward
        return out

    def _unary(self, data, op, derivative):
        out = Value(data, (self,), op)

        def _backward():
            self.grad += derivative(out) * out.grad

        out._backward = _backward
        return out

    def exp(self):
        return self._unary(math.exp(self.data), "exp", lambda out: out.data)

    def log(self):
        return self._unary(math.log(self.data), "log", lambda out: 1 / self.data)

    def tanh(self):
        return self._unary(math.tanh(self.data), "tanh", lambda out: 1 - out.data**2)

    def sigmoid(self):
        s = 1 / (1 + math.exp(-self.data))
        return self._unary(s, "sigmoid", lambda out: out.data * (1 - out.data))

    def relu(self):
        return self._unary(max(self.data, 0.0), "ReLU", lambda out: float(out.data > 0))

    def __neg__(self):
        return self * -1

    def __sub__(self, other):
        return self + (-other)

    def __truediv__(self, other):
        return self * other**-1

    def __radd__(self, other):
        return self + other

    def __rmul__(self, other):
        return self * other

    def __rsub__(self, other):
        return other + (-self)

    def __rtruediv__(self, other):
        return other * self**-1

    def backward(self):
        order, visited, stack = [], set(), [(self, False)]
        while stack:  # an iterative depth-first search: no recursion limit
            node, children_done = stack.pop()
            if children_done:
                order.append(node)
            elif node not in visited:
                visited.add(node)
                stack.append((node, True))
                stack.extend((child, False) for child in node._prev)
        for node in order:
            node.grad = 0.0
        self.grad = 1.0
        for node in reversed(order):
            node._backward()
