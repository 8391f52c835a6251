"""``tinygrad-edu explain``: the chain rule for one weight of document 001's network, or with
``--layers`` the whole network's gradients as the documents' matrices (``layer_view``)."""

from __future__ import annotations

import argparse
import math
import textwrap

from tinygrad_edu import notation
from tinygrad_edu.cli.arguments import int_at_least
from tinygrad_edu.cli.document_001 import (
    DESCRIPTION,
    TARGETS,
    document_001_loss,
)
from tinygrad_edu.cli.errors import UsageError
from tinygrad_edu.core import Value, topological_order
from tinygrad_edu.lenses.explain import DEFAULT_WIDTH, MIN_WIDTH, explain
from tinygrad_edu.lenses.layers.view import layer_view

# Document 001, equation 16, one line per layer; for one weight each matrix product in it
# becomes a sum over paths.
EQUATION_16 = {
    "W3": "∂E/∂W⁽³⁾ = (a⁽³⁾ − y) σ(h⁽³⁾)[1 − σ(h⁽³⁾)] a⁽²⁾",
    "W2": "∂E/∂W⁽²⁾ = (a⁽³⁾ − y) σ(h⁽³⁾)[1 − σ(h⁽³⁾)] W⁽³⁾ σ(h⁽²⁾)[1 − σ(h⁽²⁾)] a⁽¹⁾",
    "W1": (
        "∂E/∂W⁽¹⁾ = (a⁽³⁾ − y) σ(h⁽³⁾)[1 − σ(h⁽³⁾)] W⁽³⁾ σ(h⁽²⁾)[1 − σ(h⁽²⁾)] W⁽²⁾ "
        "σ(h⁽¹⁾)[1 − σ(h⁽¹⁾)] x"
    ),
}


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "explain",
        help="print the chain rule, path by path, for one weight of document 001's network",
        description=(
            f"Explain ∂E/∂NAME for {DESCRIPTION}: every path from E down to NAME, the local "
            "derivative on each step, the product along each path, and their sum, checked "
            "against NAME.grad from backward(). With --layers, print instead the documents' "
            "matrix equations for every layer, each entry a sum over edges of the graph."
        ),
        epilog=(
            "examples: tinygrad-edu explain 'W1[0,0]'  (quote it: [ ] are special in shells); "
            "tinygrad-edu explain --layers"
        ),
    )
    parser.add_argument(
        "name",
        metavar="NAME",
        nargs="?",
        help="a weight, bias or input: W1[0,0], b2[3], x[1] (not needed with --layers)",
    )
    parser.add_argument(
        "--layers",
        action="store_true",
        help="print every layer's δ, ∂E/∂W = aᵀδ and ∂E/∂a = Wδ instead, read off the graph",
    )
    parser.add_argument(
        "--targets",
        nargs=2,
        type=float,
        default=list(TARGETS),
        metavar=("Y0", "Y1"),
        help=f"the targets y (the document gives none; default: {TARGETS[0]:g} {TARGETS[1]:g})",
    )
    parser.add_argument(
        "--no-collapse",
        action="store_true",
        help="show the loss's unlabelled nodes as steps of their own instead of one factor",
    )
    parser.add_argument(
        "--width",
        type=int_at_least(MIN_WIDTH),
        default=DEFAULT_WIDTH,
        metavar="N",
        help=f"fit the text to N columns (default: {DEFAULT_WIDTH})",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if not all(math.isfinite(y) for y in args.targets):
        raise UsageError("tinygrad-edu explain: --targets must be finite numbers")
    if args.layers and args.name is not None:
        raise UsageError(f"tinygrad-edu explain: give NAME ({args.name!r}) or --layers, not both")
    if args.layers and args.no_collapse:
        raise UsageError("tinygrad-edu explain: --no-collapse applies to NAME, not to --layers")
    if not args.layers and args.name is None:
        raise UsageError(
            "tinygrad-edu explain: give NAME, a weight such as 'W1[0,0]', or --layers (see --help)"
        )
    loss, model = document_001_loss(args.targets)
    targets = ", ".join(f"{y:g}" for y in args.targets)
    say = textwrap.TextWrapper(args.width, subsequent_indent="    ", break_on_hyphens=False)
    print(say.fill(f"For {DESCRIPTION}, targets y = [{targets}], after E.backward()."))
    if args.layers:
        print()
        print(layer_view(loss, model))
        return 0
    node = _find_leaf(loss, args.name)
    layer = args.name.split("[", 1)[0]
    if layer in EQUATION_16:
        print(say.fill(f"Document 001, equation 16: {EQUATION_16[layer]}"))
        print(
            say.fill(
                f"For the single weight {args.name} each matrix product in it becomes a sum "
                "over paths (labels count from 0: W1[0,0] is the document's w₁₁ of W⁽¹⁾)."
            )
        )
    print()
    print(explain(loss, node, collapse=not args.no_collapse, width=args.width))
    return 0


def _find_leaf(loss: Value, name: str) -> Value:
    leaves = [  # the network's weights, biases and inputs (not the targets y)
        node
        for node in topological_order(loss)
        if not node.children and _kind(node.label) in ("W", "b", "x")
    ]
    for leaf in leaves:
        if leaf.label == name:
            return leaf
    choices = ", ".join(notation.reading_order([leaf.label for leaf in leaves]))
    raise UsageError(f"tinygrad-edu explain: unknown weight {name!r}; choose one of {choices}")


def _kind(label: str) -> str:
    name = notation.parse(label)
    return name.kind if name else ""
