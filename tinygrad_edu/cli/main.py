"""The ``tinygrad-edu`` command: ``demo`` and the other subcommands, one module each.

Every failure the user can cause (an unknown subcommand, a bad flag, a bad name, an unreadable
file, a full disk, a run that diverges) exits with status 2 and one line on stderr, never a
traceback: the subcommands raise UsageError for what they check themselves, and :func:`main`
reports the library's own errors (ValueError, TypeError, ArithmeticError, OSError, each of
which names what is wrong) the same way, for every subcommand.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from tinygrad_edu import __version__
from tinygrad_edu.cli import check, demo, explain, graph, run, step, train
from tinygrad_edu.cli.errors import UsageError

# Each module registers one subcommand with its add_parser(subparsers).
COMMANDS = (demo, graph, step, explain, train, check, run)


class _OneLineParser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # argparse prints usage + message; we print one line
        raise UsageError(f"{self.prog}: {message} (see --help)")


def build_parser() -> argparse.ArgumentParser:
    parser = _OneLineParser(
        prog="tinygrad-edu",
        description="A scalar autograd engine for learning and teaching backpropagation.",
    )
    parser.add_argument("--version", action="version", version=f"tinygrad-edu {__version__}")
    subparsers = parser.add_subparsers(
        dest="command", metavar="COMMAND", parser_class=_OneLineParser
    )
    subparsers.required = True
    for command in COMMANDS:
        command.add_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    command = "tinygrad-edu"
    if not _stdout_open():  # `tinygrad-edu ... >&-`: each command writes to it, so none runs
        _say("tinygrad-edu: standard output is closed; run it with a place to write to")
        return 2
    try:
        args = build_parser().parse_args(argv)
        command = f"tinygrad-edu {args.command}"
        status = int(args.run(args) or 0)
        sys.stdout.flush()  # a closed pipe shows up here, while we can still handle it
        return status
    except UsageError as error:
        print(str(error), file=sys.stderr)
        return 2
    except BrokenPipeError:  # the reader went away (`... | head`): stop quietly, as cat does
        _drop_stdout()
        return 141
    except OSError as error:  # e.g. a full disk, or `> /dev/full`
        where = f": {error.filename}" if error.filename else ""
        if not _flushed():
            where += " (writing to standard output)"
        print(f"{command}: {error.strerror or error}{where}", file=sys.stderr)
        return 2
    except (ValueError, TypeError, ArithmeticError) as error:
        print(f"{command}: {_one_line(error)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("tinygrad-edu: interrupted", file=sys.stderr)
        return 130


def _stdout_open() -> bool:
    """Whether standard output can be written to: Python sets ``sys.stdout`` to None when
    the process starts with descriptor 1 closed, and any file opened then would take that
    descriptor (and whatever is printed), so nothing may run."""
    if sys.stdout is None:
        return False
    try:
        os.fstat(sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        return not _is_descriptor_one(sys.stdout)  # a stream of its own (a test's StringIO)
    return True


def _is_descriptor_one(stream: object) -> bool:
    try:
        return stream.fileno() == 1  # type: ignore[attr-defined, no-any-return]
    except (OSError, ValueError, AttributeError):
        return False


def _say(message: str) -> None:
    """``message`` on stderr, if there is a stderr."""
    if sys.stderr is not None:
        try:
            print(message, file=sys.stderr)
        except OSError:
            pass


def _flushed() -> bool:
    """Flush stdout; if that fails, drop what it holds (see :func:`_drop_stdout`)."""
    try:
        sys.stdout.flush()
        return True
    except OSError:
        _drop_stdout()
        return False


def _drop_stdout() -> None:
    """Point stdout at the null device, so that the output still buffered cannot fail
    again when Python exits (which would print a second error)."""
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError):  # no real stdout to point anywhere
        pass


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split()) or type(error).__name__
