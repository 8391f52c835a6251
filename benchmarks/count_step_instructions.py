"""Instructions per demo training step, counted by callgrind (deterministic on a busy machine).

    python benchmarks/count_step_instructions.py [--steps 5]

Runs itself twice under ``valgrind --tool=callgrind``: once building the workload and taking one
step, once taking ``1 + steps`` steps; the difference divided by ``steps`` is what one more
training step of micrograd's demo (see ``workloads.py``) costs, without the start-up. With
``--other-thread-in-no-grad`` a second thread sits inside ``no_grad()`` the whole time, which
shows what the per-thread modes cost the training thread then.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import threading


def run_steps(steps: int, other_thread_in_no_grad: bool) -> None:
    from workloads import TinygradEdu, initial_parameters, make_moons

    from tinygrad_edu import no_grad

    X, y = make_moons(100)
    weights, biases = initial_parameters()
    engine = TinygradEdu(weights, biases, X, y)
    release = threading.Event()
    entered = threading.Event()

    def hold_no_grad() -> None:
        with no_grad():
            entered.set()
            release.wait()

    holder = threading.Thread(target=hold_no_grad)
    if other_thread_in_no_grad:
        holder.start()
        entered.wait()
    for _ in range(steps):
        engine.step()
    release.set()
    if other_thread_in_no_grad:
        holder.join()


def count(steps: int, other_thread_in_no_grad: bool) -> int:
    with tempfile.TemporaryDirectory() as folder:
        out = os.path.join(folder, "callgrind.out")
        command = [
            "valgrind", "--tool=callgrind", f"--callgrind-out-file={out}",
            sys.executable, __file__, "--run", str(steps),
        ]  # fmt: skip
        if other_thread_in_no_grad:
            command.append("--other-thread-in-no-grad")
        subprocess.run(command, check=True, capture_output=True)
        with open(out, encoding="utf-8") as counts:
            totals = re.search(r"^totals:\s+(\d+)", counts.read(), re.MULTILINE)
    assert totals is not None, "callgrind wrote no totals"
    return int(totals.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--run", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--other-thread-in-no-grad", action="store_true")
    args = parser.parse_args()
    if args.run is not None:
        run_steps(args.run, args.other_thread_in_no_grad)
        return
    one = count(1, args.other_thread_in_no_grad)
    more = count(1 + args.steps, args.other_thread_in_no_grad)
    per_step = (more - one) / args.steps
    print(f"instructions per demo training step (callgrind, {args.steps} steps): {per_step:,.0f}")


if __name__ == "__main__":
    main()
