"""``tinygrad-edu demo``: document 004's table, trained and explained in a few seconds.

Trains a 3-4-1 sigmoid network on the four-row table with the document's loss
ΔL = Σ(y − ŷ)² by full-batch gradient descent, prints each row's prediction and the final
loss, explains one weight's gradient as the documents' chain-rule product, and writes the
loss's computation graph for one example next to where it was run, with a page that steps
through its backward pass (``demo_steps.html``, for any browser).
"""

from __future__ import annotations

import argparse
import os
import shutil
from pathlib import Path

from tinygrad_edu.cli.arguments import description
from tinygrad_edu.cli.errors import UsageError
from tinygrad_edu.datasets import xor_table
from tinygrad_edu.lenses.drawing.draw import draw_dot, render
from tinygrad_edu.lenses.explain import explain
from tinygrad_edu.lenses.stepper.page import stepper
from tinygrad_edu.nn import MLP, sum_squared_error
from tinygrad_edu.training import predict, train

EPOCHS = 1500
LEARNING_RATE = 1.0
HIDDEN = 4
EXPLAINED_ROW = 1  # X = (0, 1, 1), Y = 1
EXPLAINED_WEIGHT = "W1[1,0]"  # from input X2 (which is 1 in that row) to hidden neuron 0


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="train document 004's table, explain a gradient, draw the graph",
        description=description(__doc__),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--seed", type=int, default=0, help="seed of the initial weights (default 0)"
    )
    parser.add_argument(
        "--output-dir",
        type=Path,
        default=Path("."),
        help="where to write the graph and the page (default: here)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if not args.output_dir.is_dir():
        raise UsageError(f"tinygrad-edu demo: --output-dir {args.output_dir} is not a folder")
    if not os.access(args.output_dir, os.W_OK):  # say so now, not after the training
        raise UsageError(f"tinygrad-edu demo: cannot write to --output-dir {args.output_dir}")
    X, Y = xor_table()
    print(
        f"Document 004's table: a 3-{HIDDEN}-1 sigmoid network, loss ΔL = Σ(y − ŷ)², "
        f"full-batch gradient descent, η = {LEARNING_RATE}, {EPOCHS} epochs, seed {args.seed}"
    )
    model = MLP(3, [HIDDEN, 1], activation="sigmoid", output_activation="sigmoid", seed=args.seed)
    history = train(
        model,
        X,
        Y,
        loss=sum_squared_error,
        lr=LEARNING_RATE,
        epochs=EPOCHS,
        reduction="sum",
        shuffle=False,
        print_every=100,
    )

    print("\n X1 X2 X3 |  Y | prediction")
    for x, y, (y_hat,) in zip(X, Y, predict(model, X), strict=True):
        verdict = "right" if round(y_hat) == y else "WRONG"
        print(f"  {x[0]:.0f}  {x[1]:.0f}  {x[2]:.0f} |  {y:.0f} | {y_hat:.3f}  {verdict}")
    print(f"\nfinal loss ΔL = {history.loss[-1]:.6f}")

    x, y = X[EXPLAINED_ROW], Y[EXPLAINED_ROW]
    loss = sum_squared_error(model(x), y)
    loss.label = "L"
    model.zero_grad()  # training left its last step's gradients on the parameters
    loss.backward()
    weight = model.parameter(EXPLAINED_WEIGHT)
    row = f"X = {x}, Y = {y:.0f}"
    print(f"\nThe gradient of {EXPLAINED_WEIGHT} for {row}, walked through the graph:")
    print(explain(loss, weight))

    graph = draw_dot(loss, highlight=weight)
    stem = args.output_dir / "demo_graph"
    for format_ in ("dot", "svg"):  # without dot, the SVG is laid out in pure Python
        path = stem.with_suffix(f".{format_}")
        try:
            render(graph, path, format_)
        except (OSError, RuntimeError) as error:
            raise UsageError(f"tinygrad-edu demo: cannot write {path}: {error}") from None
        print(f"wrote the loss's computation graph: {path}")
    if shutil.which("dot") is None:
        print("(graphviz's 'dot' program is not installed, so the SVG was laid out in pure")
        print(" Python; for dot's layout, and for PNG and PDF: sudo apt-get install graphviz)")
    page = args.output_dir / "demo_steps.html"
    try:
        stepper(loss, highlight=weight).save(page)
    except OSError as error:
        raise UsageError(f"tinygrad-edu demo: {error.strerror or error}") from None  # names page
    print(f"wrote a page that steps through its backward pass (open it in a browser): {page}")
    return 0
