"""stepper(): the page's numbers, its self-containment, its contract, and the user's grads."""

from __future__ import annotations

import math
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

import tinygrad_edu
from tinygrad_edu import (
    Value,
    chain_paths,
    detect_anomaly,
    explain,
    stepper,
    topological_order,
)
from tinygrad_edu.lenses.drawing import draw as viz
from tinygrad_edu.lenses.groups import group_graph, level_of_detail
from tinygrad_edu.lenses.index import GraphIndex
from tinygrad_edu.lenses.stepper.backward_pass import pass_from_zero
from tinygrad_edu.lenses.stepper.grouped_page import grouped_page
from tinygrad_edu.lenses.stepper.order import grouped_order
from tinygrad_edu.lenses.stepper.page import Stepper

from tests.lenses.gpt_shaped import Gpt
from tests.lenses.pages import (
    batch_loss,
    document_001,
    embedded_data,
    issue_example,
    ordered_ops,
    records,
    square,
)
from tests.strategies import build, networks, programs


def same(a: float | str, b: float) -> bool:
    """Equal bit for bit (JSON writes inf and NaN as text)."""
    if isinstance(a, str):
        return a == repr(b)
    return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)


def grads(root: Value) -> list[float]:
    return [node.grad for node in topological_order(root)]


class Elements(HTMLParser):
    """Every element's tag, attributes and text, and the text of each ``.grad`` element."""

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.stack: list[dict[str, str | None]] = []
        self.grads: list[tuple[str | None, str]] = []  # (the enclosing data-value, text)
        self._in_grad: str | None = None
        self._value: list[str | None] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.elements.append((tag, attributes))
        if tag == "g":
            self._value.append(attributes.get("data-value"))
        if attributes.get("class") == "grad":
            self._in_grad = next((v for v in reversed(self._value) if v is not None), None)

    def handle_endtag(self, tag):
        if tag == "g" and self._value:
            self._value.pop()

    def handle_data(self, data):
        if self._in_grad is not None:
            self.grads.append((self._in_grad, data))
            self._in_grad = None


def parse(page: str) -> Elements:
    parser = Elements()
    parser.feed(page)
    return parser


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs(max_leaves=4, max_steps=10))
def test_the_pages_steps_are_backward_steps_bit_for_bit(program):
    leaves, steps = program
    _, root = build(leaves, steps)
    data = embedded_data(stepper(root, layout="python").html())
    expected = records(root)
    index = {node: k for k, node in enumerate(topological_order(root))}
    assert len(data["steps"]) == len(expected)
    for shown, record in zip(data["steps"], expected, strict=True):
        assert shown["node"] == index[record.node]
        assert same(shown["upstream"], record.upstream)
        assert len(shown["edges"]) == len(record.edges)
        for position, (edge, truth) in enumerate(zip(shown["edges"], record.edges, strict=True)):
            assert edge["child"] == index[truth.child] and edge["position"] == position
            assert same(edge["local"], truth.local)
            assert same(edge["contribution"], truth.contribution)
            assert same(edge["before"], truth.grad_before)
            assert same(edge["after"], truth.grad_after)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(networks())
def test_every_network_steps_through_with_or_without_neuron_boxes(network):
    _, loss = network
    expected = records(loss)
    for group in ("neuron", None):
        data = stepper(loss, group=group, layout="python").data
        assert len(data["steps"]) == len(expected)
        last = data["steps"][-1]["edges"]
        assert [edge["after"] for edge in last] == [edge.grad_after for edge in expected[-1].edges]


def test_making_a_stepper_leaves_every_grad_as_it_was():
    loss, model = document_001()
    loss.backward()
    loss.backward()  # leaves hold two passes' worth, interior nodes one
    model.parameter("W1[0,0]").grad = 123.0
    before = grads(loss)
    page = stepper(loss)
    assert grads(loss) == before
    fresh = issue_example()  # never backpropagated: all zeros stay zeros
    stepper(fresh)
    assert grads(fresh) == [0.0] * len(topological_order(fresh))
    # and the page shows one pass from zero, whatever the graph held
    final = {}
    for step in page.data["steps"]:
        for edge in step["edges"]:
            final[edge["child"]] = edge["after"]
    loss_again, model_again = document_001()
    loss_again.backward()
    nodes = topological_order(loss_again)
    for name in ("W1[0,0]", "x[2]", "b3[1]"):
        parameter = model_again.parameter(name) if name[0] != "x" else None
        node = parameter or next(node for node in nodes if node.label == name)
        assert final[nodes.index(node)] == node.grad  # bit for bit what backward() gives


def test_the_grads_come_back_even_when_the_pass_fails():
    x = Value(0.0, label="x")
    root = x**0.5  # the derivative of √x at 0 is infinite: anomaly mode stops there
    x.grad = 7.0
    with detect_anomaly(), pytest.raises(Exception, match="gave gradient inf"):
        stepper(root)
    assert x.grad == 7.0 and root.grad == 0.0
    with pytest.raises(RuntimeError, match="boom"), pass_from_zero(GraphIndex(root)) as steps:
        assert x.grad == math.inf and len(steps) == 1
        raise RuntimeError("boom")
    assert x.grad == 7.0


def test_the_page_references_nothing_outside_itself(tmp_path):
    loss, model = document_001()
    path = stepper(loss, highlight=model.parameter("W1[0,0]")).save(tmp_path / "steps.html")
    page = path.read_text(encoding="utf-8")
    for pattern in (
        r"\bsrc\s*=",
        r"\bhref\s*=",
        r"url\(",
        r"@import",
        r"https?:",
        r"//[\w.-]+\.\w+/",
        r"\bfetch\s*\(",
        r"XMLHttpRequest",
        r"\bimport\s*\(",
        r"<link\b",
        r"<iframe\b",
        r"\bWebSocket\b",
    ):
        assert not re.search(pattern, page), pattern
    tags = {tag for tag, _ in parse(page).elements}
    assert {"html", "style", "script", "svg", "button", "select"} <= tags
    assert not tags & {"img", "link", "iframe", "object", "embed", "base"}


def test_the_page_keeps_the_contract_the_tests_hold():
    root = issue_example()
    page = stepper(root).html()
    parsed = parse(page)
    (counter,) = [a for _, a in parsed.elements if "data-steps" in a]
    assert counter["data-steps"] == "3" and counter["data-step"] == "0"
    assert counter["class"] == "stepper"
    values = [a for tag, a in parsed.elements if tag == "g" and "data-value" in a and
              "value" in (a.get("class") or "").split()]  # fmt: skip
    labels = sorted(a["data-label"] for a in values)
    assert labels == ["", "", "L", "w", "x"]  # x·w and tanh(x·w) have no label
    nodes = topological_order(root)
    shown = dict(parsed.grads)
    assert len(shown) == len(nodes)
    for k, node in enumerate(nodes):  # all ? before step 1, except ∂L/∂L = 1
        assert shown[str(k)] == ("1" if node is root else "?")
    assert any("chain-rule" in (a.get("class") or "") for _, a in parsed.elements)


def test_a_node_used_twice_visibly_adds_twice():
    data = stepper(square()).data
    (step,) = data["steps"]
    first, second = step["edges"]
    assert (first["child"], second["child"]) == (0, 0)
    assert (first["beforeText"], first["afterText"]) == ("?", "3")
    assert (second["beforeText"], second["afterText"]) == ("3", "6")
    assert step["lines"] == [
        "step 1 of 1: at 's' (*): upstream gradient 1",
        "grad of 'x' += local 3 × upstream 1 = 3 (first contribution, now 3)",
        "grad of 'x' += local 3 × upstream 1 = 3 (was 3, now 6)",
    ]
    assert first["show"] == second["show"] == "n0"
    assert len(step["active"]) == 3  # both operand edges and the op → result edge


def test_the_operand_order_of_minus_divide_and_power_is_written_out():
    page = stepper(ordered_ops(), layout="python")
    ops = [node.lines for node in page.scene.nodes if "op" in node.classes]
    assert ["a − b"] in ops and ["a / b"] in ops and ["a ** b"] in ops and ["+"] in ops
    labels = [edge.label for edge in page.scene.edges if edge.label]
    assert sorted(labels) == ["a", "a", "a", "b", "b", "b"]
    assert "a − b" in page.html()


def test_path_mode_lights_the_paths_and_writes_explain_out():
    loss, model = document_001()
    weight = model.parameter("W1[0,2]")
    page = stepper(loss, highlight=weight)
    entry = page.data["paths"][page.data["open"]]
    assert entry["name"] == "W1[0,2]"
    loss.backward()
    assert entry["text"] == explain(loss, weight)  # the same numbers: one pass from zero
    paths = chain_paths(loss, weight)
    on_paths = {node for path in paths for node in path.nodes}
    assert len(paths) == 10 and len(on_paths) == 23
    # as draw_dot highlights: 22 op → result edges and 31 operand edges
    assert len(entry["edges"]) == 22 + 31
    nodes = topological_order(loss)
    drawn = {f"n{nodes.index(node)}" for node in on_paths}
    assert {key for key in entry["elements"] if not key.endswith("op")} == drawn
    # every leaf can be picked, the labelled ones in reading order
    names = [p["name"] for p in page.data["paths"]]
    assert names[:4] == ["W1[0,0]", "W1[0,1]", "W1[0,2]", "W1[1,0]"]
    assert {"x[0]", "y[1]", "b3[1]", "unlabelled leaf 0.5"} <= set(names)
    assert page.data["paths"][page.data["pathOf"]["n0"]]["value"] == 0  # click n0: its paths


def test_highlight_edges_lights_exactly_the_edges_given():
    loss, model = document_001()
    weight = model.parameter("W1[0,0]")
    edges = [edge for path in chain_paths(loss, weight)[:2] for edge in path.edges]
    page = stepper(loss, highlight_edges=edges, highlight_caption="two of the paths")
    entry = page.data["paths"][page.data["open"]]
    assert page.data["open"] == 0 and entry["name"] == "two of the paths"
    parents = {edge.parent for edge in edges}
    assert len(entry["edges"]) == len({(e.parent, e.position) for e in edges}) + len(parents)
    assert "two of the paths" in entry["text"] and "∂h1[0]/∂W1[0,0] = 0.3" in entry["text"]
    same_page = stepper(loss, highlight_edges=[(e.parent, e.position) for e in edges])
    assert same_page.data["paths"][0]["edges"] == entry["edges"]


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"highlight": 3}, TypeError, "highlight must be a Value, got int 3"),
        ({"highlight": Value(1.0, label="stray")}, ValueError, "'stray' is not part of"),
        ({"highlight_edges": "x"}, TypeError, "highlight_edges must be a list"),
        ({"highlight_edges": []}, ValueError, "highlight_edges is empty"),
        ({"highlight_edges": [3]}, TypeError, r"highlight_edges\[0\] must be a \(node, posi"),
        ({"highlight_edges": [(Value(1.0), 0)]}, ValueError, "not part of the graph"),
        ({"highlight_edges": [("x", 0)]}, TypeError, r"highlight_edges\[0\]\[0\] must be a Value"),
        ({"layout": "neato"}, ValueError, "layout must be one of auto, dot, python"),
        ({"rankdir": "RL"}, ValueError, "rankdir must be one of LR, TB"),
        ({"highlight_caption": 1}, TypeError, "highlight_caption must be a str"),
    ],
)
def test_bad_arguments_are_named_before_anything_changes(kwargs, error, message):
    root = issue_example()
    root.backward()
    before = grads(root)
    with pytest.raises(error, match=message):
        stepper(root, **kwargs)
    assert grads(root) == before


def test_bad_edges_name_the_slot():
    root = issue_example()
    product = root.children[0]
    leaf = root.children[1]
    with pytest.raises(ValueError, match=r"highlight_edges\[1\]: position 2, but .* has 2 op"):
        stepper(root, highlight_edges=[(root, 0), (root, 2)])
    with pytest.raises(ValueError, match="is a leaf, with no operands"):
        stepper(root, highlight_edges=[(leaf, 0)])
    with pytest.raises(TypeError, match="an int operand position, got bool True"):
        stepper(root, highlight_edges=[(product, True)])
    with pytest.raises(ValueError, match="not both"):
        stepper(root, highlight=leaf, highlight_edges=[(root, 0)])
    with pytest.raises(TypeError, match=r"stepper\(root\) must be a Value, got float 1.0"):
        stepper(1.0)


def test_big_graphs_get_neuron_boxes_then_groups_never_a_refusal():
    loss = batch_loss(2)
    page = stepper(loss, max_nodes=100)
    boxes = [node for node in page.scene.nodes if "neuron" in node.classes]
    assert len(boxes) == 2 * 17 and len(page.scene.nodes) == 26 * 2 + 1
    assert page.steps == len(records(loss))  # every node is stepped through, boxed or not
    big = batch_loss(20)  # 521 boxes with each neuron drawn as one: groups instead
    for group in ("auto", None):
        grouped = stepper(big, group=group, layout="python")
        groups = parse(grouped.html()).elements
        boxes_ = [a for tag, a in groups if "data-group" in a]
        assert boxes_ and max(int(a["data-nodes"]) for a in boxes_) > 1
        assert grouped.steps < len(records(big))  # a group's step applies all of its rules


def test_a_box_shows_its_neurons_output_and_lights_up_while_its_inside_is_processed():
    loss = batch_loss(1)
    page = stepper(loss, group="neuron")
    nodes = topological_order(loss)
    boxes = {node.key: node for node in page.scene.nodes if "neuron" in node.classes}
    for box in boxes.values():
        out = nodes[int(box.data["value"])]
        assert box.data["label"] == out.label and out.label.startswith("a")
    for step in page.data["steps"]:
        node = nodes[step["node"]]
        if node.label.startswith(("h", "a")):
            assert step["outline"][0] in boxes


def test_a_leaf_root_has_no_steps():
    page = stepper(Value(2.0, label="lonely"))
    assert page.steps == 0 and 'data-steps="0"' in page.html()
    assert "no step to take" in page.data["startText"]


def test_jupyter_gets_the_page_in_an_iframe_and_a_picture_of_the_final_state():
    root = issue_example()
    page = stepper(root, highlight=root.children[1])
    first, second = page._repr_mimebundle_(), page._repr_mimebundle_()
    assert set(first) == {"text/html", "image/svg+xml", "text/plain"}
    ids = [re.search(r'<iframe id="([^"]+)"', b["text/html"]).group(1) for b in (first, second)]
    assert ids[0] != ids[1]  # two outputs in one notebook never clash
    frame = first["text/html"]
    assert 'sandbox="allow-scripts"' in frame and "srcdoc=" in frame
    assert "&lt;!DOCTYPE html&gt;" in frame and "<script" not in frame  # all inside srcdoc
    svg = first["image/svg+xml"]
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"') and "<script" not in svg
    root.backward()
    final = re.findall(r'<tspan class="grad">([^<]*)</tspan>', svg)
    assert sorted(final) == sorted(f"{node.grad:.4g}" for node in topological_order(root))
    assert "#d62728" in svg  # the highlighted leaf's path, in red
    assert first["text/plain"] == "Stepper('L': 3 backward steps, 8 nodes drawn)"
    assert list(page._repr_mimebundle_(include=["image/svg+xml"])) == ["image/svg+xml"]
    assert "text/html" not in page._repr_mimebundle_(exclude=["text/html"])


def test_save_writes_the_page_and_returns_its_path(tmp_path):
    page = stepper(square())
    path = page.save(str(tmp_path / "s.html"))
    assert path == tmp_path / "s.html" and path.read_text(encoding="utf-8") == page.html()
    assert isinstance(page, Stepper) and page.html().startswith("<!DOCTYPE html>")
    with pytest.raises(TypeError, match="a file path must be a str or a path, got int"):
        page.save(3)
    with pytest.raises(FileNotFoundError):
        page.save(tmp_path / "missing" / "s.html")


def test_the_same_graph_gives_the_same_page():
    assert (
        stepper(document_001()[0], layout="python").html()
        == stepper(document_001()[0], layout="python").html()
    )


def test_labels_cannot_break_out_of_the_page():
    x = Value(1.0, label="</script><script>alert(1)</script>")
    y = x * 2.0
    y.label = "<b>&amp;"
    page = stepper(y, highlight=x).html()
    assert page.count("<script") == 2 and page.count("</script>") == 2
    assert "&lt;/script&gt;&lt;script&gt;alert(1)" in page  # in the drawing and the list
    assert embedded_data(page)["paths"][0]["name"] == "</script><script>alert(1)</script>"


def test_without_dot_the_page_is_laid_out_in_pure_python(monkeypatch):
    monkeypatch.setattr(viz.shutil, "which", lambda name: None)
    root, _ = document_001()
    automatic = stepper(root)
    assert automatic.html() == stepper(root, layout="python").html()
    with pytest.raises(viz.GraphvizNotInstalledError, match="or pass layout='auto'"):
        stepper(root, layout="dot")


@pytest.mark.dot
def test_with_dot_the_page_is_laid_out_by_dot():
    root, _ = document_001()
    automatic = stepper(root)
    assert automatic.html() == stepper(root, layout="dot").html()
    assert automatic.html() != stepper(root, layout="python").html()


def test_the_readme_shows_the_page():
    root = Path(__file__).resolve().parents[2]
    readme = (root / "README.md").read_text(encoding="utf-8")
    assert "](docs/images/stepper.png)" in readme
    assert (root / "docs" / "images" / "stepper.png").read_bytes().startswith(b"\x89PNG")


def replayed(data: dict, steps: list[dict]) -> dict[int, str]:
    """What each shown value reads after ``steps``, applied as the page's script applies
    them (the last update of each value wins)."""
    texts: dict[int, str] = {}
    for step in steps:
        for update in step["edges"]:
            texts[update["value"]] = update["afterText"]
    return texts


def timeline(data: dict, view: int) -> list[dict]:
    """A view's steps as the page's script makes them: the parent's, with the opened group's
    one step replaced by the group's own steps."""
    if view == 0:
        return data["steps"]
    entry = data["views"][view]
    parent = entry["parent"]
    listed = []
    for step in timeline(data, parent):
        if step in (data["steps"] if parent == 0 else data["views"][parent]["steps"]) and (
            step["unit"] == entry["opener"]
        ):
            listed += [s for s in entry["steps"] if step["start"] <= s["start"] < step["end"]]
        else:
            listed.append(step)
    return listed


def test_a_gpt_step_is_stepped_group_by_group_and_inside_each_opened_group():
    with tinygrad_edu.origins():
        loss = Gpt().loss([0, 1, 2, 3, 4, 0])
    index = GraphIndex(loss)
    page = stepper(loss, layout="python")
    data = page.data
    assert page.inner and len(data["views"]) == len(page.inner) + 1
    assert len(data["steps"]) < len(index.interior)
    html = page.html()
    groups = [a for _, a in parse(html).elements if "data-group" in a]
    assert {a["data-group"] for a in groups} >= {v["name"] for v in data["views"][1:]}
    loss.backward()
    final = {k: f"{node.grad:.4g}" for k, node in enumerate(index.order)}
    for view in range(len(data["views"])):
        steps = timeline(data, view)
        assert steps[0]["start"] == 0 and steps[-1]["end"] == len(index.interior)
        assert all(a["end"] == b["start"] for a, b in zip(steps, steps[1:], strict=False))
        for value, text in replayed(data, steps).items():  # End: what backward() gives
            assert math.isclose(float(text), float(final[value]), rel_tol=1e-3), value
    names = [line for step in data["steps"] for line in step["lines"][:1]]
    assert any(re.match(r"\w+#\d+ \([\d,]+ nodes\): the backward rules of", n) for n in names)


def test_the_grouped_order_is_a_backward_order_that_keeps_calls_together():
    with tinygrad_edu.origins():
        loss = Gpt().loss([0, 1, 2, 3])
    index = GraphIndex(loss)
    groups = group_graph(index.order)
    order = grouped_order(index, groups)
    assert sorted(map(id, order)) == sorted(map(id, index.interior))
    place = {node: n for n, node in enumerate(order)}
    for node in order:  # each node after its operands: reversed, each after its users
        assert all(place[child] < place[node] for child in node.children if child in place)
    for group in groups.root.walk():
        if group.kind == "call" and group.name.startswith("softmax"):
            inside = sorted(place[index.order[k]] for g in group.walk() for k in g.nodes
                            if index.order[k] in place)  # fmt: skip
            assert inside == list(range(inside[0], inside[0] + len(inside))), group.name


def test_open_draws_a_group_open_and_an_unknown_name_is_named():
    with tinygrad_edu.origins():
        loss = Gpt().loss([0, 1, 2])
    closed = stepper(loss, layout="python")
    name = next(v["name"] for v in closed.data["views"][1:])
    opened = stepper(loss, open=[name], layout="python")
    assert name not in {n.data.get("group") for n in opened.scene.nodes}
    with pytest.raises(KeyError, match="no group named 'nothing#9'"):
        stepper(loss, open=["nothing#9"])
    with pytest.raises(TypeError, match="open must be a list of group names"):
        stepper(loss, open="linear#1")


def test_a_group_past_the_budget_says_how_to_open_it():
    with tinygrad_edu.origins():
        loss = Gpt().loss([0, 1, 2, 3, 4, 0])
    index = GraphIndex(loss)
    groups = group_graph(index.order, fan_out=24)
    detail = level_of_detail(groups, 200)
    data, scenes = grouped_page(index, groups, detail, "LR", budget=40)
    assert len(scenes) == len(data["views"]) and len(scenes) < 6
    note = next(iter(data["notEmbedded"].values()))
    assert re.search(r"not in this page, to keep it small. In Python: stepper\(root, open=", note)
