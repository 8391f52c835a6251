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
the test accuracy and its time; the last line is the test accuracy. Inside a long epoch a
progress line comes every 10 seconds (``--progress SECONDS``, 0 for none). ``--plot
loss.png`` draws the loss per epoch (training and test) when the run ends (needs
matplotlib). Ctrl-C stops the run and says what was saved and how to resume it.
"""

from __future__ import annotations

import argparse
import io
import os
import shlex
import sys
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tinygrad_edu.cli.arguments import description, non_empty
from tinygrad_edu.cli.errors import UsageError
from tinygrad_edu.core.messages import count
from tinygrad_edu.datasets.digits import load_digits, one_hot
from tinygrad_edu.datasets.mnist import IdxError, load_mnist
from tinygrad_edu.datasets.split import stratified_split, take
from tinygrad_edu.files.atomic import check_writable, write_atomically
from tinygrad_edu.nn import MLP
from tinygrad_edu.training import EpochEnd, History, Progress, train

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
PROGRESS_SECONDS = 10.0
PLOT_FORMATS = ("png", "svg", "pdf")


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
    parser.add_argument(
        "--progress",
        type=float,
        default=PROGRESS_SECONDS,
        metavar="SECONDS",
        help=f"a progress line inside an epoch every SECONDS ({PROGRESS_SECONDS:g}; 0: none)",
    )
    parser.add_argument(
        "--plot",
        type=non_empty("a picture's file name, e.g. --plot loss.png"),
        metavar="PATH",
        help="draw the loss per epoch to PATH (.png, .svg or .pdf; needs matplotlib)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    settings = _settings(args)
    if args.plot is not None:
        _check_plot(args.plot)
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
    clock = _EpochClock(settings.epochs, args.progress)
    checkpoint = args.checkpoint or args.resume
    try:
        with warnings.catch_warnings():
            warnings.showwarning = _show_warning  # one line on stderr, no source path
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
                progress=clock.progress if args.progress > 0 else None,
                checkpoint_every=None if checkpoint is None else 1,
                checkpoint_path=checkpoint,
                resume_from=args.resume,
            )
    except KeyboardInterrupt:
        print(_interrupted(args, checkpoint, clock.last_epoch), file=sys.stderr)
        return 130
    if checkpoint is not None:
        print(f"saved the run in {checkpoint}")
    if args.plot is not None:
        write_atomically(args.plot, _loss_picture(history, args.plot))
        print(f"drew the loss per epoch in {args.plot}")
    print(f"test accuracy: {history.val_accuracy[-1]:.3f}")
    return 0


def _show_warning(message: Warning | str, *_: Any, **__: Any) -> None:
    print(f"tinygrad-edu train: warning: {message}", file=sys.stderr, flush=True)


def _interrupted(args: argparse.Namespace, checkpoint: str | None, last_epoch: int) -> str:
    """What Ctrl-C stopped, what was saved, and the command that continues the run."""
    stopped = f"tinygrad-edu train: interrupted in epoch {last_epoch + 1}"
    if checkpoint is None:
        return (
            f"{stopped}; nothing was saved (--checkpoint run.json saves the run after "
            "every epoch, and --resume run.json continues it)"
        )
    if last_epoch == 0 and args.resume is None:
        return f"{stopped}; no epoch was finished, so nothing was saved in {checkpoint}"
    saved = (
        f"{checkpoint} holds the run after epoch {last_epoch}"
        if last_epoch
        else f"{checkpoint} still holds the run as it was resumed"
    )
    return f"{stopped}; {saved}. Continue it with:\n  {_resume_command(args, checkpoint)}"


def _resume_command(args: argparse.Namespace, checkpoint: str) -> str:
    words = ["tinygrad-edu", "train", args.dataset, "--resume", checkpoint]
    for flag, value in (
        ("--data", args.data),
        ("--limit", args.limit),
        ("--epochs", args.epochs),
        ("--lr", args.lr),
        ("--batch-size", args.batch_size),
        ("--seed", args.seed or None),
    ):
        if value is not None:
            words += [flag, str(value)]
    return shlex.join(words)


def _check_plot(path: str) -> None:
    """Refuse ``--plot`` now, before any training: a format matplotlib cannot write here,
    no matplotlib, or a path that cannot be written."""
    suffix = os.path.splitext(path)[1].lower().lstrip(".")
    if suffix not in PLOT_FORMATS:
        raise UsageError(
            f"tinygrad-edu train: --plot {path}: give a file name ending in "
            f"{', '.join('.' + f for f in PLOT_FORMATS)} (the picture's format)"
        )
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise UsageError(
            "tinygrad-edu train: --plot needs matplotlib: pip install 'tinygrad_edu[notebooks]'"
        ) from None
    check_writable(path)


def _loss_picture(history: History, path: str) -> bytes:
    """The loss per epoch, training and test, as the bytes of a picture for ``path``."""
    from matplotlib.figure import Figure

    from tinygrad_edu.plotting import plot_loss

    figure = Figure(figsize=(6.0, 4.0))
    axes = figure.add_subplot()
    plot_loss(history, axes)
    axes.set_title("document 004's network: loss ½Σ(a − y)² per epoch")
    buffer = io.BytesIO()
    figure.savefig(buffer, format=os.path.splitext(path)[1].lower().lstrip("."))
    return buffer.getvalue()


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
    if not 0.0 <= args.progress < float("inf"):
        raise UsageError(
            f"tinygrad-edu train: --progress must be 0 (none) or a number of seconds, "
            f"got {args.progress}"
        )
    if not 0.0 < chosen.lr < float("inf"):  # also refuses nan and an overflowing 1e400
        raise UsageError(f"tinygrad-edu train: --lr must be positive and finite, got {chosen.lr}")
    return chosen


class _EpochClock:
    """Prints one line per epoch (loss, accuracies and the epoch's time), and inside an
    epoch a progress line every ``every`` seconds."""

    def __init__(self, epochs: int, every: float) -> None:
        self.width = len(str(epochs))
        self.start = time.perf_counter()
        self.every = every
        self.shown = self.start
        self.last_epoch = 0

    def progress(self, step: Progress) -> None:
        now = time.perf_counter()
        if now - self.shown < self.every or step.done == step.examples:
            return
        self.shown = now
        print(
            f"  epoch {step.epoch:>{self.width}}/{step.epochs}: {step.done:,} of "
            f"{step.examples:,} images, loss so far {step.loss:.4f}  ({now - self.start:.1f} s)",
            flush=True,
        )

    def report(self, end: EpochEnd) -> None:
        self.last_epoch = end.epoch
        now = time.perf_counter()
        print(
            f"epoch {end.epoch:>{self.width}}/{end.epochs}  loss {end.loss:.4f}  "
            f"train accuracy {end.accuracy:.3f}  "
            f"test accuracy {end.history.val_accuracy[-1]:.3f}  ({now - self.start:.1f} s)",
            flush=True,
        )
        self.start = self.shown = now
