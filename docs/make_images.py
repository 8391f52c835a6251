"""Regenerate the README's two pictures: ``python docs/make_images.py``.

* ``graph.svg``: document 003's single neuron and its error E = ½(a − y)², after
  ``backward()``, with each edge's local derivative and the path from E down to the weight
  ``W1[0,0]`` in red (needs graphviz's ``dot`` program);
* ``training.png``: document 002's x² fit: the 1-10-1 network's curve over the target, and its
  loss per epoch.

Both are written to ``docs/images/`` next to this script, or to ``--out DIR``.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from tinygrad_edu import MLP, SGD, half_sum_squared_error, train
from tinygrad_edu.datasets import square_function
from tinygrad_edu.lenses.drawing.draw import draw_dot, render

IMAGES = Path(__file__).resolve().parent / "images"

# Document 003's neuron: three inputs, Xavier-initialised weights (seed 0), bias 0, target 1.
NEURON_WEIGHTS = [[0.6659], [-0.9875], [-0.4806]]
NEURON_INPUT = [0.5, 0.8, 0.2]
NEURON_TARGET = 1.0


def make_graph(path: Path) -> Path:
    """Draw ∂E/∂W1[0,0] of one neuron, E = ½(σ(Σᵢ wᵢxᵢ + b) − y)², as an SVG file."""
    neuron = MLP.from_weights([NEURON_WEIGHTS])
    error = half_sum_squared_error(neuron(NEURON_INPUT), NEURON_TARGET)
    error.label = "E"
    error.backward()
    graph = draw_dot(error, show_local=True, highlight=neuron.parameter("W1[0,0]"))
    return render(graph, path, "svg")


def make_training_plot(path: Path) -> Path:
    """Train document 002's 1-10-1 network on f(x) = x² and plot the fit and the loss."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from tinygrad_edu.plotting import plot_fit, plot_loss

    X, Y = square_function(21)
    model = MLP(1, [10, 1], activation="sigmoid", output_activation="linear", seed=0)
    optimizer = SGD(model.parameters(), lr=0.5, momentum=0.9)
    history = train(model, X, Y, loss="mse", optimizer=optimizer, epochs=1000, print_every=0)

    fig, (fit_ax, loss_ax) = plt.subplots(1, 2, figsize=(10.0, 3.6))
    plot_fit(model, X, Y, target=lambda x: x * x, ax=fit_ax)
    fit_ax.set_title("f(x) = x² and a 1-10-1 network")
    plot_loss(history, loss_ax, log=True)
    loss_ax.set_title("mean squared error per epoch")
    fig.tight_layout()
    fig.savefig(path, dpi=100, metadata={"Software": None})
    plt.close(fig)
    return path


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Regenerate the README's images.")
    parser.add_argument("--out", type=Path, default=IMAGES, help="folder to write into")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for written in (
        make_graph(args.out / "graph.svg"),
        make_training_plot(args.out / "training.png"),
    ):
        print(f"wrote {written}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
