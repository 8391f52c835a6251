"""How long ``import tinygrad_edu`` takes, over bare Python.

    python benchmarks/bench_import.py [--runs 30] [--write PATH]

Each run is a fresh interpreter, ``python -X importtime -c "import tinygrad_edu"``; the
figure is the ``tinygrad_edu`` line's cumulative time, which counts everything the package
imports and nothing the interpreter loads before it (``site``, a ``.pth`` finder). Two cases:

* **compiled**: the bytecode in ``__pycache__`` is written first (as ``pip install`` does), so
  each run only loads it: what a user pays on every start;
* **no bytecode**: ``PYTHONDONTWRITEBYTECODE=1`` and no ``__pycache__`` to read, so every
  module is compiled from source on every run (a checkout run with that variable set).

The minimum, the median and the spread (lower and upper quartile) of the runs are printed,
and the modules that cost most in the fastest compiled run. ``--write PATH`` also writes them
as a small Markdown table. The runs are wall-clock in a child process: on a busy machine the
minimum is the figure to quote, the median says how busy it was.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

import tinygrad_edu

PACKAGE = Path(tinygrad_edu.__file__).parent
LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)")


def one_run(env: dict[str, str]) -> dict[str, tuple[int, int]]:
    """Each module's (self, cumulative) import time in µs, from one fresh interpreter."""
    command = [sys.executable, "-X", "importtime", "-c", "import tinygrad_edu"]
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    times = {}
    for line in result.stderr.splitlines():
        match = LINE.match(line)
        if match:  # what the interpreter loaded before the package (site, .pth) is left out
            times = {} if match.group(4) == "site" else times
            times[match.group(4)] = (int(match.group(1)), int(match.group(2)))
    times.pop("site", None)
    return times


def without_bytecode() -> None:
    for cache in PACKAGE.rglob("__pycache__"):
        shutil.rmtree(cache, ignore_errors=True)


def measure(runs: int, compiled: bool) -> tuple[list[float], dict[str, tuple[int, int]]]:
    """The package's cumulative import time of each run in ms, and the fastest run's table."""
    env = dict(os.environ)
    if compiled:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        one_run(env)  # writes the bytecode
    else:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        without_bytecode()
    totals, fastest = [], {}
    for _ in range(runs):
        times = one_run(env)
        totals.append(times["tinygrad_edu"][1] / 1000)
        if totals[-1] == min(totals):
            fastest = times
    return totals, fastest


def spread(values: list[float]) -> str:
    low, _, high = statistics.quantiles(values, n=4) if len(values) > 1 else values * 3
    return f"{low:.1f}–{high:.1f}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30, help="fresh interpreters per case (30)")
    parser.add_argument("--write", metavar="PATH", help="also write the table as Markdown")
    args = parser.parse_args(argv)

    rows = []
    for name, compiled in (("compiled bytecode", True), ("no bytecode", False)):
        totals, fastest = measure(args.runs, compiled)
        rows.append((name, min(totals), statistics.median(totals), spread(totals)))
        if compiled:
            heaviest = sorted(
                ((own, module) for module, (own, _) in fastest.items()), reverse=True
            )[:8]
    measure(1, compiled=True)  # leave the bytecode written, as an install would
    print(f"import tinygrad_edu, {args.runs} fresh interpreters per case (ms):")
    print(f"  {'case':<20} {'min':>7} {'median':>7} {'quartiles':>12}")
    for name, low, median, quartiles in rows:
        print(f"  {name:<20} {low:>7.1f} {median:>7.1f} {quartiles:>12}")
    print("costliest modules of the fastest compiled run (own time, µs):")
    for own, module in heaviest:
        print(f"  {own:>6} {module}")
    if args.write:
        table = [
            "| `import tinygrad_edu` | min (ms) | median (ms) | quartiles (ms) |",
            "| --- | ---: | ---: | ---: |",
            *(
                f"| {name} | {low:.1f} | {median:.1f} | {quartiles} |"
                for name, low, median, quartiles in rows
            ),
        ]
        Path(args.write).write_text(
            f"Python {sys.version.split()[0]}, {args.runs} fresh interpreters per case "
            "(`python -X importtime`, the package's cumulative time):\n\n"
            + "\n".join(table)
            + "\n",
            encoding="utf-8",
        )
        print(f"wrote {args.write}")


if __name__ == "__main__":
    main()
