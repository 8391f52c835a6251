"""The 8×8 handwritten digits bundled with the package (source and licence: DIGITS_LICENSE.md).

1,797 images of the digits 0 to 9, each 64 pixel intensities 0..16 read row by row. One
hidden layer of 30 sigmoid neurons learns them well, as document 004 reports for digits.
"""

from __future__ import annotations

import os
from importlib import resources

from tinygrad_edu.datasets.compressed import gunzip_if_compressed

DIGITS_FILE = "digits.csv.gz"
PIXELS = 64  # 8 × 8
MAX_PIXEL = 16
CLASSES = 10


def load_digits(
    path: str | os.PathLike[str] | None = None, scaled: bool = True
) -> tuple[list[list[float]], list[int]]:
    """The digits as ``(X, y)``: 64 pixels per image and the labels 0..9.

    Args:
        path: a CSV (gzip or not) in the same layout, one image a row: 64 integer pixels
            0..16 then the label; ``None`` reads the bundled file.
        scaled: divide the pixels by 16, so inputs lie in [0, 1] where a sigmoid network
            learns well; ``False`` keeps the integers 0..16 (as floats).

    Raises ValueError naming the file, the line and the field that is wrong.
    """
    if path is None:
        source = resources.files("tinygrad_edu.datasets").joinpath(DIGITS_FILE)
        name = DIGITS_FILE
        with source.open("rb") as raw:
            text = _decode(raw.read(), name)
    else:
        name = os.fspath(path)
        with open(path, "rb") as raw:
            text = _decode(raw.read(), name)
    scale = 1.0 / MAX_PIXEL if scaled else 1.0
    X: list[list[float]] = []
    y: list[int] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        pixels, label = _parse_row(line, name, number)
        X.append([p * scale for p in pixels])
        y.append(label)
    if not X:
        raise ValueError(f"{name}: no images in the file")
    return X, y


def _decode(data: bytes, name: str) -> str:
    data = gunzip_if_compressed(data, name)
    try:
        return data.decode("ascii")
    except UnicodeDecodeError as error:
        raise ValueError(f"{name}: not a text CSV file (byte {error.start} is not ASCII)") from None


def _parse_row(line: str, name: str, number: int) -> tuple[list[int], int]:
    fields = line.split(",")
    if len(fields) != PIXELS + 1:
        raise ValueError(
            f"{name}, line {number}: expected {PIXELS + 1} comma-separated integers "
            f"({PIXELS} pixels, then the label), got {len(fields)}"
        )
    values = []
    for column, field in enumerate(fields, start=1):
        what = "the label" if column == len(fields) else f"pixel {column}"
        try:
            value = int(field)
        except ValueError:
            raise ValueError(
                f"{name}, line {number}, column {column} ({what}): expected an integer, "
                f"got {field.strip()!r}"
            ) from None
        highest = CLASSES - 1 if column == len(fields) else MAX_PIXEL
        if not 0 <= value <= highest:
            raise ValueError(
                f"{name}, line {number}, column {column} ({what}): expected 0..{highest}, "
                f"got {value}"
            )
        values.append(value)
    return values[:PIXELS], values[PIXELS]


def one_hot(label: int, classes: int = CLASSES) -> list[float]:
    """``[0, …, 1, …, 0]`` with the 1 at position ``label``: a target for sigmoid outputs."""
    if not 0 <= label < classes:
        raise ValueError(f"one_hot: label {label} is not in 0..{classes - 1}")
    return [1.0 if k == label else 0.0 for k in range(classes)]
