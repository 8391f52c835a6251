"""The pure-Python layered layout, the SVG writer, and draw_dot's drawings without ``dot``."""

from __future__ import annotations

import itertools
import math
import re

import pytest
from hypothesis import HealthCheck, given, settings

from tinygrad_edu import MLP, Value, draw_dot, half_sum_squared_error, topological_order
from tinygrad_edu.datasets import DOCUMENT_001
from tinygrad_edu.lenses.drawing import draw as viz
from tinygrad_edu.lenses.drawing.figure import Drawing
from tinygrad_edu.lenses.drawing.layout import Box, Layout, LayoutNode, layered_layout
from tinygrad_edu.lenses.drawing.scene import scene_of
from tinygrad_edu.lenses.drawing.svg import arrange, sample, write_svg

from tests.strategies import build, programs

TOUCH = 0.75  # how far (in points) an edge's end may sit from the outline it ends on


def document_001_loss() -> Value:
    model = MLP.from_weights(DOCUMENT_001.weights)
    loss = half_sum_squared_error(model(DOCUMENT_001.x), [1.0, 0.0])
    loss.label = "E"
    loss.backward()
    return loss


def distance_to_outline(box: Box, point: tuple[float, float]) -> float:
    """How far ``point`` is from the outline of ``box`` (a rectangle or an ellipse)."""
    x, y = point
    if box.shape == "ellipse":
        rx, ry = box.width / 2, box.height / 2
        # the ellipse through the point, scaled: 1 on the outline
        level = math.hypot((x - box.x) / rx, (y - box.y) / ry)
        return abs(level - 1.0) * min(rx, ry)
    inside_x, inside_y = box.left <= x <= box.right, box.top <= y <= box.bottom
    if inside_x and inside_y:
        return min(x - box.left, box.right - x, y - box.top, box.bottom - y)
    dx = max(box.left - x, 0.0, x - box.right)
    dy = max(box.top - y, 0.0, y - box.bottom)
    return math.hypot(dx, dy)


def strictly_inside(box: Box, point: tuple[float, float], margin: float = 1.0) -> bool:
    x, y = point
    return box.left + margin < x < box.right - margin and box.top + margin < y < box.bottom - margin


def check_layout(layout: Layout, touch: float = TOUCH, crossing_boxes: bool = False) -> None:
    """Distinct boxes that never overlap, and edges that start on their tail's outline, end
    on their head's, and (unless allowed) never run through another box."""
    boxes = list(layout.boxes.items())
    for (key_a, a), (key_b, b) in itertools.combinations(boxes, 2):
        apart = a.right <= b.left or b.right <= a.left or a.bottom <= b.top or b.bottom <= a.top
        assert apart, f"{key_a} {a} overlaps {key_b} {b}"
    for route in layout.routes:
        assert (len(route.points) - 1) % 3 == 0 and len(route.points) >= 4
        start, end = route.points[0], route.points[-1]
        assert distance_to_outline(layout.boxes[route.tail], start) <= touch, route
        assert distance_to_outline(layout.boxes[route.head], end) <= touch, route
        if crossing_boxes:
            continue
        for point in sample(route.points):
            for key, box in boxes:
                if key not in (route.tail, route.head):
                    assert not strictly_inside(box, point), f"{route.tail}->{route.head} in {key}"
    for box in layout.boxes.values():
        assert -touch <= box.left and box.right <= layout.width + touch
        assert -touch <= box.top and box.bottom <= layout.height + touch


def python_layout(root: Value, **options) -> Layout:
    return arrange(scene_of(draw_dot(root, **options).picture), "python")


def centre(layout: Layout, root: Value, label: str) -> Box:
    """The box of the node labelled ``label`` (draw_dot names nodes by topological position)."""
    k = next(k for k, node in enumerate(topological_order(root)) if node.label == label)
    return layout.boxes[f"n{k}"]


@pytest.mark.parametrize("rankdir", ["LR", "TB"])
@pytest.mark.parametrize("group", [None, "neuron"])
def test_document_001_gets_separate_boxes_and_edges_that_touch_them(rankdir, group):
    layout = python_layout(document_001_loss(), rankdir=rankdir, group=group)
    check_layout(layout)
    count = 102 if group is None else 28  # 10 boxes, the 3 inputs, the loss: 9 values, 6 ops
    assert len(layout.boxes) == count


@pytest.mark.parametrize("rankdir", ["LR", "TB"])
def test_neurons_are_drawn_in_index_order(rankdir):
    loss = document_001_loss()
    layout = python_layout(loss, rankdir=rankdir)
    across = (lambda box: box.y) if rankdir == "LR" else (lambda box: box.x)
    for prefix, count in (("h1", 3), ("h2", 5), ("a2", 5), ("a3", 2)):
        places = [across(centre(layout, loss, f"{prefix}[{j}]")) for j in range(count)]
        assert places == sorted(places), (prefix, places)
    along = (lambda box: box.x) if rankdir == "LR" else (lambda box: box.y)
    assert along(centre(layout, loss, "W1[0,0]")) < along(centre(layout, loss, "E"))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs(max_leaves=4, max_steps=10))
def test_random_graphs_get_separate_boxes_and_edges_that_touch_them(program):
    leaves, steps = program
    _, root = build(leaves, steps)
    for rankdir in ("LR", "TB"):
        check_layout(python_layout(root, rankdir=rankdir, show_local=True))


def test_the_two_edges_of_x_times_x_are_drawn_apart():
    x = Value(3.0, label="x")
    layout = python_layout(x * x)
    first, second = layout.routes[1:]  # after the op → result edge
    assert (first.tail, first.head) == (second.tail, second.head) == ("n0", "n1op")
    assert abs(first.points[0][1] - second.points[0][1]) >= 4  # distinct ports
    assert abs(first.points[-1][1] - second.points[-1][1]) >= 4


def test_a_long_edge_passes_the_layers_between_in_a_slot_of_its_own():
    x = Value(0.5, label="x")
    deep = x
    for _ in range(4):
        deep = deep.tanh()
    root = deep + x  # x feeds a node four layers deep and the root
    layout = python_layout(root)
    check_layout(layout)
    assert len(layout.boxes) == 1 + 2 * 5  # x, and 5 values with their op nodes


def test_layered_layout_refuses_what_it_cannot_draw():
    a, b = LayoutNode("a", 10, 10), LayoutNode("b", 10, 10)
    with pytest.raises(ValueError, match="names no node 'c'"):
        layered_layout([a, b], [("a", "c")])
    with pytest.raises(ValueError, match="used twice"):
        layered_layout([a, a], [])
    with pytest.raises(ValueError, match="rankdir"):
        layered_layout([a], [], rankdir="RL")
    with pytest.raises(ValueError, match="layout must be one of auto, dot, python"):
        arrange(scene_of(draw_dot(Value(1.0) * 2.0).picture), "neato")


def test_an_edge_closing_a_cycle_is_laid_out_turned_round_and_drawn_its_own_way():
    # collapsed groups can feed each other both ways: a → b → c and c → a
    nodes = [LayoutNode(key, 20, 10) for key in "abc"]
    layout = layered_layout(nodes, [("a", "b"), ("b", "c"), ("c", "a")])
    boxes, routes = layout.boxes, layout.routes
    assert boxes["a"].x < boxes["b"].x < boxes["c"].x  # the turned edge does not set the layers
    back = routes[2]
    assert (back.tail, back.head) == ("c", "a")
    assert abs(back.points[0][0] - boxes["c"].x) < boxes["c"].width  # starts at its tail, c
    assert abs(back.points[-1][0] - boxes["a"].x) < boxes["a"].width  # and ends at its head


def test_one_node_and_no_edges():
    layout = layered_layout([LayoutNode("only", 40, 20)], [])
    assert layout.boxes["only"] == Box(20, 10, 40, 20, "box")
    assert (layout.width, layout.height, layout.routes) == (40, 20, ())


def test_svg_writer_escapes_labels_and_marks_each_node_and_edge():
    x = Value(1.0, label='say "hi" \\ <b> & co')
    root = x * 2.0
    root.label = "r"
    root.backward()
    scene = scene_of(draw_dot(root, show_local=True).picture)
    svg = write_svg(scene, arrange(scene, "python"))
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"')
    assert "say &quot;hi&quot; \\ &lt;b&gt; &amp; co" in svg
    assert re.findall(r'data-node="([^"]+)"', svg) == ["n0", "n1", "n2", "n2op"]
    assert re.findall(r'data-edge="(\d+)"', svg) == ["0", "1", "2"]
    assert svg.count('<tspan class="grad">') == 3  # each value's gradient in its own element
    assert '<tspan class="grad">2</tspan>' in svg  # x.grad
    assert 'class="edge-label"' in svg  # show_local's local derivatives
    assert "xmlns" not in write_svg(scene, arrange(scene, "python"), standalone=False)


def test_without_dot_jupyter_shows_the_pure_python_svg(monkeypatch):
    monkeypatch.setattr(viz.shutil, "which", lambda name: None)
    loss = document_001_loss()
    drawing = draw_dot(loss, group="neuron")
    assert isinstance(drawing, Drawing)
    bundle = drawing._repr_mimebundle_()
    assert list(bundle) == ["image/svg+xml"]
    svg = bundle["image/svg+xml"]
    assert svg == drawing.svg_without_dot()
    assert "neuron a2[4]" in svg and "each neuron drawn as one box (102 nodes in full)" in svg
    assert '<tspan class="grad">0.3295</tspan>' not in svg  # E's data is not a grad
    assert f'data-node="n{len(topological_order(loss)) - 1}"' in svg  # E, named as in DOT


def test_without_dot_render_writes_the_svg(tmp_path, monkeypatch):
    monkeypatch.setattr(viz.shutil, "which", lambda name: None)
    drawing = draw_dot(document_001_loss())
    path = viz.render(drawing, tmp_path / "loss.svg", "svg")
    text = path.read_text(encoding="utf-8")
    assert text == drawing.svg_without_dot()
    assert text.count('class="node"') == 76 + 26 and "W1[0,0]" in text


def test_render_still_needs_dot_for_a_plain_graphviz_graph(tmp_path, monkeypatch):
    import graphviz

    monkeypatch.setattr(viz.shutil, "which", lambda name: None)
    with pytest.raises(viz.GraphvizNotInstalledError):
        viz.render(graphviz.Digraph(), tmp_path / "plain.svg", "svg")
    assert not (tmp_path / "plain.svg").exists()


def test_draw_dot_asks_dot_to_keep_operands_in_order():
    assert "ordering=out" in draw_dot(document_001_loss()).source


@pytest.mark.dot
def test_dot_draws_neurons_in_index_order():
    import graphviz

    loss = document_001_loss()
    plain = graphviz.pipe_string("dot", "plain", draw_dot(loss).source, encoding="utf-8")
    heights = {}
    for line in plain.splitlines():
        fields = line.split()
        if fields[0] == "node":
            heights[fields[1]] = float(fields[3])  # y grows upwards in dot's plain output
    nodes = topological_order(loss)
    for prefix, count in (("h2", 5), ("a2", 5), ("h1", 3)):
        labels = [f"{prefix}[{j}]" for j in range(count)]
        places = [
            heights[f"n{k}"] for label in labels for k, n in enumerate(nodes) if n.label == label
        ]
        assert places == sorted(places, reverse=True), (prefix, places)  # [0] at the top


@pytest.mark.dot
@pytest.mark.parametrize("group", [None, "neuron"])
def test_dot_layout_gives_the_same_kind_of_layout(group):
    scene = scene_of(draw_dot(document_001_loss(), group=group).picture)
    layout = arrange(scene, "dot")
    assert set(layout.boxes) == {node.key for node in scene.nodes}
    # dot rounds sizes to whole points and routes its own splines (which may cross a box)
    check_layout(layout, touch=2.0, crossing_boxes=True)
