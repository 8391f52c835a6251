"""``tinygrad-edu check FILE.py:CLASS``: ``check_engine`` on the Value class of your own file.

Exit status 0 when the checker finds no problem, 1 when it finds some, 2 when the file or the
class cannot be used (the file is missing, raises while it loads, has no such class). The
learner's file runs as a script would, with its folder on ``sys.path``, but not as
``__main__``, so its ``if __name__ == "__main__":`` block does not run.
"""

from __future__ import annotations

import argparse
import runpy
import sys
import traceback
from pathlib import Path
from typing import Any

from tinygrad_edu.cli.errors import UsageError
from tinygrad_edu.core.messages import describe
from tinygrad_edu.exercises import ProtocolError, check_engine

PROG = "tinygrad-edu check"
DEFAULT_CLASS = "Value"


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "check",
        help="check your own autograd engine: which op and which edge is wrong, and why",
        description=(
            "Run check_engine on the Value class of your own Python file: every op it "
            "supports is checked edge by edge against tinygrad_edu's ops, then backward() on "
            "small graphs. Exits with status 1 when it finds a problem."
        ),
        epilog="example: tinygrad-edu check my_engine.py:Value",
    )
    parser.add_argument(
        "target",
        metavar="FILE.py[:CLASS]",
        help=f"your Python file and the name of its class (default {DEFAULT_CLASS})",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    path, name = split_target(args.target)
    value_class = load_class(path, name)
    try:
        report = check_engine(value_class)
    except ProtocolError as error:
        raise UsageError(f"{PROG}: {path}:{name}: {error}") from None
    except Exception as error:  # the class did something no probe expects: still one line
        raise UsageError(
            f"{PROG}: checking {path}:{name} stopped at {type(error).__name__}: "
            f"{_first_line(error)}"
        ) from None
    print(report)
    return 0 if report.ok else 1


def split_target(target: str) -> tuple[Path, str]:
    """``my_engine.py:Value`` → the file and the class name (``Value`` when none is given)."""
    file, colon, name = target.rpartition(":")
    if not colon or not name.isidentifier() or not file:  # no class given, or a drive C:\
        file, name = target, DEFAULT_CLASS
    path = Path(file)
    if not path.is_file():
        raise UsageError(f"{PROG}: {file} is not a file (give FILE.py or FILE.py:CLASS)")
    return path, name


def load_class(path: Path, name: str) -> type:
    """Run the file and return its class ``name``; any failure is one line, exit 2."""
    folder = str(path.resolve().parent)
    sys.path.insert(0, folder)
    try:
        namespace = runpy.run_path(str(path), run_name="__tinygrad_edu_check__")
    except SystemExit as error:
        raise UsageError(f"{PROG}: {path} exited (status {error.code}) while loading") from None
    except KeyboardInterrupt:
        raise
    except BaseException as error:  # the learner's code may raise anything while it loads
        raise UsageError(
            f"{PROG}: {path} raised {type(error).__name__} while loading{_line(error, path)}: "
            f"{_first_line(error)}"
        ) from None
    finally:
        if folder in sys.path:
            sys.path.remove(folder)
    return _the_class(namespace, path, name)


def _the_class(namespace: dict[str, Any], path: Path, name: str) -> type:
    found = namespace.get(name)
    if isinstance(found, type):
        return found
    classes = sorted(
        k for k, v in namespace.items() if isinstance(v, type) and not k.startswith("_")
    )
    mine = [
        k for k in classes if getattr(namespace[k], "__module__", "") == "__tinygrad_edu_check__"
    ]
    offer = f"; it defines {', '.join(mine)}" if mine else "; it defines no class"
    if found is None:
        raise UsageError(f"{PROG}: {path} has no class named {name!r}{offer}")
    raise UsageError(f"{PROG}: {path}: {name} is {describe(found)}, not a class{offer}")


def _line(error: BaseException, path: Path) -> str:
    """`` (line 12)``: the last line of the learner's file on the error's traceback."""
    lines = [
        frame.lineno
        for frame in traceback.extract_tb(error.__traceback__)
        if Path(frame.filename).resolve() == path.resolve()
    ]
    if isinstance(error, SyntaxError) and error.lineno:
        lines.append(error.lineno)
    return f" (line {lines[-1]})" if lines else ""


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else "(no message)"
