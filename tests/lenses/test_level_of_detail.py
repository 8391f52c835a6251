"""draw_dot never refuses for size: past max_nodes it collapses groups of nodes (the calls
recorded by origins(), else the structure) into one box each, and opens what is asked for."""

from __future__ import annotations

import math
import random
import re

import pytest

import tinygrad_edu
from tinygrad_edu import Value, draw_dot
from tinygrad_edu.lenses.index import GraphIndex

BOX = re.compile(r"^\t(?:n\d+(?:op)?|g\d+) \[", re.MULTILINE)


def linear(xs, rows):
    return [sum(w * x for w, x in zip(row, xs, strict=True)) for row in rows]


def softmax(zs):
    top = max(z.data for z in zs)
    es = [(z - top).exp() for z in zs]
    total = sum(es)
    return [e / total for e in es]


def tiny_gpt(width: int = 8, positions: int = 3, seed: int = 0) -> tuple[Value, list[Value]]:
    """A tiny attention step in a learner's style: embeddings, q/k/v, softmax, a loss."""
    rng = random.Random(seed)

    def matrix(rows, cols):
        return [[Value(rng.gauss(0, 0.3)) for _ in range(cols)] for _ in range(rows)]

    embed, wq, wk, wv, head = (matrix(width, width) for _ in range(5))
    xs = [embed[t] for t in range(positions)]
    keys = [linear(x, wk) for x in xs]
    values = [linear(x, wv) for x in xs]
    losses = []
    for t, x in enumerate(xs):
        q = linear(x, wq)
        scores = [sum(a * b for a, b in zip(q, k, strict=True)) * (1 / math.sqrt(width))
                  for k in keys[: t + 1]]  # fmt: skip
        weights = softmax(scores)
        mixed = [sum(w * v[i] for w, v in zip(weights, values, strict=False))
                 for i in range(width)]  # fmt: skip
        logits = linear(mixed, head)
        losses.append(-softmax(logits)[t].log())
    loss = sum(losses) * (1 / positions)
    return loss, embed[0]


def boxes(drawing) -> int:
    return len(BOX.findall(drawing.source))


def test_a_gpt_step_under_origins_is_drawn_within_max_nodes_as_its_calls():
    with tinygrad_edu.origins():
        loss, embedding = tiny_gpt()
    loss.backward()
    size = len(tinygrad_edu.topological_order(loss))
    assert size > 1_000
    for max_nodes in (400, 120, 40):
        drawing = draw_dot(loss, max_nodes=max_nodes)
        assert boxes(drawing) <= max_nodes
        groups = [e for e in drawing.picture.elements if e.role == "group"]
        assert groups and all(re.fullmatch(r"[\d,]+ nodes", e.lines[1]) for e in groups)
        assert any(e.lines[0].startswith(("linear#", "softmax#")) for e in groups)
        assert "drawn as one box each" in drawing.picture.caption
        assert drawing.svg_without_dot().startswith("<svg")  # laid out, loops and all


def test_focus_and_open_draw_the_asked_for_insides():
    with tinygrad_edu.origins():
        loss, embedding = tiny_gpt()
    loss.backward()
    weight = embedding[0]
    focused = draw_dot(loss, focus=weight, max_nodes=60)
    drawn = focused.picture.shows
    index = GraphIndex(loss)
    assert drawn.get(index.position[weight], "").startswith("n")  # the weight itself is drawn
    closed = [
        e.lines[0] for e in draw_dot(loss, max_nodes=60).picture.elements if e.role == "group"
    ]
    opened = draw_dot(loss, max_nodes=60, open=[closed[0]]).picture.elements
    assert closed[0] not in [e.lines[0] for e in opened if e.role == "group"]
    with pytest.raises(KeyError, match="no group named 'nothing#1'"):
        draw_dot(loss, open=["nothing#1"])


def test_without_origins_the_structure_gives_the_groups_and_a_path_stays_lit():
    loss, embedding = tiny_gpt(width=6)
    loss.backward()
    drawing = draw_dot(loss, highlight=embedding[1], max_nodes=100)
    assert boxes(drawing) <= 100
    lit = [e for e in drawing.picture.elements if e.lit]
    assert lit and any(e.role == "group" for e in lit)
    assert "#d62728" in drawing.source


def test_a_chain_of_200000_nodes_is_drawn_in_a_few_boxes():
    x, a = Value(1.0, label="x"), Value(1.0, label="a")
    y = x
    for _ in range(200_000):
        y = y * a
    drawing = draw_dot(y, max_nodes=100)
    assert boxes(drawing) <= 100


def test_open_takes_a_list_of_names_and_radius_a_whole_number():
    loss, embedding = tiny_gpt(width=4, positions=2)
    with pytest.raises(TypeError, match=r"open must be a list of group names"):
        draw_dot(loss, open="linear#1")
    with pytest.raises(ValueError, match="radius must be a whole number"):
        draw_dot(loss, focus=embedding[0], radius=-1)
