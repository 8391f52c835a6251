"""Deep graphs: build and backward() through chains of 10^4 to 10^6 nodes.

    python benchmarks/bench_chain.py [--sizes 10000 30000 100000 300000 1000000]

The chain is y = x·a·a·…·a, one ``*`` node per step with a shared leaf a = 1 + 1/n, so
y = x·aⁿ stays near x·e. Its gradients are known: ∂y/∂x = aⁿ, which the backward pass forms
as 1·a·a·…·a, exactly the product this script computes in a plain loop (so they must be equal
to the last bit), and ∂y/∂a = n·x·aⁿ⁻¹ (equal up to rounding).

If cost grows linearly with the number of nodes, the nanoseconds per node stay flat down the
table. micrograd's recursive topological sort cannot go this deep at all.
"""

from __future__ import annotations

import argparse
import sys
import time

from report import add_write_option, written_to

from tinygrad_edu.core import Value, gc_paused

SIZES = (10_000, 30_000, 100_000, 300_000, 1_000_000)


def chain(n: int, x: Value, a: Value) -> Value:
    y = x
    for _ in range(n):
        y = y * a
    return y


def run(n: int, paused: bool) -> tuple[float, float, bool, float]:
    """(build seconds, backward seconds, ∂y/∂x exact?, relative error of ∂y/∂a)."""
    x, a = Value(0.75, "x"), Value(1.0 + 1.0 / n, "a")
    start = time.perf_counter()
    if paused:
        with gc_paused():
            y = chain(n, x, a)
    else:
        y = chain(n, x, a)
    built = time.perf_counter()
    y.backward()
    done = time.perf_counter()

    power = 1.0
    for _ in range(n):
        power *= a.data  # aⁿ with the roundings of the backward pass
    exact = x.grad == power
    expected_a = n * x.data * power / a.data
    error_a = abs(a.grad - expected_a) / abs(expected_a)
    return built - start, done - built, exact, error_a


def best_of(repeats: int, n: int, paused: bool) -> tuple[float, float, bool, float]:
    runs = [run(n, paused) for _ in range(repeats)]
    build = min(r[0] for r in runs)
    backward = min(r[1] for r in runs)
    return build, backward, all(r[2] for r in runs), max(r[3] for r in runs)


def micrograd_depth_limit(n: int) -> str:
    try:
        from micrograd.engine import Value as MicrogradValue
    except ImportError:
        return "micrograd is not installed"
    y = x = MicrogradValue(0.75)
    for _ in range(n):
        y = y * 1.0001
    try:
        y.backward()
    except RecursionError:
        return f"micrograd 0.1.0: RecursionError in backward() at {n:,} nodes"
    return f"micrograd 0.1.0: backward() through {n:,} nodes works, ∂y/∂x = {x.grad:.6g}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--repeats", type=int, default=3, help="runs per size (3)")
    add_write_option(parser)
    args = parser.parse_args(argv)
    with written_to(args.write, "bench_chain.py", argv):
        print(
            f"chain y = x·a·a·…·a, best of {args.repeats}; building with Python's default GC "
            "and inside gc_paused(); backward() pauses the GC itself"
        )
        print(
            f"  {'nodes':>9} {'build s':>8} {'paused s':>9} {'backward s':>11} "
            f"{'ns/node: build':>15} {'paused':>7} {'backward':>9}  gradients"
        )
        for n in args.sizes:
            build, backward, exact, error_a = best_of(args.repeats, n, paused=False)
            build_paused, backward_2, exact_2, error_2 = best_of(args.repeats, n, paused=True)
            backward = min(backward, backward_2)
            right = exact and exact_2 and max(error_a, error_2) < 1e-9
            print(
                f"  {n:>9,} {build:>8.3f} {build_paused:>9.3f} {backward:>11.3f} "
                f"{build / n * 1e9:>15.0f} {build_paused / n * 1e9:>7.0f} "
                f"{backward / n * 1e9:>9.0f}  {'right' if right else 'WRONG'} "
                f"(dy/dx exact: {exact and exact_2}, dy/da rel. error "
                f"{max(error_a, error_2):.0e})"
            )
        print(micrograd_depth_limit(min(args.sizes)))
        print(f"(Python's recursion limit here: {sys.getrecursionlimit()})")


if __name__ == "__main__":
    main()
