"""check_engine on learners' engines: each kind of mistake in each protocol is named at its op
and operand, once; correct engines get no problem at all."""

from __future__ import annotations

import math

import pytest

from tinygrad_edu import EngineReport, Value, check_engine
from tinygrad_edu.exercises import KINDS, ProtocolError

from tests.exercises import engines
from tests.exercises.engines import Mistake, local_style, micrograd_style
from tests.exercises.learners import (
    correct_local,
    correct_micrograd,
    lecture_mistakes,
    recursive_visit,
)

FACTORIES = {"micrograd": micrograd_style, "local gradients": local_style}


def found(report: EngineReport) -> list[tuple[str | None, int | None, str]]:
    return [(p.op, p.operand, p.kind) for p in report.problems]


def edge_cases() -> list:
    """Every mistake that can be planted in an op's rule, per protocol and build style."""
    cases = []
    for protocol in FACTORIES:
        short = "micrograd" if protocol == "micrograd" else "local"
        for composite in (False, True):
            for op in engines.OPS:
                if composite and op in engines.COMPOSED:
                    continue
                for operand, kind in engines.plantable(op, short):
                    case_id = (
                        f"{short}-{'composite' if composite else 'nodes'}-{op}-{operand}-{kind}"
                    )
                    cases.append(
                        pytest.param(protocol, composite, Mistake(op, operand, kind), id=case_id)
                    )
    return cases


def reported_op(protocol: str, op: str) -> str:
    """The op's name in the report: micrograd's protocol names x ** 2 "**2" in _op."""
    return "**2" if protocol == "micrograd" and op == "**" else op


# ----- correct engines ---------------------------------------------------------------------------


@pytest.mark.parametrize("composite", [False, True])
@pytest.mark.parametrize("protocol", list(FACTORIES))
def test_a_correct_engine_gets_no_problem(protocol, composite):
    report = check_engine(FACTORIES[protocol](None, composite))
    assert report.ok and report.problems == ()
    assert report.protocol == protocol
    assert len(report.checked) == 19 + 5  # every op probe and every whole-graph probe
    assert report.skipped == {} and report.consequences == ()


@pytest.mark.parametrize("learner", [correct_micrograd, correct_local], ids=lambda m: m.__name__)
def test_hand_written_correct_engines_get_no_problem(learner):
    report = check_engine(learner.Value)
    assert report.ok, str(report)
    assert report.skipped == {}


def test_tinygrad_edus_own_value_passes_without_a_note():
    report = check_engine(Value)
    assert report.ok and report.notes == () and report.skipped == {}
    assert report.protocol == "micrograd"


def test_micrograd_0_1_0_passes_with_its_two_limits_as_notes():
    micrograd = pytest.importorskip("micrograd.engine")  # the test extra installs it
    report = check_engine(micrograd.Value)
    assert report.ok, str(report)
    assert set(report.skipped) == {"a.exp()", "a.log()", "a.tanh()", "a.sigmoid()"}
    assert "a.relu()" in report.checked and "a / b" in report.checked  # a * b**-1 in micrograd
    second, deep = report.notes
    assert "x.grad = −9, not 2 × −3 = −6" in second and "micrograd does the same" in second
    assert "RecursionError on a chain of 3,000 nodes" in deep


# ----- each kind, in each protocol -------------------------------------------------------------


@pytest.mark.parametrize("protocol, composite, mistake", edge_cases())
def test_a_mistake_in_a_rule_is_named_once_at_its_op_and_operand(protocol, composite, mistake):
    report = check_engine(FACTORIES[protocol](mistake, composite))
    assert found(report) == [(reported_op(protocol, mistake.op), mistake.operand, mistake.kind)]
    assert not report.ok


@pytest.mark.parametrize(
    "protocol, kind",
    [
        ("micrograd", "order"),
        ("micrograd", "seed"),
        ("local gradients", "order"),
        ("local gradients", "seed"),
        ("local gradients", "overwrite"),  # child.grad = … in backward() itself
        ("local gradients", "missing-upstream"),  # child.grad += local
    ],
)
def test_a_mistake_in_backward_itself_is_named_once(protocol, kind):
    report = check_engine(FACTORIES[protocol](Mistake(None, None, kind)))
    assert found(report) == [(None, None, kind)]
    assert report.problems[0].method == "backward"


def test_the_engines_above_plant_every_kind_the_issue_names_in_both_protocols():
    # each planted kind is asserted to be reported exactly, by the two tests above
    for protocol in ("micrograd", "local"):
        planted = {kind for op in engines.OPS for _, kind in engines.plantable(op, protocol)}
        planted |= set(engines.ENGINE_KINDS)
        if protocol == "local":
            planted |= set(engines.LOCAL_ENGINE_KINDS)
        issue = {"sign", "overwrite", "missing-upstream", "wrong-point", "swapped", "scale"}
        assert issue | {"order", "kink", "seed"} <= planted <= set(KINDS)


# ----- the wording -------------------------------------------------------------------------------


def test_the_lecture_mistakes_read_as_a_teacher_would_say_them():
    report = check_engine(lecture_mistakes.Value)
    sub, tanh = report.problems
    assert sub.message == (
        "__sub__: ∂out/∂b should be −1 (out = a − b); yours adds +1 × upstream: a sign error"
    )
    assert (sub.op, sub.operand, sub.kind, sub.expected, sub.got) == ("-", 1, "sign", -1.0, 1.0)
    assert tanh.kind == "wrong-point" and tanh.op == "tanh" and tanh.operand == 0
    assert "1 − a², the formula 1 − out² taken at the input a" in tanh.message
    assert math.isclose(tanh.expected, 1 - math.tanh(0.55) ** 2)
    assert math.isclose(tanh.got, 1 - 0.55**2)
    text = str(report)
    assert text.startswith("check_engine(Value), micrograd protocol: 2 problems\n")
    assert sub.message in text and "skipped: 2 + a (Value has no __radd__)" in text


def test_a_mistake_in_mul_is_not_reported_again_where_mul_is_used():
    report = check_engine(micrograd_style(Mistake("*", 0, "sign"), composite=True))
    assert found(report) == [("*", 0, "sign")]
    # -b is b * -1, a - b is a + (-b), a / b is a * b**-1: all repeat the one mistake
    assert set(report.consequences) == {"a * 2", "-a", "a - b", "2 - a", "a / b", "a / 2"}
    assert "also wrong, only because of the problems above" in str(report)
    assert "backward()" in report.skipped  # the whole-graph probes need a right *


@pytest.mark.parametrize(
    "mistake, words",
    [
        (Mistake("*", 0, "overwrite"), "the earlier gradient was replaced (=), not added to (+=)"),
        (Mistake("exp", 0, "missing-upstream"), "the upstream factor is missing"),
        (Mistake("/", None, "swapped"), "the two operands' derivatives are swapped"),
        (Mistake("tanh", 0, "scale"), "off by a constant factor of 2"),
        (Mistake("relu", 0, "kink"), "which is no subgradient: any number from 0 to 1"),
        (Mistake(None, None, "order"), "reverse topological order"),
        (Mistake(None, None, "seed"), "the root's gradient was never set to 1"),
    ],
)
def test_each_message_says_what_the_mistake_is(mistake, words):
    (problem,) = check_engine(micrograd_style(mistake)).problems
    assert words in problem.message, problem.message


@pytest.mark.parametrize("protocol", list(FACTORIES))
def test_relu_with_derivative_1_at_0_is_a_valid_subgradient_not_a_problem(protocol):
    report = check_engine(FACTORIES[protocol](Mistake("relu", 0, "subgradient")))
    assert report.ok and report.op("relu").status == "correct"
    (note,) = [note for note in report.notes if note.startswith("relu")]
    assert "a valid subgradient (any number from 0 to 1 is), where PyTorch passes 0" in note


def test_a_recursive_visit_instead_of_a_topological_order_is_an_order_problem():
    (problem,) = check_engine(recursive_visit.Value).problems
    assert (problem.op, problem.operand, problem.kind) == (None, None, "order")
    # x.grad is 1.5 × (2 + 3); h passed on only one user's share, whichever a set gave first
    assert problem.expected == 7.5 and problem.got in (1.5 * 2, 1.5 * 3)


def test_numbers_the_class_cannot_take_are_skipped_not_problems():
    report = check_engine(recursive_visit.Value)  # its + and * take Values only
    assert report.skipped["a + 2"].startswith("takes no number: AttributeError")
    assert report.skipped["a.tanh()"] == "Value has no tanh"


# ----- mistakes that are none of the usual ones ---------------------------------------------------


def correct_class(protocol: str = "micrograd") -> type:
    return FACTORIES[protocol](None)


def test_a_wrong_forward_value_is_reported_and_its_gradient_not_judged():
    cls = correct_class()
    cls.__sub__ = lambda self, other: self + other  # forgot the minus
    report = check_engine(cls)
    (problem,) = report.problems
    assert (problem.op, problem.kind, problem.method) == ("-", "forward", "__sub__")
    assert "out = a − b should be 2.5 at a = 0.8, b = −1.7; yours gives −0.9" in problem.message
    assert "a - 2" in report.consequences  # the same method, with a number


def test_a_rule_that_raises_is_an_error_naming_the_exception():
    cls = correct_class()
    tanh = cls.tanh

    def broken_tanh(self):
        out = tanh(self)

        def _backward():
            raise NameError("name 't' is not defined")

        out._backward = _backward
        return out

    cls.tanh = broken_tanh
    (problem,) = check_engine(cls).problems
    assert (problem.op, problem.kind) == ("tanh", "error")
    assert problem.message == "tanh: its backward rule raised NameError: name 't' is not defined"


def test_a_rule_that_passes_nothing_is_other_and_says_so():
    cls = correct_class()
    cls.exp = lambda self: cls(math.exp(self.data), (self,), "exp")  # no _backward at all
    (problem,) = check_engine(cls).problems
    assert (problem.op, problem.operand, problem.kind) == ("exp", 0, "other")
    assert "(nothing reaches a)" in problem.message
    assert "a central difference of your own forward gives 1.73325" in problem.message


def test_children_kept_in_a_set_lose_the_second_use_of_a_value():
    cls = correct_class("local gradients")
    add = cls.__add__

    def add_keeping_a_set(self, other):
        out = add(self, other)
        out._children = set(out._children)  # a + a keeps {a}: one child, two local gradients
        return out

    cls.__add__ = add_keeping_a_set
    report = check_engine(cls)
    (problem,) = report.problems
    assert (problem.expression, problem.kind) == ("out = a + a", "other")
    assert "keeps its children in a set" in problem.message


# ----- what check_engine refuses ----------------------------------------------------------------


def test_check_engine_needs_a_class():
    with pytest.raises(TypeError, match=r"needs your Value class itself.*got Value"):
        check_engine(Value(1.0))


def test_a_class_of_neither_protocol_is_refused_naming_both():
    class Plain:
        def __init__(self, data):
            self.data, self.grad = data, 0.0

        def __mul__(self, other):
            return Plain(self.data * other.data)

        def backward(self):
            pass

    with pytest.raises(ProtocolError, match="micrograd's .* or the local-gradients one"):
        check_engine(Plain)

    class TwoArguments(Plain):
        def __init__(self, data, label):
            super().__init__(data)

    with pytest.raises(ProtocolError, match=r"TwoArguments\(0.5\) raised TypeError"):
        check_engine(TwoArguments)


def test_a_class_whose_nodes_cannot_be_made_says_what_they_raised():
    class Unhashable:  # __eq__ without __hash__: its nodes cannot go in a set of children
        def __init__(self, data, children=()):
            self.data, self.grad, self._prev = data, 0.0, set(children)

        def __eq__(self, other):
            return self.data == other.data

        def __mul__(self, other):
            return Unhashable(self.data * other.data, (self, other))

    with pytest.raises(ProtocolError, match="a \\* b raised TypeError: unhashable type"):
        check_engine(Unhashable)


def test_the_numbers_of_a_missing_upstream_factor_are_what_was_added():
    (problem,) = check_engine(micrograd_style(Mistake("exp", 0, "missing-upstream"))).problems
    # at the first point a = 0.55 and out.grad = 1.5: e^0.55 × 1.5 should be added, not e^0.55
    assert problem.expected == pytest.approx(math.exp(0.55) * 1.5, rel=1e-12)
    assert problem.got == pytest.approx(math.exp(0.55), rel=1e-12)


def test_a_sigmoid_rule_without_its_1_minus_s_factor_is_named_as_such():
    cls = correct_class("local gradients")

    def sigmoid_missing_factor(self):
        s = 1.0 / (1.0 + math.exp(-self.data))
        return cls(s, (self,), (s,))  # σ′ taken as σ alone

    cls.sigmoid = sigmoid_missing_factor
    (problem,) = check_engine(cls).problems
    assert (problem.op, problem.kind) == ("sigmoid", "missing-factor")
    assert "the rule is missing its (1 − out) factor" in problem.message


def test_a_backward_in_forward_order_is_told_its_topological_order_is_reversed():
    cls = correct_class()

    def backward_in_forward_order(self):
        order = engines._order(self, None)[::-1]  # children first: the sort, not reversed
        self.grad = 1.0
        for node in order:
            node._backward()

    cls.backward = backward_in_forward_order
    (problem,) = check_engine(cls).problems
    assert (problem.op, problem.kind, problem.expression) == (
        None,
        "order",
        "y = x * c; out = y * d",
    )
    assert "your topological order is reversed" in problem.message
