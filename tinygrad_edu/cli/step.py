"""``tinygrad-edu step``: a page that steps through backward, node by node, in any browser."""

from __future__ import annotations

import argparse
from pathlib import Path

from tinygrad_edu.cli.document_001 import DESCRIPTION, document_001_loss
from tinygrad_edu.cli.errors import UsageError
from tinygrad_edu.cli.graph import _expression_graph, _find_node
from tinygrad_edu.lenses.drawing.draw import DEFAULT_MAX_NODES, RANKDIRS, GraphTooLargeError
from tinygrad_edu.lenses.stepper.page import stepper

DEFAULT_OUTPUT = "steps.html"


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "step",
        help="write a page that steps through backward (document 001's network or an expression)",
        description=(
            f"Write one HTML file that walks backward through the graph of {DESCRIPTION}, or "
            "of an expression given with --expr, one node at a time: → next, ← back, Home, "
            "End, Space to play. It needs nothing else: open it from disk, offline."
        ),
        epilog=(
            'example: tinygrad-edu step --expr "tanh(x*w) * x" --var x=0.8 --var w=-1.7 '
            "--highlight w -o steps.html"
        ),
    )
    parser.add_argument(
        "--expr",
        metavar="EXPR",
        help="an expression of numbers, names, + - * / ** and exp, log, sigmoid, tanh, relu "
        "(one that starts with a minus is written --expr=-x*w)",
    )
    parser.add_argument(
        "--var",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="the value of a name in --expr (repeatable; names not given are 0.5)",
    )
    parser.add_argument(
        "--highlight", metavar="NAME", help="light up every path down to this node, e.g. W1[0,0]"
    )
    parser.add_argument(
        "--output", "-o", metavar="PATH", default=DEFAULT_OUTPUT, help="default: steps.html"
    )
    parser.add_argument("--rankdir", choices=RANKDIRS, default="LR", help="default: LR")
    parser.add_argument(
        "--group",
        choices=("auto", "neuron", "none"),
        default="auto",
        help="draw each neuron as one box: only if the graph is too big (auto), always, never",
    )
    parser.add_argument(
        "--max-nodes",
        type=int,
        default=DEFAULT_MAX_NODES,
        metavar="N",
        help=f"refuse to draw more nodes than this (default: {DEFAULT_MAX_NODES})",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.var and not args.expr:
        raise UsageError("tinygrad-edu step: --var needs --expr (document 001 has no variables)")
    root = _expression_graph(args.expr, args.var, "step") if args.expr else document_001_loss()[0]
    highlight = _find_node(root, args.highlight, "step") if args.highlight else None
    try:
        page = stepper(
            root,
            highlight=highlight,
            rankdir=args.rankdir,
            max_nodes=args.max_nodes,
            group=None if args.group == "none" else args.group,
        )
    except GraphTooLargeError as error:  # say it with this command's options
        message = error.advice(max_nodes_option="--max-nodes ", group_option="--group neuron")
        raise UsageError(f"tinygrad-edu step: {message}") from None
    except ValueError as error:  # --max-nodes 0
        raise UsageError(f"tinygrad-edu step: {error}") from None
    path = Path(args.output)
    try:
        page.save(path)
    except OSError as error:
        raise UsageError(f"tinygrad-edu step: {error.strerror or error}") from None  # names path
    print(f"wrote {path}: {page.steps} backward steps; open it in a browser")
    return 0
