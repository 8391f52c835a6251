"""Golden files: every drawing, page and explanation is the same text for the same graph.

Each case below writes one lens's output for one graph; ``golden/<case>.txt.gz`` holds what
it wrote when the case was added (gzip: the pages are large; ``zcat`` shows them). A change to
a lens that changes what a learner sees must change these files on purpose:
``TINYGRAD_EDU_UPDATE_GOLDEN=1 pytest tests/lenses/test_golden.py`` rewrites them, and the
diff shows what changed.
"""

from __future__ import annotations

import gzip
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tinygrad_edu import Value, draw_dot, explain, layer_view, stepper
from tinygrad_edu.lenses.drawing.figure import Drawing

from tests.lenses.pages import batch_loss, document_001, issue_example, ordered_ops, square

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("TINYGRAD_EDU_UPDATE_GOLDEN") == "1"


def _after_backward(root: Value) -> Value:
    root.backward()
    return root


def _document_001() -> Value:
    loss, _ = document_001()
    return _after_backward(loss)


def _svg(drawing: Drawing) -> str:
    return drawing.svg_without_dot()


def _weight(root: Value, label: str) -> Value:
    return next(node for node in _nodes(root) if node.label == label)


def _nodes(root: Value) -> list[Value]:
    from tinygrad_edu import topological_order

    return topological_order(root)


def _chosen_edges_page() -> str:
    loss = _document_001()
    h = _weight(loss, "h1[0]")
    return stepper(loss, highlight_edges=[(h, 0), (h, 3)], layout="python").html()


def _layer_text() -> str:
    loss, model = document_001()
    loss.backward()
    return str(layer_view(loss, model))


CASES: dict[str, Callable[[], str]] = {
    # draw_dot's DOT text
    "dot_issue_example": lambda: draw_dot(_after_backward(issue_example())).source,
    "dot_square_local": lambda: draw_dot(_after_backward(square()), show_local=True).source,
    "dot_ordered_ops": lambda: draw_dot(ordered_ops(), rankdir="TB").source,
    "dot_document_001_highlight": lambda: (
        draw_dot(
            (loss := _document_001()), highlight=_weight(loss, "W1[0,0]"), show_local=True
        ).source
    ),
    "dot_batch_neuron_boxes": lambda: draw_dot(_after_backward(batch_loss(12))).source,
    "dot_batch_group_neuron": lambda: draw_dot(batch_loss(2), group="neuron").source,
    # the pure-Python layout and SVG writer
    "svg_issue_example": lambda: _svg(draw_dot(_after_backward(issue_example()))),
    "svg_ordered_ops": lambda: _svg(draw_dot(ordered_ops(), show_local=True)),
    "svg_document_001_highlight": lambda: _svg(draw_dot(_document_001(), highlight="W2[1,3]")),
    "svg_batch_neuron_boxes": lambda: _svg(draw_dot(batch_loss(12))),
    # the step-through page (pure-Python layout: the same on every machine)
    "page_issue_example": lambda: stepper(issue_example(), highlight=None, layout="python").html(),
    "page_issue_example_highlight": lambda: stepper(
        (loss := issue_example()), highlight=_weight(loss, "x"), layout="python"
    ).html(),
    "page_square": lambda: stepper(square(), layout="python").html(),
    "page_ordered_ops": lambda: stepper(ordered_ops(), layout="python", rankdir="TB").html(),
    "page_document_001": lambda: stepper(_document_001(), layout="python").html(),
    "page_document_001_edges": _chosen_edges_page,
    "page_batch_neuron_boxes": lambda: stepper(batch_loss(12), layout="python").html(),
    "page_svg_document_001": lambda: stepper(
        (loss := _document_001()), highlight=_weight(loss, "W1[0,0]"), layout="python"
    ).svg(),
    # explanations
    "explain_document_001_w1": lambda: explain(_document_001(), "W1[0,0]"),
    "explain_document_001_w3": lambda: explain(_document_001(), "W3[0,1]", width=60),
    "explain_issue_example_x": lambda: explain(_after_backward(issue_example()), "x"),
    "explain_ordered_ops_b": lambda: explain(_after_backward(ordered_ops()), "b", collapse=False),
    "layer_view_document_001": _layer_text,
}

DOT_CASES = {"page_dot_issue_example": lambda: stepper(issue_example(), layout="dot").html()}


def _check(name: str, make: Callable[[], str]) -> None:
    path = GOLDEN / f"{name}.txt.gz"
    text = make()
    if UPDATE:
        GOLDEN.mkdir(exist_ok=True)
        path.write_bytes(gzip.compress(text.encode("utf-8"), mtime=0))
    expected = gzip.decompress(path.read_bytes()).decode("utf-8")
    assert text == expected, f"{name} differs from {path.name}"


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_same_graph_gives_the_golden_text(name: str) -> None:
    _check(name, CASES[name])


@pytest.mark.dot
@pytest.mark.parametrize("name", sorted(DOT_CASES))
def test_the_page_laid_out_by_dot_is_golden(name: str) -> None:
    assert shutil.which("dot")
    _check(name, DOT_CASES[name])


def test_every_golden_file_has_its_case() -> None:
    names = {path.name.removesuffix(".txt.gz") for path in GOLDEN.iterdir()}
    assert names == set(CASES) | set(DOT_CASES)
