"""draw_dot and render: DOT text checked without graphviz, rendering checked with ``dot``."""

from __future__ import annotations

import pickle
import re

import pytest

from tinygrad_edu import MLP, Value, chain_paths, draw_dot, half_sum_squared_error, stepper
from tinygrad_edu.datasets import DOCUMENT_001
from tinygrad_edu.lenses.drawing import draw as viz
from tinygrad_edu.lenses.drawing.draw import GraphTooLargeError, GraphvizNotInstalledError, render

RED = "#d62728"
NODE = re.compile(r"^\t(n\d+(?:op|box)?) \[(.*)\]$", re.MULTILINE)
EDGE = re.compile(r"^\t(n\d+(?:op|box)?) -> (n\d+(?:op|box)?)(?: \[(.*)\])?$", re.MULTILINE)


def nodes_of(source: str) -> dict[str, str]:
    return dict(NODE.findall(source))


def edges_of(source: str) -> list[tuple[str, str, str]]:
    return EDGE.findall(source)


def label_of(attrs: str) -> str:
    """The label attribute's text (DOT quotes it only when it is not a plain identifier)."""
    match = re.search(r'label=(?:"((?:[^"\\]|\\.)*)"|(\w+))', attrs)
    return match.group(1) if match.group(1) is not None else match.group(2)


def document_001_loss(backward: bool = True) -> tuple[MLP, Value]:
    model = MLP.from_weights(DOCUMENT_001.weights)
    loss = half_sum_squared_error(model(DOCUMENT_001.x), [1.0, 0.0])
    loss.label = "E"
    if backward:
        loss.backward()
    return model, loss


def test_each_value_shows_label_data_and_grad_and_each_op_is_its_own_node():
    x, w = Value(0.5, label="x"), Value(-2.0, label="w")
    f = (x * w).tanh()
    f.label = "f"
    f.backward()
    nodes = nodes_of(draw_dot(f).source)
    labels = {key: label_of(attrs) for key, attrs in nodes.items()}
    assert labels == {
        "n0": "x\\ndata 0.5\\ngrad -0.8399",
        "n1": "w\\ndata -2\\ngrad 0.21",
        "n2": "data -1\\ngrad 0.42",
        "n2op": "*",
        "n3": "f\\ndata -0.7616\\ngrad 1",
        "n3op": "tanh",
    }
    assert [edge[:2] for edge in edges_of(draw_dot(f).source)] == [
        ("n2op", "n2"),
        ("n3op", "n3"),
        ("n0", "n2op"),
        ("n1", "n2op"),
        ("n2", "n3op"),
    ]


def test_grads_show_as_not_computed_before_backward():
    _, loss = document_001_loss(backward=False)
    labels = [label_of(attrs) for key, attrs in nodes_of(draw_dot(loss).source).items()]
    value_labels = [label for label in labels if "data " in label]
    assert len(value_labels) == 76  # the exponents of (a − y)**2 are inside their ops
    assert all(label.endswith("grad ?") for label in value_labels)
    assert "grad ?" not in draw_dot(loss, grads=True).source  # forced: shows the zeros
    loss.backward()
    source = draw_dot(loss).source
    assert "grad ?" not in source and "E\\ndata 0.3295\\ngrad 1" in source
    assert "grad ?" in draw_dot(loss, grads=False).source


def test_a_value_used_twice_is_drawn_with_two_edges_and_local_derivatives():
    x = Value(3.0, label="x")
    f = x * x
    f.backward()
    edges = edges_of(draw_dot(f, show_local=True).source)
    assert edges.count(("n0", "n1op", "label=3")) == 2
    y = Value(-0.5, label="y")
    g = x * y
    g.backward()
    edges = edges_of(draw_dot(g, show_local=True).source)
    assert ("n0", "n2op", "label=-0.5") in edges  # ∂(x·y)/∂x = y
    assert ("n1", "n2op", "label=3") in edges  # ∂(x·y)/∂y = x


def test_the_same_graph_gives_the_same_dot_text_every_time():
    first = draw_dot(document_001_loss()[1], show_local=True).source
    second = draw_dot(document_001_loss()[1], show_local=True).source  # new objects, new id()s
    assert first == second
    assert set(nodes_of(first)) >= {f"n{k}" for k in range(76)}


def test_highlight_marks_exactly_the_paths_down_to_one_weight():
    model, loss = document_001_loss()
    weight = model.parameter("W1[0,0]")
    source = draw_dot(loss, highlight=weight).source
    on_paths = {node for path in chain_paths(loss, weight) for node in path.nodes}
    nodes = nodes_of(source)
    red_values = {
        label_of(attrs).split("\\n")[0]
        for key, attrs in nodes.items()
        if RED in attrs and not key.endswith("op")
    }
    expected = {node.label or f"data {node.data:.4g}" for node in on_paths}
    assert red_values == expected
    assert {"W1[0,0]", "h1[0]", "a1[0]", "a3[1]", "E"} <= red_values
    assert "W1[1,0]" not in red_values and "a1[1]" not in red_values
    red_edges = [edge for edge in edges_of(source) if RED in edge[2]]
    # the 23 nodes on paths have 22 op→result edges; the operand edges on the paths are
    # W1[0,0]→h1[0]→a1[0] (2), a1[0]→h2[j]→a2[j] (5 + 5), a2[j]→h3[k] (10), h3[k]→a3[k] (2),
    # and a3[k]→(−)→(**)→(+) (2 + 2 + 2), (+)→E (1): 31 in all
    assert len(on_paths) == 23
    assert len(red_edges) == 22 + 31


def test_bad_options_are_named():
    _, loss = document_001_loss()
    with pytest.raises(ValueError, match="rankdir must be one of LR, TB"):
        draw_dot(loss, rankdir="RL")
    with pytest.raises(ValueError, match="not part of the graph"):
        draw_dot(loss, highlight=Value(1.0, label="stray"))
    with pytest.raises(ValueError, match="group must be"):
        draw_dot(loss, group="layer")
    assert "rankdir=TB" in draw_dot(loss, rankdir="TB").source


def test_labels_with_dot_syntax_are_escaped():
    x = Value(1.0, label='say "hi" \\ <b>')
    source = draw_dot(x * 2.0).source
    assert 'label="say \\"hi\\" \\\\ <b>\\ndata 1\\ngrad ?"' in source


# A 2-8-8-1 network on N examples: 105 shared parameters; per example 2 inputs, 34 neuron
# nodes (h and a of 17 neurons) and 4 loss nodes; then N − 1 sums, the ½ and E:
# 106 + 41N values and 37N ops, so 106 + 78N nodes in full. With each neuron as a box:
# 17N boxes, 7N + 1 values and 3N ops left, 27N + 1 nodes.


def batch_loss(examples: int, fused: bool = True) -> Value:
    model = MLP(2, [8, 8, 1], seed=0, fused=fused)
    outputs = [model([0.1 * k, -0.2 * k]) for k in range(examples)]
    return half_sum_squared_error(outputs, [0.5] * examples)


def test_too_many_nodes_are_drawn_with_groups_collapsed_within_max_nodes():
    loss = batch_loss(20)  # 1,646 nodes to draw, still 521 with each neuron as one box
    for group in (None, "auto"):
        drawing = draw_dot(loss, group=group)
        drawn = nodes_of(drawing.source)
        assert len(drawn) <= 400
        boxes = [e for e in drawing.picture.elements if e.role == "group"]
        assert boxes and "drawn as one box each" in drawing.picture.caption
    assert len(nodes_of(draw_dot(loss, max_nodes=521).source)) == 521  # neuron boxes fit


def test_picture_for_refuses_with_the_counts_for_callers_to_word_their_own_advice():
    # the stepper no longer refuses (it steps group by group); picture_for without collapse does
    from tinygrad_edu.lenses.drawing.draw import picture_for
    from tinygrad_edu.lenses.index import GraphIndex

    with pytest.raises(GraphTooLargeError) as error:
        picture_for(GraphIndex(batch_loss(20)), group=None)
    refused = error.value
    assert isinstance(refused, ValueError)
    assert (refused.full_count, refused.drawn_count, refused.max_nodes) == (1646, 1646, 400)
    assert (refused.group, refused.grouped) == (None, False)
    assert str(refused) == refused.advice()
    worded = refused.advice(max_nodes_option="--max-nodes ", group_option="--group neuron")
    assert "more than --max-nodes 400" in worded and "or pass --group neuron" in worded
    assert worded.endswith("or pass --max-nodes 1646 to draw it anyway")
    assert "max_nodes=" not in worded and "group='neuron'" not in worded
    copy = pickle.loads(pickle.dumps(refused))
    assert type(copy) is GraphTooLargeError and str(copy) == str(refused)


def test_past_max_nodes_each_neuron_becomes_one_box():
    loss = batch_loss(2)
    full = draw_dot(loss, max_nodes=10_000, group=None).source
    assert len(nodes_of(full)) == 104 + 78 * 2 and "neuron" not in full
    grouped = draw_dot(loss, max_nodes=100).source
    nodes = nodes_of(grouped)
    boxes = [attrs for key, attrs in nodes.items() if key.endswith("box")]
    assert len(boxes) == 2 * 17 and len(nodes) == 26 * 2 + 1
    assert 'label="neuron a2[3]\\n8 weights W2[·,3], bias b2[3]' in grouped
    assert "W2[0,3]\\ndata" not in grouped  # parameters are inside their boxes


def test_neuron_boxes_also_absorb_unfused_chains():
    loss = batch_loss(1, fused=False)
    source = draw_dot(loss, group="neuron").source
    boxes = [key for key in nodes_of(source) if key.endswith("box")]
    assert len(boxes) == 17
    box_edges = [edge for edge in edges_of(source) if edge[1].endswith("box")]
    assert len(box_edges) == 8 * 2 + 8 * 8 + 8  # x→layer 1, layer 1→2, layer 2→output


def test_dot_text_is_written_without_the_dot_program(tmp_path, monkeypatch):
    monkeypatch.setattr(viz.shutil, "which", lambda name: None)
    drawing = draw_dot(document_001_loss()[1])
    path = render(drawing, tmp_path / "loss.dot", "dot")
    assert path.read_text(encoding="utf-8") == drawing.source
    with pytest.raises(GraphvizNotInstalledError, match="apt-get install graphviz"):
        render(drawing, tmp_path / "loss.png", "png")  # svg is drawn in pure Python instead
    assert not (tmp_path / "loss.png").exists()
    with pytest.raises(ValueError, match="format must be one of svg, png, pdf, dot"):
        render(drawing, tmp_path / "loss.jpg", "jpg")


@pytest.mark.parametrize(
    ("fmt", "magic"), [("svg", b"<?xml"), ("png", b"\x89PNG"), ("pdf", b"%PDF")]
)
@pytest.mark.dot
def test_rendering_writes_the_asked_format(tmp_path, fmt, magic):
    model, loss = document_001_loss()
    drawing = draw_dot(loss, highlight=model.parameter("W1[0,0]"), show_local=True)
    path = render(drawing, tmp_path / f"loss.{fmt}", fmt)
    data = path.read_bytes()
    assert data.startswith(magic)
    if fmt == "svg":
        text = data.decode("utf-8")
        assert text.count('class="node"') == 76 + 26  # value boxes and op nodes
        assert "W1[0,0]" in text and "grad ?" not in text
        assert len(data) < 1_000_000


@pytest.mark.dot
def test_rendering_escaped_labels_survives_dot(tmp_path):
    x = Value(1.0, label='say "hi" \\ <b>')
    text = render(draw_dot(x * 2.0), tmp_path / "odd.svg").read_text(encoding="utf-8")
    assert "say &quot;hi&quot; \\ &lt;b&gt;" in text


def test_a_long_chain_without_neurons_is_drawn_as_chains_of_groups():
    x = Value(0.5, label="x")
    node = x
    for _ in range(300):
        node = node * 1.5
    drawing = draw_dot(node)  # 901 nodes to draw
    assert len(nodes_of(drawing.source)) <= 400
    kinds = {e.lines[0].split("#")[0] for e in drawing.picture.elements if e.role == "group"}
    assert kinds and "neuron" not in kinds
    page = stepper(node, layout="python")  # the step-through page steps it group by group
    assert {n.data["group"].split("#")[0] for n in page.scene.nodes if "group" in n.data} <= kinds
    assert page.steps < 300
