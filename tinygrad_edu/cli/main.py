"""The ``tinygrad-edu`` command: ``demo`` and the other subcommands, one module each.

Every failure the user can cause (an unknown subcommand, a bad flag, a bad name, an unreadable
file) exits with status 2 and one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from tinygrad_edu.cli import demo, explain, graph, step, train
from tinygrad_edu.cli.errors import UsageError

# Each module registers one subcommand with its add_parser(subparsers).
COMMANDS = (demo, graph, step, explain, train)


class _OneLineParser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # argparse prints usage + message; we print one line
        raise UsageError(f"{self.prog}: {message} (see --help)")


def build_parser() -> argparse.ArgumentParser:
    parser = _OneLineParser(
        prog="tinygrad-edu",
        description="A scalar autograd engine for learning and teaching backpropagation.",
    )
    subparsers = parser.add_subparsers(
        dest="command", metavar="COMMAND", parser_class=_OneLineParser
    )
    subparsers.required = True
    for command in COMMANDS:
        command.add_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    try:
        args = build_parser().parse_args(argv)
        status = int(args.run(args) or 0)
        sys.stdout.flush()  # a closed pipe shows up here, while we can still handle it
        return status
    except UsageError as error:
        print(str(error), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("tinygrad-edu: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader went away (`... | head`): stop quietly, as cat does
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
