"""Nested groups from origins and from structure, and the level of detail."""

from __future__ import annotations

import pytest

from tinygrad_edu import MLP, Value, origins, topological_order
from tinygrad_edu.lenses.groups import FAN_OUT, Group, Groups, group_graph, level_of_detail

from tests.lenses.gpt_shaped import Gpt


def _every_node_in_one_innermost_group(groups: Groups, count: int, fan_out: int = FAN_OUT) -> None:
    seen: dict[int, Group] = {}
    for group in groups.root.walk():
        for i in group.nodes:
            assert i not in seen, f"node {i} in {seen[i].name} and {group.name}"
            seen[i] = group
        assert len(group.nodes) + len(group.children) <= fan_out
        for child in group.children:
            assert child.parent is group
    assert sorted(seen) == list(range(count))
    assert all(groups.group_at[i] is group for i, group in seen.items())
    assert groups.root.size == count
    names = [group.name for group in groups.root.walk()]
    assert len(names) == len(set(names)) and set(names) == set(groups.by_name)


def test_an_mlp_groups_into_layers_of_neurons_with_their_parameters():
    model = MLP(3, [4, 2], seed=0)
    out = model([0.1, 0.2, 0.3])
    root = sum(out, Value(0.0))
    order = topological_order(root)
    groups = group_graph(order)
    _every_node_in_one_innermost_group(groups, len(order))
    layers = {g.name: g for g in groups.root.children if g.kind == "layer"}
    assert set(layers) == {"layer 1", "layer 2"}
    assert [c.name for c in layers["layer 1"].children] == [f"neuron h1[{j}]" for j in range(4)]
    neuron = groups.by_name["neuron h2[1]"]
    labels = {order[i].label for i in neuron.nodes}
    assert labels == {"h2[1]", "a2[1]", "W2[0,1]", "W2[1,1]", "W2[2,1]", "W2[3,1]", "b2[1]"}


def test_an_unfused_mlp_neuron_takes_its_products_and_sums():
    model = MLP(3, [2, 1], seed=0, fused=False)
    out = model([0.1, 0.2, 0.3])
    order = topological_order(out)
    groups = group_graph(order)
    _every_node_in_one_innermost_group(groups, len(order))
    neuron = groups.by_name["neuron h1[0]"]
    ops = sorted(order[i].op for i in neuron.nodes if order[i].children)
    assert ops.count("*") == 3 and ops.count("+") >= 3  # w·x three times, summed with b


def test_hand_made_graphs_group_a_sum_of_products_and_a_long_chain():
    xs = [Value(float(k), label=f"x{k}") for k in range(6)]
    ws = [Value(0.5, label=f"w{k}") for k in range(6)]
    total = sum((w * x for w, x in zip(ws, xs, strict=True)), Value(0.0))
    chain = total
    for _ in range(12):
        chain = (chain * 0.9).tanh()
    order = topological_order(chain)
    groups = group_graph(order)
    _every_node_in_one_innermost_group(groups, len(order))
    kinds = {g.kind: g for g in groups.root.walk()}
    assert {order[i].op for i in kinds["sum"].nodes} == {"+", "*"}
    assert len([i for i in kinds["sum"].nodes if order[i].op == "*"]) == 6
    assert len(kinds["chain"].nodes) >= 12


def test_a_small_graph_is_one_group():
    a, b = Value(2.0), Value(3.0)
    order = topological_order(a * b + a)
    groups = group_graph(order)
    assert groups.root.children == [] and groups.root.nodes == list(range(len(order)))


def _gpt_groups(fan_out: int = FAN_OUT) -> tuple[list[Value], Groups]:
    model = Gpt()
    with origins():
        loss = model.loss([0, 3, 1, 4, 2])
    order = topological_order(loss)
    return order, group_graph(order, fan_out=fan_out)


def test_a_gpt_groups_by_calls_nested_as_they_were_made():
    order, groups = _gpt_groups()
    _every_node_in_one_innermost_group(groups, len(order))
    calls = [g for g in groups.root.children if g.kind == "call"]
    gpts = [g.name for g in calls if g.name.startswith("gpt#")]
    assert gpts == ["gpt#1", "gpt#2", "gpt#3", "gpt#4"]  # a repeated call, a repeated group
    inside = {g.name.split("#")[0] for g in groups.by_name["gpt#2"].walk() if g.kind == "call"}
    assert {"gpt", "linear", "rmsnorm", "softmax"} <= inside
    numbers = [g.name for g in groups.root.walk() if g.name.startswith("linear#")]
    assert len(numbers) == 4 * 4  # q, k, v and the head, in each of the four calls
    for name in numbers:  # a linear call sits inside a gpt call
        assert any(p.name.startswith("gpt#") for p in groups.by_name[name].path())


def test_the_level_of_detail_stays_within_max_boxes_and_opens_what_is_asked():
    order, groups = _gpt_groups(fan_out=8)
    _every_node_in_one_innermost_group(groups, len(order), fan_out=8)
    for max_boxes in (8, 25, 60, 200):
        detail = level_of_detail(groups, max_boxes)
        assert detail.boxes <= max_boxes
        drawn = sum(len(g.nodes) for g in detail.opened) + len(detail.closed)
        assert drawn == detail.boxes
        covered = sum(len(g.nodes) for g in detail.opened) + sum(g.size for g in detail.closed)
        assert covered == len(order)  # every node drawn, or inside a closed box
    everything = level_of_detail(groups, len(order))
    assert everything.closed == [] and everything.boxes == len(order)
    focused = level_of_detail(groups, 10, open={"linear#7"})
    assert {g.name for g in groups.by_name["linear#7"].path()} <= {g.name for g in focused.opened}
    with pytest.raises(KeyError, match="no group named 'linear#999'"):
        level_of_detail(groups, 10, open={"linear#999"})


def test_grouping_is_linear_on_a_deep_chain_and_a_wide_sum():
    x = Value(0.5)
    chain = x
    for _ in range(100_000):
        chain = chain * 1.0
    wide = sum((Value(1.0) * Value(2.0) for _ in range(50_000)), Value(0.0))
    for root in (chain, wide):
        order = topological_order(root)
        groups = group_graph(order)
        assert groups.root.size == len(order)
        assert level_of_detail(groups, FAN_OUT).boxes <= FAN_OUT
