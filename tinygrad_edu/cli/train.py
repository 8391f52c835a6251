"""``tinygrad-edu train digits|mnist``: document 004's digit network, trained from scratch.

``--checkpoint run.json`` saves the run after every epoch (atomically); ``--resume run.json``
continues it, bit for bit, with the same data and flags (and keeps saving to that file).

``digits`` uses the 8×8 digits bundled with the package, split 80/20 into training and test
images, stratified by class with a fixed seed. ``mnist`` reads the four standard MNIST IDX
files (gzip or not) from the folder given with ``--data``; nothing is downloaded.

The network is document 004's: one hidden layer of 30 sigmoid neurons (64-30-10 for digits,
784-30-10 for MNIST), sigmoid outputs, trained on the documents' squared error
E = ½ Σₖ (aₖ − yₖ)² against one-hot targets, by stochastic gradient descent on shuffled
mini-batches. Pixels are scaled to [0, 1]. Each epoch prints its loss, its training accuracy,
the test accuracy and its time; the last line is the test accuracy.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from dataclasses import dataclass

from tinygrad_edu.cli.arguments import description, non_empty
from tinygrad_edu.cli.errors import UsageError
from tinygrad_edu.core.messages import count
from tinygrad_edu.datasets.digits import load_digits, one_hot
from tinygrad_edu.datasets.mnist import IdxError, load_mnist
from tinygrad_edu.datasets.split import stratified_split, take
from tinygrad_edu.nn import MLP
from tinygrad_edu.training import EpochEnd, train

HIDDEN = 30
CLASSES = 10


@dataclass(frozen=True)
class Settings:
    """The defaults of one data set: chosen so that ``train digits`` with no flags reaches
    about 98% test accuracy in well under a minute."""

    epochs: int
    lr: float
    batch_size: int


DEFAULTS = {
    "digits": Settings(epochs=15, lr=3.0, batch_size=10),
    "mnist": Settings(epochs=1, lr=3.0, batch_size=10),
}
TEST_FRACTION = 0.2  # digits only: MNIST comes with its own test set


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "train",
        help="train document 004's 30-hidden-neuron network on handwritten digits",
        description=description(__doc__),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("dataset", choices=sorted(DEFAULTS), help="digits (bundled) or mnist")
    parser.add_argument("--data", metavar="DIR", help="mnist: the folder with the IDX files")
    parser.add_argument(
        "--epochs", type=int, help="passes over the training set (digits 15, mnist 1)"
    )
    parser.add_argument("--lr", type=float, help="learning rate η (default 3.0)")
    parser.add_argument("--batch-size", type=int, help="examples per step (default 10)")
    parser.add_argument("--seed", type=int, default=0, help="weights, shuffling, split (0)")
    parser.add_argument(
        "--limit", type=int, help="mnist: use only the first N training and test images"
    )
    parser.add_argument(
        "--checkpoint",
        type=non_empty("a file name, e.g. --checkpoint run.json"),
        metavar="PATH",
        help="save the run to PATH after every epoch",
    )
    parser.add_argument(
        "--resume",
        type=non_empty("a file name, e.g. --resume run.json"),
        metavar="PATH",
        help="continue the run saved in PATH (same data and flags; --epochs is the total)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    settings = _settings(args)
    X_train: Sequence[list[float]]
    X_test: Sequence[list[float]]
    if args.dataset == "digits":
        if args.data is not None or args.limit is not None:
            raise UsageError("tinygrad-edu train digits: --data and --limit are for mnist only")
        X, labels = load_digits()
        train_at, test_at = stratified_split(labels, TEST_FRACTION, seed=args.seed)
        X_train, y_train = take(X, train_at), take(labels, train_at)
        X_test, y_test = take(X, test_at), take(labels, test_at)
        source = (
            f"digits: {len(X_train):,} training and {len(X_test):,} test images "
            f"(8x8, stratified {1 - TEST_FRACTION:.0%}/{TEST_FRACTION:.0%} split, seed {args.seed})"
        )
    else:
        if args.data is None:
            raise UsageError("tinygrad-edu train mnist: give the IDX files' folder: --data DIR")
        try:
            mnist = load_mnist(args.data, limit=args.limit)
        except (OSError, IdxError) as error:
            raise UsageError(f"tinygrad-edu train mnist: {error}") from None
        X_train, y_train = mnist.train_images, mnist.train_labels
        X_test, y_test = mnist.test_images, mnist.test_labels
        source = f"mnist: {len(X_train):,} training and {len(X_test):,} test images (28x28)"

    nin = len(X_train[0])
    model = MLP(
        nin,
        [HIDDEN, CLASSES],
        activation="sigmoid",
        output_activation="sigmoid",
        init="xavier",
        seed=args.seed,
    )
    print(source)
    print(
        f"a {nin}-{HIDDEN}-{CLASSES} sigmoid MLP, loss ½Σ(a − y)² on one-hot targets, "
        f"SGD η = {settings.lr}, mini-batches of {settings.batch_size}, "
        f"{count(settings.epochs, 'epoch')}, seed {args.seed}",
        flush=True,
    )
    targets = [one_hot(label) for label in y_train]
    test_targets = [one_hot(label) for label in y_test]
    clock = _EpochClock(settings.epochs)
    checkpoint = args.checkpoint or args.resume
    history = train(
        model,
        X_train,
        targets,
        loss="half_sse",
        lr=settings.lr,
        epochs=settings.epochs,
        batch_size=settings.batch_size,
        seed=args.seed,
        validation=(X_test, test_targets),
        print_every=0,
        callback=clock.report,
        checkpoint_every=None if checkpoint is None else 1,
        checkpoint_path=checkpoint,
        resume_from=args.resume,
    )
    if checkpoint is not None:
        print(f"saved the run in {checkpoint}")
    print(f"test accuracy: {history.val_accuracy[-1]:.3f}")
    return 0


def _settings(args: argparse.Namespace) -> Settings:
    default = DEFAULTS[args.dataset]
    chosen = Settings(
        epochs=default.epochs if args.epochs is None else args.epochs,
        lr=default.lr if args.lr is None else args.lr,
        batch_size=default.batch_size if args.batch_size is None else args.batch_size,
    )
    for flag, value in (
        ("--epochs", chosen.epochs),
        ("--batch-size", chosen.batch_size),
        ("--limit", args.limit if args.limit is not None else 1),
    ):
        if value < 1:
            raise UsageError(f"tinygrad-edu train: {flag} must be at least 1, got {value}")
    if not 0.0 < chosen.lr < float("inf"):  # also refuses nan and an overflowing 1e400
        raise UsageError(f"tinygrad-edu train: --lr must be positive and finite, got {chosen.lr}")
    return chosen


class _EpochClock:
    """Prints one line per epoch: loss, accuracies and the epoch's time."""

    def __init__(self, epochs: int) -> None:
        self.width = len(str(epochs))
        self.start = time.perf_counter()

    def report(self, end: EpochEnd) -> None:
        now = time.perf_counter()
        print(
            f"epoch {end.epoch:>{self.width}}/{end.epochs}  loss {end.loss:.4f}  "
            f"train accuracy {end.accuracy:.3f}  "
            f"test accuracy {end.history.val_accuracy[-1]:.3f}  ({now - self.start:.1f} s)",
            flush=True,
        )
        self.start = now
