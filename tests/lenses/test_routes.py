"""chain_routes: paths grouped by the groups they pass through, counted and summed by dynamic
programming; the routes add up to the gradient for any number of paths."""

from __future__ import annotations

import math
from collections import Counter, defaultdict

import pytest

from tinygrad_edu import Value, chain_paths, origins
from tinygrad_edu.lenses.routes import OTHER, Route, chain_routes, format_routes

from tests.lenses.gpt_shaped import Gpt


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-300)


def test_each_route_is_the_count_and_sum_of_the_paths_through_its_groups():
    x, w = Value(0.5, label="x"), Value(-1.5, label="w")
    h = (x * w).tanh()
    y = h * h + h.exp() * x
    y.backward()
    group = {"x": "in", "w": "in"}  # everything else by its op: a route per op sequence

    def group_of(node: Value) -> str:
        return group.get(node.label, node.op or "leaf")

    routes = chain_routes(y, x, group_of)
    expected_count: Counter[tuple[str, ...]] = Counter()
    expected_total: dict[tuple[str, ...], float] = defaultdict(float)
    for path in chain_paths(y, x):
        names: list[str] = []
        for node in path.nodes:
            if not names or names[-1] != group_of(node):
                names.append(group_of(node))
        expected_count[tuple(names)] += 1
        expected_total[tuple(names)] += path.product
    assert {r.groups: r.count for r in routes} == dict(expected_count)
    for route in routes:
        assert _close(route.total, expected_total[route.groups])
    assert _close(sum(r.total for r in routes), x.grad)


def test_ten_trillion_paths_add_up_to_the_gradient():
    x = Value(0.7, label="x")
    y = x
    for k in range(44):  # each level doubles the paths: 2**44 ≈ 1.8e13
        y = y * (1.0 + 0.001 * k) + y * 0.01
    y.backward()
    routes = chain_routes(y, x, lambda node: "top" if node is y else "body")
    assert sum(r.count for r in routes) == 2**44 > 10**13
    assert _close(sum(r.total for r in routes), x.grad)


def test_a_gpt_loss_by_routes_through_calls():
    model = Gpt()
    with origins():
        loss = model.loss([0, 3, 1, 4, 2])
    loss.backward()
    weight = model.wte[0][0]
    routes = chain_routes(loss, weight)
    assert routes and all(not r.other for r in routes)
    assert all(r.groups[0] == "graph" and r.groups[-1] == "gpt#1" for r in routes)
    assert _close(sum(r.total for r in routes), weight.grad)
    assert sum(r.count for r in routes) == len(chain_paths(loss, weight, max_paths=10**6))


def test_routes_beyond_the_limits_are_merged_into_other_routes_exactly():
    model = Gpt()
    with origins():
        loss = model.loss([0, 3, 1, 4, 2, 1])
    loss.backward()
    weight = model.wq[0][0]
    everything = chain_routes(loss, weight)
    assert len(everything) >= 3
    for max_routes, keep in ((1, 64), (12, 1), (2, 2)):
        routes = chain_routes(loss, weight, max_routes=max_routes, keep=keep)
        assert len([r for r in routes if not r.other]) <= max_routes
        if len(everything) > max_routes:
            assert routes[-1].other and routes[-1].groups == ()
        assert sum(r.count for r in routes) == sum(r.count for r in everything)
        assert _close(sum(r.total for r in routes), weight.grad)


def test_a_leaf_not_below_the_root_has_no_routes_and_the_root_one():
    a, b = Value(2.0), Value(3.0)
    y = a * a
    assert chain_routes(y, b) == []
    assert chain_routes(y, y, lambda node: "g") == [Route(("g",), 1, 1.0)]


@pytest.mark.parametrize("option", ["max_routes", "keep"])
def test_limits_must_be_positive(option: str):
    with pytest.raises(ValueError, match=f"{option} must be a positive int, got 0"):
        chain_routes(Value(1.0), Value(1.0), **{option: 0})  # type: ignore[arg-type]


def test_the_text_of_routes_stays_within_80_columns_and_adds_up():
    routes = [
        Route(tuple(f"linear#{k}" for k in range(40)), 10**13, -0.25),
        Route(("graph", "gpt#1"), 3, 0.125),
        Route((), 7, 0.0625),
    ]
    text = format_routes(routes)
    assert all(len(line) <= 80 for line in text.splitlines())
    assert "linear#0 → " in text and "…" in text and OTHER in text
    assert text.splitlines()[-1].strip().startswith("10,000,000,000,010 paths  -0.0625  in all")


def test_a_deep_chain_reusing_one_value_is_routed_without_listing_its_paths():
    a = Value(1.0000001, label="a")
    y = Value(0.5)
    for _ in range(100_000):  # 100,000 paths of up to 100,000 edges: listed, n² memory
        y = y * a
    y.backward()
    routes = chain_routes(y, a)
    assert sum(r.count for r in routes) == 100_000
    assert _close(sum(r.total for r in routes), a.grad)
