"""A loss called by hand states the same target rules that ``train()`` checks, in words that
fit the case (no "range 0..-1" for no logits at all)."""

from __future__ import annotations

import pytest

from tinygrad_edu import Value, binary_cross_entropy, hinge, softmax_cross_entropy


def test_softmax_cross_entropy_of_no_logits_says_so():
    with pytest.raises(ValueError, match="softmax_cross_entropy: no logits$"):
        softmax_cross_entropy([], 0)


def test_softmax_cross_entropy_out_of_range_label_names_the_range():
    with pytest.raises(ValueError, match=r"label 3 is out of range 0\.\.1"):
        softmax_cross_entropy([Value(0.2), Value(0.1)], 3)


@pytest.mark.parametrize("target", [2, -0.5, 1.0000001])
def test_binary_cross_entropy_by_hand_refuses_a_target_train_refuses(target):
    with pytest.raises(ValueError, match=r"target 0 is .*cross-entropy needs targets in \[0, 1\]"):
        binary_cross_entropy(Value(0.5), target)


def test_hinge_by_hand_refuses_a_target_that_is_not_plus_or_minus_one():
    with pytest.raises(ValueError, match="hinge needs targets -1 or \\+1"):
        hinge(Value(0.5), 0)
    assert hinge(Value(0.5), 1).data == 0.5  # max(0, 1 − 1·0.5)
