"""The fold of sum()'s chain into one Σ node (core/fold.py) never changes a result: a sum
someone holds stays a node, values are bit-identical to the unfolded chain's, and so are
gradients, on random graphs that keep, reuse and re-extend partial sums.

Gradients are bit-identical on the sums of products a network makes (the tests below and
the microgpt-shaped benchmark); on adversarial random graphs they may differ in the last
bits, as a reordered float sum does (see the property test)."""

from __future__ import annotations

import math
import sys
import types

import pytest
from hypothesis import given, settings

from tinygrad_edu import Value, detect_anomaly, interior_order, no_grad
from tinygrad_edu.core import fold
from tinygrad_edu.core.fold import unfolded

from tests.strategies import build_sums, sum_programs

pytestmark = pytest.mark.skipif(fold.TEMPORARY == 0, reason="no reference counts to read here")


def products(n: int) -> tuple[list[Value], list[Value]]:
    ws = [Value(0.1 * k - 0.3, label=f"w{k}") for k in range(n)]
    xs = [Value(0.7 - 0.2 * k, label=f"x{k}") for k in range(n)]
    return ws, xs


def test_sum_of_products_is_one_node_with_an_edge_per_factor():
    ws, xs = products(5)
    s = sum(w * x for w, x in zip(ws, xs, strict=True))
    assert s.op == "Σ"
    assert interior_order(s) == [s]  # no * or + node below it
    zero, *factors = s.children
    assert zero.data == 0.0 and zero.children == ()  # the 0 sum() starts from, as a leaf
    assert factors == [v for pair in zip(ws, xs, strict=True) for v in pair]
    assert s.local_derivatives() == (
        1.0,
        *(v.data for w, x in zip(ws, xs, strict=True) for v in (x, w)),
    )


def test_values_and_gradients_equal_the_chain_bit_for_bit():
    ws, xs = products(7)
    folded = sum(w * x for w, x in zip(ws, xs, strict=True)).tanh()
    folded.backward()
    grads = [v.grad for v in ws + xs]
    for v in ws + xs:
        v.grad = 0.0
    with unfolded():
        chain = sum(w * x for w, x in zip(ws, xs, strict=True)).tanh()
    assert len(interior_order(chain)) == 2 * 7 + 1
    chain.backward()
    assert chain.data == folded.data
    assert [v.grad for v in ws + xs] == grads


def test_a_sum_someone_holds_stays_a_node():
    a, b, c, d = (Value(x) for x in (0.5, -1.5, 2.0, 0.25))
    partial = 0 + a * b  # held by this variable from here on
    before = (partial.data, partial.children)
    extended = partial + c * d
    assert extended is not partial and extended.op == "+"
    assert (partial.data, partial.children) == before
    again = sum([c * d], partial)  # re-extending a held partial sum: new nodes again
    assert again is not partial and again.op == "+"
    assert (partial.data, partial.children) == before


def test_a_product_someone_holds_stays_a_node():
    a, b, c = Value(0.5), Value(-1.5), Value(2.0)
    kept = a * b
    s = sum([kept, b * c])  # both held by the list
    assert s.children[1:] == (kept, s.children[2]) and s.children[2].op == "*"


def test_the_stepper_and_backward_agree_on_a_folded_sum():
    ws, xs = products(4)
    s = sum(w * x for w, x in zip(ws + [ws[0]], xs + [ws[0]], strict=True))  # w0 three times
    root = s * s
    steps = list(root.backward_steps())
    stepped = [v.grad for v in ws + xs]
    assert [len(step.edges) for step in steps] == [2, 1 + 2 * 5]  # every term an edge
    for v in ws + xs:
        v.grad = 0.0
    root.backward()
    assert [v.grad for v in ws + xs] == stepped


def test_no_fold_under_a_mode_or_past_the_float_range():
    ws, xs = products(3)
    with detect_anomaly():
        assert sum(w * x for w, x in zip(ws, xs, strict=True)).op == "+"
    with no_grad():
        assert sum(w * x for w, x in zip(ws, xs, strict=True)).op == ""
    with pytest.raises(OverflowError):
        sum(Value(1e308) * Value(1.5) for _ in range(2))


def test_unfolded_restores_the_fold_even_after_an_error():
    with pytest.raises(RuntimeError), unfolded():
        raise RuntimeError
    assert fold.folding()


def test_nothing_folds_where_reference_counts_cannot_be_read(monkeypatch):
    monkeypatch.setattr(sys, "implementation", types.SimpleNamespace(name="pypy"))
    assert fold._temporary_count() == 0


@settings(max_examples=300, deadline=None)
@given(sum_programs())
def test_random_sums_kept_reused_and_reextended_match_the_chain(program):
    leaves, steps = program
    with unfolded():
        chain_leaves, chain_nodes = build_sums(leaves, steps)
    fold_leaves, fold_nodes = build_sums(leaves, steps)
    # every node anyone holds has the chain's value: nothing held was folded into
    assert [n.data for n in fold_nodes] == [n.data for n in chain_nodes]
    chain_nodes[-1].backward()
    fold_nodes[-1].backward()
    # Gradients: the same contributions, but where a node gets shares both from a Σ node
    # and from elsewhere, the Σ node gives all of its shares at once, where the chain gave
    # them link by link between the others: a reordered float sum (about 1 run in 70 differs,
    # in the last bit or two; microgpt's graph is bit-identical, see the benchmark).
    scale = 1.0 + max(abs(leaf.grad) for leaf in chain_leaves)
    for chain_leaf, fold_leaf in zip(chain_leaves, fold_leaves, strict=True):
        assert math.isclose(fold_leaf.grad, chain_leaf.grad, rel_tol=1e-12, abs_tol=1e-13 * scale)
