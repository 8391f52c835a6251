"""Data taken from the five source documents, with the numbers they print."""

from __future__ import annotations

from dataclasses import dataclass

from tinygrad_edu import checks


def xor_table() -> tuple[list[list[float]], list[float]]:
    """Document 004's table: inputs (X1, X2, X3) and target Y.

    ======  ======  ======  =====
    X1      X2      X3      Y
    ======  ======  ======  =====
    0       0       1       0
    0       1       1       1
    1       0       1       1
    1       1       1       0
    ======  ======  ======  =====
    """
    X = [[0.0, 0.0, 1.0], [0.0, 1.0, 1.0], [1.0, 0.0, 1.0], [1.0, 1.0, 1.0]]
    Y = [0.0, 1.0, 1.0, 0.0]
    return X, Y


@dataclass(frozen=True)
class Document001Example:
    """Document 001's 3-3-5-2 sigmoid network without biases, and the numbers it prints
    (rounded to 3 decimals, as printed there)."""

    weights: list[list[list[float]]]
    x: list[float]
    h1: list[float]
    a1: list[float]
    h2: list[float]
    a2: list[float]
    h3: list[float]
    a3: list[float]


DOCUMENT_001 = Document001Example(
    weights=[
        [[0.2, 0.1, 0.9], [0.5, 0.1, 0.9], [0.1, 0.5, 0.6]],
        [[0.5, 0.1, 0.8, 0.6, 0.6], [0.9, 0.1, 0.9, 0.3, 0.8], [0.4, 0.9, 0.4, 0.8, 0.2]],
        [[0.9, 0.5], [0.4, 0.1], [0.1, 0.1], [0.7, 0.5], [0.8, 0.7]],
    ],
    x=[0.3, 0.7, 0.5],
    h1=[0.46, 0.35, 1.2],
    a1=[0.613, 0.587, 0.769],
    h2=[1.142, 0.812, 1.326, 1.159, 0.991],
    a2=[0.758, 0.692, 0.790, 0.761, 0.729],
    h3=[2.154, 1.418],
    a3=[0.896, 0.805],
)


def document_001_example() -> Document001Example:
    """A fresh copy of document 001's worked example (safe to modify)."""
    d = DOCUMENT_001
    return Document001Example(
        weights=[[list(row) for row in matrix] for matrix in d.weights],
        x=list(d.x),
        h1=list(d.h1),
        a1=list(d.a1),
        h2=list(d.h2),
        a2=list(d.a2),
        h3=list(d.h3),
        a3=list(d.a3),
    )


def square_function(
    n: int = 21, low: float = -1.0, high: float = 1.0
) -> tuple[list[list[float]], list[float]]:
    """``n`` evenly spaced points x in [low, high] with targets x², the function document 002
    approximates (its Figure 2)."""
    checks.integer("square_function's n (the number of points)", n, low=2)
    if not low < high:
        raise ValueError(f"square_function needs low < high, got low={low!r}, high={high!r}")
    xs = [low + (high - low) * k / (n - 1) for k in range(n)]
    return [[x] for x in xs], [x * x for x in xs]
