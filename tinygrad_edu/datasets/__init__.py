"""The documents' small examples and handwritten digits, ready to train on.

* :func:`xor_table`: document 004's four-row table (Y = X1 XOR X2; X3 is always 1).
* :func:`document_001_example`: the 3-3-5-2 worked example: weights, input and the
  intermediate numbers the document prints.
* :func:`square_function`: points of f(x) = x², the curve document 002 approximates.
* :func:`load_digits`: 1,797 bundled 8×8 handwritten digits (CC BY 4.0, see
  DIGITS_LICENSE.md); :func:`stratified_split` splits them with a seed.
* :func:`load_mnist` and :func:`load_idx`: MNIST from the IDX files on your disk.
* :func:`load_names`: 32,033 bundled first names (MIT, see NAMES_LICENSE.md), microgpt's
  training set; :func:`write_names_file` writes them as microgpt's ``input.txt``.
"""

from tinygrad_edu.datasets.digits import load_digits, one_hot
from tinygrad_edu.datasets.documents import (
    DOCUMENT_001,
    Document001Example,
    document_001_example,
    square_function,
    xor_table,
)
from tinygrad_edu.datasets.mnist import IdxArray, IdxError, Mnist, load_idx, load_mnist
from tinygrad_edu.datasets.names import load_names, write_names_file
from tinygrad_edu.datasets.split import stratified_split, take

__all__ = [
    "DOCUMENT_001",
    "Document001Example",
    "IdxArray",
    "IdxError",
    "Mnist",
    "document_001_example",
    "load_digits",
    "load_idx",
    "load_mnist",
    "load_names",
    "one_hot",
    "square_function",
    "stratified_split",
    "take",
    "write_names_file",
    "xor_table",
]
