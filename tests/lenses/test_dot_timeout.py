"""graphviz's ``dot`` runs under a time limit; past it a drawing falls back to the pure-Python
layout with a warning that says so (a png or pdf, which has no such fallback, says what to do)."""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import pytest

from tinygrad_edu import Value, draw_dot
from tinygrad_edu.lenses.drawing import dot_layout
from tinygrad_edu.lenses.drawing.dot_layout import DotTimeoutError, run_dot
from tinygrad_edu.lenses.drawing.draw import render
from tinygrad_edu.lenses.drawing.svg import Scene, SceneEdge, SceneNode, arrange

pytestmark = pytest.mark.skipif(shutil.which("dot") is None, reason="graphviz's dot is missing")


@pytest.fixture
def slow_dot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A ``dot`` first on the PATH that never finishes in time, and a short time limit."""
    fake = tmp_path / "bin" / "dot"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\nexec sleep 60\n", encoding="utf-8")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{fake.parent}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setattr(dot_layout, "DOT_TIMEOUT", 0.3)
    return fake


def _drawing():  # type: ignore[no-untyped-def]
    x, w = Value(0.5, label="x"), Value(-2.0, label="w")
    return draw_dot((x * w).tanh())


def test_run_dot_renders_with_the_real_dot_and_names_its_errors():
    assert run_dot("digraph { a -> b }", "svg").startswith(b"<?xml")
    with pytest.raises(RuntimeError, match=r"graphviz's dot failed \(exit 1\): .*syntax error"):
        run_dot("digraph { a -> ", "svg")


def test_run_dot_stops_dot_past_its_time_limit(slow_dot: Path):
    with pytest.raises(DotTimeoutError, match=r"did not finish within 0.3 s and was stopped"):
        run_dot("digraph { a -> b }", "svg")


def test_the_layout_falls_back_to_pure_python_with_a_warning(slow_dot: Path):
    scene = Scene([SceneNode("a", ["a"]), SceneNode("b", ["b"])], [SceneEdge("a", "b")], "LR", "")
    with pytest.warns(UserWarning, match=r"within 0.3 s .*pure-Python layout instead"):
        layout = arrange(scene, "dot")
    assert set(layout.boxes) == {"a", "b"}


def test_saving_svg_falls_back_and_png_says_what_to_do(slow_dot: Path, tmp_path: Path):
    drawing = _drawing()
    with pytest.warns(UserWarning, match="pure-Python layout instead"):
        written = render(drawing, tmp_path / "g.svg")
    assert "tanh" in written.read_text(encoding="utf-8")
    with pytest.raises(DotTimeoutError, match=r"draw fewer nodes .* or save svg"):
        render(drawing, tmp_path / "g.png", format="png")
    assert not (tmp_path / "g.png").exists()


def test_the_inline_picture_falls_back_too(slow_dot: Path):
    with pytest.warns(UserWarning, match="pure-Python layout instead"):
        svg = _drawing()._repr_image_svg_xml()
    assert svg.startswith("<svg") and "tanh" in svg
