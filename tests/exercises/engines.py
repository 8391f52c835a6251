"""Learners' engines for the checker's tests, written here from scratch: one factory per
protocol, each making a small micrograd-style ``Value`` class with one mistake planted, or
none.

* :func:`micrograd_style`: nodes keep ``_prev`` and ``_op``, and each has a ``_backward()``
  closure that adds to its children's ``grad``; ``backward()`` sorts and calls them.
* :func:`local_style`: nodes keep ``_children`` and ``_local_grads``; ``backward()`` sorts and
  multiplies.

A :class:`Mistake` names the op (its usual symbol; ``None`` for ``backward()`` itself), the
operand and the kind, with the checker's names for kinds. With ``composite=True`` the classes
build ``-``, unary ``-`` and ``/`` from ``+``, ``*`` and ``**`` as micrograd does; otherwise
each op is one node.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection
from dataclasses import dataclass

OPS = ("+", "*", "-", "/", "neg", "**", "exp", "log", "tanh", "sigmoid", "relu")
COMPOSED = ("-", "neg", "/")  # built from other ops when composite=True
BINARY = ("+", "*", "-", "/")

# Per op: the local derivatives from the operands' numbers xs and the result out, and the
# same formula taken at the wrong point (a learner's usual slip), for ops that have one.
LOCALS: dict[str, Callable[[tuple[float, ...], float], tuple[float, ...]]] = {
    "+": lambda xs, out: (1.0, 1.0),
    "*": lambda xs, out: (xs[1], xs[0]),
    "-": lambda xs, out: (1.0, -1.0),
    "/": lambda xs, out: (1.0 / xs[1], -xs[0] / xs[1] ** 2),
    "neg": lambda xs, out: (-1.0,),
    "**": lambda xs, out: (xs[1] * xs[0] ** (xs[1] - 1),),  # xs = (x, n)
    "exp": lambda xs, out: (out,),
    "log": lambda xs, out: (1.0 / xs[0],),
    "tanh": lambda xs, out: (1.0 - out**2,),
    "sigmoid": lambda xs, out: (out * (1.0 - out),),
    "relu": lambda xs, out: (1.0 if xs[0] > 0 else 0.0,),
}
WRONG_POINT: dict[str, Callable[[tuple[float, ...], float], tuple[float, ...]]] = {
    "**": lambda xs, out: (xs[1] * out ** (xs[1] - 1),),
    "exp": lambda xs, out: (xs[0],),
    "log": lambda xs, out: (1.0 / out,),
    "tanh": lambda xs, out: (1.0 - xs[0] ** 2,),
    "sigmoid": lambda xs, out: (xs[0] * (1.0 - xs[0]),),
}
FORWARD: dict[str, Callable[..., float]] = {
    "+": lambda a, b: a + b,
    "*": lambda a, b: a * b,
    "-": lambda a, b: a - b,
    "/": lambda a, b: a / b,
    "neg": lambda a: -a,
    "exp": math.exp,
    "log": math.log,
    "tanh": math.tanh,
    "sigmoid": lambda a: 1.0 / (1.0 + math.exp(-a)),
    "relu": lambda a: a if a > 0 else 0.0,
}

# What can be planted where: per-edge kinds (in the op's rule), engine kinds (in backward()).
EDGE_KINDS = ("sign", "scale", "wrong-point", "swapped", "kink")
RULE_KINDS = ("overwrite", "missing-upstream")  # in a rule only where the rule adds (micrograd)
ENGINE_KINDS = ("order", "seed")
LOCAL_ENGINE_KINDS = ("overwrite", "missing-upstream")  # in the local protocol's backward()


@dataclass(frozen=True)
class Mistake:
    op: str | None
    operand: int | None
    kind: str


def plantable(op: str, protocol: str) -> list[tuple[int | None, str]]:
    """The (operand, kind) mistakes that can be planted in ``op`` and that change its
    gradients (``+`` has two equal derivatives, so swapping them changes nothing)."""
    operands = (0, 1) if op in BINARY else (0,)
    kinds = ["sign", "scale"] + (list(RULE_KINDS) if protocol == "micrograd" else [])
    found: list[tuple[int | None, str]] = [(i, k) for i in operands for k in kinds]
    if op in WRONG_POINT:
        found.append((0, "wrong-point"))
    if op in BINARY and op != "+":
        found.append((None, "swapped"))
    if op == "relu":
        found.append((0, "kink"))
    return found


def _locals(op: str, xs: tuple[float, ...], out: float, mistake: Mistake | None) -> list[float]:
    """The local derivatives of ``op``, with the mistake's change if it is planted here."""
    locals_ = list(LOCALS[op](xs, out))
    if mistake is None or mistake.op != op:
        return locals_
    i = mistake.operand
    if mistake.kind == "sign" and i is not None:
        locals_[i] = -locals_[i]
    elif mistake.kind == "scale" and i is not None:
        locals_[i] = 2.0 * locals_[i]
    elif mistake.kind == "wrong-point":
        locals_ = list(WRONG_POINT[op](xs, out))
    elif mistake.kind == "swapped":
        locals_.reverse()
    elif mistake.kind == "kink" and xs[0] == 0.0:
        locals_ = [-1.0]  # relu′(0) taken as −1: no subgradient (those are 0 to 1)
    elif mistake.kind == "subgradient" and xs[0] == 0.0:
        locals_ = [1.0]  # relu′(0) taken as 1, as `x >= 0` gives: valid, not PyTorch's
    return locals_


def micrograd_style(
    mistake: Mistake | None = None, composite: bool = False, ops: Collection[str] = OPS
) -> type:
    """A micrograd-protocol class with ``mistake`` planted (or none), with the ``ops`` only."""

    class Value:
        def __init__(self, data, _children=(), _op=""):
            self.data = data
            self.grad = 0.0
            self._backward = lambda: None
            self._prev = set(_children)
            self._op = _op

        def _make(self, op, operands, data, n=None):
            out = Value(data, operands, op if n is None else f"**{n}")
            xs = tuple(v.data for v in operands) + ((n,) if n is not None else ())

            def _backward():
                for i, (child, local) in enumerate(
                    zip(operands, _locals(op, xs, data, mistake), strict=True)
                ):
                    here = mistake is not None and mistake.op == op and mistake.operand == i
                    if here and mistake.kind == "overwrite":
                        child.grad = local * out.grad
                    elif here and mistake.kind == "missing-upstream":
                        child.grad += local
                    else:
                        child.grad += local * out.grad

            out._backward = _backward
            return out

        def backward(self):
            _backward_micrograd(self, mistake)

    _add_operators(Value, composite, ops)
    return Value


def local_style(
    mistake: Mistake | None = None, composite: bool = False, ops: Collection[str] = OPS
) -> type:
    """A local-gradients class with ``mistake`` planted (or none), with the ``ops`` only."""

    class Value:
        def __init__(self, data, children=(), local_grads=()):
            self.data = data
            self.grad = 0.0
            self._children = children
            self._local_grads = local_grads

        def _make(self, op, operands, data, n=None):
            xs = tuple(v.data for v in operands) + ((n,) if n is not None else ())
            return Value(data, operands, tuple(_locals(op, xs, data, mistake)))

        def backward(self):
            _backward_local(self, mistake)

    _add_operators(Value, composite, ops)
    return Value


def _add_operators(cls: type, composite: bool, ops: Collection[str]) -> None:
    """The same operators for both protocols, each made by the class's ``_make``; only
    ``ops`` (with their reflected forms), and composite ones only where their parts are."""

    def wrap(x):
        return x if isinstance(x, cls) else cls(float(x))

    def binary(op):
        def method(self, other):
            other = wrap(other)
            return self._make(op, (self, other), FORWARD[op](self.data, other.data))

        return method

    def unary(op):
        def method(self):
            return self._make(op, (self,), FORWARD[op](self.data))

        return method

    def power(self, n):
        return self._make("**", (self,), self.data**n, n)

    methods = {
        "+": {"__add__": binary("+"), "__radd__": lambda self, other: wrap(other) + self},
        "*": {"__mul__": binary("*"), "__rmul__": lambda self, other: wrap(other) * self},
        "**": {"__pow__": power},
        "-": {"__sub__": binary("-"), "__rsub__": lambda self, other: wrap(other) - self},
        "neg": {"__neg__": unary("neg")},
        "/": {"__truediv__": binary("/"), "__rtruediv__": lambda self, other: wrap(other) / self},
        **{name: {name: unary(name)} for name in ("exp", "log", "tanh", "sigmoid", "relu")},
    }
    if composite:  # as micrograd builds them: from + and *, and ** for /
        methods["neg"] = {"__neg__": lambda self: self * -1}
        methods["-"]["__sub__"] = lambda self, other: self + (-wrap(other))
        methods["/"]["__truediv__"] = lambda self, other: self * wrap(other) ** -1
    for op in ops:
        for name, method in methods[op].items():
            setattr(cls, name, method)


def _children(node) -> list:
    return list(node._prev) if hasattr(node, "_prev") else list(node._children)


def _order(root, mistake: Mistake | None) -> list:
    """The nodes to visit, root first: reverse topological order, or with the "order"
    mistake breadth-first, which visits a node as soon as one user has been visited."""
    if mistake is not None and mistake.kind == "order":
        order, seen, queue = [], {id(root)}, [root]
        while queue:
            node = queue.pop(0)
            order.append(node)
            for child in _children(node):
                if id(child) not in seen:
                    seen.add(id(child))
                    queue.append(child)
        return order
    topo, seen, stack = [], set(), [(root, False)]
    while stack:  # iterative, so a chain of thousands of nodes is fine
        node, done = stack.pop()
        if done:
            topo.append(node)
        elif id(node) not in seen:
            seen.add(id(node))
            stack.append((node, True))
            stack.extend((child, False) for child in _children(node))
    return topo[::-1]


def _seed(root, mistake: Mistake | None) -> None:
    if mistake is None or mistake.kind != "seed":
        root.grad = 1.0


def _backward_micrograd(root, mistake: Mistake | None) -> None:
    _seed(root, mistake)
    for node in _order(root, mistake):
        node._backward()


def _backward_local(root, mistake: Mistake | None) -> None:
    _seed(root, mistake)
    engine = mistake.kind if mistake is not None and mistake.op is None else None
    for node in _order(root, mistake):
        # a learner's zip: a test replaces the children by a set, which is shorter
        for child, local in zip(node._children, node._local_grads):  # noqa: B905
            if engine == "overwrite":
                child.grad = local * node.grad
            elif engine == "missing-upstream":
                child.grad += local
            else:
                child.grad += local * node.grad
