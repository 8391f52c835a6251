"""The modes hold per thread and per asyncio task: a thread evaluating under ``no_grad()``
leaves another thread's training alone; ``detect_anomaly()`` keeps no graph alive."""

from __future__ import annotations

import asyncio
import gc
import sys
import threading
import tracemalloc

from tinygrad_edu import MLP, SGD, Value, detect_anomaly, half_sum_squared_error, no_grad
from tinygrad_edu.core.modes import Mode

INPUTS = [[0.1, 0.9], [0.8, 0.2], [0.5, 0.5], [0.3, 0.7]]
TARGETS = [[1.0], [0.0], [1.0], [0.0]]


def _train(steps: int) -> list[float]:
    """``steps`` full-batch SGD steps of a small sigmoid network, its loss before each."""
    model = MLP(2, [3, 1], seed=1)
    optimizer = SGD(model.parameters(), lr=0.5)
    losses = []
    for _ in range(steps):
        loss = sum(
            (half_sum_squared_error([model(x)], y) for x, y in zip(INPUTS, TARGETS, strict=True)),
            Value(0.0),
        )
        assert loss.children, "the training thread built no graph"
        optimizer.zero_grad()
        loss.backward()
        assert any(p.grad != 0.0 for p in model.parameters())
        optimizer.step()
        losses.append(loss.data)
    return losses


def test_a_hundred_training_steps_succeed_while_another_thread_evaluates_under_no_grad():
    alone = _train(100)
    inside = threading.Event()
    done = threading.Event()
    evaluations: list[bool] = []  # whether each evaluation in the other thread had no graph
    model = MLP(2, [3, 1], seed=2)

    def evaluate() -> None:
        with no_grad():
            inside.set()
            while not done.is_set():
                out = model(INPUTS[len(evaluations) % 4])
                evaluations.append(out.children == () and not Mode.grad_enabled)

    evaluator = threading.Thread(target=evaluate)
    evaluator.start()
    inside.wait()
    try:
        beside = _train(100)  # the other thread stays inside no_grad() all this time
    finally:
        done.set()
        evaluator.join()
    assert beside == alone  # the same 100 steps, bit for bit, as without the other thread
    assert evaluations and all(evaluations)
    assert Mode.plain and Mode.grad_enabled  # every mode left: the fast path is back


def test_detect_anomaly_in_one_thread_is_not_on_in_another():
    seen: list[bool] = []
    with detect_anomaly():
        thread = threading.Thread(target=lambda: seen.append(Mode.anomaly))
        thread.start()
        thread.join()
        assert Mode.anomaly
    assert seen == [False]


def test_no_grad_holds_per_asyncio_task():
    async def evaluating(turns: list[str]) -> bool:
        with no_grad():
            graphless = True
            for _ in range(5):
                graphless &= (Value(2.0) * Value(3.0)).children == ()
                turns.append("eval")
                await asyncio.sleep(0)  # the training task runs here
            return graphless

    async def training(turns: list[str]) -> bool:
        with_graph = True
        for _ in range(5):
            with_graph &= len((Value(2.0) * Value(3.0)).children) == 2
            turns.append("train")
            await asyncio.sleep(0)
        return with_graph

    async def both() -> tuple[list[bool], list[str]]:
        turns: list[str] = []
        results = await asyncio.gather(evaluating(turns), training(turns))
        return list(results), turns

    results, turns = asyncio.run(both())
    assert results == [True, True]
    assert turns[:4] == ["eval", "train", "eval", "train"]  # the tasks did interleave


def test_one_no_grad_object_entered_nested_restores_each_level():
    mode = no_grad()
    with mode:
        with mode:
            assert not Mode.grad_enabled
        assert not Mode.grad_enabled
    assert Mode.grad_enabled and Mode.plain


def test_detect_anomaly_keeps_no_node_alive():
    with detect_anomaly():
        made = Value(2.0) * Value(3.0)
        gc.collect()
        assert sys.getrefcount(made) == 2  # the name `made` and getrefcount's argument


def test_graphs_built_and_dropped_under_detect_anomaly_do_not_pile_up():
    def build() -> None:
        x = Value(0.5)
        for _ in range(2000):
            x = (x * 1.0001).tanh()
        x.backward()

    build()  # warm up whatever Python caches on a first run
    gc.collect()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        build()
        one_graph = tracemalloc.get_traced_memory()[1] - base  # the peak of building one
        with detect_anomaly():
            for _ in range(10):
                build()
            gc.collect()
            # the recorder holds the frames it last walked, so the last call's locals (one
            # graph at most) live until the next node is made or the block ends; never ten
            inside = tracemalloc.get_traced_memory()[0] - base
        gc.collect()
        after = tracemalloc.get_traced_memory()[0] - base
    finally:
        tracemalloc.stop()
    assert inside < 1.5 * one_graph
    assert after < 0.05 * one_graph  # before the fix, ten graphs stayed alive
