"""tinygrad_edu.microgpt.Value: microgpt's protocol, microgpt's graph, microgpt's bits."""

from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tinygrad_edu import explain
from tinygrad_edu.core import Value as CoreValue
from tinygrad_edu.core import ops, topological_order
from tinygrad_edu.core.fold import unfolded
from tinygrad_edu.microgpt import Value

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


def gpt_workload() -> ModuleType:
    """benchmarks/gpt_workload.py: a GPT of microgpt's shape and ProtocolValue."""
    spec = importlib.util.spec_from_file_location("gpt_workload", BENCHMARKS / "gpt_workload.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["gpt_workload"] = module
    spec.loader.exec_module(module)
    return module


def test_it_is_the_core_value_with_microgpts_names():
    x = Value(0.5)
    assert isinstance(x, CoreValue)
    assert (x.data, x.grad, x._children, x._local_grads) == (0.5, 0, (), ())
    y = x * 3.0
    assert y._children[0] is x and y._children[1].data == 3.0
    assert y._local_grads == (3.0, 0.5)
    assert not hasattr(y, "__dict__")  # one small object per node


def test_a_node_made_by_hand_keeps_its_children_and_local_grads_and_backward_uses_them():
    x, w = Value(0.3), Value(-2.0)
    out = Value(math.tanh(x.data * w.data), (x, w, x), (0.1, 0.2, 0.4))
    assert out.op == "given" and out._operation is ops.GivenLocal
    assert out._children == (x, w, x) and out._local_grads == (0.1, 0.2, 0.4)
    loss = out * 2.0
    loss.backward()
    assert x.grad == 0.1 * 2.0 + 0.4 * 2.0 and w.grad == 0.2 * 2.0


def test_sum_starts_with_microgpts_int_zero_after_the_first_term():
    a, b = Value(1.0), Value(2.0)
    total = sum([a, b])
    assert total.op == "Σ" and total.data == 3.0
    assert total._children[0] is a and total._children[1].data == 0.0
    assert total._children[2] is b and total._local_grads == (1.0, 1.0, 1.0)
    with unfolded():
        chain = sum([a, b])
    first = chain._children[0]
    assert first._children[0] is a and first._children[1].data == 0.0
    assert chain._children[1] is b and chain.data == 3.0


@pytest.mark.parametrize(
    ("make", "ops_below"),
    [
        (lambda x: -x, ["*"]),  # x * -1
        (lambda x: x - 2.0, ["+"]),  # x + (-2)
        (lambda x: x / 4, ["*"]),  # x * 4**-1
        (lambda x: 2.0 / x, ["*", "**-1"]),  # 2 * x**-1
        (lambda x: x / Value(4.0), ["*", "**-1"]),
        (lambda x: 1.0 - x, ["+", "*"]),  # (x * -1) + 1
    ],
)
def test_derived_ops_build_microgpts_nodes(make, ops_below):
    x = Value(3.0)
    out = make(x)
    interior = [n.op for n in reversed(topological_order(out)) if n._operation is not None]
    assert interior == ops_below


def test_division_by_a_number_multiplies_by_its_reciprocal_as_microgpt_does():
    x = Value(1.0)
    assert (x / 3).data == 1.0 * 3**-1  # not 1.0 / 3, which can differ in the last bit
    assert (x / 3)._children[1].data == 3**-1


def test_grad_and_data_are_set_directly_as_microgpts_training_loop_does():
    p = Value(0.5)
    (p * p).backward()
    assert p.grad == 1.0
    p.data -= 0.1 * p.grad
    p.grad = 0
    assert (p.data, p.grad) == (0.4, 0)


@pytest.mark.parametrize(
    ("children", "local_grads", "error", "words"),
    [
        ((0.5,), (1.0,), TypeError, "every child must be a Value"),
        ("x", (1.0,), TypeError, "children must be a tuple"),
        ((Value(1.0),), (1.0, 2.0), ValueError, "1 children but 2 local gradients"),
        ((Value(1.0),), (Value(1.0),), TypeError, "use its .data"),
        ((Value(1.0),), ("1",), TypeError, "a local gradient must be a number"),
    ],
)
def test_a_bad_hand_made_node_is_refused_naming_what_is_wrong(children, local_grads, error, words):
    with pytest.raises(error, match=words):
        Value(1.0, children, local_grads)


def test_math_errors_name_the_op():
    with pytest.raises(ValueError, match="log needs a positive input"):
        Value(-1.0).log()
    with pytest.raises(ZeroDivisionError, match="by the number 0"):
        Value(1.0) / 0
    with pytest.raises(OverflowError, match="exp"):
        Value(1000.0).exp()


def test_explain_reads_a_hand_made_node():
    x = Value(0.7)
    out = Value(x.data**3, (x,), (3 * x.data**2,)) * 2.0
    out.backward()
    assert x.grad == 3 * 0.7**2 * 2.0
    assert "given" in explain(out, x)


def protocol_graph_size(root) -> int:
    seen, stack = {root}, [root]
    while stack:
        for child in stack.pop()._children:
            if child not in seen:
                seen.add(child)
                stack.append(child)
    return len(seen)


def test_a_gpt_of_microgpts_shape_trains_to_the_same_bits_as_a_protocol_copy():
    """Two steps of the whole GPT: every loss, weight and gradient bit-identical to the class
    written from microgpt's protocol, with sum() folded; unfolded, the same graph node for
    node."""
    workload = gpt_workload()
    names = workload.shuffled_names()
    ours, theirs = workload.GPT(Value, names), workload.GPT(workload.ProtocolValue, names)
    for _ in range(2):
        assert ours.step() == theirs.step()
    assert [p.data for p in ours.parameters] == [p.data for p in theirs.parameters]
    loss, reference = ours.loss(names[5]), theirs.loss(names[5])
    nodes = topological_order(loss)
    assert sum(node.op == "Σ" for node in nodes) > 1000
    assert 10 * len(nodes) < 2 * protocol_graph_size(reference)  # about 6.4x fewer nodes
    loss.backward()
    reference.backward()
    assert loss.data == reference.data
    assert [p.grad for p in ours.parameters] == [p.grad for p in theirs.parameters]
    with unfolded():
        chain = ours.loss(names[5])
    assert len(topological_order(chain)) == protocol_graph_size(reference)
    assert chain.data == reference.data
