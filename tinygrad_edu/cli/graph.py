"""``tinygrad-edu graph``: draw document 001's loss graph, or an expression's, to a file."""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from tinygrad_edu.cli import graph_source
from tinygrad_edu.cli.arguments import non_empty
from tinygrad_edu.cli.document_001 import DESCRIPTION
from tinygrad_edu.cli.errors import UsageError
from tinygrad_edu.lenses.drawing.draw import (
    FORMATS,
    GraphTooLargeError,
    draw_dot,
    missing_dot_message,
    render,
)

EXTENSIONS = {".svg": "svg", ".png": "png", ".pdf": "pdf", ".dot": "dot", ".gv": "dot"}


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "graph",
        help="draw a computation graph (document 001's network or an expression) to a file",
        description=(
            f"Draw the computation graph of {DESCRIPTION}, after backward, or of an "
            "expression given with --expr. Each value shows its label, data and grad."
        ),
        epilog=(
            'example: tinygrad-edu graph --expr "tanh(x*w + b)" --var x=0.5 --var w=-2 '
            "--show-local --output neuron.svg"
        ),
    )
    parser.add_argument(
        "--format", choices=FORMATS, help="default: from --output's extension, else svg"
    )
    parser.add_argument(
        "--output",
        "-o",
        type=non_empty("a file name, e.g. -o graph.svg"),
        metavar="PATH",
        help="default: graph.FORMAT; a .svg, .png, .pdf or .dot name sets the format",
    )
    parser.add_argument(
        "--show-local", action="store_true", help="write the local derivative on each edge"
    )
    graph_source.add_arguments(parser, "draw in red every path down to this node, e.g. W1[0,0]")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    format_, path = _format_and_path(args.format, args.output)
    if format_ in ("png", "pdf") and shutil.which("dot") is None:  # before any work or output
        raise UsageError(f"tinygrad-edu graph: {missing_dot_message(format_, '--format dot')}")
    root, highlight = graph_source.graph_and_highlight(args, "graph")
    try:
        drawing = draw_dot(
            root,
            rankdir=args.rankdir,
            show_local=args.show_local,
            highlight=highlight,
            max_nodes=args.max_nodes,
            group=args.group,
        )
    except GraphTooLargeError as error:  # say it with this command's options
        message = error.advice(max_nodes_option="--max-nodes ", group_option="--group neuron")
        raise UsageError(f"tinygrad-edu graph: {message}") from None
    try:
        render(drawing, path, format_)
    except OSError as error:
        raise UsageError(f"tinygrad-edu graph: cannot write {path}: {error.strerror}") from None
    except RuntimeError as error:  # dot itself failed
        raise UsageError(f"tinygrad-edu graph: {error}") from None
    print(f"wrote {path}")
    return 0


def _format_and_path(format_: str | None, output: str | None) -> tuple[str, Path]:
    """The format and the file: ``--format``, else the extension of ``--output``, else svg.
    A format that contradicts the extension (``--format dot -o g.svg``) is refused."""
    if output is None:
        format_ = format_ or "svg"
        return format_, Path(f"graph.{format_}")
    path = Path(output)
    named = EXTENSIONS.get(path.suffix.lower())
    if format_ is None and named is None:
        raise UsageError(
            f"tinygrad-edu graph: --output {output}: the name does not say the format; end "
            "it in .svg, .png, .pdf or .dot, or give --format"
        )
    if format_ is not None and named is not None and named != format_:
        raise UsageError(
            f"tinygrad-edu graph: --format {format_} but --output {output} is a "
            f"{path.suffix} name; drop --format, or name the file graph.{format_}"
        )
    return format_ or named or "svg", path
