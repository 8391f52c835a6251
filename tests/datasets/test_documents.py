"""The documents' small datasets."""

from __future__ import annotations

import pytest

from tinygrad_edu.datasets import DOCUMENT_001, document_001_example, square_function, xor_table


def test_xor_table_is_document_004s():
    X, Y = xor_table()
    assert X == [[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]]
    assert Y == [0, 1, 1, 0]
    assert all(int(x1) ^ int(x2) == y for (x1, x2, _), y in zip(X, Y, strict=True))


def test_document_001_example_is_a_fresh_copy():
    example = document_001_example()
    example.weights[0][0][0] = 99.0
    example.x.append(1.0)
    assert DOCUMENT_001.weights[0][0][0] == 0.2
    assert DOCUMENT_001.x == [0.3, 0.7, 0.5]
    assert [len(m) for m in DOCUMENT_001.weights] == [3, 3, 5]


def test_square_function_points():
    X, Y = square_function(5)
    assert X == [[-1.0], [-0.5], [0.0], [0.5], [1.0]]
    assert Y == [1.0, 0.25, 0.0, 0.25, 1.0]
    with pytest.raises(
        ValueError, match="square_function.s n .the number of points. must be an int ≥ 2"
    ):
        square_function(1)
    with pytest.raises(ValueError, match="low < high"):
        square_function(5, 1.0, -1.0)
