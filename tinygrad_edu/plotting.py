"""Small matplotlib helpers for the notebooks: training curves, fits, digits, boundaries.

matplotlib is an optional extra (``pip install 'tinygrad_edu[notebooks]'``). It is imported
inside each function, so ``import tinygrad_edu.plotting`` works without it; only drawing
needs it. Every function draws into the ``ax`` you pass, or a new figure, and returns what it
drew on, so the numbers behind a picture can be read back (``ax.lines[0].get_ydata()``).

Model outputs are computed with :func:`~tinygrad_edu.training.predict`, which runs under
``no_grad``: drawing a curve or a boundary builds no graph.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from tinygrad_edu import checks
from tinygrad_edu.nn import MLP
from tinygrad_edu.training import History, predict

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "decision_grid",
    "plot_accuracy",
    "plot_decision_boundary",
    "plot_digits",
    "plot_fit",
    "plot_history",
    "plot_loss",
]

INSTALL_HINT = "plotting needs matplotlib: pip install 'tinygrad_edu[notebooks]'"

CORRECT_COLOUR = "tab:green"
WRONG_COLOUR = "tab:red"


def _pyplot() -> Any:
    """``matplotlib.pyplot``, or an ImportError that says how to install it."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as error:
        raise ImportError(INSTALL_HINT) from error
    return plt


def _axes(ax: Axes | None, figsize: tuple[float, float] = (5.0, 3.5)) -> Axes:
    if ax is not None:
        return ax
    new_ax: Axes
    _, new_ax = _pyplot().subplots(figsize=figsize)
    return new_ax


def _epochs(values: Sequence[object]) -> list[int]:
    return list(range(1, len(values) + 1))


def _whole_epochs(ax: Axes) -> None:
    """Ticks at whole epochs only (no "epoch 2.5" on a short run)."""
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))


# ----- training curves ---------------------------------------------------------------------


def plot_loss(
    history: History | Sequence[float], ax: Axes | None = None, *, log: bool = False
) -> Axes:
    """The loss per epoch (and the validation loss, if the run had one).

    ``history`` is what ``train`` returns, or a plain list of losses from a loop of your own.
    Epochs are counted from 1, as ``train`` prints them. ``log=True`` draws the loss on a
    logarithmic axis, where a steady exponential decrease is a straight line.
    """
    if not isinstance(history, History):
        history = History(loss=[checks.data_of(v) for v in history])
    if not history.loss:
        raise ValueError("plot_loss: the history has no epochs")
    ax = _axes(ax)
    ax.plot(_epochs(history.loss), history.loss, label="training loss")
    if history.val_loss:
        ax.plot(_epochs(history.val_loss), history.val_loss, label="validation loss")
    ax.set_xlabel("epoch")
    _whole_epochs(ax)
    ax.set_ylabel("loss")
    if log:
        ax.set_yscale("log")
    ax.legend()
    return ax


def plot_accuracy(history: History, ax: Axes | None = None) -> Axes:
    """The fraction classified correctly per epoch (and on the validation set, if any).

    Raises ValueError for a regression run, whose history holds no accuracy.
    """
    if not _has_accuracy(history):
        raise ValueError("plot_accuracy: the history has no accuracy (a regression run?)")
    ax = _axes(ax)
    ax.plot(_epochs(history.accuracy), _known(history.accuracy), label="training accuracy")
    if history.val_accuracy and all(a is not None for a in history.val_accuracy):
        ax.plot(
            _epochs(history.val_accuracy),
            _known(history.val_accuracy),
            label="validation accuracy",
        )
    ax.set_xlabel("epoch")
    _whole_epochs(ax)
    ax.set_ylabel("accuracy")
    ax.set_ylim(0.0, 1.02)
    ax.legend()
    return ax


def _known(values: Sequence[float | None]) -> list[float]:
    """Accuracies that are all there (callers check), as floats for matplotlib."""
    return [float("nan") if v is None else v for v in values]


def _has_accuracy(history: History) -> bool:
    """Whether every epoch recorded an accuracy (a regression run records none)."""
    return bool(history.accuracy) and all(a is not None for a in history.accuracy)


def plot_history(history: History, *, log: bool = False) -> Figure:
    """A new figure: the loss curve, and beside it the accuracy curve when there is one."""
    has_accuracy = _has_accuracy(history)
    columns = 2 if has_accuracy else 1
    fig: Figure
    fig, axes = _pyplot().subplots(1, columns, figsize=(5.0 * columns, 3.5), squeeze=False)
    plot_loss(history, axes[0][0], log=log)
    if has_accuracy:
        plot_accuracy(history, axes[0][1])
    fig.tight_layout()
    return fig


# ----- a fitted curve over its target ------------------------------------------------------


def plot_fit(
    model: MLP,
    X: Sequence[Sequence[float]],
    Y: Sequence[float | Sequence[float]],
    *,
    target: Callable[[float], float] | None = None,
    points: int = 200,
    ax: Axes | None = None,
) -> Axes:
    """A one-input, one-output model as a curve, over its training points (and the target).

    Draws, in this order: the ``target`` function (if given) as ``ax.lines[0]``, then the
    model's output f(x) at ``points`` evenly spaced x spanning the training inputs, then the
    training pairs (xₘ, yₘ) as dots.
    """
    if model.nin != 1 or model.sizes[-1] != 1:
        raise ValueError(f"plot_fit needs a model with one input and one output, got {model!r}")
    if len(X) == 0 or len(X) != len(Y):
        raise ValueError(f"plot_fit needs as many targets as inputs, got {len(X)} and {len(Y)}")
    if points < 2:
        raise ValueError(f"plot_fit needs at least 2 points, got {points}")
    xs = [checks.data_of(x[0]) for x in X]
    ys = [checks.data_of(y[0] if isinstance(y, Sequence) else y) for y in Y]
    low, high = min(xs), max(xs)
    grid = [low + (high - low) * k / (points - 1) for k in range(points)]
    ax = _axes(ax)
    if target is not None:
        ax.plot(grid, [target(x) for x in grid], color="0.6", linewidth=3.0, label="target")
    fitted = [out[0] for out in predict(model, [[x] for x in grid])]
    ax.plot(grid, fitted, color="tab:blue", label="network")
    ax.scatter(xs, ys, s=14, color="black", zorder=3, label="training points")
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.legend()
    return ax


# ----- a grid of digits with their predictions ---------------------------------------------


def _image_shape(size: int, shape: tuple[int, int] | None) -> tuple[int, int]:
    if shape is not None:
        if shape[0] * shape[1] != size:
            raise ValueError(f"an image of {size} pixels cannot have shape {shape}")
        return shape
    side = math.isqrt(size)
    if side * side != size:
        raise ValueError(f"an image of {size} pixels is not square; pass shape=(rows, cols)")
    return side, side


def plot_digits(
    images: Sequence[Sequence[float]],
    labels: Sequence[int],
    predictions: Sequence[int] | None = None,
    *,
    shape: tuple[int, int] | None = None,
    columns: int = 8,
) -> Figure:
    """A new figure with one small image per example, titled with its label.

    ``images`` are flat pixel lists (64 values for 8×8 digits; ``shape`` for non-square
    ones). With ``predictions``, each title reads ``"pred 3"`` and is green when the
    prediction equals the label, red (with ``"(true 5)"``) when it does not.
    """
    if not images:
        raise ValueError("plot_digits: no images")
    if len(labels) != len(images):
        raise ValueError(f"plot_digits: {len(images)} images but {len(labels)} labels")
    if predictions is not None and len(predictions) != len(images):
        raise ValueError(f"plot_digits: {len(images)} images but {len(predictions)} predictions")
    rows_, cols_ = _image_shape(len(images[0]), shape)
    columns = max(1, min(columns, len(images)))
    rows = math.ceil(len(images) / columns)
    fig: Figure
    fig, axes = _pyplot().subplots(
        rows, columns, figsize=(1.2 * columns, 1.4 * rows), squeeze=False
    )
    for k, ax in enumerate(ax for row in axes for ax in row):
        ax.set_axis_off()
        if k >= len(images):
            continue
        pixels = [float(p) for p in images[k]]
        if len(pixels) != rows_ * cols_:
            raise ValueError(
                f"plot_digits: image {k} has {len(pixels)} pixels, not {rows_ * cols_}"
            )
        picture = [pixels[r * cols_ : (r + 1) * cols_] for r in range(rows_)]
        ax.imshow(picture, cmap="gray_r", interpolation="nearest")
        if predictions is None:
            ax.set_title(str(labels[k]), fontsize=9)
        elif predictions[k] == labels[k]:
            ax.set_title(f"pred {predictions[k]}", fontsize=9, color=CORRECT_COLOUR)
        else:
            title = f"pred {predictions[k]} (true {labels[k]})"
            ax.set_title(title, fontsize=8, color=WRONG_COLOUR)
    fig.tight_layout()
    return fig


# ----- a decision boundary -----------------------------------------------------------------


def _default_input(u: float, v: float) -> list[float]:
    return [u, v]


def decision_grid(
    model: MLP,
    xlim: tuple[float, float],
    ylim: tuple[float, float],
    *,
    resolution: int = 50,
    to_input: Callable[[float, float], Sequence[float]] = _default_input,
) -> tuple[list[float], list[float], list[list[float]]]:
    """The model's answer over a ``resolution × resolution`` grid of the plane.

    Returns ``(us, vs, values)`` with ``values[r][c]`` the answer at ``(us[c], vs[r])``: the
    output itself for a one-output model, the index of the largest output (the class) for
    several outputs. ``to_input(u, v)`` turns a point of the plane into the model's input,
    for example ``lambda u, v: [u, v, 1.0]`` for document 004's table, whose X3 is always 1.
    """
    if resolution < 2:
        raise ValueError(f"decision_grid needs resolution >= 2, got {resolution}")
    us = [xlim[0] + (xlim[1] - xlim[0]) * k / (resolution - 1) for k in range(resolution)]
    vs = [ylim[0] + (ylim[1] - ylim[0]) * k / (resolution - 1) for k in range(resolution)]
    outputs = predict(model, [list(to_input(u, v)) for v in vs for u in us])
    if model.sizes[-1] == 1:
        flat = [out[0] for out in outputs]
    else:
        flat = [float(max(range(len(out)), key=out.__getitem__)) for out in outputs]
    values = [flat[r * resolution : (r + 1) * resolution] for r in range(resolution)]
    return us, vs, values


def plot_decision_boundary(
    model: MLP,
    points: Sequence[Sequence[float]],
    labels: Sequence[float],
    *,
    to_input: Callable[[float, float], Sequence[float]] = _default_input,
    threshold: float = 0.5,
    resolution: int = 50,
    margin: float = 0.5,
    ax: Axes | None = None,
) -> Axes:
    """The plane coloured by the model's answer, the boundary, and the labelled points.

    ``points`` are 2-D coordinates (u, v); ``to_input`` maps them to the model's input. For a
    one-output model the colour is the output and the boundary is the contour
    output = ``threshold``; for several outputs the colour is the argmax class. The grid
    extends ``margin`` beyond the points on every side.
    """
    if not points or len(points) != len(labels):
        raise ValueError(
            f"plot_decision_boundary needs as many labels as points, got {len(points)} and "
            f"{len(labels)}"
        )
    us = [float(p[0]) for p in points]
    vs = [float(p[1]) for p in points]
    xlim = (min(us) - margin, max(us) + margin)
    ylim = (min(vs) - margin, max(vs) + margin)
    grid_u, grid_v, values = decision_grid(
        model, xlim, ylim, resolution=resolution, to_input=to_input
    )
    ax = _axes(ax, figsize=(4.5, 4.0))
    if model.sizes[-1] == 1:
        filled = ax.contourf(grid_u, grid_v, values, levels=20, cmap="RdBu_r", alpha=0.7)
        ax.contour(grid_u, grid_v, values, levels=[threshold], colors="black", linewidths=1.5)
        ax.figure.colorbar(filled, ax=ax, label="network output")
    else:
        ax.contourf(grid_u, grid_v, values, cmap="tab10", alpha=0.4)
    ax.scatter(
        us, vs, c=[float(y) for y in labels], cmap="RdBu_r", edgecolors="black", s=60, zorder=3
    )
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    return ax
