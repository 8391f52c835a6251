"""MNIST from the standard IDX files you already have on disk (gzip-compressed or not).

The IDX format stores one array, big-endian:

* the magic number, 4 bytes: two zero bytes, a type code (0x08 unsigned byte, 0x09 signed
  byte, 0x0B 16-bit int, 0x0C 32-bit int, 0x0D float, 0x0E double) and the number of
  dimensions d;
* d sizes, each a 4-byte unsigned int;
* the values, row-major: the product of the sizes, each of the type's width.

MNIST is four such files: ``train-images-idx3-ubyte`` (60000 × 28 × 28 unsigned bytes),
``train-labels-idx1-ubyte`` (60000), ``t10k-images-idx3-ubyte`` and ``t10k-labels-idx1-ubyte``
(10000 each), usually with ``.gz`` appended. Nothing is downloaded.
"""

from __future__ import annotations

import array
import os
import struct
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import overload

from tinygrad_edu.datasets.compressed import gunzip_if_compressed

# type code: (name, array typecode, bytes per value)
IDX_TYPES = {
    0x08: ("unsigned byte", "B", 1),
    0x09: ("signed byte", "b", 1),
    0x0B: ("16-bit int", "h", 2),
    0x0C: ("32-bit int", "i", 4),
    0x0D: ("float", "f", 4),
    0x0E: ("double", "d", 8),
}

MNIST_FILES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}


class IdxError(ValueError):
    """An IDX file that is not what its header, or MNIST, says it should be."""


@dataclass(frozen=True)
class IdxArray:
    """The array in an IDX file: its element type, its shape and its values, flat and
    row-major (``values[i·n₂·n₃ + j·n₃ + k]`` is element ``[i, j, k]``)."""

    type_name: str
    shape: tuple[int, ...]
    values: array.array[int]

    def __len__(self) -> int:
        return self.shape[0]

    def item(self, i: int) -> list[int] | list[float]:
        """Entry ``i`` of the first dimension, flattened: an image's pixels row by row."""
        size = len(self.values) // self.shape[0] if self.shape[0] else 0
        return self.values[i * size : (i + 1) * size].tolist()


def load_idx(path: str | os.PathLike[str]) -> IdxArray:
    """Read one IDX file, gzip-compressed or not (told apart by content, not by name).

    Raises :class:`IdxError` (a ValueError) naming the file and the field that is wrong: a
    magic number that is not IDX's, or a file that ends before the sizes or the values its
    header declares (or goes on after them). OSError if the file cannot be read.
    """
    name = os.fspath(path)
    with open(path, "rb") as file:
        data = file.read()
    return parse_idx(gunzip_if_compressed(data, name, IdxError), name)


def parse_idx(data: bytes, name: str = "IDX data") -> IdxArray:
    """The array held in the bytes of an (uncompressed) IDX file; see :func:`load_idx`."""
    if len(data) < 4:
        raise IdxError(
            f"{name}: truncated: the 4-byte magic number needs 4 bytes, the file has {len(data)}"
        )
    zeros, code, dimensions = struct.unpack(">HBB", data[:4])
    if zeros != 0 or code not in IDX_TYPES or dimensions == 0:
        codes = ", ".join(f"0x{c:02X} {t[0]}" for c, t in IDX_TYPES.items())
        raise IdxError(
            f"{name}: magic number 0x{int.from_bytes(data[:4], 'big'):08X} is not an IDX "
            f"magic number: expected two zero bytes, a type code ({codes}) and a number of "
            f"dimensions of at least 1 (MNIST images: 0x00000803, labels: 0x00000801)"
        )
    type_name, typecode, width = IDX_TYPES[code]
    header = 4 + 4 * dimensions
    if len(data) < header:
        complete = (len(data) - 4) // 4
        raise IdxError(
            f"{name}: truncated: the magic number declares {dimensions} dimension sizes, "
            f"but the file ends after {complete}"
        )
    shape = struct.unpack(f">{dimensions}I", data[4:header])
    count = 1
    for size in shape:
        count *= size
    expected = count * width
    present = len(data) - header
    shown = " x ".join(map(str, shape))
    if present < expected:
        raise IdxError(
            f"{name}: truncated: the header declares {shown} {type_name} values "
            f"({expected:,} bytes of data), but only {present:,} bytes follow the header"
        )
    if present > expected:
        raise IdxError(
            f"{name}: {present - expected:,} unexpected bytes after the {expected:,} bytes of "
            f"data that the header declares ({shown} {type_name} values)"
        )
    values = array.array(typecode)
    values.frombytes(data[header:])
    if width > 1 and sys.byteorder == "little":
        values.byteswap()  # IDX is big-endian
    return IdxArray(type_name, tuple(shape), values)


class PixelRows(Sequence[list[float]]):
    """MNIST images as rows of pixel intensities in [0, 1] (byte / 255), made on demand:
    60000 images stay 47 MB of bytes instead of 47 million Python floats."""

    _SCALE = tuple(b / 255.0 for b in range(256))

    def __init__(self, images: IdxArray, count: int | None = None) -> None:
        self._images = images
        self._pixels = len(images.values) // images.shape[0] if images.shape[0] else 0
        self._count = images.shape[0] if count is None else min(count, images.shape[0])

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, i: int) -> list[float]: ...

    @overload
    def __getitem__(self, i: slice) -> list[list[float]]: ...

    def __getitem__(self, i: int | slice) -> list[float] | list[list[float]]:
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(self._count))]
        if i < 0:
            i += self._count
        if not 0 <= i < self._count:
            raise IndexError(f"image {i} is out of range 0..{self._count - 1}")
        scale = self._SCALE
        start = i * self._pixels
        return [scale[b] for b in self._images.values[start : start + self._pixels]]


@dataclass(frozen=True)
class Mnist:
    """The MNIST training and test sets: images as :class:`PixelRows`, labels 0..9."""

    train_images: PixelRows
    train_labels: list[int]
    test_images: PixelRows
    test_labels: list[int]


def find_mnist_file(directory: str | os.PathLike[str], stem: str) -> Path:
    """The file for ``stem`` in ``directory``: ``stem`` or ``stem.gz``, or the same with
    ``.idx`` in place of ``-idx`` (``train-images.idx3-ubyte``), as some copies are named."""
    folder = Path(directory)
    dotted = stem.replace("-idx", ".idx")
    for candidate in (stem, stem + ".gz", dotted, dotted + ".gz"):
        if (folder / candidate).is_file():
            return folder / candidate
    raise FileNotFoundError(
        f"MNIST: no {stem} or {stem}.gz in {folder}; the folder needs the four standard files "
        f"{', '.join(MNIST_FILES.values())} (gzip-compressed or not)"
    )


def load_mnist(directory: str | os.PathLike[str], limit: int | None = None) -> Mnist:
    """Load the four MNIST IDX files from ``directory`` (see :func:`find_mnist_file`).

    ``limit`` keeps only the first ``limit`` images of each set (quick experiments). Raises
    FileNotFoundError for a missing file and :class:`IdxError` for a file that is not a valid
    IDX file or not MNIST-shaped (images n × rows × columns of unsigned bytes, as many
    labels as images, each 0..9).
    """
    if not Path(directory).is_dir():
        raise FileNotFoundError(f"MNIST: {directory} is not a folder")
    sets = {}
    for part in ("train", "test"):
        images_path = find_mnist_file(directory, MNIST_FILES[f"{part}_images"])
        labels_path = find_mnist_file(directory, MNIST_FILES[f"{part}_labels"])
        images, labels = load_idx(images_path), load_idx(labels_path)
        _check_images(images, images_path)
        _check_labels(labels, labels_path, len(images), images_path)
        count = len(images) if limit is None else min(limit, len(images))
        sets[part] = (PixelRows(images, count), labels.values[:count].tolist())
    return Mnist(*sets["train"], *sets["test"])


def _check_images(images: IdxArray, path: Path) -> None:
    if images.type_name != "unsigned byte" or len(images.shape) != 3:
        raise IdxError(
            f"{path}: MNIST images must be a 3-dimensional array (images × rows × columns) of "
            f"unsigned bytes, got {len(images.shape)} dimensions of {images.type_name}"
        )
    if images.shape[0] == 0:
        raise IdxError(f"{path}: the header declares 0 images")


def _check_labels(labels: IdxArray, path: Path, count: int, images_path: Path) -> None:
    if labels.type_name != "unsigned byte" or len(labels.shape) != 1:
        raise IdxError(
            f"{path}: MNIST labels must be a 1-dimensional array of unsigned bytes, got "
            f"{len(labels.shape)} dimensions of {labels.type_name}"
        )
    if len(labels) != count:
        raise IdxError(
            f"{path}: {len(labels):,} labels, but {images_path.name} has {count:,} images"
        )
    for i, label in enumerate(labels.values):
        if label > 9:
            raise IdxError(f"{path}: label {i} is {label}, expected a digit 0..9")
