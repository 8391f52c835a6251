"""check_engine(...).draw(): the learner's own graph of the probe that showed a wrong rule,
the path to the wrong operand in red, both local derivatives on its edge."""

from __future__ import annotations

import pytest

from tinygrad_edu import check_engine

from tests.exercises.engines import Mistake, local_style, micrograd_style

RED = "#d62728"


@pytest.mark.parametrize("make", [local_style, micrograd_style], ids=["local", "micrograd"])
def test_the_wrong_edge_is_red_with_the_right_and_the_learners_numbers(make):
    report = check_engine(make(Mistake("*", 1, "sign")))
    (problem,) = [p for p in report.problems if p.expression == "a * b"]
    assert problem.operand == 1
    drawing = report.draw()
    source = drawing.source
    # a * b at the probe's first point (0.8, -1.7): ∂/∂b = a = 0.8, the learner's gives -0.8
    assert "should be 0.8, yours -0.8" in source
    lit = [line for line in source.splitlines() if RED in line and "->" in line]
    assert any("should be" in line for line in lit)  # the labelled edge is on the red path
    assert "a * b" in drawing.picture.caption
    svg = drawing.svg_without_dot()
    assert "should be 0.8, yours -0.8" in svg


def test_a_correct_engine_has_no_edge_to_draw():
    report = check_engine(local_style())
    with pytest.raises(ValueError, match="no problem, so there is no wrong edge"):
        report.draw()


def test_a_mistake_of_backward_itself_has_no_edge_to_draw():
    report = check_engine(local_style(Mistake(None, None, "order")))
    assert report.problems
    with pytest.raises(ValueError, match="no wrong edge|not one edge"):
        report.draw()
