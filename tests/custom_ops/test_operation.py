"""custom_op: a user's op is first-class (backward, steps, drawing, explain, gradcheck,
no_grad, anomaly mode, networks, model files), and bad definitions are refused."""

from __future__ import annotations

import json
import math

import pytest

from tinygrad_edu import (
    MLP,
    AnomalyError,
    CheckpointError,
    Value,
    chain_paths,
    custom_op,
    detect_anomaly,
    draw_dot,
    explain,
    gradcheck,
    no_grad,
    to_torch,
)
from tinygrad_edu.core import ops
from tinygrad_edu.nn import ACTIVATIONS

from tests.custom_ops.softplus import make_softplus, sigmoid

# ----- first-class --------------------------------------------------------------------------------


def test_softplus_computes_and_backpropagates_like_a_built_in_op():
    softplus = make_softplus(rule="σ({x})")
    x = Value(0.5, label="x")
    h = (x * 3.0).tanh()
    h.label = "h"
    y = softplus(h)
    assert y.op == "softplus" and y.children == (h,)
    assert y.data == math.log1p(math.exp(h.data))
    y.backward()
    assert x.grad == pytest.approx(sigmoid(h.data) * (1 - h.data**2) * 3.0, rel=1e-15)
    assert y.local_derivatives() == (sigmoid(h.data),)


def test_softplus_in_the_stepper_the_drawing_and_the_explanation():
    softplus = make_softplus(rule="σ({x})")
    x = Value(0.5, label="x")
    y = softplus(x * 2.0)
    y.label = "y"
    first, second = y.backward_steps()
    assert str(first).startswith("at 'y' (softplus): upstream gradient 1\n")
    assert first.edges[0].local == sigmoid(1.0)
    assert "softplus" in draw_dot(y, show_local=True).source
    text = explain(y, x, collapse=False)
    assert "∂y/∂v2 = σ(v2) = 0.731059 (softplus)" in text
    assert "check: x.grad = 1.46212, equal to the sum exactly" in text
    (path,) = chain_paths(y, x)
    assert path.product == x.grad


def test_the_default_rule_is_never_empty():
    cube = custom_op("cube", lambda x: x**3, lambda x, out: (3 * x**2,))
    x = Value(2.0, label="x")
    y = cube(x)
    y.backward()
    assert "∂E/∂x = cube′(x) = 12 (cube)" in explain(y, x)


def test_gradcheck_and_no_grad_and_anomaly_mode_treat_it_as_their_own():
    softplus = make_softplus()
    assert gradcheck(lambda v: softplus(v * v), [0.3])
    with no_grad():
        y = softplus(Value(0.2))
    assert y.children == () and y.data == math.log1p(math.exp(0.2))
    with pytest.raises(RuntimeError, match="no_grad"):
        y.backward()
    pole = custom_op("inverse", lambda x: 1.0 / x, lambda x, out: (-out * out,))
    with detect_anomaly():
        z = pole(Value(1e-200, label="z"))
        with pytest.raises(AnomalyError, match="backward of op 'inverse'.*gave gradient -inf"):
            z.backward()


def test_a_forward_value_that_overflows_raises_naming_the_op():
    grow = custom_op("grow", math.exp, lambda x, out: (out,))
    with pytest.raises(OverflowError, match="'grow' overflows a float for input 'z' = 1000.0"):
        grow(Value(1000.0, label="z"))


def test_three_operands_are_kept_as_a_tuple_as_weighted_sum_keeps_them():
    fma = custom_op("fma", lambda a, b, c: a * b + c, lambda a, b, c, out: (b, a, 1.0))
    a, b, c = Value(2.0, label="a"), Value(-3.0, label="b"), Value(0.5, label="c")
    y = fma(a, b, 4.0)
    y.label = "y"
    out = y + c
    out.backward()
    assert (a.grad, b.grad, y.children[2].data) == (-3.0, 2.0, 4.0)
    assert "∂y/∂a = ∂fma/∂a = -3 (fma)" in explain(out, a)


def test_making_an_op_of_the_same_symbol_again_replaces_it():
    make_softplus()
    second = make_softplus(rule="σ({0})")
    assert [op for op in ops.all_ops() if op.symbol == "softplus"] == [second.operation]


# ----- networks and files ------------------------------------------------------------------------


def test_a_network_takes_a_custom_op_as_its_activation(tmp_path):
    softplus = make_softplus()
    assert "softplus" in ACTIVATIONS and ACTIVATIONS["softplus"] is softplus
    model = MLP(2, [3, 1], activation=softplus, output_activation="linear", seed=0)
    assert model.activation == "softplus" and "activation='softplus'" in repr(model)
    out = model([0.5, -1.0])
    assert [child.op for child in out.children].count("softplus") == 3  # a1[0], a1[1], a1[2]
    out.backward()
    assert all(math.isfinite(p.grad) for p in model.parameters())
    model.save(tmp_path / "model.json")
    same = MLP.load(tmp_path / "model.json")
    assert [p.data for p in same.parameters()] == [p.data for p in model.parameters()]
    assert same([0.5, -1.0]).data == out.data


def test_a_model_that_needs_a_custom_op_says_so_on_load(tmp_path):
    model = MLP(2, [3, 1], activation=make_softplus(), seed=0)
    model.save(tmp_path / "model.json")
    ops.unregister("softplus")  # a new program, which has not made softplus
    with pytest.raises(CheckpointError) as raised:
        MLP.load(tmp_path / "model.json")
    message = str(raised.value)
    assert "field 'architecture.activation': the model needs the activation 'softplus'" in message
    assert (
        "make it with tinygrad_edu.custom_op('softplus', forward, local) before loading" in message
    )
    assert (
        json.loads((tmp_path / "model.json").read_text())["architecture"]["activation"]
        == "softplus"
    )


def test_the_pytorch_bridge_refuses_a_custom_activation_clearly():
    model = MLP(2, [3, 1], activation=make_softplus(), seed=0)
    with pytest.raises(
        ValueError, match="to_torch: the activation 'softplus' has no torch.nn module"
    ):
        to_torch(model)


def test_an_op_of_two_operands_is_no_activation():
    times = custom_op("times", lambda a, b: a * b, lambda a, b, out: (b, a))
    with pytest.raises(
        ValueError, match="the custom op 'times' takes 2 operands; an activation takes one"
    ):
        MLP(2, [1], activation=times)


# ----- what custom_op refuses --------------------------------------------------------------------


@pytest.mark.parametrize(
    "args, error, match",
    [
        (("tanh", math.tanh, lambda x, out: (1 - out**2,)), ValueError, "'tanh' is a built-in op"),
        (("linear", abs, lambda x, out: (1,)), ValueError, "'linear' is a built-in op"),
        (("soft plus", math.exp, lambda x, out: (out,)), ValueError, "one word, without spaces"),
        (("**2", math.exp, lambda x, out: (out,)), ValueError, "'\\*\\*2' must be a name"),
        (("+", math.exp, lambda x, out: (out,)), ValueError, "starts with a letter"),
        (("2x", math.exp, lambda x, out: (out,)), ValueError, "starts with a letter"),
        ((3, math.exp, lambda x, out: (out,)), TypeError, "the symbol must be a short name"),
        (("f", "x", lambda x, out: (1,)), TypeError, "forward must be a function, got str 'x'"),
        (("f", lambda *xs: 0.0, lambda x, out: (1,)), TypeError, "a fixed number of operands"),
        (("f", lambda: 0.0, lambda out: ()), TypeError, "forward takes no operand"),
        (
            ("f", math.exp, lambda x: (1,)),
            TypeError,
            "local must take the operands and the keyword out",
        ),
        (("f", math.exp, None), TypeError, "local must be a function"),
    ],
)
def test_bad_definitions_are_refused_naming_what_is_wrong(args, error, match):
    with pytest.raises(error, match=match):
        custom_op(*args)
    assert all(op.symbol != args[0] for op in ops.all_ops()[len(ops.ALL_OPS) :])


def test_bad_rules_are_refused_at_definition():
    with pytest.raises(ValueError, match=r"the rule for x does not fit"):
        custom_op("f", math.exp, lambda x, out: (out,), rule="σ({y})")
    with pytest.raises(ValueError, match="one template per operand"):
        custom_op("g", lambda a, b: a * b, lambda a, b, out: (b, a), rule="b")


def test_bad_calls_and_bad_results_are_refused():
    softplus = make_softplus()
    with pytest.raises(TypeError, match=r"softplus takes 1 operand \(x\), got 2"):
        softplus(Value(1.0), Value(2.0))
    with pytest.raises(TypeError, match="'softplus' needs a Value or a real number"):
        softplus("1")
    text = custom_op("text", lambda x: "one", lambda x, out: (0.0,))
    with pytest.raises(TypeError, match="forward must return a number, got str 'one'"):
        text(Value(1.0))
    pair = custom_op("pair", lambda x: x, lambda x, out: (1.0, 2.0))
    with pytest.raises(TypeError, match=r"local must return 1 number, one per operand \(x\)"):
        pair(Value(1.0))


def test_a_nan_result_is_called_undefined_not_an_overflow():
    undefined = custom_op("undefined", lambda x: math.nan, lambda x, out: (1.0,), check=False)
    with pytest.raises(ValueError, match=r"'undefined' gives nan .*not a number") as refused:
        undefined(Value(1.0))
    assert "overflow" not in str(refused.value)


def test_a_result_too_large_for_a_float_names_the_op_and_its_input():
    huge = custom_op("huge", lambda x: 10**400, lambda x, out: (1.0,), check=False)
    with pytest.raises(
        OverflowError,
        match=r"custom op 'huge': forward gives an int of about "
        r"10\*\*400 for input 'x' = 1.0",
    ):
        huge(Value(1.0, label="x"))
    steep = custom_op("steep", lambda x: x, lambda x, out: (10**400,), check=False)
    y = steep(Value(1.0))
    with pytest.raises(OverflowError, match=r"custom op 'steep': local gives an int"):
        y.backward()
