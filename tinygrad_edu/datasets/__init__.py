"""The documents' small examples, ready to train on.

* :func:`xor_table`: document 004's four-row table (Y = X1 XOR X2; X3 is always 1).
* :func:`document_001_example`: the 3-3-5-2 worked example: weights, input and the
  intermediate numbers the document prints.
* :func:`square_function`: points of f(x) = x², the curve document 002 approximates.
"""

from tinygrad_edu.datasets.documents import (
    DOCUMENT_001,
    Document001Example,
    document_001_example,
    square_function,
    xor_table,
)

__all__ = [
    "DOCUMENT_001",
    "Document001Example",
    "document_001_example",
    "square_function",
    "xor_table",
]
