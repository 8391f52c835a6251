"""The lenses on big graphs: how long a drawing, an explanation and a step-through page take,
how much memory they need, and how many times each sorts the graph.

    python benchmarks/bench_lenses.py [--repeats 3] [--sizes 10000 100000 1000000]
                                      [--drawn 1600] [--write PATH]

The workloads, each timed as CPU time (median and spread of ``--repeats`` runs):

* **sizes**: ``draw_dot`` (at most 400 boxes: groups collapsed past that) and ``explain`` of
  the first weight (its paths added up route by route) on a 2-8-8-1 network's loss over a
  batch of about 10⁴, 10⁵ and 10⁶ nodes, with the peak memory each allocates (tracemalloc,
  in a run of its own). Linear means the time per node stays flat down the table.
* **drawing**: ``draw_dot`` on about ``--drawn`` nodes with ``max_nodes`` raised to draw them
  all, then the SVG, laid out in pure Python and, where graphviz's ``dot`` is installed, by
  ``dot``; with the SVG's size.
* **stepper**: ``stepper(E)`` on document 001's 3-3-5-2 network, and how many times it sorted
  the graph (calls of ``topological_order`` and of backward's tuned walk).

Nothing here is asserted: a test runs it on small sizes so it always runs.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

from report import add_write_option, written_to

import tinygrad_edu.core.order as order
from tinygrad_edu import MLP, Value, draw_dot, explain, half_sum_squared_error, stepper
from tinygrad_edu.datasets import DOCUMENT_001
from tinygrad_edu.lenses.drawing.dot_layout import dot_available
from tinygrad_edu.lenses.drawing.draw import render


def batch_loss(nodes: int) -> Value:
    """A 2-8-8-1 network's loss over as many examples as make about ``nodes`` nodes."""
    model = MLP(2, [8, 8, 1], seed=0, fused=False)
    one, two = (_count(_loss(model, k)) for k in (1, 2))
    examples = max(1, 1 + (nodes - one) // (two - one))  # the parameters are shared
    return _loss(model, examples)


def _loss(model: MLP, examples: int) -> Value:
    outputs = [model([0.1 * k, -0.2 * k]) for k in range(examples)]
    return half_sum_squared_error(outputs, [0.5] * examples)


def _count(root: Value) -> int:
    return len(order.topological_order(root))


def cpu_times(work: Callable[[], Any], repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        start = time.process_time()
        work()
        times.append(time.process_time() - start)
    return times


def summary(times: list[float]) -> str:
    spread = f"{min(times):.3f}-{max(times):.3f}"
    return f"median {statistics.median(times):.3f} s (spread {spread}, {len(times)} runs)"


def peak_megabytes(work: Callable[[], Any]) -> float:
    """The most memory ``work`` held at once, allocated by Python (tracemalloc)."""
    tracemalloc.start()
    try:
        work()
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


def at_size(nodes: int, repeats: int) -> None:
    root = batch_loss(nodes)
    root.backward()
    size = _count(root)
    weight = next(node for node in order.topological_order(root) if node._operation is None)
    weight.label = "w"
    print(f"{size:,} nodes")
    for name, work in (
        ("draw_dot", lambda: draw_dot(root)),
        ("explain", lambda: explain(root, weight)),
    ):
        times = cpu_times(work, repeats)
        per_node = statistics.median(times) / size * 1e6
        memory = peak_megabytes(work)
        print(f"  {name:<9} {summary(times)}, {per_node:.1f} µs a node, peak {memory:.0f} MB")


class SortCounter:
    """Counts the sorts the lenses and backward make while it is installed: every call of
    ``topological_order`` (the lesson sort) and of ``depth_first`` (backward's tuned walk),
    however the caller imported them."""

    def __init__(self) -> None:
        self.lesson = 0
        self.tuned = 0

    def __enter__(self) -> SortCounter:
        lesson = order.topological_order.__code__
        tuned = _tuned_walk().__code__

        def profile(frame: Any, event: str, arg: object) -> None:
            if event == "call":
                if frame.f_code is lesson:
                    self.lesson += 1
                elif frame.f_code is tuned:
                    self.tuned += 1

        sys.setprofile(profile)
        return self

    def __exit__(self, *exc: object) -> None:
        sys.setprofile(None)


def _tuned_walk() -> Any:
    try:
        from tinygrad_edu.core import walk

        return walk.depth_first
    except ImportError:  # before the walk had a module of its own
        return order.depth_first  # type: ignore[attr-defined]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--drawn", type=int, default=1_600)
    add_write_option(parser)
    args = parser.parse_args(argv)
    with written_to(args.write, "bench_lenses.py", argv):
        for nodes in args.sizes:
            at_size(nodes, args.repeats)
        full_drawing(args.drawn, args.repeats)
        stepper_sorts(args.repeats)


def full_drawing(nodes: int, repeats: int) -> None:
    drawn = batch_loss(nodes)
    drawn.backward()
    size = _count(drawn)
    print(f"drawing: {size:,} nodes, every one drawn")
    drawing = draw_dot(drawn, max_nodes=10 * size, group="none")
    times = cpu_times(lambda: draw_dot(drawn, max_nodes=10 * size, group="none"), repeats)
    print(f"  draw_dot:            {summary(times)}")
    svg = drawing.svg_without_dot()
    times = cpu_times(drawing.svg_without_dot, repeats)
    print(f"  SVG, Python layout:  {summary(times)}, {len(svg.encode()) / 1e6:.2f} MB")
    if dot_available():
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "graph.svg"
            start = time.perf_counter()
            render(drawing, path, "svg")
            elapsed = time.perf_counter() - start  # dot runs in a child: wall time
            megabytes = path.stat().st_size / 1e6
            print(f"  SVG, dot:            {elapsed:.3f} s wall, {megabytes:.2f} MB")
    else:
        print("  SVG, dot:            (graphviz's dot is not installed)")


def stepper_sorts(repeats: int) -> None:
    model = MLP.from_weights(DOCUMENT_001.weights)
    loss = half_sum_squared_error(model(DOCUMENT_001.x), [1.0, 0.0])
    loss.label = "E"
    with SortCounter() as sorts:
        stepper(loss, layout="python").html()
    print(f"stepper(E), document 001 ({_count(loss)} nodes)")
    print(f"  sorts: {sorts.lesson} topological_order, {sorts.tuned} backward walk")
    times = cpu_times(lambda: stepper(loss, layout="python").html(), repeats)
    print(f"  page:  {summary(times)}")


if __name__ == "__main__":
    main()
