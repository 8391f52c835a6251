"""One training step of micrograd's demo: tinygrad_edu against micrograd, PyTorch and the floor.

    python benchmarks/bench_micrograd_demo.py [--points 100] [--repeats 11] [--no-torch]
                                              [--write PATH]

The workload (see ``workloads.py``): MLP(2, [16, 16, 1]) with ReLU hidden units and a linear
output, 100 two-moons points, hinge loss averaged + 1e-4·Σp², zero_grad, backward, SGD.

Method: every engine runs in this one process, from the same initial weights. After a warm-up,
the engines take turns, one step each, in rounds; each round starts with the next engine, so
none always runs right after the same other one. A step is timed in CPU time
(``time.process_time``), so time the machine gives to other processes is not counted. Each
engine's median step and quartiles are printed, and for every ratio the median of the rounds'
own ratios with their quartiles: a round's steps ran back to back, so their ratio is the
figure least disturbed by whatever else the machine was doing. ``--write PATH`` also writes
the ratios as a small Markdown table. A full ``gc.collect()`` runs, untimed, before every
timed step, so no engine pays for garbage another one left.

Two conditions, the same for every engine:
* Python's default garbage collection. Garbage a step leaves is collected untimed before the
  next one; this favours micrograd, whose graphs are full of reference cycles (each node's
  backward closure refers to the node) that only the cyclic collector can free.
* The cyclic collector paused during each step (``tinygrad_edu.core.gc_paused()``, which
  ``tinygrad_edu.training`` uses for its steps), followed, inside the timing, by the collection
  of the young generation that Python runs next: each engine pays for its own leftovers
  (for tinygrad_edu nothing, as reference counting frees its acyclic graphs at once).

Ratios compare engines within one condition.

Two heaps, because micrograd's time is mostly full collections, and a full collection scans
every object the process holds: first the heap of a micrograd user (PyTorch not imported, as
neither micrograd nor tinygrad_edu imports it), then the same engines plus PyTorch after
``import torch`` has added some 150,000 objects to the heap.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from typing import NamedTuple

from report import add_write_option, written_to
from workloads import Contender, Micrograd, PlainFloats, TinygradEdu, contenders, make_moons

from tinygrad_edu.core import gc_paused, topological_order


def step_times(engines: list[Contender], rounds: int, warmup: int, paused: bool):
    """Each engine's CPU time for one step, in seconds, taking turns round by round; round
    r starts with engine r (mod their number)."""
    times: dict[str, list[float]] = {engine.name: [] for engine in engines}
    clock = time.process_time
    for round_ in range(warmup + rounds):
        first = round_ % len(engines)
        for engine in engines[first:] + engines[:first]:
            gc.collect()  # untimed: start every step from the same clean heap
            if paused:
                start = clock()
                with gc_paused():
                    engine.step()
                gc.collect(0)  # what Python runs next: the young objects the step left
                elapsed = clock() - start
            else:
                start = clock()
                engine.step()
                elapsed = clock() - start
            if round_ >= warmup:
                times[engine.name].append(elapsed)
    return times


def check_gradients(X, y, torch: bool) -> None:
    """One step of every engine from the same weights: do the gradients agree?"""
    engines = contenders(X, y, torch=torch)
    for engine in engines:
        engine.step()
    reference = next(e for e in engines if isinstance(e, Micrograd)).gradients()
    print(
        f"gradients of all {len(reference)} parameters after one step, "
        "largest |difference| from micrograd's:"
    )
    for engine in engines:
        difference = max(abs(a - b) for a, b in zip(engine.gradients(), reference, strict=True))
        print(f"  {engine.name:<32} {difference:.1e}")
    fused, expanded = (e for e in engines if isinstance(e, TinygradEdu))
    identical = fused.gradients() == expanded.gradients()
    print(f"fused and fused=False gradients bit-identical: {'yes' if identical else 'NO'}")


def graph_sizes(X, y) -> None:
    """How many nodes and edges one step builds, for each graph form."""
    engines = contenders(X, y, torch=False)
    print("graph of one step (nodes including leaves, edges):")
    for engine in engines:
        if isinstance(engine, PlainFloats):
            continue
        root = engine.loss_graph()
        if isinstance(engine, Micrograd):
            nodes = micrograd_nodes(root)
            edges = sum(len(node._prev) for node in nodes)
        else:
            nodes = topological_order(root)
            edges = sum(len(node.children) for node in nodes)
        print(f"  {engine.name:<32} {len(nodes):>7,} nodes {edges:>8,} edges")


def micrograd_nodes(root) -> list:
    """Every node of a micrograd graph (its own sort recurses too deep for big graphs)."""
    seen = {root}
    stack = [root]
    while stack:
        for child in stack.pop()._prev:
            if child not in seen:
                seen.add(child)
                stack.append(child)
    return list(seen)


class Ratio(NamedTuple):
    """The median of the rounds' own ratios, and their lower and upper quartile."""

    median: float
    low: float
    high: float

    def __str__(self) -> str:
        return f"{self.median:.1f}x (quartiles {self.low:.1f}–{self.high:.1f}x)"


def paired(numerators: list[float], denominators: list[float]) -> Ratio:
    """The ratio of each round's two times, summarised over the rounds."""
    ratios = [n / d for n, d in zip(numerators, denominators, strict=True)]
    low, _, high = quartiles(ratios)
    return Ratio(statistics.median(ratios), low, high)


def quartiles(values: list[float]) -> tuple[float, float, float]:
    """Lower quartile, median, upper quartile (one value: itself three times)."""
    if len(values) < 2:
        return values[0], values[0], values[0]
    low, median, high = statistics.quantiles(values, n=4)
    return low, median, high


def report(times: dict[str, list[float]], condition: str) -> dict[str, tuple[Ratio, Ratio]]:
    """Each engine's median step with its quartiles, and for tinygrad_edu the ratios to
    micrograd (how many times faster) and to the floor (how many times slower), each as the
    median of the rounds' own ratios. Returns those two ratios by engine name."""
    names = list(times)
    micrograd = times[Micrograd.name]
    print(f"\n{condition}: CPU time of one step ({len(micrograd)} rounds)")
    print(f"  {'engine':<32} {'median ms':>10} {'quartiles ms':>16} {'vs micrograd':>26}")
    for name in names:
        low, median, high = quartiles(times[name])
        versus = "" if name == Micrograd.name else str(paired(micrograd, times[name]))
        print(
            f"  {name:<32} {median * 1e3:>10.2f} {f'{low * 1e3:.2f}–{high * 1e3:.2f}':>16}"
            f" {versus:>26}"
        )
    floor = times[PlainFloats.name]
    torch_name = next((n for n in names if n.startswith("PyTorch")), None)
    ratios = {}
    for name in names:
        if not name.startswith("tinygrad_edu"):
            continue
        faster, slower = paired(micrograd, times[name]), paired(times[name], floor)
        line = f"ratio [{condition}] {name}: {faster} faster than micrograd"
        if torch_name:
            line += f", {paired(times[torch_name], times[name])} faster than PyTorch scalars"
        print(line + f", {slower} the plain-float floor")
        ratios[name] = (faster, slower)
    return ratios


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=100, help="moons points (100)")
    parser.add_argument("--repeats", type=int, default=11, help="timed rounds (11)")
    parser.add_argument("--warmup", type=int, default=1, help="untimed rounds first (1)")
    parser.add_argument("--no-torch", action="store_true", help="leave PyTorch out")
    add_write_option(parser)
    args = parser.parse_args(argv)
    with written_to(args.write, "bench_micrograd_demo.py", argv):
        X, y = make_moons(args.points)
        torch = not args.no_torch
        print(f"micrograd's demo step: MLP(2, [16, 16, 1]), {len(X)} points, hinge + L2, SGD")
        print(f"tracked objects in the heap: {len(gc.get_objects()):,} (torch not imported)")
        compare(X, y, args, torch=False, heap="torch not imported")
        check_gradients(X, y, torch)  # imports torch, unless --no-torch
        graph_sizes(X, y)
        if torch and "torch" in sys.modules:
            print(f"\ntracked objects in the heap: {len(gc.get_objects()):,} (torch imported)")
            compare(X, y, args, torch=True, heap="torch imported")


def compare(
    X, y, args: argparse.Namespace, torch: bool, heap: str
) -> dict[str, dict[str, tuple[Ratio, Ratio]]]:
    """Both GC conditions in the heap as it is now; ``heap`` names it in every line.
    Returns each condition's ratios (see :func:`report`) by its name."""
    ratios = {}
    for paused, gc_condition in ((False, "default GC"), (True, "GC paused in the step")):
        engines = contenders(X, y, torch=torch)
        times = step_times(engines, args.repeats, args.warmup, paused)
        condition = f"{gc_condition}, {heap}"
        ratios[condition] = report(times, condition)
    return ratios


if __name__ == "__main__":
    main()
