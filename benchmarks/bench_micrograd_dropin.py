"""micrograd's demo, 100 training steps, on micrograd and on tinygrad_edu's drop-in, side by side.

    python benchmarks/bench_micrograd_dropin.py [--steps 100] [--rounds 3] [--points 100]

The lesson's own loop (``workloads.demo_training``: ``MLP(2, [16, 16, 1])``, two moons, hinge
loss + 1e-4·Σp², SGD with the decaying rate) runs in this one process three ways: on micrograd
0.1.0 itself, and after ``tinygrad_edu.micrograd.install()`` with neurons expanded (micrograd's
graph node for node, the default) and fused (``install(fused=True)``). Python's garbage
collector runs as it does for a learner (the default GC; a ``gc.collect()`` before each timed
run, untimed, starts every engine from a clean heap). The engines take turns round by round;
each one's best and median time over the rounds are printed, then how far the numbers are from
micrograd's.
"""

from __future__ import annotations

import argparse
import gc
import math
import statistics
import time
import warnings

from report import add_write_option, written_to
from workloads import demo_training, make_moons

import tinygrad_edu.micrograd as drop_in

ENGINES = ("micrograd 0.1.0", "drop-in, install()", "drop-in, install(fused=True)")


def run(engine: str, X, y, steps: int) -> tuple[float, list[tuple[float, float]]]:
    """One timed run of the demo on ``engine``: seconds, and each step's (loss, accuracy)."""
    if engine == ENGINES[0]:
        from micrograd.engine import Value
        from micrograd.nn import MLP

        assert Value.__module__ == "micrograd.engine"
        gc.collect()
        start = time.perf_counter()
        history = demo_training(Value, MLP, X, y, steps)
        return time.perf_counter() - start, history
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="micrograd was imported before")  # we did
        installation = drop_in.install(fused=engine == ENGINES[2])
    with installation:
        from micrograd.engine import Value
        from micrograd.nn import MLP

        assert Value.__module__ == "tinygrad_edu.micrograd.engine"
        gc.collect()
        start = time.perf_counter()
        history = demo_training(Value, MLP, X, y, steps)
        return time.perf_counter() - start, history


def ulps(a: float, b: float) -> float:
    return abs(a - b) / math.ulp(b)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=100, help="training steps (100)")
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds (3)")
    parser.add_argument("--points", type=int, default=100, help="moons points (100)")
    add_write_option(parser)
    args = parser.parse_args(argv)
    with written_to(args.write, "bench_micrograd_dropin.py", argv):
        X, y = make_moons(args.points)
        print(
            f"micrograd's demo: MLP(2, [16, 16, 1]), {len(X)} points, {args.steps} steps of hinge "
            f"+ L2 and SGD; default GC; best and median of {args.rounds} rounds"
        )
        times: dict[str, list[float]] = {engine: [] for engine in ENGINES}
        histories = {}
        for _ in range(args.rounds):
            for engine in ENGINES:
                seconds, histories[engine] = run(engine, X, y, args.steps)
                times[engine].append(seconds)

        reference = statistics.median(times[ENGINES[0]])
        print(f"  {'engine':<30} {'best s':>8} {'median s':>9} {'ms/step':>8} {'vs micrograd':>13}")
        for engine in ENGINES:
            best, median = min(times[engine]), statistics.median(times[engine])
            per_step = median / args.steps * 1e3
            print(
                f"  {engine:<30} {best:>8.2f} {median:>9.2f} {per_step:>8.1f} "
                f"{reference / median:>12.1f}x"
            )

        micrograd, expanded, fused = (histories[engine] for engine in ENGINES)
        worst = max(ulps(a, b) for (a, _), (b, _) in zip(expanded, micrograd, strict=True))
        same_accuracy = [acc for _, acc in expanded] == [acc for _, acc in micrograd]
        print(
            f"final loss: micrograd {micrograd[-1][0]!r}, drop-in {expanded[-1][0]!r}; "
            f"final accuracy {micrograd[-1][1]:.0%} and {expanded[-1][1]:.0%}"
        )
        print(
            f"drop-in against micrograd: losses within {worst:.0f} ulps, "
            f"accuracy equal at every step: {'yes' if same_accuracy else 'NO'}"
        )
        identical = "yes" if fused == expanded else "NO"
        print(f"fused and expanded losses bit-identical at every step: {identical}")


if __name__ == "__main__":
    main()
