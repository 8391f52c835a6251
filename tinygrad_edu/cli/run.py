"""``tinygrad-edu run SCRIPT [ARGS...]``: a microgpt- or micrograd-style script, unchanged, with
its scalar autograd class replaced by the engine's.

The script runs in a child process (``python -m tinygrad_edu.microgpt.script``, which does the
replacing; see there), so whatever it does, hang, exit or crash, is its own: its output and
its traceback are printed as they come, and its exit status is the command's. The child adds
one line on stderr at the end saying what it replaced.
"""

from __future__ import annotations

import argparse
import signal
import subprocess
import sys
from pathlib import Path

from tinygrad_edu.cli.errors import UsageError


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "run",
        help="run a microgpt- or micrograd-style script on the engine, unchanged",
        description=(
            "Run a Python script with its own scalar autograd class (microgpt's Value(data, "
            "children, local_grads), or micrograd's Value(data, _children, _op)) replaced by "
            "tinygrad_edu's. Methods the engine does not have are kept, and their local "
            "derivatives are checked at first use. The script's output is its own; one line "
            "on stderr at the end says what was replaced."
        ),
        epilog="example: tinygrad-edu run microgpt.py",
    )
    parser.add_argument("script", metavar="SCRIPT", help="the Python file to run")
    parser.add_argument(
        "args", metavar="ARGS", nargs=argparse.REMAINDER, help="the script's own arguments"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    script = Path(args.script)
    if not script.is_file():
        raise UsageError(f"tinygrad-edu run: {script}: no such file")
    command = [sys.executable, "-m", "tinygrad_edu.microgpt.script", str(script), *args.args]
    child = subprocess.Popen(command)
    while True:
        try:
            status = child.wait()
            break
        except KeyboardInterrupt:  # the child got the same Ctrl-C: let it finish its way
            continue
    if status < 0:  # ended by a signal: the shell's convention, 128 + its number
        name = signal.Signals(-status).name
        print(f"tinygrad-edu run: {script} was stopped by {name}", file=sys.stderr)
        return 128 - status
    return status
