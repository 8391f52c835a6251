"""Right rules, wrong order: backward() walks down the graph recursively, calling each
node's _backward() as soon as it reaches it, instead of in reverse topological order."""


class Value:
    def __init__(self, data, _children=(), _op=""):
        self.data = data
        self.grad = 0.0
        self._backward = lambda: None
        self._prev = set(_children)
        self._op = _op

    def __add__(self, other):
        out = Value(self.data + other.data, (self, other), "+")

        def _backward():
            self.grad += out.grad
            other.grad += out.grad

        out._backward = _backward
        return out

    def __mul__(self, other):
        out = Value(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._backward = _backward
        return out

    def backward(self):
        self.grad = 1.0
        visited = set()

        def visit(v):
            if v not in visited:
                visited.add(v)
                v._backward()
                for child in v._prev:
                    visit(child)

        visit(self)
