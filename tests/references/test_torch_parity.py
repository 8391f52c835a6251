"""Parity with PyTorch float64: random expressions over every op, and random MLPs of every
activation, give the same values and gradients.

Expressions are built in tinygrad_edu, then the graph that was built is replayed node by node
with 0-d float64 tensors, so both sides do the same ops in the same order. Where the
arithmetic is the same IEEE operation (+, −, ×, ÷, negation, relu) the forward values are
compared exactly; so are the gradients of graphs made of +, −, ×, negation and relu in which
no node gets more than two gradient contributions (beyond two, the order of accumulation is
PyTorch's own). Everything else must agree within 1e-12 relative: exp, log, tanh, sigmoid
and pow come from different math libraries, which differ in the last bit.

In CI (``TINYGRAD_EDU_REQUIRE_ALL=1``) a missing torch fails these tests instead of skipping.
"""

from __future__ import annotations

import math
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tinygrad_edu import MLP, Value, mean_squared_error, softmax_cross_entropy, weighted_sum
from tinygrad_edu.core import topological_order
from tinygrad_edu.nn import ACTIVATIONS
from tinygrad_edu.torch_bridge import to_torch

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch

REL = 1e-12
EXACT_OPS = {"+", "-", "*", "neg", "relu"}  # the same IEEE operations forward and back

# ----- building random expressions -------------------------------------------------------------

UNARY = {
    "neg": Value.__neg__,
    "exp": Value.exp,
    "log": Value.log,
    "sigmoid": Value.sigmoid,
    "tanh": Value.tanh,
    "relu": Value.relu,
}
BINARY = {
    "+": Value.__add__,
    "-": Value.__sub__,
    "*": Value.__mul__,
    "/": Value.__truediv__,
    "pow": Value.__pow__,  # a Value exponent: both operands get gradients
}
CONSTANT = {  # a Value and a plain number, on either side
    "+c": lambda v, c: v + c,
    "c-": lambda v, c: c - v,
    "*c": lambda v, c: c * v,
    "c/": lambda v, c: c / v,
    "**c": lambda v, c: v**c,
}
EXPONENTS = st.sampled_from([2.0, 3.0, 0.5, -1.0, -2.0, 1.5, 0.0, 1.0]) | st.floats(-3.0, 3.0)


@st.composite
def programs(draw, ops: tuple[str, ...], max_steps: int = 10):
    """Leaves in [-3, 3] and steps (op, operand indices, constant) over earlier nodes."""
    leaves = draw(
        st.lists(
            st.floats(-3.0, 3.0) | st.sampled_from([0.0, 1.0, -1.0, 2.0]), min_size=1, max_size=4
        )
    )
    steps = []
    for k in range(draw(st.integers(1, max_steps))):
        available = len(leaves) + k
        op = draw(st.sampled_from(ops))
        if op == "Σwx+b":
            n = draw(st.integers(1, 3))
            args = tuple(draw(st.integers(0, available - 1)) for _ in range(2 * n + 1))
        else:
            arity = 2 if op in BINARY else 1
            args = tuple(draw(st.integers(0, available - 1)) for _ in range(arity))
        steps.append((op, args, draw(EXPONENTS)))
    return leaves, steps


SMALLEST_NORMAL = 2.2250738585072014e-308


def reciprocal_overflows(op: str, operands: list[Value]) -> bool:
    """Division by, or log of, a subnormal number: there the local derivative 1/x overflows
    to inf, and local × upstream is inf·0 = nan when upstream is 0, where PyTorch's
    upstream/x is a finite 0. A known limit of computing every edge as local × upstream."""
    divisor = {"/": -1, "c/": 0, "log": 0}.get(op)
    return divisor is not None and 0 < abs(operands[divisor].data) < SMALLEST_NORMAL


def build(leaves: list[float], steps) -> tuple[Value, list[Value]]:
    """Run a program. A step whose op raises one of the engine's documented errors (log of a
    negative, overflow, ...) is skipped: parity is about the graphs that can be built."""
    inputs = [Value(x, label=f"x{i}") for i, x in enumerate(leaves)]
    nodes = list(inputs)
    for op, args, constant in steps:
        operands = [nodes[i % len(nodes)] for i in args]  # skipped steps made no node
        if reciprocal_overflows(op, operands):
            continue
        try:
            if op in UNARY:
                node = UNARY[op](*operands)
            elif op in BINARY:
                node = BINARY[op](*operands)
            elif op in CONSTANT:
                node = CONSTANT[op](*operands, constant)
            else:
                n = len(operands) // 2
                node = weighted_sum(operands[:n], operands[n : 2 * n], operands[-1])
        except (ValueError, ZeroDivisionError, OverflowError):
            continue
        if math.isfinite(node.data) and abs(node.data) < 1e100:
            nodes.append(node)
    root = nodes[-1] if nodes[-1].children else nodes[-1] * 1.0
    return root, inputs


def replay_in_torch(root: Value) -> dict[int, object]:
    """The same graph with float64 tensors: id(node) -> tensor, interior tensors retaining
    their gradients, after ``backward()`` from the root."""
    tensors: dict[int, object] = {}
    for node in topological_order(root):
        t = [tensors[id(c)] for c in node.children]
        op = node.op
        if not op:
            out = torch.tensor(node.data, dtype=torch.float64, requires_grad=True)
        elif op in ("+", "-", "*", "/"):
            out = {"+": t[0] + t[1], "-": t[0] - t[1], "*": t[0] * t[1], "/": t[0] / t[1]}[op]
        elif op == "neg":
            out = -t[0]
        elif op.startswith("**"):  # a plain-number exponent: a constant, as in PyTorch
            out = t[0] ** float(op[2:])
        elif op == "pow":
            out = torch.pow(t[0], t[1])
        elif op == "Σwx+b":
            n = len(t) // 2
            out = t[-1]
            for w, x in zip(t[:n], t[n : 2 * n], strict=True):
                out = out + w * x
        else:
            out = getattr(torch, op)(t[0])
        if node.children:
            out.retain_grad()
        tensors[id(node)] = out
    tensors[id(root)].backward()
    return tensors


def error_scales(root: Value) -> tuple[dict[int, float], dict[int, float]]:
    """How far two correct float64 evaluations of the graph may drift apart, to first order
    and in units of the rounding error u, for each node's value (F) and gradient (G).

    F(node) = Σ|terms| + Σᵢ |∂node/∂childᵢ|·F(childᵢ)   (leaves are exact: F = 0), with
    Σ|terms| = |a| + |b| for a ± b (so a cancelling difference keeps its operands' scale)
    G(child) = Σ over parents p of  |local|·G(p) + |p.grad|·L(local) + |local·p.grad|
    where L bounds the error of computing the local derivative itself from inexact values.
    A difference within REL·F (or REL·G), with REL ≈ 4500u, is rounding, not a wrong rule.
    """
    order = topological_order(root)
    F: dict[int, float] = {}
    for node in order:
        if not node.children:
            F[id(node)] = 0.0
            continue
        kids = node.children
        if node.op in ("+", "-"):
            terms = abs(kids[0].data) + abs(kids[1].data)
        elif node.op == "Σwx+b":
            n = len(kids) // 2
            terms = abs(kids[-1].data) + sum(
                abs(w.data * x.data) for w, x in zip(kids[:n], kids[n:-1], strict=True)
            )
        else:
            terms = abs(node.data)
        spread = sum(abs(d) * F[id(c)] for d, c in zip(node.local_derivatives(), kids, strict=True))
        F[id(node)] = _bound(terms + spread)
    G = {id(node): 0.0 for node in order}
    for node in reversed(order):
        if node.children:
            upstream = abs(node.grad)
            locals_ = node.local_derivatives()
            for child, d, err in zip(node.children, locals_, _local_errors(node, F), strict=True):
                G[id(child)] = _bound(
                    G[id(child)] + abs(d) * G[id(node)] + upstream * err + abs(d) * upstream
                )
    return F, G


def _bound(x: float) -> float:
    return math.inf if math.isnan(x) else x


def _local_errors(node: Value, F: dict[int, float]) -> list[float]:
    """For each child, a bound (in units of u) on the error of ∂node/∂child as computed."""
    op, kids, v = node.op, node.children, node.data
    f = [F[id(c)] for c in kids]
    d = [abs(x) for x in node.local_derivatives()]

    def rel(k: int) -> float:  # relative error scale of child k's value
        return f[k] / abs(kids[k].data) if kids[k].data else (0.0 if f[k] == 0 else math.inf)

    if op in ("+", "-", "neg", "relu"):
        return [0.0] * len(kids)
    if op == "*":
        return [f[1], f[0]]
    if op == "Σwx+b":
        n = len(kids) // 2
        return [*f[n : 2 * n], *f[:n], 0.0]
    if op == "/":
        return [d[0] * (1 + rel(1)), d[1] * (2 + rel(0) + 2 * rel(1))]
    if op == "exp":
        return [F[id(node)]]
    if op == "log":
        return [d[0] * (1 + rel(0))]
    if op == "sigmoid":  # s·(1 − s): 1 − s cancels as s → 1
        return [v * (1 + v) + (1 + 2 * v) * F[id(node)]]
    if op == "tanh":  # 1 − t²: cancels as |t| → 1
        return [1 + v * v + 2 * abs(v) * F[id(node)]]
    x = kids[0].data  # "**n" and "pow"
    n, f_n = (float(op[2:]), 0.0) if op.startswith("**") else (kids[1].data, f[1])
    log_x = abs(math.log(abs(x))) if x else math.inf
    base = d[0] * (1 + abs(n - 1) * rel(0) + log_x * f_n)
    if op.startswith("**"):  # the exponent is a constant, not an operand
        return [_bound(base)]
    own = F[id(node)] / abs(v) if v else math.inf
    exponent = d[1] * (1 + own + (rel(0) / log_x if log_x else math.inf))
    return [_bound(base), _bound(exponent)]


def same(ours: float, theirs: float, scale: float, exact: bool, pole: bool = False) -> bool:
    """Equal, or (unless ``exact``) within REL·scale, ``scale`` being an error scale above.

    ``pole``: the graph takes xⁿ at x = 0 with n < 1, where the derivative is infinite and
    its sign depends on the side approached. There PyTorch computes (−0)^0.5 as sqrt(−0) = −0
    (IEEE sqrt keeps the sign of zero) while pow(−0, 0.5) = +0, so an infinite gradient may
    come out with the other sign; both are infinite, which is what is compared.
    """
    if math.isnan(ours) or math.isnan(theirs):
        return math.isnan(ours) and math.isnan(theirs)
    if pole and math.isinf(ours) and math.isinf(theirs):
        return True
    if exact or math.isinf(ours) or math.isinf(theirs):
        return ours == theirs
    return abs(ours - theirs) <= REL * scale


COMPARED: Counter = Counter()


def check_parity(root: Value, exact_values: bool, exact_grads: bool) -> None:
    root.backward()
    tensors = replay_in_torch(root)
    F, G = error_scales(root)
    nodes = topological_order(root)
    pole = any(
        (n.op == "pow" or n.op.startswith("**")) and n.children[0].data == 0.0 for n in nodes
    )
    exact_below: dict[int, bool] = {}  # made by IEEE operations only, all the way down
    for node in nodes:
        tensor = tensors[id(node)]
        exact_below[id(node)] = node.op in EXACT_OPS | {"/", "Σwx+b", ""} and all(
            exact_below[id(c)] for c in node.children
        )
        value_exact = exact_values and exact_below[id(node)]
        assert same(node.data, tensor.item(), F[id(node)], value_exact), ("value", node, tensor)
        torch_grad = 0.0 if tensor.grad is None else tensor.grad.item()
        assert same(node.grad, torch_grad, G[id(node)], exact_grads, pole), (
            "gradient",
            node,
            torch_grad,
        )
        COMPARED["expression values and gradients"] += 2


def max_uses(root: Value) -> int:
    uses = Counter(id(c) for node in topological_order(root) for c in node.children)
    return max(uses.values(), default=0)


ALL_OPS = (*UNARY, *BINARY, *CONSTANT, "Σwx+b")


@settings(max_examples=400, deadline=None)
@given(programs(ALL_OPS))
def test_random_expressions_over_every_op_match_torch(program):
    root, _ = build(*program)
    check_parity(root, exact_values=True, exact_grads=False)


@settings(max_examples=200, deadline=None)
@given(programs(("+", "-", "*", "neg", "relu", "+c", "c-", "*c", "/", "c/")))
def test_ieee_only_expressions_match_torch_values_exactly(program):
    root, _ = build(*program)
    check_parity(root, exact_values=True, exact_grads=False)


@settings(max_examples=200, deadline=None)
@given(programs(("+", "-", "*", "neg", "relu", "+c", "c-", "*c")))
def test_add_sub_mul_neg_relu_gradients_match_torch_exactly(program):
    root, _ = build(*program)
    exact = max_uses(root) <= 2
    check_parity(root, exact_values=True, exact_grads=exact)


@pytest.mark.parametrize(
    "base, exponent",
    [(0.0, 0.5), (0.0, 2.0), (0.0, 0.0), (-2.0, 2.0), (-2.0, 3.0), (2.0, -1.0), (1e-200, 0.5)],
)
def test_pow_edge_cases_match_torch(base, exponent):
    for make in (lambda x: x**exponent, lambda x: x ** Value(exponent, label="n")):
        x = Value(base, label="x")
        check_parity(make(x), exact_values=False, exact_grads=False)


@pytest.mark.parametrize("x", [1000.0, -1000.0, 745.0, -745.0, 30.0, -30.0])
def test_saturated_activations_match_torch(x):
    for op in (Value.sigmoid, Value.tanh):
        root = op(Value(x)) * 2.0
        root.backward()
        tensors = replay_in_torch(root)
        leaf = root.children[0].children[0]
        # σ(−745) is the subnormal 5e-324 here (e^x/(1+e^x)) and 0 in PyTorch (1/(1+e^-x)):
        # equal up to the two smallest subnormals
        assert math.isclose(root.data, tensors[id(root)].item(), rel_tol=REL, abs_tol=1e-323)
        assert math.isclose(leaf.grad, tensors[id(leaf)].grad.item(), rel_tol=REL, abs_tol=1e-323)


# ----- random MLPs against to_torch ------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 5), min_size=2, max_size=4),
    hidden=st.sampled_from(sorted(ACTIVATIONS)),
    output=st.sampled_from(sorted(ACTIVATIONS)),
    init=st.sampled_from(["xavier", "he", "uniform"]),
    fused=st.booleans(),
    seed=st.integers(0, 2**16),
    data=st.data(),
)
def test_random_mlps_of_every_activation_match_torch(
    sizes, hidden, output, init, fused, seed, data
):
    model = MLP(sizes[0], sizes[1:], hidden, output, init=init, seed=seed, fused=fused)
    x = data.draw(st.lists(st.floats(-2.0, 2.0), min_size=sizes[0], max_size=sizes[0]))
    y = data.draw(st.lists(st.floats(-1.0, 1.0), min_size=sizes[-1], max_size=sizes[-1]))
    inputs = model.inputs(x)
    outputs = model(inputs)
    loss = mean_squared_error(outputs, y)
    loss.backward()

    seq = to_torch(model)
    x_t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    out_t = seq(x_t)
    loss_t = torch.nn.functional.mse_loss(out_t, torch.tensor(y, dtype=torch.float64))
    loss_t.backward()

    F, G = error_scales(loss)
    outs = outputs if isinstance(outputs, list) else [outputs]
    linears = [m for m in seq if isinstance(m, torch.nn.Linear)]
    # (ours, PyTorch's, error scale): outputs, loss, every parameter's and input's gradient
    pairs = [(o.data, t, F[id(o)]) for o, t in zip(outs, out_t.tolist(), strict=True)]
    pairs.append((loss.data, loss_t.item(), F[id(loss)]))
    for layer, linear in zip(model.layers, linears, strict=True):
        for j, neuron in enumerate(layer.neurons):
            pairs += [
                (w.grad, linear.weight.grad[j, i].item(), G[id(w)]) for i, w in enumerate(neuron.w)
            ]
            pairs.append((neuron.b.grad, linear.bias.grad[j].item(), G[id(neuron.b)]))
    pairs += [(xi.grad, g, G[id(xi)]) for xi, g in zip(inputs, x_t.grad.tolist(), strict=True)]
    for ours, theirs, scale in pairs:
        assert same(ours, theirs, scale, exact=False), (ours, theirs, scale, model)
    COMPARED["mlp values and gradients"] += len(pairs)


@pytest.mark.parametrize("hidden", sorted(ACTIVATIONS))
def test_softmax_cross_entropy_of_an_mlp_matches_torch_cross_entropy(hidden):
    model = MLP(3, [5, 4], hidden, "linear", seed=11)
    logits = model([0.2, -1.0, 0.7])
    loss = softmax_cross_entropy(logits, 2)
    loss.backward()
    seq = to_torch(model)
    logits_t = seq(torch.tensor([[0.2, -1.0, 0.7]], dtype=torch.float64))
    loss_t = torch.nn.functional.cross_entropy(logits_t, torch.tensor([2]))
    loss_t.backward()
    assert math.isclose(loss.data, loss_t.item(), rel_tol=REL)
    for l, linear in enumerate(m for m in seq if isinstance(m, torch.nn.Linear)):
        for j, neuron in enumerate(model.layers[l].neurons):
            for i, w in enumerate(neuron.w):
                assert math.isclose(
                    w.grad, linear.weight.grad[j, i].item(), rel_tol=REL, abs_tol=1e-15
                )
