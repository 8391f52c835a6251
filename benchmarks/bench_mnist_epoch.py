"""MNIST-sized training: ``train()`` per image against the same SGD over plain Python floats.

    python benchmarks/bench_mnist_epoch.py [--images 200] [--rounds 9] [--full-set 60000]
                                           [--write PATH]

The workload is ``tinygrad-edu train mnist``'s: a 784-30-10 sigmoid network, loss ½Σ(a − y)²
on one-hot targets, SGD with η = 3 on shuffled mini-batches of 10 (the mean loss of each
batch). MNIST cannot be bundled, so the images are MNIST-shaped random bytes, written as gzip
IDX files and read back with ``load_mnist`` (the engine does the same work whatever the
pixels are, so the time per image is MNIST's).

The floor is that same SGD written by hand over lists of floats, with no graph: the forward
sums in the engine's order, the backward of the documents' equations, the same shuffling.
Both start from the same weights, and after each round their weights must agree to 1e-12,
so both did the same work. Every round trains one epoch on ``--images`` images with each of
the two, taking turns in this one process (each goes first in every other round); the best,
the median and the quartiles of the CPU time per image are printed, and the median of the
rounds' own ratios. ``--write PATH`` also writes them as a small Markdown table.
"""

from __future__ import annotations

import argparse
import gzip
import math
import os
import random
import statistics
import struct
import tempfile
import time
from collections.abc import Sequence

from report import add_write_option, written_to

from tinygrad_edu.datasets.digits import one_hot
from tinygrad_edu.datasets.mnist import load_mnist
from tinygrad_edu.nn import MLP
from tinygrad_edu.training import train

ROWS = COLUMNS = 28
HIDDEN, CLASSES = 30, 10
LEARNING_RATE, BATCH_SIZE, SEED = 3.0, 10, 0


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


# ----- the floor: the same SGD over plain floats -----------------------------------------


def _sigmoid(x: float) -> float:
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


class PlainFloatNetwork:
    """784-30-10 sigmoid, as lists: ``w[l][j]`` is neuron j's weights (one per input)."""

    def __init__(self, model: MLP) -> None:
        self.w = [[list(n.w[i].data for i in range(n.nin)) for n in layer.neurons]
                  for layer in model.layers]  # fmt: skip
        self.b = [[n.b.data for n in layer.neurons] for layer in model.layers]

    def parameters(self) -> list[float]:
        """In ``MLP.parameters()`` order: neuron by neuron, weights then bias."""
        return [p for ws, bs in zip(self.w, self.b, strict=True)
                for wj, bj in zip(ws, bs, strict=True) for p in (*wj, bj)]  # fmt: skip

    def epoch(
        self, X: Sequence[Sequence[float]], Y: Sequence[list[float]], order: list[int]
    ) -> None:
        (w1, w2), (b1, b2) = self.w, self.b
        for begin in range(0, len(order), BATCH_SIZE):
            batch = order[begin : begin + BATCH_SIZE]
            scale = 1.0 / len(batch)  # the batch loss is the mean of its examples' losses
            g1 = [[0.0] * len(x) for x in w1]
            g2 = [[0.0] * len(x) for x in w2]
            gb1, gb2 = [0.0] * len(b1), [0.0] * len(b2)
            for m in batch:
                x = X[m]
                a1 = []
                for wj, bj in zip(w1, b1):  # noqa: B905
                    h = bj
                    for wi, xi in zip(wj, x):  # noqa: B905
                        h += wi * xi
                    a1.append(_sigmoid(h))
                a2 = []
                for wk, bk in zip(w2, b2):  # noqa: B905
                    h = bk
                    for wi, ai in zip(wk, a1):  # noqa: B905
                        h += wi * ai
                    a2.append(_sigmoid(h))
                # δ² = (a − y) σ′ ; δ¹ = (W² δ²) ⊙ σ′   (documents 001 and 004)
                d2 = [scale * (a - y) * (a * (1.0 - a)) for a, y in zip(a2, Y[m])]  # noqa: B905
                d1 = [0.0] * len(a1)
                for k, dk in enumerate(d2):
                    gk, wk = g2[k], w2[k]
                    for j, aj in enumerate(a1):
                        gk[j] += aj * dk
                        d1[j] += wk[j] * dk
                    gb2[k] += dk
                for j, aj in enumerate(a1):
                    dj = d1[j] * (aj * (1.0 - aj))
                    gj = g1[j]
                    for i, xi in enumerate(x):
                        gj[i] += xi * dj
                    gb1[j] += dj
            for ws, gs, bs, gbs in ((w1, g1, b1, gb1), (w2, g2, b2, gb2)):
                for wj, gj in zip(ws, gs):  # noqa: B905
                    for i, g in enumerate(gj):
                        wj[i] -= LEARNING_RATE * g
                for j, g in enumerate(gbs):
                    bs[j] -= LEARNING_RATE * g


def shuffled_order(count: int) -> list[int]:
    """The order ``train(seed=SEED, shuffle=True)`` visits the examples in its first epoch."""
    order = list(range(count))
    random.Random(SEED).shuffle(order)
    return order


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=200, help="images per epoch (200)")
    parser.add_argument("--rounds", type=int, default=9, help="timed rounds (9)")
    parser.add_argument("--full-set", type=int, default=60000, help="training set size (60000)")
    add_write_option(parser)
    args = parser.parse_args(argv)
    with written_to(args.write, "bench_mnist_epoch.py", argv):
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
        order = shuffled_order(count)
        measure(X, Y, order, count, args.rounds)


def measure(X: list[list[float]], Y: list[list[float]], order: list[int], count: int,
            rounds: int) -> None:  # fmt: skip
    engine_times, floor_times, worst = [], [], 0.0
    for round_ in range(rounds):
        model = MLP(ROWS * COLUMNS, [HIDDEN, CLASSES], seed=SEED)
        floor = PlainFloatNetwork(model)
        runs = [("engine", model), ("floor", floor)]
        for name, contender in runs if round_ % 2 == 0 else runs[::-1]:  # each goes first
            start = time.process_time()
            if name == "engine":
                train(contender, X, Y, loss="half_sse", lr=LEARNING_RATE, epochs=1,
                      batch_size=BATCH_SIZE, seed=SEED, print_every=0)  # fmt: skip
                engine_times.append((time.process_time() - start) / count)
            else:
                contender.epoch(X, Y, order)
                floor_times.append((time.process_time() - start) / count)
        ours = [p.data for p in model.parameters()]
        worst = max(worst, max(abs(a - b) for a, b in zip(ours, floor.parameters(), strict=True)))

    print(f"one epoch over {count:,} images of 784 pixels (784-30-10), {rounds} rounds, "
          "CPU time:")  # fmt: skip
    print(f"  {'':<32} {'best ms/image':>14} {'median':>8} {'quartiles':>12}")
    for name, times in (
        ("tinygrad_edu train()", engine_times),
        ("plain floats (the floor)", floor_times),
    ):
        print(f"  {name:<32} {min(times) * 1e3:>14.2f} {statistics.median(times) * 1e3:>8.2f}"
              f" {spread([t * 1e3 for t in times]):>12}")  # fmt: skip
    print(f"trained weights: largest |difference| from the floor's {worst:.1e}"
          f" ({'equal to 1e-12' if worst <= 1e-12 else 'NOT equal to 1e-12'})")  # fmt: skip
    # a round's two epochs ran back to back, so their ratio is the least disturbed figure
    paired = [ours / floors for ours, floors in zip(engine_times, floor_times, strict=True)]
    median = statistics.median(paired)
    best = min(engine_times) / min(floor_times)
    print(
        f"ratio train() / floor per image: median of the rounds' ratios {median:.2f}x "
        f"(quartiles {spread(paired)}), best times {best:.2f}x"
    )
    minutes = statistics.median(engine_times) * 60000 / 60
    print(f"MNIST epoch of 60,000 images with train(), extrapolated: {minutes:.1f} minutes")


def spread(values: list[float]) -> str:
    """The lower and the upper quartile."""
    if len(values) < 2:
        return f"{values[0]:.2f}–{values[0]:.2f}"
    low, _, high = statistics.quantiles(values, n=4)
    return f"{low:.2f}–{high:.2f}"


if __name__ == "__main__":
    main()
