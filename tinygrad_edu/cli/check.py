"""``tinygrad-edu check FILE.py[:CLASS]``: ``check_engine`` on the Value class of your own file,
or of every file of a folder (or a glob), as a teacher grades a class.

The learner's code runs in a child process with limits (time per op and per file, memory,
output); the right numbers are computed in this process, where it never ran. Formats: the
teaching text, JSON, Gradescope's ``results.json`` and JUnit XML. Exit status, for every
format: 0 every op right, 1 a mistake found, 2 could not check (the file is missing, raises
while it loads, has no such class; for a folder, any file that could not be checked). The
learner's file runs as a script would, with its folder on ``sys.path``, but not as
``__main__``, so its ``if __name__ == "__main__":`` block does not run.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from tinygrad_edu.cli.arguments import positive_int
from tinygrad_edu.cli.errors import UsageError
from tinygrad_edu.cli.submissions import Target, check_all, find_targets
from tinygrad_edu.exercises import Limits
from tinygrad_edu.exercises.results import (
    Graded,
    Grading,
    as_json,
    exit_status,
    gradescope,
    junit,
    load_config,
    summary,
    text,
)

PROG = "tinygrad-edu check"
DEFAULT_CLASS = "Value"
FORMATS = ("text", "json", "gradescope", "junit")


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid number of seconds: {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a number of seconds > 0, got {text}")
    return value


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "check",
        help="check your own autograd engine (or a class's): which op and edge is wrong, and why",
        description=(
            "Run check_engine on the Value class of your own Python file, or of every .py "
            "file of a folder (or a quoted glob): every op it has is checked edge by edge "
            "against tinygrad_edu's ops (ops it does not know by central differences), then "
            "backward() on small graphs. The file's code runs in a child process with time "
            "and memory limits. Exit status: 0 all right, 1 a mistake found, 2 could not check."
        ),
        epilog=(
            "examples: tinygrad-edu check my_engine.py:Value; "
            "tinygrad-edu check submissions/ --format gradescope --config grading.toml"
        ),
    )
    parser.add_argument(
        "target",
        metavar="FILE.py[:CLASS]|FOLDER|GLOB",
        help=f"your Python file and its class (default {DEFAULT_CLASS}), a folder or a glob",
    )
    parser.add_argument("--format", choices=FORMATS, default="text", help="what to print")
    parser.add_argument(
        "--timeout",
        type=_seconds,
        metavar="SECONDS",
        help=f"the time limit per op (default {Limits().timeout:g} s)",
    )
    parser.add_argument(
        "--config",
        metavar="TOML",
        help="a grading file: weights per op and limits (see docs/how-to/grade-a-class.md)",
    )
    parser.add_argument(
        "--class",
        dest="class_name",
        metavar="NAME",
        help=f"the class to check in each file (default {DEFAULT_CLASS})",
    )
    parser.add_argument(
        "--jobs",
        type=positive_int,
        metavar="N",
        help="files checked at once (default: the machine's cores)",
    )
    parser.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="a progress bar on stderr for a folder (default: when stderr is a terminal)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    grading, limits = Grading(), Limits()
    if args.config:
        config = Path(args.config)
        if not config.is_file():
            raise UsageError(f"{PROG}: --config {args.config} is not a file")
        grading, limits = load_config(config)
    if args.timeout is not None:
        limits = Limits(**{**limits.__dict__, "timeout": args.timeout})
    targets, several = find_targets(args.target, args.class_name or DEFAULT_CLASS, PROG)
    progress = args.progress if args.progress is not None else sys.stderr.isatty()
    jobs = args.jobs or os.cpu_count() or 1
    results = check_all(targets, grading, limits, jobs, progress and several)
    if not several and args.format == "text" and results[0].status == "could not check":
        raise UsageError(f"{PROG}: {results[0].message}")
    print(_written(results, args.format, several, targets))
    return exit_status(results)


def _written(results: list[Graded], form: str, several: bool, targets: list[Target]) -> str:
    if form == "json":
        return as_json(results if several else results[0])
    if form == "gradescope":
        return json.dumps(gradescope(results), ensure_ascii=False, indent=2)
    if form == "junit":
        return junit(results)
    if not several:
        return text(results[0])
    blocks = [f"== {r.file}\n{text(r)}" for r in results]
    return "\n\n".join([*blocks, summary(results)])
