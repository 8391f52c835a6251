"""Time per epoch of ``tinygrad-edu train mnist`` (784-30-10), measured on synthetic MNIST.

    python benchmarks/bench_mnist_epoch.py [--images 1000] [--full-set 60000]

MNIST cannot be bundled, so this script writes MNIST-shaped IDX files of random pixels and
labels to a temporary folder (gzip-compressed, like the originals): the full training set's
size for the loading time, and trains on the first ``--images`` of them with the command's
default settings (SGD, mini-batches of 10, η = 3). The engine does the same work whatever the
pixel values are, so the time per image is MNIST's; the epoch time is that times 60,000.
"""

from __future__ import annotations

import argparse
import gzip
import os
import random
import struct
import tempfile
import time

from tinygrad_edu.datasets.digits import one_hot
from tinygrad_edu.datasets.mnist import load_mnist
from tinygrad_edu.nn import MLP
from tinygrad_edu.training import train

ROWS = COLUMNS = 28


def write_idx_gz(path: str, type_code: int, shape: tuple[int, ...], payload: bytes) -> None:
    header = struct.pack(">HBB", 0, type_code, len(shape)) + struct.pack(f">{len(shape)}I", *shape)
    with gzip.open(path, "wb", compresslevel=1) as file:
        file.write(header + payload)


def write_synthetic_mnist(folder: str, train_count: int, test_count: int) -> None:
    rng = random.Random(0)
    for stem, count in (("train", train_count), ("t10k", test_count)):
        pixels = rng.randbytes(count * ROWS * COLUMNS)
        labels = bytes(rng.randrange(10) for _ in range(count))
        write_idx_gz(
            os.path.join(folder, f"{stem}-images-idx3-ubyte.gz"),
            0x08,
            (count, ROWS, COLUMNS),
            pixels,
        )
        write_idx_gz(os.path.join(folder, f"{stem}-labels-idx1-ubyte.gz"), 0x08, (count,), labels)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=1000, help="images to train on (1000)")
    parser.add_argument("--full-set", type=int, default=60000, help="training set size (60000)")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as folder:
        write_synthetic_mnist(folder, args.full_set, 10000 * args.full_set // 60000 or 1)
        start = time.perf_counter()
        mnist = load_mnist(folder)
        loaded = time.perf_counter() - start
    print(
        f"load_mnist: {len(mnist.train_images):,} + {len(mnist.test_images):,} synthetic "
        f"images (gzip IDX) in {loaded:.2f} s"
    )

    count = min(args.images, len(mnist.train_images))
    X = mnist.train_images[:count]
    Y = [one_hot(label) for label in mnist.train_labels[:count]]
    model = MLP(ROWS * COLUMNS, [30, 10], activation="sigmoid", output_activation="sigmoid", seed=0)
    start = time.perf_counter()
    train(model, X, Y, loss="half_sse", lr=3.0, epochs=1, batch_size=10, print_every=0)
    elapsed = time.perf_counter() - start
    per_image = elapsed / count
    print(
        f"one epoch over {count:,} images of 784 pixels (784-30-10): {elapsed:.2f} s, "
        f"{per_image * 1e3:.2f} ms per image"
    )
    print(f"MNIST epoch of 60,000 images, extrapolated: {per_image * 60000 / 60:.1f} minutes")


if __name__ == "__main__":
    main()
