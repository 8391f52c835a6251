"""Every op in the one table of ops (``core/ops.py``'s ``ALL_OPS``) is complete everywhere:
its math, its words, its ``Value`` method, the micrograd drop-in, ``--expr``, the PyTorch
bridge and the layer view all read it from its class. A new op that misses any of them
fails here, not silently in a learner's notebook.

``MAKERS`` below says how to make one node of each op; adding an op to ``ALL_OPS`` without
adding it here fails the first test.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest

from tinygrad_edu import Value
from tinygrad_edu.core import layer_weighted_sums, ops, weighted_sum
from tinygrad_edu.lenses.expression import FUNCTIONS
from tinygrad_edu.lenses.gradcheck import numerical_gradient
from tinygrad_edu.microgpt import Value as MicrogptValue
from tinygrad_edu.micrograd import Value as MicrogradValue
from tinygrad_edu.nn.activations import ACTIVATIONS, derivative_symbols


def _leaves(values: tuple[float, ...], cls: type[Value] = Value) -> list[Value]:
    return [cls(v) for v in values]


MAKERS: dict[type[ops.Op], tuple[tuple[float, ...], Callable[..., Value]]] = {
    ops.Add: ((0.7, -0.4), lambda a, b: a + b),
    ops.Sub: ((0.7, -0.4), lambda a, b: a - b),
    ops.Mul: ((0.7, -0.4), lambda a, b: a * b),
    ops.Div: ((0.7, -0.4), lambda a, b: a / b),
    ops.Neg: ((0.7,), lambda a: -a),
    ops.PowConst: ((0.7,), lambda a: a**3),
    ops.Pow: ((0.7, 1.3), lambda a, b: a**b),
    ops.Exp: ((0.7,), lambda a: a.exp()),
    ops.Log: ((0.7,), lambda a: a.log()),
    ops.Sigmoid: ((0.7,), lambda a: a.sigmoid()),
    ops.Tanh: ((0.7,), lambda a: a.tanh()),
    ops.Relu: ((0.7,), lambda a: a.relu()),
    ops.Abs: ((-0.7,), lambda a: a.abs()),
    ops.WeightedSum: (
        (0.7, -0.4, 0.2, 0.9, 0.1),
        lambda w1, w2, x1, x2, b: weighted_sum([w1, w2], [x1, x2], b),
    ),
    ops.FoldedSum: (
        (0.7, -0.4, 0.2, 0.9, 0.1),
        lambda w1, w2, x1, x2, c: sum(
            w * x for w, x in ((w1, x1), (w2, x2), (c, c))
        ),  # the fold: see core/fold.py
    ),
    ops.GivenLocal: (  # microgpt's hand-made node: a·b with its local derivatives (b, a)
        (0.7, -0.4),
        lambda a, b: MicrogptValue(a.data * b.data, (a, b), (b.data, a.data)),
    ),
    ops.WeightedSumOfData: (
        (0.7, -0.4, 0.2, 0.9, 0.1),
        lambda w1, w2, x1, x2, b: layer_weighted_sums(
            [(w1, w2, b)], (x1, x2), inputs_are_data=True
        )[0],
    ),
}


def test_every_op_of_the_table_has_a_maker_here():
    assert set(MAKERS) == set(ops.ALL_OPS)


@pytest.mark.parametrize("op", ops.ALL_OPS, ids=lambda op: op.__name__)
def test_each_op_makes_its_node_with_its_math_and_its_words(op):
    values, make = MAKERS[op]
    leaves = _leaves(values)
    out = make(*leaves)
    assert out._operation is op and out.op.startswith(op.symbol.rstrip("?"))
    assert out.children and all(isinstance(child, Value) for child in out.children)
    local = out.local_derivatives()
    assert len(local) == len(out.children)
    names = [f"x{k}" for k in range(len(out.children))]
    assert op.formula(out, names)  # the words explain() prints
    for k in range(len(out.children)):
        assert isinstance(op.rule(out, k, names, "y"), str)
    # backward() gives the function's derivatives: central differences on each leaf
    expected = numerical_gradient(make, list(values))
    out.backward()
    for k, leaf in enumerate(leaves):
        if op is ops.WeightedSumOfData and 2 <= k < 4:
            assert leaf.grad == 0.0  # the inputs are data: backward leaves them alone
        else:
            assert math.isclose(leaf.grad, expected[k], rel_tol=1e-6, abs_tol=1e-8), (op, k)


@pytest.mark.parametrize("op", [op for op in ops.ALL_OPS if op.function], ids=lambda op: op.symbol)
def test_a_function_op_has_its_value_method_in_the_engine_the_drop_in_and_expr(op):
    assert callable(getattr(Value, op.function))
    made = getattr(MicrogradValue(0.7), op.function)()
    assert type(made) is MicrogradValue and issubclass(made._operation, op)  # ReLU: relu
    if op.arity == 1:
        assert FUNCTIONS[op.function] is getattr(Value, op.function)


@pytest.mark.parametrize("op", [op for op in ops.ALL_OPS if op.arity == 2 and not op.function])
def test_an_operator_of_the_drop_in_returns_the_drop_ins_value(op):
    values, make = MAKERS[op]
    assert type(make(*_leaves(values, MicrogradValue))) is MicrogradValue


@pytest.mark.parametrize(
    "op", [op for op in ops.ALL_OPS if op.activation], ids=lambda op: op.symbol
)
def test_an_activation_is_known_to_networks_the_bridge_and_the_layer_view(op):
    assert op.symbol in ACTIVATIONS and op.torch_module
    text, latex = derivative_symbols(op.symbol)
    assert text == op.derivative_symbol and text.endswith("′")
    assert latex == op.derivative_latex and latex.endswith("'")


def test_the_ops_whose_operand_order_matters_name_their_operands():
    ordered = {op for op in ops.ALL_OPS if op.operand_names}
    assert ordered == {ops.Sub, ops.Div, ops.Pow}
    for op in ordered:
        assert len(op.operand_names) == op.arity
        assert op.ordered_formula and all(name in op.ordered_formula for name in op.operand_names)
    # and the others are symmetric: swapping the operands changes neither value nor locals
    for op in ops.ALL_OPS:
        if op.arity == 2 and op not in ordered:
            values, make = MAKERS[op]
            a, b = _leaves(values)
            assert make(a, b).data == make(b, a).data
