"""A seeded, stratified train/test split: every class keeps its share on both sides."""

from __future__ import annotations

import random
from collections.abc import Hashable, Sequence
from typing import TypeVar

from tinygrad_edu import checks

T = TypeVar("T")


def stratified_split(
    labels: Sequence[Hashable], test_fraction: float = 0.2, seed: int = 0
) -> tuple[list[int], list[int]]:
    """Split example indices into ``(train, test)``, both sorted ascending.

    For each class c with n_c examples, round(test_fraction · n_c) of them, drawn with
    ``random.Random(seed)``, go to the test side and the rest to training, so each class has
    the same share of both sides as of the whole set. The same labels and seed give the same
    split on every run and machine.
    """
    if not 0.0 < checks.number("test_fraction", test_fraction) < 1.0:
        raise ValueError(f"test_fraction must be between 0 and 1, got {test_fraction!r}")
    if len(labels) < 2:
        raise ValueError(f"a split needs at least 2 examples, got {len(labels)}")
    by_class: dict[Hashable, list[int]] = {}
    for index, label in enumerate(labels):
        by_class.setdefault(label, []).append(index)
    rng = random.Random(seed)
    train: list[int] = []
    test: list[int] = []
    for label in sorted(by_class, key=repr):  # a fixed class order, so the seed fixes all
        indices = by_class[label]
        rng.shuffle(indices)
        k = round(test_fraction * len(indices))
        test += indices[:k]
        train += indices[k:]
    if not train or not test:
        raise ValueError(
            f"test_fraction {test_fraction} leaves the {'training' if not train else 'test'} "
            f"side empty for {len(labels)} examples"
        )
    return sorted(train), sorted(test)


def take(items: Sequence[T], indices: Sequence[int]) -> list[T]:
    """``[items[i] for i in indices]``: one side of a split."""
    return [items[i] for i in indices]
