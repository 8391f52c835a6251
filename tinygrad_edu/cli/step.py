"""``tinygrad-edu step``: a page that steps through backward, node by node, in any browser."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from tinygrad_edu.cli import graph_source
from tinygrad_edu.cli.arguments import non_empty
from tinygrad_edu.cli.document_001 import DESCRIPTION
from tinygrad_edu.cli.errors import UsageError
from tinygrad_edu.lenses.drawing.draw import GraphTooLargeError
from tinygrad_edu.lenses.stepper.page import stepper

DEFAULT_OUTPUT = "steps.html"
PAGE_SUFFIXES = (".html", ".htm")


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
        "--output",
        "-o",
        metavar="PATH",
        type=non_empty("a file name ending in .html, e.g. -o steps.html"),
        default=DEFAULT_OUTPUT,
        help="default: steps.html (a name without a suffix, such as /dev/stdout, is written too)",
    )
    graph_source.add_arguments(parser, "light up every path down to this node, e.g. W1[0,0]")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    _check_suffix(args.output)
    root, highlight = graph_source.graph_and_highlight(args, "step")
    try:
        page = stepper(
            root,
            highlight=highlight,
            rankdir=args.rankdir,
            max_nodes=args.max_nodes,
            group=args.group,
        )
    except GraphTooLargeError as error:  # say it with this command's options
        message = error.advice(max_nodes_option="--max-nodes ", group_option="--group neuron")
        raise UsageError(f"tinygrad-edu step: {message}") from None
    path = Path(args.output)
    try:
        page.save(path)
    except BrokenPipeError:  # `-o /dev/stdout | head`: the reader went away; stop quietly
        raise
    except OSError as error:
        raise UsageError(f"tinygrad-edu step: {error.strerror or error}") from None  # names path
    note = f"wrote {path}: {page.steps} backward steps; open it in a browser"
    # a page sent to a stream or a device (-o /dev/stdout) must not get this line mixed in
    print(note, file=sys.stdout if _is_regular_file(path) else sys.stderr)
    return 0


def _check_suffix(output: str) -> None:
    """The page is HTML: a name ending in another format's suffix (``steps.svg``) would
    hold HTML under a false name, so it is refused; a name without a suffix is not."""
    suffix = os.path.splitext(output)[1]
    if suffix and suffix.lower() not in PAGE_SUFFIXES:
        raise UsageError(
            f"tinygrad-edu step: -o {output}: the page is HTML, so give a name ending in "
            f".html (e.g. -o {os.path.splitext(output)[0]}.html); for a {suffix} picture "
            "of the graph, use tinygrad-edu graph"
        )


def _is_regular_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:
        return False
