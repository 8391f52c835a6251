"""The IDX reader and the MNIST loader, on small IDX files these tests write byte by byte."""

from __future__ import annotations

import gzip
import re
import struct

import pytest

from tinygrad_edu.cli import main
from tinygrad_edu.datasets import IdxError, load_idx, load_mnist


def idx_bytes(type_code: int, shape: tuple[int, ...], payload: bytes) -> bytes:
    """An IDX file: 0x0000, the type code, the number of dimensions, the sizes, the data."""
    header = struct.pack(">HBB", 0, type_code, len(shape))
    return header + struct.pack(f">{len(shape)}I", *shape) + payload


def write(path, data: bytes, compress: bool = False):
    path.write_bytes(gzip.compress(data) if compress else data)
    return path


def write_mnist(folder, train=12, test=4, size=3, compress=True, names=None):
    """Tiny MNIST-shaped files: images of size × size pixels whose first pixel is the label."""
    names = names or {
        "train-images": "train-images-idx3-ubyte",
        "train-labels": "train-labels-idx1-ubyte",
        "t10k-images": "t10k-images-idx3-ubyte",
        "t10k-labels": "t10k-labels-idx1-ubyte",
    }
    suffix = ".gz" if compress else ""
    for part, count in (("train", train), ("t10k", test)):
        labels = bytes(k % 10 for k in range(count))
        pixels = b"".join(bytes([label * 25] + [255] * (size * size - 1)) for label in labels)
        images = idx_bytes(0x08, (count, size, size), pixels)
        write(folder / (names[f"{part}-images"] + suffix), images, compress)
        labels_file = idx_bytes(0x08, (count,), labels)
        write(folder / (names[f"{part}-labels"] + suffix), labels_file, compress)
    return folder


@pytest.mark.parametrize("compress", [False, True])
def test_an_unsigned_byte_array_round_trips_gzipped_or_not(tmp_path, compress):
    path = write(tmp_path / "a.idx", idx_bytes(0x08, (2, 2, 3), bytes(range(12))), compress)
    array = load_idx(path)
    assert array.type_name == "unsigned byte"
    assert array.shape == (2, 2, 3)
    assert list(array.values) == list(range(12))
    assert len(array) == 2
    assert array.item(1) == [6, 7, 8, 9, 10, 11]


@pytest.mark.parametrize(
    "code, fmt, values",
    [
        (0x09, "b", [-128, -1, 0, 127]),
        (0x0B, "h", [-32768, -2, 1, 32767]),
        (0x0C, "i", [-(2**31), -5, 7, 2**31 - 1]),
        (0x0D, "f", [-1.5, 0.25, 3.0, 1e10]),
        (0x0E, "d", [-1.5, 0.1, 3.0, 1e300]),
    ],
)
def test_every_idx_type_is_read_big_endian(tmp_path, code, fmt, values):
    payload = struct.pack(f">{len(values)}{fmt}", *values)
    array = load_idx(write(tmp_path / "t.idx", idx_bytes(code, (len(values),), payload)))
    expected = list(struct.unpack(f">{len(values)}{fmt}", payload))  # the float32 roundings
    assert array.values.tolist() == expected


@pytest.mark.parametrize(
    "data, message",
    [
        (b"\x00\x00", "truncated: the 4-byte magic number needs 4 bytes, the file has 2"),
        (b"PK\x03\x04" + bytes(20), "magic number 0x504B0304 is not an IDX magic number"),
        (struct.pack(">HBB", 0, 0x07, 1) + bytes(8), "magic number 0x00000701 is not an IDX"),
        (struct.pack(">HBB", 0, 0x08, 0), "magic number 0x00000800 is not an IDX"),
        (
            struct.pack(">HBB", 0, 0x08, 3) + struct.pack(">I", 5),
            "truncated: the magic number declares 3 dimension sizes, but the file ends after 1",
        ),
        (
            idx_bytes(0x08, (10, 28, 28), bytes(100)),
            "truncated: the header declares 10 x 28 x 28 unsigned byte values (7,840 bytes of "
            "data), but only 100 bytes follow the header",
        ),
        (
            idx_bytes(0x0E, (2,), bytes(15)),
            "truncated: the header declares 2 double values (16 bytes of data), but only 15",
        ),
        (idx_bytes(0x08, (2,), bytes(5)), "3 unexpected bytes after the 2 bytes of data"),
    ],
)
def test_a_broken_file_names_the_file_and_the_field(tmp_path, data, message):
    path = write(tmp_path / "broken-idx1-ubyte", data)
    with pytest.raises(IdxError, match=re.escape(f"{path}: {message}")):
        load_idx(path)


def test_a_truncated_gzip_file_names_the_file(tmp_path):
    data = gzip.compress(idx_bytes(0x08, (4,), bytes(4)))
    path = write(tmp_path / "labels.gz", data[: len(data) // 2])
    with pytest.raises(IdxError, match=re.escape(f"{path}: truncated or corrupt gzip data")):
        load_idx(path)


@pytest.mark.parametrize("compress", [False, True])
def test_load_mnist_reads_the_four_files(tmp_path, compress):
    mnist = load_mnist(write_mnist(tmp_path, compress=compress))
    assert len(mnist.train_images) == 12 and len(mnist.test_images) == 4
    assert mnist.train_labels == [k % 10 for k in range(12)]
    assert mnist.test_labels == [0, 1, 2, 3]
    image = mnist.train_images[3]
    assert image == [75 / 255] + [1.0] * 8  # bytes scaled to [0, 1]
    assert mnist.train_images[-1] == mnist.train_images[11]
    assert mnist.train_images[1:3] == [mnist.train_images[1], mnist.train_images[2]]
    with pytest.raises(IndexError, match="image 12 is out of range 0..11"):
        mnist.train_images[12]


def test_load_mnist_accepts_the_dotted_file_names_and_a_limit(tmp_path):
    dotted = {
        "train-images": "train-images.idx3-ubyte",
        "train-labels": "train-labels.idx1-ubyte",
        "t10k-images": "t10k-images.idx3-ubyte",
        "t10k-labels": "t10k-labels.idx1-ubyte",
    }
    mnist = load_mnist(write_mnist(tmp_path, compress=False, names=dotted), limit=5)
    assert len(mnist.train_images) == len(mnist.train_labels) == 5
    assert len(mnist.test_images) == len(mnist.test_labels) == 4


def test_a_missing_file_is_named(tmp_path):
    write_mnist(tmp_path)
    (tmp_path / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(FileNotFoundError, match="no t10k-labels-idx1-ubyte or t10k-labels"):
        load_mnist(tmp_path)


def test_images_and_labels_must_agree(tmp_path):
    write_mnist(tmp_path)
    write(tmp_path / "train-labels-idx1-ubyte.gz", idx_bytes(0x08, (11,), bytes(11)), True)
    with pytest.raises(IdxError, match="11 labels, but train-images-idx3-ubyte.gz has 12 images"):
        load_mnist(tmp_path)
    labels = idx_bytes(0x08, (12,), bytes([0] * 11 + [12]))
    write(tmp_path / "train-labels-idx1-ubyte.gz", labels, True)
    with pytest.raises(IdxError, match="label 11 is 12, expected a digit 0..9"):
        load_mnist(tmp_path)


def test_images_must_be_a_3d_byte_array(tmp_path):
    write_mnist(tmp_path)
    write(tmp_path / "train-images-idx3-ubyte.gz", idx_bytes(0x0D, (12, 1), bytes(48)), True)
    with pytest.raises(IdxError, match="images must be a 3-dimensional array .* got 2 dimensions"):
        load_mnist(tmp_path)


def test_train_mnist_trains_784_30_10_on_the_files(tmp_path, capsys):
    write_mnist(tmp_path, train=20, test=5, size=28)
    assert main(["train", "mnist", "--data", str(tmp_path), "--epochs", "2"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0] == "mnist: 20 training and 5 test images (28x28)"
    assert "a 784-30-10 sigmoid MLP" in lines[1]
    assert [line.split()[1] for line in lines[2:4]] == ["1/2", "2/2"]
    assert re.fullmatch(r"test accuracy: [01]\.\d{3}", lines[-1])


def test_train_mnist_reports_a_bad_file_in_one_line(tmp_path, capsys):
    write_mnist(tmp_path)
    bad = write(tmp_path / "t10k-images-idx3-ubyte.gz", b"\x00\x00\x07\x03" + bytes(8), True)
    assert main(["train", "mnist", "--data", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith(f"tinygrad-edu train mnist: {bad}: magic number 0x00000703 is not")


def test_train_mnist_needs_the_data_folder(capsys):
    assert main(["train", "mnist"]) == 2
    assert "--data DIR" in capsys.readouterr().err
