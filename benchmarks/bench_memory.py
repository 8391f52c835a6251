"""Bytes per graph node: tinygrad_edu against micrograd 0.1.0, measured with tracemalloc.

    python benchmarks/bench_memory.py [--points 100]

Both engines build the graph of micrograd's demo loss (see ``workloads.py``) from the same
weights; the measurement is what the graph holds once built and once backpropagated: every
byte allocated since the start that is still alive, divided by the number of nodes built
(parameters existed before and are not counted). ``fused=False`` builds micrograd's graph
node for node, so its bytes per node compare like with like; the default fused model builds
far fewer nodes for the same computation, so its total is reported too.
"""

from __future__ import annotations

import argparse
import gc
import tracemalloc

from bench_micrograd_demo import micrograd_nodes
from report import add_write_option, written_to
from workloads import Micrograd, TinygradEdu, initial_parameters, make_moons

from tinygrad_edu.core import topological_order


def graph_memory(engine, all_nodes) -> tuple[int, int, int]:
    """(nodes built, bytes alive after building, bytes alive after backward)."""
    earlier = engine.loss_graph()  # shares with the next graph only what existed before it:
    existing = set(all_nodes(earlier))  # the parameters (and micrograd's wrapped inputs)
    gc.collect()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        root = engine.loss_graph()
        built = tracemalloc.get_traced_memory()[0] - base
        root.backward()
        backpropagated = tracemalloc.get_traced_memory()[0] - base
    finally:
        tracemalloc.stop()
    nodes = sum(1 for node in all_nodes(root) if node not in existing)
    return nodes, built, backpropagated


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=100, help="moons points (100)")
    add_write_option(parser)
    args = parser.parse_args(argv)
    with written_to(args.write, "bench_memory.py", argv):
        X, y = make_moons(args.points)
        weights, biases = initial_parameters()
        engines = [
            (Micrograd(weights, biases, X, y), micrograd_nodes),
            (TinygradEdu(weights, biases, X, y, fused=False), topological_order),
            (TinygradEdu(weights, biases, X, y, fused=True), topological_order),
        ]
        print(f"graph of micrograd's demo loss, {len(X)} points (tracemalloc; parameters excluded)")
        print(
            f"  {'engine':<32} {'nodes':>8} {'bytes':>11} {'bytes/node':>11} "
            f"{'after backward':>15} {'bytes/node':>11}"
        )
        results = {}
        for engine, count_nodes in engines:
            nodes, built, backpropagated = graph_memory(engine, count_nodes)
            results[engine.name] = (nodes, built, backpropagated)
            print(
                f"  {engine.name:<32} {nodes:>8,} {built:>11,} {built / nodes:>11.0f} "
                f"{backpropagated:>15,} {backpropagated / nodes:>11.0f}"
            )

        micrograd = results[Micrograd.name]
        for name, (nodes, built, backpropagated) in results.items():
            if not name.startswith("tinygrad_edu"):
                continue
            per_node = (micrograd[1] / micrograd[0]) / (built / nodes)
            per_node_after = (micrograd[2] / micrograd[0]) / (backpropagated / nodes)
            total = micrograd[2] / backpropagated
            print(
                f"ratio {name}: {per_node:.1f}x fewer bytes per node than micrograd "
                f"({per_node_after:.1f}x after backward), {total:.1f}x fewer bytes in all"
            )


if __name__ == "__main__":
    main()
