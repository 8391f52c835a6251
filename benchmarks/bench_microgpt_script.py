"""A microgpt-style script as a learner runs it: with its own class, with the one import line,
and unchanged through ``tinygrad-edu run``; CPU time and output compared.

    python benchmarks/bench_microgpt_script.py SCRIPT [--steps N] [--rounds 3] [--write PATH]

SCRIPT is your copy of microgpt.py (or any script of microgpt's protocol that reads its names
from ``input.txt``; this repository ships no copy of microgpt). It runs in a temporary folder
whose ``input.txt`` holds the bundled names, in three ways:

* ``own class``: the script as it is;
* ``import line``: its autograd class (the one ``tinygrad-edu run`` would replace) deleted and
  ``from tinygrad_edu.microgpt import Value`` put in its place;
* ``tinygrad-edu run``: the script as it is, through the command.

With ``--steps N`` the assignment ``num_steps = …`` is set to N in all three (microgpt's
default is 1,000 steps). Every round runs each way once, in turn (in the reverse order every
other round), as a child process; its CPU time (user + system, from ``getrusage``) is timed.
Printed: whether the three printed the same bytes (every loss and sampled name), the median
and spread of each way's CPU time, and each ratio as the median of the rounds' own ratios.
"""

from __future__ import annotations

import argparse
import ast
import re
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from report import add_write_option, written_to

from tinygrad_edu.datasets import write_names_file
from tinygrad_edu.microgpt.script import find_autograd_class

IMPORT_LINE = "from tinygrad_edu.microgpt import Value"


def with_steps(text: str, steps: int | None) -> str:
    if steps is None:
        return text
    changed, count = re.subn(r"^num_steps = \d+", f"num_steps = {steps}", text, flags=re.M)
    if count != 1:
        raise SystemExit("--steps: the script has no line 'num_steps = <number>' to change")
    return changed


def with_import_line(text: str) -> str:
    """The script with its autograd class replaced by the one import line."""
    found = find_autograd_class(ast.parse(text))
    if found is None or found[1] != "microgpt":
        raise SystemExit("the script has no autograd class of microgpt's protocol")
    node = found[0]
    lines = text.splitlines(keepends=True)
    first = min([node.lineno, *(d.lineno for d in node.decorator_list)]) - 1
    assert node.end_lineno is not None
    return "".join([*lines[:first], IMPORT_LINE + "\n", *lines[node.end_lineno :]])


def child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(command: list[str], folder: Path) -> tuple[float, str]:
    start = child_cpu()
    done = subprocess.run(command, cwd=folder, capture_output=True, text=True, check=False)
    elapsed = child_cpu() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr}")
    return elapsed, done.stdout


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("script", type=Path, help="your copy of microgpt.py")
    parser.add_argument("--steps", type=int, help="set num_steps (the script's own by default)")
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds (3)")
    add_write_option(parser)
    args = parser.parse_args(argv)
    text = with_steps(args.script.read_text(encoding="utf-8"), args.steps)
    with (
        tempfile.TemporaryDirectory() as name,
        written_to(args.write, "bench_microgpt_script.py", argv),
    ):
        folder = Path(name)
        count = write_names_file(str(folder / "input.txt"))
        (folder / "own.py").write_text(text, encoding="utf-8")
        (folder / "imported.py").write_text(with_import_line(text), encoding="utf-8")
        ways = {
            "own class": [sys.executable, "own.py"],
            "import line": [sys.executable, "imported.py"],
            "tinygrad-edu run": [sys.executable, "-m", "tinygrad_edu", "run", "own.py"],
        }
        times: dict[str, list[float]] = {way: [] for way in ways}
        outputs: dict[str, set[str]] = {way: set() for way in ways}
        for round_ in range(args.rounds):
            for way in ways if round_ % 2 == 0 else reversed(ways):
                elapsed, printed = timed(ways[way], folder)
                times[way].append(elapsed)
                outputs[way].add(printed)
        steps = f"{args.steps:,} steps" if args.steps else "its own number of steps"
        print(f"{args.script.name}, {steps}, on {count:,} names, {args.rounds} rounds")
        reference = outputs["own class"]
        for way in list(ways)[1:]:
            same = "yes" if outputs[way] == reference and len(reference) == 1 else "NO"
            print(f"  {way}: printed byte for byte what the own class printed: {same}")
        print(f"CPU time of the whole run (median, lowest and highest of {args.rounds} rounds)")
        for way, ts in times.items():
            print(f"  {way:<18} {statistics.median(ts):>8.2f} s {min(ts):>8.2f} {max(ts):>8.2f}")
        for way in list(ways)[1:]:
            ratios = [own / t for own, t in zip(times["own class"], times[way], strict=True)]
            print(
                f"ratio own class / {way}: {statistics.median(ratios):.2f}x as the median of "
                f"each round's own ratio (lowest {min(ratios):.2f}x, highest {max(ratios):.2f}x)"
            )


if __name__ == "__main__":
    main()
