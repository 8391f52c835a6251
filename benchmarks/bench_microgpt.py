"""One training step of a GPT of microgpt's shape: a microgpt-style Value against this engine.

    python benchmarks/bench_microgpt.py [--rounds 20] [--warmup 2] [--write PATH]

The workload (``gpt_workload.py``): microgpt's model and training step, one name a step, some
60,000 scalar nodes. Three classes run it from the same weights on the same names:

* ``ProtocolValue``: microgpt's protocol as its script has it (``Value(data, children,
  local_grads)`` and the loop ``child.grad += local_grad * v.grad``), written for this
  benchmark;
* ``tinygrad_edu.microgpt.Value``: the one import line that replaces microgpt's class;
* ``tinygrad_edu.Value``: the core class, which a learner could also import instead.

Method: all three in this one process, in Python's default garbage-collection condition (as
the script runs). After the warm-up rounds, every round runs one step of each class, in turn
(in the reverse order every other round, so that none always follows the same one);
a step's time is CPU time (``time.process_time``). Printed: each class's median step and its
spread (the lowest and highest), and each ratio as the median of the rounds' own ratios (the
two steps of a round ran back to back, so that ratio is the least disturbed by the rest of a
busy machine), with its lowest and highest.

Before timing, the script checks the numbers: after the timed rounds, are the losses and the
weights of ``tinygrad_edu.microgpt.Value`` bit-identical to ``ProtocolValue``'s, and how far
are the core class's?
"""

from __future__ import annotations

import argparse
import statistics
import time

from gpt_workload import GPT, ProtocolValue, shuffled_names
from report import add_write_option, written_to

from tinygrad_edu import Value as CoreValue
from tinygrad_edu.core import topological_order
from tinygrad_edu.core.fold import unfolded
from tinygrad_edu.microgpt import Value as MicrogptValue

ENGINES = {
    "microgpt-style Value (protocol copy)": ProtocolValue,
    "tinygrad_edu.microgpt.Value": MicrogptValue,
    "tinygrad_edu.Value (core)": CoreValue,
}
OURS = "tinygrad_edu.microgpt.Value"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20, help="timed rounds (20)")
    parser.add_argument("--warmup", type=int, default=2, help="untimed rounds first (2)")
    add_write_option(parser)
    args = parser.parse_args(argv)
    with written_to(args.write, "bench_microgpt.py", argv):
        run(args.rounds, args.warmup)


def run(rounds: int, warmup: int) -> None:
    names = shuffled_names()
    models = {name: GPT(cls, names) for name, cls in ENGINES.items()}
    total = warmup + rounds
    graph = models[OURS].loss(names[0])
    nodes = topological_order(graph)
    edges = sum(len(node.children) for node in nodes)
    print(f"graph of one step on {names[0]!r}: {len(nodes):,} nodes, {edges:,} edges")
    with unfolded():
        chain = len(topological_order(models[OURS].loss(names[0])))
    print(f"  (sum() folded; microgpt's own graph of that step has {chain:,} nodes)")

    times: dict[str, list[float]] = {name: [] for name in ENGINES}
    losses: dict[str, list[float]] = {name: [] for name in ENGINES}
    for round_ in range(total):
        for name, model in models.items() if round_ % 2 else reversed(models.items()):
            start = time.process_time()
            loss = model.step(total_steps=1000)
            elapsed = time.process_time() - start
            losses[name].append(loss)
            if round_ >= warmup:
                times[name].append(elapsed)

    reference = "microgpt-style Value (protocol copy)"
    same = losses[OURS] == losses[reference]
    weights_same = all(
        a.data == b.data
        for a, b in zip(models[OURS].parameters, models[reference].parameters, strict=True)
    )
    print(
        f"after {total} steps: {OURS} losses bit-identical to the protocol copy's: "
        f"{'yes' if same else 'NO'}; weights bit-identical: {'yes' if weights_same else 'NO'}"
    )
    core = "tinygrad_edu.Value (core)"
    difference = max(abs(a - b) for a, b in zip(losses[core], losses[reference], strict=True))
    print(f"  the core Value's losses differ from the protocol copy's by at most {difference:.1e}")

    print(f"\nCPU time of one training step (median, lowest and highest of {rounds} rounds)")
    print(f"  {'class':<38} {'median ms':>10} {'lowest':>8} {'highest':>8}")
    for name, ts in times.items():
        print(
            f"  {name:<38} {statistics.median(ts) * 1e3:>10.1f} {min(ts) * 1e3:>8.1f}"
            f" {max(ts) * 1e3:>8.1f}"
        )
    for other in (reference, core):
        ratios = [a / b for a, b in zip(times[other], times[OURS], strict=True)]
        print(
            f"ratio {other} / {OURS}: {statistics.median(ratios):.2f}x as the median of each "
            f"round's own ratio (lowest {min(ratios):.2f}x, highest {max(ratios):.2f}x)"
        )


if __name__ == "__main__":
    main()
