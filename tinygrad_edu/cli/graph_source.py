"""What ``graph`` and ``step`` share: the graph they show (document 001's loss, or an
expression given with ``--expr`` and ``--var``), the node to highlight, and their options
for the drawing."""

from __future__ import annotations

import argparse
import math
import re

from tinygrad_edu import notation
from tinygrad_edu.cli.arguments import non_empty, positive_int
from tinygrad_edu.cli.document_001 import document_001_loss
from tinygrad_edu.cli.errors import UsageError
from tinygrad_edu.core import Value, topological_order
from tinygrad_edu.lenses.drawing.draw import DEFAULT_MAX_NODES, RANKDIRS
from tinygrad_edu.lenses.expression import ExpressionError, parse_expression, variable_names

# " (built at FILE, line N)": where detect_anomaly() saw the node made; for an --expr that is
# this program's own script, which tells the user nothing
_BUILT_AT = re.compile(r" \(built at [^()]*, line \d+\)")


def add_arguments(parser: argparse.ArgumentParser, highlight_help: str) -> None:
    """--expr, --var, --highlight, --rankdir, --group and --max-nodes."""
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
    parser.add_argument("--highlight", metavar="NAME", help=highlight_help)
    parser.add_argument("--rankdir", choices=RANKDIRS, default="LR", help="default: LR")
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


def graph_and_highlight(args: argparse.Namespace, command: str) -> tuple[Value, Value | None]:
    """The root to show, after backward, and the node that --highlight names (or None)."""
    if args.var and args.expr is None:
        raise UsageError(
            f"tinygrad-edu {command}: --var needs --expr (document 001 has no variables)"
        )
    if args.expr is not None:
        root = _expression_graph(args.expr, args.var, command)
    else:
        root = document_001_loss()[0]
    highlight = _find_node(root, args.highlight, command) if args.highlight else None
    return root, highlight


def _expression_graph(text: str, assignments: list[str], command: str) -> Value:
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
        message = _BUILT_AT.sub("", str(error))  # the line that built it: this program's own
        raise UsageError(f"tinygrad-edu {command}: --expr: {message}") from None
    for name in names:
        if name not in values:
            print(f"{name} = {_value_of(root, name):g} (default; set it with --var {name}=VALUE)")
    if not root.label:
        root.label = "f"
    root.backward()
    return root


def _value_of(root: Value, name: str) -> float:
    return next(node.data for node in topological_order(root) if node.label == name)


def _parse_assignment(text: str, command: str) -> tuple[str, float]:
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


def _find_node(root: Value, name: str, command: str) -> Value:
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
