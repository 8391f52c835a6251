"""The lenses refuse a graph whose leaves changed after it was built (a stale graph): its
stored values no longer follow from its leaves, so gradients read off it would mix two
forward passes. The message names the first node that no longer follows."""

from __future__ import annotations

import pytest

from tinygrad_edu import Value, chain_paths, draw_dot, explain, layer_view, stepper
from tinygrad_edu.core import StaleGraphError

from tests.lenses.pages import document_001


def stale_graph() -> tuple[Value, Value]:
    x = Value(2.0, label="x")
    y = (x * x).tanh()
    y.label = "y"
    y.backward()
    x.data = 5.0  # after the graph was built: y no longer follows from x
    return y, x


@pytest.mark.parametrize(
    ("lens", "caller"),
    [
        (lambda y, x: explain(y, x), "explain()"),
        (lambda y, x: chain_paths(y, x), "chain_paths()"),
        (lambda y, x: stepper(y), "stepper()"),
    ],
    ids=["explain", "chain_paths", "stepper"],
)
def test_a_lens_refuses_a_stale_graph_naming_the_node(lens, caller):
    y, x = stale_graph()
    grads = (x.grad, y.grad)
    with pytest.raises(
        StaleGraphError, match=rf"^{caller.replace('(', '[(]').replace(')', '[)]')}.*stale"
    ):
        lens(y, x)
    assert (x.grad, y.grad) == grads  # nothing changed


def test_the_layer_view_refuses_a_stale_network_graph():
    loss, model = document_001()
    loss.backward()
    model.parameter("W1[0,0]").data += 0.5
    with pytest.raises(StaleGraphError, match="stale"):
        layer_view(loss, model)


def test_a_drawing_still_shows_the_numbers_it_holds():
    y, _ = stale_graph()
    assert "data 5" in draw_dot(y).source  # the leaf as it is now; the nodes as stored
