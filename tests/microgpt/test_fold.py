"""sum()'s fold in tinygrad_edu.microgpt.Value: one Σ node per sum nobody else holds, in
microgpt's order and with microgpt's local derivatives, never changing a result: a sum or a
product someone holds stays a node, values are bit-identical to microgpt's chain, and every
term is an edge that backward(), the stepper and the drawings see."""

from __future__ import annotations

import math
from itertools import accumulate

import pytest
from hypothesis import given, settings

from tinygrad_edu import draw_dot, explain, interior_order, no_grad
from tinygrad_edu.core import fold
from tinygrad_edu.core.fold import unfolded
from tinygrad_edu.microgpt import Value

from tests.strategies import build_sums, sum_programs

pytestmark = pytest.mark.skipif(fold.TEMPORARY == 0, reason="no reference counts to read here")


def factors(n: int) -> tuple[list[Value], list[Value]]:
    ws = [Value(0.1 * k - 0.35) for k in range(n)]
    xs = [Value(0.7 - 0.2 * k) for k in range(n)]
    return ws, xs


def dot(ws: list[Value], xs: list[Value]) -> Value:
    return sum(w * x for w, x in zip(ws, xs, strict=True))


def test_a_sum_of_products_is_one_node_with_microgpts_leaves_in_microgpts_order():
    ws, xs = factors(4)
    s = dot(ws, xs)
    assert s.op == "Σ" and interior_order(s) == [s] and type(s) is Value
    w0, x0, zero, *rest = s._children
    assert (w0, x0) == (ws[0], xs[0]) and zero.data == 0.0 and zero._children == ()
    assert rest == [v for pair in zip(ws[1:], xs[1:], strict=True) for v in pair]
    # ∂(w·x)/∂w = x and ∂/∂x = w, as microgpt's * gives them; 1 for the 0 of sum()
    expected = [xs[0].data, ws[0].data, 1.0]
    expected += [v.data for w, x in zip(ws[1:], xs[1:], strict=True) for v in (x, w)]
    assert list(s._local_grads) == expected


def test_values_and_gradients_equal_microgpts_chain_bit_for_bit():
    ws, xs = factors(9)
    folded = (dot(ws, xs) * dot(xs, ws)).exp()
    folded.backward()
    grads = [v.grad for v in ws + xs]
    for v in ws + xs:
        v.grad = 0
    with unfolded():
        chain = (dot(ws, xs) * dot(xs, ws)).exp()
    assert len(interior_order(chain)) == 2 * (2 * 9) + 2
    chain.backward()
    assert chain.data == folded.data
    assert [v.grad for v in ws + xs] == grads


def test_a_partial_sum_someone_holds_stays_a_node_and_is_not_changed():
    ws, xs = factors(3)
    partial = 0 + ws[0] * xs[0]  # held by this name from here on
    before = (partial.data, partial._children)
    extended = partial + ws[1] * xs[1]
    assert extended is not partial and extended.op == "+"
    again = sum([ws[2] * xs[2]], partial)  # sum() re-extending a held partial sum
    assert again is not partial and again.op == "+"
    assert (partial.data, partial._children) == before
    partials = list(accumulate((w * x for w, x in zip(ws, xs, strict=True)), initial=0))
    assert [p.op for p in partials[1:]] == ["Σ", "+", "+"]  # each one held by the list
    assert partials[-1].data == dot(ws, xs).data


def test_a_product_someone_holds_stays_a_node():
    ws, xs = factors(2)
    kept = ws[0] * xs[0]
    s = sum([kept, ws[1] * xs[1]])  # the list holds both products
    assert s._children[0] is kept and kept.op == "*"
    assert s._children[2].op == "*" and len(s._children) == 3


def test_every_term_is_an_edge_of_the_stepper_the_drawing_and_explain():
    ws, xs = factors(3)
    s = dot(ws, xs)  # a Σ with three products
    root = s * s
    steps = list(root.backward_steps())
    assert [len(step.edges) for step in steps] == [2, 2 * 3 + 1]
    stepped = [v.grad for v in ws + xs]
    for v in ws + xs:
        v.grad = 0
    root.backward()
    assert [v.grad for v in ws + xs] == stepped
    ws[1].label = "w1"
    drawing = draw_dot(root).source
    assert drawing.count("->") == len(s._children) + 2 * 2  # every term's edges, and s·s
    assert "w1" in explain(root, ws[1])


def test_no_fold_under_a_mode_inside_unfolded_or_past_the_float_range():
    ws, xs = factors(3)
    with no_grad():
        assert dot(ws, xs).op == ""
    with unfolded():
        assert dot(ws, xs).op == "+"
    with pytest.raises(OverflowError):
        sum(Value(1e308) * Value(1.5) for _ in range(2))


def test_a_subclass_made_by_tinygrad_edu_run_folds_too():
    from tinygrad_edu.microgpt.swap import engine_class

    class Learners:  # microgpt's protocol, as a script spells it
        _children = _local_grads = ()

        def backward(self) -> None:  # pragma: no cover - replaced
            pass

    Swapped = engine_class(Learners, "microgpt").engine
    ws = [Swapped(0.5), Swapped(-1.0)]
    s = sum(w * w for w in ws)
    assert type(s) is Swapped and s.op == "Σ" and s.data == 1.25


@settings(max_examples=300, deadline=None)
@given(sum_programs())
def test_random_sums_kept_reused_and_reextended_match_microgpts_chain(program):
    leaves, steps = program
    with unfolded():
        chain_leaves, chain_nodes = build_sums(leaves, steps, Value)
    fold_leaves, fold_nodes = build_sums(leaves, steps, Value)
    # every node anyone holds has the chain's value, bit for bit: nothing held was folded
    assert [n.data for n in fold_nodes] == [n.data for n in chain_nodes]
    assert len(interior_order(fold_nodes[-1])) <= len(interior_order(chain_nodes[-1]))
    chain_nodes[-1].backward()
    fold_nodes[-1].backward()
    # the same contributions, possibly added in another order where a node gets shares both
    # from a Σ node and from nodes between two links of the chain (tests/core/test_fold.py)
    scale = 1.0 + max(abs(leaf.grad) for leaf in chain_leaves)
    for chain_leaf, fold_leaf in zip(chain_leaves, fold_leaves, strict=True):
        assert math.isclose(fold_leaf.grad, chain_leaf.grad, rel_tol=1e-12, abs_tol=1e-13 * scale)
