"""``origins()``: every node made inside remembers the user's call stack that made it."""

from __future__ import annotations

import contextvars
import threading

from tinygrad_edu import (
    MLP,
    CallSite,
    Value,
    detect_anomaly,
    origin_of,
    origins,
    topological_order,
)
from tinygrad_edu.micrograd import Value as MicrogradValue


def _line(marker: str) -> int:
    with open(__file__, encoding="utf-8") as source:
        return next(n for n, line in enumerate(source, start=1) if line.rstrip().endswith(marker))


def linear(x: list[Value], w: list[list[Value]]) -> list[Value]:
    return [sum((wi * xi for wi, xi in zip(row, x, strict=True)), Value(0.0)) for row in w]  # L


def block(x: list[Value], w: list[list[Value]]) -> list[Value]:
    h = linear(x, w)  # first
    h = [v.tanh() for v in h]  # tanh
    return linear(h, w)  # second


W = [[Value(0.1 * (i + j)) for j in range(2)] for i in range(2)]


def test_each_node_remembers_the_user_stack_from_the_outermost_frame_down():
    with origins():
        out = block([Value(1.0), Value(2.0)], W)  # outer
    stack = origin_of(out[0])
    assert stack is not None
    assert [(s.function, s.line) for s in stack[-3:]] == [
        ("test_each_node_remembers_the_user_stack_from_the_outermost_frame_down", _line("# outer")),
        ("block", _line("# second")),
        ("linear", _line("# L")),
    ]
    assert all(site.file == __file__ for site in stack[-3:])
    assert all(isinstance(site, CallSite) for site in stack)
    # no frame of the package (Value.__add__, make_node) and no comprehension frame
    assert all("tinygrad_edu" + "/core" not in site.file for site in stack)
    assert all(not site.function.endswith(("<listcomp>", "<genexpr>")) for site in stack)


def test_calls_are_numbered_and_nodes_of_one_call_at_one_line_share_one_tuple():
    with origins():
        out = block([Value(1.0), Value(2.0)], W)
        again = block([Value(1.0), Value(2.0)], W)
    first, second = origin_of(out[0]), origin_of(out[1])
    assert first is second  # interned: one tuple for every node made there
    assert first is not None and first[-1].call == 2  # block's second call of linear
    later = origin_of(again[0])
    assert later is not None and later[-1].call == 4 and later[-2].call == 2
    tanh_node = next(n for n in topological_order(out[0]) if n.op == "tanh")
    tanh_stack = origin_of(tanh_node)
    assert tanh_stack is not None
    assert (tanh_stack[-1].function, tanh_stack[-1].line) == ("block", _line("# tanh"))


def test_leaves_and_nodes_made_outside_have_no_origin():
    with origins():
        leaf = Value(1.0)
    outside = Value(1.0) * Value(2.0)
    assert origin_of(leaf) is None and origin_of(outside) is None


def test_the_package_own_frames_are_skipped_so_a_network_call_is_its_line():
    model = MLP(2, [3, 1], seed=0)
    with origins():
        out = model([0.5, -0.5])  # network
    stack = origin_of(out)
    assert stack is not None and stack[-1].line == _line("# network")
    assert stack[-1].function.startswith("test_the_package_own_frames")


def test_a_generator_resumed_from_two_lines_keeps_its_call_number():
    def squares(xs: list[Value]):
        for x in xs:
            yield x * x  # yielded

    def consume() -> tuple[Value, Value]:
        made = squares([Value(2.0), Value(3.0)])
        a = next(made)  # a
        b = next(made)  # b
        return a, b

    with origins():
        a, b = consume()
    stack_a, stack_b = origin_of(a), origin_of(b)
    assert stack_a is not None and stack_b is not None
    assert stack_a[-2].line == _line("# a") and stack_b[-2].line == _line("# b")
    assert stack_a[-1].call == stack_b[-1].call == 1
    assert stack_a[-1].line == stack_b[-1].line == _line("# yielded")


def test_origins_hold_for_the_thread_that_entered_them():
    made: list[Value] = []
    with origins():
        thread = threading.Thread(target=lambda: made.append(Value(1.0) + Value(2.0)))
        thread.start()
        thread.join()
        here = Value(1.0) + Value(2.0)
    assert origin_of(made[0]) is None
    assert origin_of(here) is not None


def test_nested_blocks_and_anomaly_mode_share_the_record():
    with origins():
        with detect_anomaly():
            inner = Value(1.0) * Value(2.0)
    with detect_anomaly():
        checked = Value(1.0) * Value(2.0)  # checked
    inner_stack, checked_stack = origin_of(inner), origin_of(checked)
    assert inner_stack is not None and checked_stack is not None
    assert checked_stack[-1].line == _line("# checked")


def test_the_micrograd_drop_in_records_origins_too():
    with origins():
        made = MicrogradValue(2.0) * MicrogradValue(3.0)  # micrograd
    stack = origin_of(made)
    assert stack is not None and stack[-1].line == _line("# micrograd")


def test_a_node_made_with_no_user_frame_on_the_stack_has_an_empty_origin():
    made: list[Value] = []
    with origins():
        modes = contextvars.copy_context()  # this thread's modes, origins() on
        # threading's frames, then only C calls and the package's own frames: none of yours
        making = map(Value.__mul__, [Value(2.0)], [3.0])
        thread = threading.Thread(target=modes.run, args=(made.extend, making))
        thread.start()
        thread.join()
    assert origin_of(made[0]) == ()
