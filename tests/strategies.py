"""Bounded Hypothesis strategies, kept in one place.

* :func:`programs` and :func:`build`: random graphs that use every op of the engine,
  including the fused ``Σwx+b`` node, with nodes reused (``x * x``, shared subexpressions).
  A graph is drawn as a straight-line program: each step names an op and the earlier nodes
  it reads. Steps whose operands are outside the op's domain (log of a negative number, a
  tiny divisor, a huge exponent) become ``tanh`` instead, so every graph is finite.
* :func:`networks`: small random MLPs with a loss.
* :func:`smooth_programs` and :func:`run_smooth_program`: expressions of ops that stay
  smooth on [-2, 2], for comparisons with central differences.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from hypothesis import strategies as st

from tinygrad_edu import MLP, Value, half_sum_squared_error, weighted_sum

OPS = ("+", "-", "*", "/", "neg", "**", "pow", "exp", "log", "sigmoid", "tanh", "relu", "Σwx+b")
EXPONENTS = (2.0, 3.0, 0.5, -1.0)
LIMIT = 1e3  # values stay below this, so products of local derivatives stay finite

values = st.floats(-2.0, 2.0, allow_nan=False, allow_infinity=False)


@st.composite
def programs(draw, max_leaves: int = 4, max_steps: int = 12):
    """``(leaf values, steps)``; a step is ``(op, operand indices, exponent)``."""
    leaves = draw(st.lists(values, min_size=1, max_size=max_leaves))
    steps = []
    for k in range(draw(st.integers(1, max_steps))):
        available = len(leaves) + k
        index = st.integers(0, available - 1)
        op = draw(st.sampled_from(OPS))
        if op == "Σwx+b":
            n = draw(st.integers(1, 3))
            operands = tuple(draw(st.lists(index, min_size=2 * n + 1, max_size=2 * n + 1)))
        elif op in ("+", "-", "*", "/", "pow"):
            operands = (draw(index), draw(index))
        else:
            operands = (draw(index),)
        steps.append((op, operands, draw(st.sampled_from(EXPONENTS))))
    return leaves, steps


def build(leaves: list[float], steps) -> tuple[list[Value], Value]:
    """Run a program: the labelled leaves ``x0, x1, …`` and the last node as root."""
    nodes = [Value(x, label=f"x{i}") for i, x in enumerate(leaves)]
    leaf_nodes = list(nodes)
    for op, operands, exponent in steps:
        nodes.append(_apply(op, [nodes[i] for i in operands], exponent))
    return leaf_nodes, nodes[-1]


def _apply(op: str, args: list[Value], exponent: float) -> Value:
    a = args[0]
    b = args[1] if len(args) > 1 else None
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*" and abs(a.data * b.data) < LIMIT:
        return a * b
    if op == "/" and abs(b.data) > 0.1 and abs(a.data / b.data) < LIMIT:
        return a / b
    if op == "neg":
        return -a
    if op == "**" and _power_ok(a.data, exponent):
        return a**exponent
    if op == "pow" and 0.1 < a.data < 10.0 and abs(b.data) < 3.0:
        return a**b
    if op == "exp" and a.data < 5.0:
        return a.exp()
    if op == "log" and a.data > 0.1:
        return a.log()
    if op == "sigmoid":
        return a.sigmoid()
    if op == "relu":
        return a.relu()
    if op == "Σwx+b" and all(abs(v.data) < 30.0 for v in args):
        n = len(args) // 2
        return weighted_sum(args[:n], args[n : 2 * n], args[-1])
    return a.tanh()  # the fallback: defined and bounded everywhere


def _power_ok(x: float, n: float) -> bool:
    if n == 0.5:
        return x > 0.1
    if n == -1.0:
        return abs(x) > 0.1
    return abs(x) < 10.0


@st.composite
def networks(draw):
    """``(model, loss)``: a random small MLP, fused or not, on one random example with
    E = ½ Σ (a − y)²."""
    nin = draw(st.integers(1, 3))
    sizes = draw(st.lists(st.integers(1, 3), min_size=1, max_size=3))
    activation = draw(st.sampled_from(("sigmoid", "tanh", "relu", "linear")))
    model = MLP(
        nin,
        sizes,
        activation=activation,
        output_activation=draw(st.sampled_from(("sigmoid", "linear"))),
        seed=draw(st.integers(0, 2**16)),
        fused=draw(st.booleans()),
    )
    x = draw(st.lists(values, min_size=nin, max_size=nin))
    y = draw(st.lists(values, min_size=sizes[-1], max_size=sizes[-1]))
    outputs = model(x)
    loss = half_sum_squared_error(outputs, y)
    assert math.isfinite(loss.data)
    return model, loss


# Ops whose result stays finite and smooth for operands in [-2, 2] (division and log are
# guarded so their inputs stay away from 0).
UNARY: dict[str, Callable[[Value], Value]] = {
    "sigmoid": Value.sigmoid,
    "tanh": Value.tanh,
    "exp_small": lambda v: (v * 0.3).exp(),
    "log_shifted": lambda v: (v * v + 1.0).log(),
    "neg": Value.__neg__,
    "square": lambda v: v**2,
}
BINARY: dict[str, Callable[[Value, Value], Value]] = {
    "+": Value.__add__,
    "-": Value.__sub__,
    "*": lambda a, b: a * b * 0.5,
    "/": lambda a, b: a / (b * b + 1.0),
    "pow": lambda a, b: (a * a + 0.5) ** (b * 0.5),
}

inputs = st.lists(st.floats(-2.0, 2.0, allow_nan=False), min_size=1, max_size=4)


@st.composite
def smooth_programs(draw, max_steps: int = 12):
    """A straight-line program: each step applies an op to earlier results (so nodes are
    reused), returned as a list of (op, operand indices)."""
    n_inputs = draw(st.integers(1, 4))
    steps = []
    for k in range(draw(st.integers(1, max_steps))):
        available = n_inputs + k
        if draw(st.booleans()):
            operand = draw(st.integers(0, available - 1))
            steps.append((draw(st.sampled_from(sorted(UNARY))), (operand,)))
        else:
            pair = (draw(st.integers(0, available - 1)), draw(st.integers(0, available - 1)))
            steps.append((draw(st.sampled_from(sorted(BINARY))), pair))
    xs = draw(st.lists(st.floats(-2.0, 2.0, allow_nan=False), min_size=n_inputs, max_size=n_inputs))
    return xs, steps


def run_smooth_program(steps, leaves: list[Value]) -> Value:
    nodes = list(leaves)
    for op, args in steps:
        fn = UNARY.get(op) or BINARY[op]
        nodes.append(fn(*(nodes[i] for i in args)))
    out = nodes[-1]
    # squash the result so central differences stay well conditioned
    return out.tanh() if math.isfinite(out.data) else out


# ----- sums that sum() builds, for the fold (tinygrad_edu.core.fold) ------------------------
# A term of a sum: a product made for it ("product", which the fold keeps as its pair), the
# same product also kept in a list ("held product", a node someone holds), an earlier node
# itself ("node"), or a temporary that is no product ("tanh").
TERM_FORMS = ("product", "held product", "node", "tanh")


@st.composite
def sum_programs(draw, max_leaves: int = 4, max_steps: int = 8):
    """``(leaf values, steps)`` of graphs made mostly by ``sum()``. A step is
    ``("sum", terms, start, keep)``: ``sum()`` of the terms, from 0 or from an earlier node
    ``start`` (re-extending a partial sum someone holds); with ``keep`` every partial sum is
    kept (``itertools.accumulate``) and each becomes a node later steps may reuse. Or it is
    ``("op", op, operands)``: ``+``, ``*`` or ``tanh`` of earlier nodes."""
    leaves = draw(st.lists(values, min_size=1, max_size=max_leaves))
    steps = []
    available = len(leaves)
    for _ in range(draw(st.integers(1, max_steps))):
        index = st.integers(0, available - 1)
        if draw(st.booleans()):
            terms = draw(
                st.lists(
                    st.tuples(st.sampled_from(TERM_FORMS), index, index), min_size=1, max_size=5
                )
            )
            start = draw(st.one_of(st.none(), index))
            keep = draw(st.booleans())
            steps.append(("sum", tuple(terms), start, keep))
            available += len(terms) if keep else 1
        else:
            op = draw(st.sampled_from(("+", "*", "tanh")))
            steps.append(("op", op, (draw(index), draw(index))))
            available += 1
    return leaves, steps


def build_sums(
    leaves: list[float], steps, node_class: type[Value] = Value
) -> tuple[list[Value], list[Value]]:
    """Run a :func:`sum_programs` program: its leaves (of ``node_class``), and every node it
    made (kept partial sums and held products included), the last one being the root."""
    from itertools import accumulate

    nodes = [node_class(x) for x in leaves]
    for i, node in enumerate(nodes):
        node.label = f"x{i}"
    leaf_nodes = list(nodes)
    made: list[Value] = []
    for step in steps:
        if step[0] == "op":
            _, op, (i, j) = step
            a, b = nodes[i], nodes[j]
            new = [a + b if op == "+" else a * b * 0.5 if op == "*" else a.tanh()]
        else:
            _, terms, start, keep = step
            held: list[Value] = []
            generated = _sum_terms(nodes, terms, held)
            if keep:  # every partial sum is held by the list, so none may be folded into
                first = 0 if start is None else nodes[start]
                new = list(accumulate(generated, initial=first))[1:]  # type: ignore[arg-type]
            else:
                new = [sum(generated) if start is None else sum(generated, nodes[start])]
            made += held
        nodes += new
        made += new
    return leaf_nodes, made


def _sum_terms(nodes: list[Value], terms, held: list[Value]):
    for form, i, j in terms:
        a, b = nodes[i], nodes[j]
        if form == "product":
            yield a * b if abs(a.data * b.data) < LIMIT else a.tanh() * b.tanh()
        elif form == "held product":
            product = a * b if abs(a.data * b.data) < LIMIT else a.tanh() * b.tanh()
            held.append(product)
            yield product
        elif form == "node":
            yield a
        else:
            yield (a * 0.001).tanh()
