"""Instructions per training step of a GPT of microgpt's shape, counted by callgrind, for the
protocol copy of microgpt's class and for ``tinygrad_edu.microgpt.Value``.

    python benchmarks/count_microgpt_instructions.py [--steps 4] [--write PATH]

A count of instructions does not depend on what else the machine is doing, so it shows a
change of a few percent that CPU time on a busy machine hides (it weighs every instruction
alike, so it is a proxy for time, not a measure of it: memory stalls do not count). For each
class the workload (``gpt_workload.py``) runs twice under ``valgrind --tool=callgrind``: once
building the model and taking two steps, once taking ``2 + steps`` steps, from the same
weights on the same names; the difference divided by ``steps`` is what one more training step
costs, without the start-up. Python's garbage collector runs as it does by default.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile

from report import add_write_option, written_to

CLASSES = {
    "microgpt-style Value (protocol copy)": "protocol",
    "tinygrad_edu.microgpt.Value": "microgpt",
}
FIRST = 2  # steps taken in both runs: the first step's graph is built by colder code


def run_steps(which: str, steps: int) -> None:
    from gpt_workload import GPT, ProtocolValue, shuffled_names

    from tinygrad_edu.microgpt import Value

    names = shuffled_names()
    model = GPT(ProtocolValue if which == "protocol" else Value, names)
    for _ in range(steps):
        model.step(total_steps=1000)


def count(which: str, steps: int) -> int:
    with tempfile.TemporaryDirectory() as folder:
        out = os.path.join(folder, "callgrind.out")
        command = [
            "valgrind", "--tool=callgrind", f"--callgrind-out-file={out}",
            sys.executable, __file__, "--run", which, str(steps),
        ]  # fmt: skip
        subprocess.run(command, check=True, capture_output=True)
        with open(out, encoding="utf-8") as counts:
            totals = re.search(r"^totals:\s+(\d+)", counts.read(), re.MULTILINE)
    assert totals is not None, "callgrind wrote no totals"
    return int(totals.group(1))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=4, help="steps counted (4)")
    parser.add_argument("--run", nargs=2, help=argparse.SUPPRESS)
    add_write_option(parser)
    args = parser.parse_args(argv)
    if args.run is not None:
        run_steps(args.run[0], int(args.run[1]))
        return
    with written_to(args.write, "count_microgpt_instructions.py", argv):
        per_step = {}
        for name, which in CLASSES.items():
            more = count(which, FIRST + args.steps)
            per_step[name] = (more - count(which, FIRST)) / args.steps
        print(f"instructions per training step (callgrind, steps {FIRST + 1} to "
              f"{FIRST + args.steps} of a GPT of microgpt's shape):")  # fmt: skip
        for name, instructions in per_step.items():
            print(f"  {name:<38} {instructions / 1e6:>8.1f} million")
        ours, theirs = per_step["tinygrad_edu.microgpt.Value"], per_step[next(iter(CLASSES))]
        print(f"ratio: the protocol copy executes {theirs / ours:.2f}x the instructions of "
              "tinygrad_edu.microgpt.Value")  # fmt: skip


if __name__ == "__main__":
    main()
