"""What recording origins costs: a training step with and without ``origins()``.

    python benchmarks/bench_origins.py [--rounds 7] [--points 100] [--tokens 8]

Two steps, each built, backpropagated and applied (the update is undone, so every round
steps from the same weights):

* the demo MLP step of ``workloads.py`` (2-16-16-1, 100 points, fused Σwx+b nodes), made
  inside the package's own ``nn`` code: one user frame per node;
* a GPT-shaped step (``workloads.TinyGPT``: embeddings, RMS norm, 4-head causal attention,
  a ReLU MLP, cross-entropy), written as plain functions: ``gpt`` → ``linear``, ``softmax``,
  ``rmsnorm``, ``attention``, with a sum of products in a generator per row.

Method: one process; each round runs both conditions, in alternating order, after a
``gc.collect()``, with the collector paused during the step (as ``train()`` steps). CPU time
(``time.process_time``). Printed: each condition's median, and the median and range of the
per-round ratio (origins / plain), which is what decides whether origins can be on by default.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
from collections.abc import Callable

from workloads import TinyGPT, TinygradEdu, initial_parameters, make_moons

from tinygrad_edu import Value, origin_of, origins, topological_order
from tinygrad_edu.core import gc_paused


def timed(step: Callable[[], object], recorded: bool) -> float:
    gc.collect()
    with gc_paused():
        start = time.process_time()
        if recorded:
            with origins():
                step()
        else:
            step()
        return time.process_time() - start


def compare(name: str, step: Callable[[], object], rounds: int) -> None:
    step()  # warm-up
    plain: list[float] = []
    recorded: list[float] = []
    for k in range(rounds):
        for with_origins in (k % 2 == 1, k % 2 == 0):
            (recorded if with_origins else plain).append(timed(step, with_origins))
    ratios = [r / p for r, p in zip(recorded, plain, strict=True)]
    print(
        f"  {name:<10} plain {statistics.median(plain) * 1e3:8.1f} ms   origins "
        f"{statistics.median(recorded) * 1e3:8.1f} ms   "
        f"ratio median {statistics.median(ratios):.2f}x"
        f" (range {min(ratios):.2f}x-{max(ratios):.2f}x over {rounds} rounds)"
    )


def describe(name: str, build: Callable[[], Value]) -> None:
    with origins():
        root = build()
    nodes = topological_order(root)
    stacks = {id(origin_of(node)) for node in nodes if origin_of(node) is not None}
    print(f"  {name:<10} {len(nodes):,} nodes, {len(stacks):,} distinct stacks (interned)")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--points", type=int, default=100, help="MLP: moons points (100)")
    parser.add_argument("--tokens", type=int, default=8, help="GPT: sequence length (8)")
    args = parser.parse_args(argv)

    X, y = make_moons(args.points)
    weights, biases = initial_parameters()
    mlp = TinygradEdu(weights, biases, X, y)
    gpt = TinyGPT(Value, block=args.tokens)
    tokens = [(7 * k + 3) % 27 for k in range(args.tokens)]

    def mlp_step() -> None:
        saved = [p.data for p in mlp.params]
        mlp.step()
        for p, data in zip(mlp.params, saved, strict=True):
            p.data = data

    def gpt_step() -> None:
        saved = [p.data for p in gpt.params]
        gpt.step(tokens)
        for p, data in zip(gpt.params, saved, strict=True):
            p.data = data

    print("graphs under origins():")
    describe("MLP", mlp.loss_graph)
    describe("GPT", lambda: gpt.loss(tokens))
    print("one training step (build, backward, update), CPU time:")
    compare("MLP", mlp_step, args.rounds)
    compare("GPT", gpt_step, args.rounds)
    print("origins cost only where nodes are made; backward and the update are unchanged")


if __name__ == "__main__":
    main()
