"""``tinygrad-edu graph``: draw document 001's loss graph, or an expression's, to a file."""

from __future__ import annotations

import argparse
import math
import shutil
from pathlib import Path

from tinygrad_edu import notation
from tinygrad_edu.cli.arguments import non_empty, positive_int
from tinygrad_edu.cli.document_001 import DESCRIPTION, document_001_loss
from tinygrad_edu.cli.errors import UsageError
from tinygrad_edu.core import Value, topological_order
from tinygrad_edu.lenses.drawing.draw import (
    DEFAULT_MAX_NODES,
    FORMATS,
    RANKDIRS,
    GraphTooLargeError,
    draw_dot,
    missing_dot_message,
    render,
)
from tinygrad_edu.lenses.expression import ExpressionError, parse_expression, variable_names

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
        "--expr",
        type=non_empty("an expression, e.g. --expr 'x*w + b'"),
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
        "--format", choices=FORMATS, help="default: from --output's extension, else svg"
    )
    parser.add_argument(
        "--output",
        "-o",
        type=non_empty("a file name, e.g. -o graph.svg"),
        metavar="PATH",
        help="default: graph.FORMAT; a .svg, .png, .pdf or .dot name sets the format",
    )
    parser.add_argument("--rankdir", choices=RANKDIRS, default="LR", help="default: LR")
    parser.add_argument(
        "--highlight", metavar="NAME", help="draw in red every path down to this node, e.g. W1[0,0]"
    )
    parser.add_argument(
        "--show-local", action="store_true", help="write the local derivative on each edge"
    )
    parser.add_argument(
        "--group",
        choices=("auto", "neuron", "none"),
        default="auto",
        help="draw each neuron as one box: only if the graph is too big (auto), always, never",
    )
    parser.add_argument(
        "--max-nodes",
        type=positive_int,
        default=DEFAULT_MAX_NODES,
        metavar="N",
        help=f"refuse to draw more nodes than this (default: {DEFAULT_MAX_NODES})",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.var and args.expr is None:
        raise UsageError("tinygrad-edu graph: --var needs --expr (document 001 has no variables)")
    format_, path = _format_and_path(args.format, args.output)
    if format_ in ("png", "pdf") and shutil.which("dot") is None:  # before any work or output
        raise UsageError(f"tinygrad-edu graph: {missing_dot_message(format_, '--format dot')}")
    if args.expr is not None:
        root = _expression_graph(args.expr, args.var)
    else:
        root = document_001_loss()[0]
    highlight = _find_node(root, args.highlight) if args.highlight else None
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


def _expression_graph(text: str, assignments: list[str], command: str = "graph") -> Value:
    """The graph of ``--expr`` with its ``--var`` values, after backward (also for ``step``)."""
    values: dict[str, float] = {}
    for name, value in (_parse_assignment(a, command) for a in assignments):
        if name in values:
            raise UsageError(f"tinygrad-edu {command}: --var {name} is given twice")
        values[name] = value
    try:
        names = variable_names(text)
        root = parse_expression(text, values)
    except ExpressionError as error:
        raise UsageError(f"tinygrad-edu {command}: --expr: {error}") from None
    for name in names:
        if name not in values:
            print(f"{name} = {_value_of(root, name):g} (default; set it with --var {name}=VALUE)")
    if not root.label:
        root.label = "f"
    root.backward()
    return root


def _value_of(root: Value, name: str) -> float:
    return next(node.data for node in topological_order(root) if node.label == name)


def _parse_assignment(text: str, command: str = "graph") -> tuple[str, float]:
    name, sep, number = text.partition("=")
    name = name.strip()
    try:
        value = float(number)
    except ValueError:
        value = math.nan
    if not sep or not name.isidentifier() or not math.isfinite(value):
        raise UsageError(
            f"tinygrad-edu {command}: --var {text!r} must look like NAME=VALUE with a finite "
            "number, e.g. --var x=0.3"
        )
    return name, value


def _find_node(root: Value, name: str, command: str = "graph") -> Value:
    """The node labelled ``name`` (for ``--highlight``), or a UsageError listing the leaves."""
    nodes = topological_order(root)
    for node in nodes:
        if node.label == name:
            return node
    leaves = notation.reading_order(
        [node.label for node in nodes if node.label and not node.children]
    )
    inner = next((node.label for node in nodes if node.label and node.children), None)
    also = f" (or an inner node such as {inner})" if inner else ""
    raise UsageError(
        f"tinygrad-edu {command}: --highlight {name!r} names no node of the graph; "
        f"choose one of {', '.join(leaves)}{also}"
    )
