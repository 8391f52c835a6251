"""What a new user waits for: ``import tinygrad_edu`` and ``tinygrad-edu train digits``.

    python benchmarks/bench_startup.py [--imports 30] [--trainings 1] [--write PATH]

The import is timed by Python itself (``python -X importtime``: the cumulative microseconds of
``tinygrad_edu``, compiled bytecode already written), in fresh processes; the best and the median
are printed. The digits run is the command a learner types, in a child process; its processor
time (user + system, from ``resource``) is printed beside its elapsed time, as the processor time
moves less with whatever else the machine is doing. Both are absolute times on this machine:
compare them only with a run on the same machine.
"""

from __future__ import annotations

import argparse
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from report import add_write_option, written_to


def import_microseconds() -> int:
    """The cumulative import time of ``tinygrad_edu`` in a fresh interpreter, in µs."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import tinygrad_edu"],
        capture_output=True,
        text=True,
        check=True,
    )
    match = re.search(r"^import time:\s+\d+ \|\s+(\d+) \| tinygrad_edu$", result.stderr, re.M)
    if match is None:
        raise RuntimeError("python -X importtime printed no line for tinygrad_edu")
    return int(match.group(1))


def train_digits() -> tuple[float, float, str]:
    """(elapsed s, processor s, last line) of ``tinygrad-edu train digits`` in a child."""
    script = Path(sys.executable).parent / "tinygrad-edu"
    command = [str(script)] if script.exists() else [shutil.which("tinygrad-edu") or "tinygrad-edu"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run([*command, "train", "digits"], capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise RuntimeError(f"tinygrad-edu train digits failed: {result.stderr.strip()}")
    processor = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, processor, result.stdout.strip().splitlines()[-1]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--imports", type=int, default=30, help="fresh imports timed (30)")
    parser.add_argument("--trainings", type=int, default=1, help="digits runs timed (1)")
    add_write_option(parser)
    args = parser.parse_args(argv)
    with written_to(args.write, "bench_startup.py", argv):
        import_microseconds()  # writes the bytecode, which a user's second import finds
        imports = [import_microseconds() / 1000 for _ in range(args.imports)]
        print(f"import tinygrad_edu (python -X importtime, {args.imports} fresh processes):")
        print(f"  best {min(imports):.1f} ms, median {statistics.median(imports):.1f} ms")
        if args.trainings < 1:
            return
        runs = [train_digits() for _ in range(args.trainings)]
        print(f"tinygrad-edu train digits ({args.trainings} run(s), 15 epochs of 1,437 digits):")
        elapsed = [run[0] for run in runs]
        processor = [run[1] for run in runs]
        print(f"  elapsed: best {min(elapsed):.1f} s, median {statistics.median(elapsed):.1f} s")
        print(
            f"  processor time: best {min(processor):.1f} s,"
            f" median {statistics.median(processor):.1f} s"
        )
        print(f"  it ends with: {runs[-1][2]}")


if __name__ == "__main__":
    main()
