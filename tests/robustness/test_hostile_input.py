"""Mistakes made on purpose: wrong types raise TypeError, wrong sizes and values raise
ValueError naming the expected and the actual, and none of them changes any parameter (each
training case snapshots every parameter's bits and the optimiser's state, before and after)."""

from __future__ import annotations

import io
import math
import struct
from decimal import Decimal
from fractions import Fraction

import pytest

from tinygrad_edu import (
    MLP,
    SGD,
    Adam,
    Value,
    hinge,
    mean_squared_error,
    softmax_cross_entropy,
    train,
)
from tinygrad_edu.nn import get_loss

NOT_NUMBERS = ["1.0", None, [1.0], (1.0,), {"x": 1}, b"1", 1j, True, Decimal("1.5"), object()]


def snapshot(model: MLP, *optimizers) -> tuple:
    """Every parameter's exact bits, gradient bits and optimiser state."""
    params = [struct.pack("<dd", p.data, p.grad) for p in model.parameters()]
    states = [repr({k: v for k, v in vars(o).items() if k != "params"}) for o in optimizers]
    return params, states


# ----- Value and its operators ---------------------------------------------------------------


@pytest.mark.parametrize("bad", NOT_NUMBERS, ids=lambda b: type(b).__name__)
def test_value_of_a_non_number_is_a_type_error_naming_what_was_given(bad):
    with pytest.raises(
        TypeError, match=rf"Value\(\) needs a real number .*got {type(bad).__name__}"
    ):
        Value(bad)


@pytest.mark.parametrize("label", [3, None, b"w", ["w"]])
def test_a_label_that_is_not_a_string_is_a_type_error(label):
    with pytest.raises(TypeError, match="label must be a str"):
        Value(1.0, label=label)


def test_real_numbers_of_other_kinds_are_accepted_exactly():
    assert Value(Fraction(1, 3)).data == 1 / 3
    assert Value(7).data == 7.0 and type(Value(7).data) is float


BINARY = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
    "**": lambda a, b: a**b,
}


@pytest.mark.parametrize("symbol", sorted(BINARY))
@pytest.mark.parametrize("bad", NOT_NUMBERS, ids=lambda b: type(b).__name__)
@pytest.mark.parametrize("side", ["left", "right"])
def test_operators_with_a_non_number_raise_type_error(symbol, bad, side):
    op = BINARY[symbol]
    v = Value(2.0, label="v")
    with pytest.raises(TypeError):
        op(v, bad) if side == "left" else op(bad, v)
    assert (v.data, v.grad, v.children) == (2.0, 0.0, ())


@pytest.mark.parametrize(
    "misuse",
    [
        lambda v: v // 2,
        lambda v: v % 2,
        lambda v: ~v,
        lambda v: v @ v,
        lambda v: v[0],
        lambda v: len(v),
        lambda v: iter(v),
        lambda v: int(v),
        lambda v: v.exp(2),
        lambda v: v.backward(1.0),
    ],
)
def test_operations_values_do_not_have_are_type_errors(misuse):
    with pytest.raises(TypeError):
        misuse(Value(2.0))


# ----- building a model ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs, error, fragment",
    [
        ({"nin": "3"}, TypeError, "nin must be a positive int, got str"),
        ({"nin": 3.0}, TypeError, "got float 3.0"),
        ({"nin": None}, TypeError, "nin"),
        ({"nin": True}, TypeError, "nin"),
        ({"nin": 0}, ValueError, "nin must be a positive int, got 0"),
        ({"nin": -2}, ValueError, "got -2"),
        ({"nouts": 3}, TypeError, "nouts must be a non-empty list"),
        ({"nouts": "3"}, TypeError, "nouts"),
        ({"nouts": {3}}, TypeError, "nouts"),
        ({"nouts": []}, TypeError, "nouts"),
        ({"nouts": [3, 0]}, ValueError, "got 0"),
        ({"nouts": [3, -1]}, ValueError, "got -1"),
        ({"nouts": [3, 2.0]}, TypeError, "got float 2.0"),
        ({"nouts": [None]}, TypeError, "NoneType"),
        ({"activation": 5}, TypeError, "activation must be one of"),
        ({"activation": None}, TypeError, "activation must be one of"),
        ({"activation": "softplus"}, ValueError, "activation must be one of .*got 'softplus'"),
        ({"activation": "Sigmoid"}, ValueError, "got 'Sigmoid'"),
        ({"output_activation": 1}, TypeError, "output_activation"),
        ({"output_activation": "gelu"}, ValueError, "output_activation"),
        ({"init": 0}, TypeError, "init must be one of"),
        ({"init": "zeros"}, ValueError, "init must be one of .*got 'zeros'"),
        ({"seed": "x"}, TypeError, "seed must be an int"),
        ({"seed": 1.5}, TypeError, "seed"),
        ({"fused": "yes"}, TypeError, "fused must be True or False"),
        ({"fused": 1}, TypeError, "fused"),
    ],
)
def test_mlp_constructor_rejects_wrong_types_and_sizes(kwargs, error, fragment):
    arguments = {"nin": 3, "nouts": [4, 2], **kwargs}
    with pytest.raises(error, match=fragment):
        MLP(**arguments)


@pytest.mark.parametrize(
    "x, error, fragment",
    [
        ("abc", TypeError, "the input must be a list of numbers, got str"),
        (5, TypeError, "got int"),
        (None, TypeError, "got NoneType"),
        ({1, 2, 3}, TypeError, "got set"),
        ([1.0], ValueError, "the input has 1 values, but this MLP expects 3"),
        ([1.0, 2.0, 3.0, 4.0], ValueError, "has 4 values, but this MLP expects 3"),
        ([1.0, "a", 3.0], TypeError, "got str 'a'"),
        ([1.0, None, 3.0], TypeError, "NoneType"),
    ],
)
def test_calling_a_model_with_a_wrong_input_changes_nothing(x, error, fragment):
    model = MLP(3, [4, 2], seed=0)
    before = snapshot(model)
    with pytest.raises(error, match=fragment):
        model(x)
    assert snapshot(model) == before


@pytest.mark.parametrize(
    "weights, biases, error",
    [
        (5, None, (TypeError, ValueError)),
        ([], None, ValueError),
        ([[[1.0, 2.0], [3.0]]], None, ValueError),
        ([[[1.0]], [[1.0], [2.0]]], None, ValueError),
        ([[[1.0, 2.0]]], [[0.0]], ValueError),
        ([[[1.0, 2.0]]], [[0.0, 0.0], [0.0]], ValueError),
        ([[["a", 2.0]]], None, TypeError),
    ],
)
def test_from_weights_rejects_matrices_that_do_not_chain(weights, biases, error):
    with pytest.raises(error):
        MLP.from_weights(weights, biases)


# ----- the training loop: everything checked before any step ---------------------------------

X = [[0.1, 0.2, 0.3], [0.4, 0.5, 0.6], [0.7, 0.8, 0.9], [0.2, 0.1, 0.0], [0.9, 0.1, 0.5]]
LABELS = [0, 1, 2, 1, 0]


def classifier() -> MLP:
    return MLP(3, [4, 3], activation="tanh", output_activation="linear", seed=0)


def with_label(position: int, value: object) -> list:
    labels = list(LABELS)
    labels[position] = value
    return labels


TRAIN_MISTAKES = [
    # (description, arguments changed from a valid softmax_ce run, error, message)
    ("model is not an MLP", {"model": "mlp"}, TypeError, "train needs an MLP, got str"),
    ("X is a string", {"X": "abc"}, TypeError, "X must be a list of examples, got str"),
    ("X is None", {"X": None}, TypeError, "got NoneType"),
    ("Y is a number", {"Y": 3}, TypeError, "the targets must be a list, got int"),
    ("empty dataset", {"X": [], "Y": []}, ValueError, "X is empty"),
    ("more X than Y", {"Y": LABELS[:3]}, ValueError, "X has 5 examples but the targets have 3"),
    (
        "short example",
        {"X": [*X[:4], [0.1, 0.2]]},
        ValueError,
        r"X\[4\] has 2 values, but the model expects 3",
    ),
    (
        "long example",
        {"X": [[0.0] * 4] + X[1:]},
        ValueError,
        r"X\[0\] has 4 values, but the model expects 3",
    ),
    (
        "text in X",
        {"X": [*X[:4], [0.1, "0.2", 0.3]]},
        TypeError,
        r"X\[4\]\[1\] must be a number, got str",
    ),
    ("NaN in X", {"X": [*X[:4], [0.1, math.nan, 0.3]]}, ValueError, r"X\[4\]\[1\] is nan"),
    ("inf in X", {"X": [*X[:4], [0.1, math.inf, 0.3]]}, ValueError, r"X\[4\]\[1\] is inf"),
    ("example is a number", {"X": [*X[:4], 7]}, TypeError, r"X\[4\] must be a list of numbers"),
    (
        "label too large",
        {"Y": with_label(4, 3)},
        ValueError,
        "target 4 is class 3, but the model has 3 outputs: labels must be in 0..2",
    ),
    ("negative label", {"Y": with_label(3, -1)}, ValueError, "target 3 is class -1"),
    ("float label", {"Y": with_label(4, 1.0)}, TypeError, "target 4 must be an int class label"),
    ("bool label", {"Y": with_label(4, True)}, TypeError, "target 4 must be a number"),
    (
        "label as text",
        {"Y": with_label(2, "2")},
        TypeError,
        "target 2 must be a number or a list, got str",
    ),
    (
        "one-hot target for labels",
        {"Y": with_label(1, [0, 1, 0])},
        TypeError,
        "target 1 must be an int class label",
    ),
    ("lr zero", {"lr": 0}, ValueError, "learning rate must be a positive finite number, got 0"),
    ("lr negative", {"lr": -0.1}, ValueError, "got -0.1"),
    ("lr nan", {"lr": math.nan}, ValueError, "got nan"),
    ("lr inf", {"lr": math.inf}, ValueError, "got inf"),
    ("lr text", {"lr": "0.1"}, TypeError, "the learning rate must be a number, got str"),
    ("epochs zero", {"epochs": 0}, ValueError, "epochs must be a positive int, got 0"),
    ("epochs float", {"epochs": 2.5}, TypeError, "epochs must be a positive int, got float"),
    ("batch size zero", {"batch_size": 0}, ValueError, "batch_size must be a positive int, got 0"),
    ("batch size text", {"batch_size": "2"}, TypeError, "batch_size"),
    ("reduction", {"reduction": "avg"}, ValueError, "reduction must be 'mean' or 'sum', got 'avg'"),
    ("unknown loss", {"loss": "l1"}, ValueError, "unknown loss 'l1'"),
    ("loss as number", {"loss": 5}, TypeError, "loss must be a name or a function, got int"),
    ("metric", {"metric": 5}, TypeError, "metric must be 'auto', None or a function"),
    ("optimizer as text", {"optimizer": "adam"}, TypeError, "optimizer must be an Optimizer"),
    ("callback", {"callback": "print"}, TypeError, "callback must be a function"),
    (
        "print_every negative",
        {"print_every": -1},
        ValueError,
        "print_every must be an int ≥ 0, got -1",
    ),
    (
        "print_every text",
        {"print_every": "1"},
        TypeError,
        "print_every must be an int ≥ 0, got str",
    ),
    ("file without write", {"file": 5}, TypeError, "file must be a text stream"),
    (
        "validation not a pair",
        {"validation": ([[0.0, 0.0, 0.0]],)},
        ValueError,
        "validation must be a pair",
    ),
    ("validation a number", {"validation": 5}, TypeError, "validation must be a pair"),
    (
        "validation label",
        {"validation": ([[0.0, 0.0, 0.0]], [7])},
        ValueError,
        "validation target 0 is class 7",
    ),
    (
        "validation size",
        {"validation": ([[0.0, 0.0]], [1])},
        ValueError,
        r"validation X\[0\] has 2 values",
    ),
]


@pytest.mark.parametrize(
    "change, error, message", [m[1:] for m in TRAIN_MISTAKES], ids=[m[0] for m in TRAIN_MISTAKES]
)
def test_train_rejects_mistakes_before_changing_any_parameter(change, error, message):
    model = classifier()
    optimizer = SGD(model.parameters(), lr=0.1, momentum=0.9)
    arguments = {"model": model, "X": X, "Y": LABELS, "loss": "softmax_ce", "epochs": 3,
                 "batch_size": 1, "print_every": 0, "file": io.StringIO()}  # fmt: skip
    arguments.update(change)
    if "lr" not in change and "optimizer" not in change:
        arguments["optimizer"] = optimizer  # lr cases build the default SGD from lr
    before = snapshot(model, optimizer)
    with pytest.raises(error, match=message):
        train(arguments.pop("model"), arguments.pop("X"), arguments.pop("Y"), **arguments)
    assert snapshot(model, optimizer) == before


REGRESSION_MISTAKES = [
    (
        "scalar target, two outputs",
        {"Y": [1.0] * 5},
        ValueError,
        "target 0 is a single number, but the model has 2 outputs",
    ),
    (
        "target list too long",
        {"Y": [[1.0, 0.0, 0.0]] * 5},
        ValueError,
        "target 0 has 3 values, but the model has 2 outputs",
    ),
    (
        "NaN target",
        {"Y": [[1.0, 0.0]] * 4 + [[math.nan, 0.0]]},
        ValueError,
        r"target 4\[0\] is nan",
    ),
    (
        "text in a target",
        {"Y": [[1.0, 0.0]] * 4 + [[1.0, "0"]]},
        TypeError,
        r"target 4\[1\] must be a number",
    ),
    (
        "hinge target 0.5",
        {"loss": "hinge", "model": "one output", "Y": [1, -1, 1, -1, 0.5]},
        ValueError,
        "target 4 is 0.5, but hinge needs targets -1 or \\+1",
    ),
    (
        "bce target 2",
        {"loss": "bce", "model": "one output", "Y": [0, 1, 0, 1, 2]},
        ValueError,
        "target 4 is 2.0, but cross-entropy needs targets in \\[0, 1\\]",
    ),
    (
        "bce on linear outputs",
        {"loss": "bce", "model": "linear output", "Y": [0, 1, 0, 1, 1]},
        ValueError,
        "bce needs probabilities",
    ),
    (
        "softmax_ce on one output",
        {"loss": "softmax_ce", "model": "one output", "Y": [0] * 5},
        ValueError,
        "at least 2; this model has 1",
    ),
]


@pytest.mark.parametrize(
    "change, error, message",
    [m[1:] for m in REGRESSION_MISTAKES],
    ids=[m[0] for m in REGRESSION_MISTAKES],
)
def test_targets_that_do_not_fit_the_loss_are_rejected_before_any_step(change, error, message):
    change = dict(change)
    shape = change.pop("model", "two outputs")
    nouts = [4, 2] if shape == "two outputs" else [4, 1]
    output = "linear" if shape == "linear output" else "sigmoid"
    model = MLP(3, nouts, output_activation=output, seed=0)
    optimizer = Adam(model.parameters(), lr=0.01)
    before = snapshot(model, optimizer)
    with pytest.raises(error, match=message):
        train(model, X, change.pop("Y"), optimizer=optimizer, batch_size=1, print_every=0, **change)
    assert snapshot(model, optimizer) == before


# ----- optimisers and losses -------------------------------------------------------------------


@pytest.mark.parametrize(
    "make, error, message",
    [
        (lambda ps: SGD([], lr=0.1), ValueError, "empty parameter list"),
        (lambda ps: SGD([1.0, 2.0], lr=0.1), TypeError, "parameters must be Values"),
        (lambda ps: SGD(ps, lr=0.1, momentum=1.0), ValueError, r"momentum must be in \[0, 1\)"),
        (lambda ps: SGD(ps, lr=0.1, momentum="0.9"), TypeError, "momentum must be a number"),
        (
            lambda ps: Adam(ps, betas=(1.0, 0.999)),
            ValueError,
            r"beta1 must be in \[0, 1\), got 1.0",
        ),
        (lambda ps: Adam(ps, betas=(0.9,)), ValueError, "betas must be a pair .* got 1 values"),
        (lambda ps: Adam(ps, betas=None), TypeError, "betas must be a pair"),
        (lambda ps: Adam(ps, betas=(0.9, math.nan)), ValueError, "beta2"),
        (lambda ps: Adam(ps, eps=0.0), ValueError, "eps must be in"),
        (lambda ps: Adam(ps, eps="1e-8"), TypeError, "eps must be a number"),
        (lambda ps: Adam(ps, lr=-1.0), ValueError, "learning rate"),
    ],
)
def test_optimisers_reject_bad_settings_before_touching_anything(make, error, message):
    model = classifier()
    before = snapshot(model)
    with pytest.raises(error, match=message):
        make(model.parameters())
    assert snapshot(model) == before


@pytest.mark.parametrize(
    "call, error, message",
    [
        (
            lambda: mean_squared_error([Value(1.0)], [1.0, 2.0]),
            ValueError,
            "1 outputs but 2 targets",
        ),
        (lambda: mean_squared_error([], []), ValueError, "no outputs"),
        (lambda: mean_squared_error(Value(1.0), "1"), TypeError, "a target must be a number"),
        (lambda: softmax_cross_entropy([1.0, 2.0], 2), ValueError, "label 2 is out of range 0..1"),
        (lambda: softmax_cross_entropy([1.0, 2.0], 1.0), TypeError, "int class index"),
        (lambda: softmax_cross_entropy([1.0, "2"], 1), TypeError, "got str"),
        (lambda: hinge([Value(0.5)], [0.0]), ValueError, "-1 or \\+1"),
        (lambda: get_loss(None), TypeError, "loss must be a name or a function"),
    ],
)
def test_losses_reject_mismatched_or_wrong_targets(call, error, message):
    with pytest.raises(error, match=message):
        call()


@pytest.mark.parametrize(
    "label, problem",
    [
        ("a\x00b", r"the label 'a\\x00b' .* holds the character '\\x00'"),
        ("a\ud800b", r"the label 'a\\ud800b' .* holds the character '\\ud800'"),
        ("x" * 20_000, r"the label 'x{40}'\.\.\. .* is 20,000 characters long"),
    ],
)
def test_a_label_no_drawing_can_hold_is_named_before_drawing(label, problem):
    from tinygrad_edu import draw_dot, stepper

    x = Value(1.0, label=label)
    y = (x * 2.0).tanh()
    y.backward()
    with pytest.raises(ValueError, match=problem):
        draw_dot(y)
    with pytest.raises(ValueError, match=problem):
        stepper(y)
    x.label = "a\tb\nc"  # tab and line breaks are text an SVG may hold
    assert "svg" in draw_dot(y).svg_without_dot()
