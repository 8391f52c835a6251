"""The teaching notebooks: committed clean, and run top to bottom on a fresh kernel.

Each notebook checks its own numbers with ``assert``, so running it here is its test: a
failing assertion fails the cell and this test, with the cell's traceback. The kernel imports
``tinygrad_edu`` from this checkout and draws with matplotlib's inline backend, which renders
with Agg and needs no display, so the pictures each notebook shows can be counted.

A notebook that draws graphs runs twice: with graphviz's ``dot`` on the PATH, and with a PATH
without it, where drawings and the step-through page are laid out in pure Python.

``docs/make_images.py``, which draws the README's pictures, is run here too.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")
pytest.importorskip("matplotlib")

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
CELL_TIMEOUT = 120  # seconds for any one cell: a stuck cell fails instead of hanging CI
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"
PICTURES = ("image/png", "image/svg+xml")
DRAWS = ("draw_dot", "stepper")


def _draws(path: Path) -> bool:
    return any(name in path.read_text(encoding="utf-8") for name in DRAWS)


RUNS = [
    pytest.param(path, dot, id=f"{path.stem}-{dot.replace(' ', '-')}")
    for path in NOTEBOOKS
    for dot in (("with dot", "without dot") if _draws(path) else ("as it is",))
]


def read(path: Path):
    return nbformat.read(path, as_version=4)


def code_cells(notebook) -> list:
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


def test_there_are_at_least_three_notebooks():
    assert [path.name for path in NOTEBOOKS][:3] == [
        "01_one_scalar_at_a_time.ipynb",
        "02_worked_example_document_001.ipynb",
        "03_training.ipynb",
    ]
    assert "05_microgpt.ipynb" in [path.name for path in NOTEBOOKS]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_notebook_is_committed_without_outputs(path: Path):
    notebook = read(path)
    nbformat.validate(notebook)
    for number, cell in enumerate(code_cells(notebook), start=1):
        assert cell.outputs == [], f"code cell {number} of {path.name} has outputs"
        assert cell.execution_count is None, f"code cell {number} of {path.name} was numbered"
    assert notebook.metadata.kernelspec.name == "python3"


@pytest.mark.slow
@pytest.mark.parametrize(("path", "dot"), RUNS)
def test_notebook_runs_on_a_fresh_kernel(path: Path, dot: str, monkeypatch: pytest.MonkeyPatch):
    notebook = read(path)
    source = "\n".join(cell.source for cell in code_cells(notebook))
    assert source.count("assert ") >= 3, f"{path.name} checks too few of its numbers"
    if dot == "with dot" and shutil.which("dot") is None:
        pytest.skip("graphviz's 'dot' program is not installed (apt-get install graphviz)")
    if dot == "without dot":  # the kernel inherits a PATH with Python and no graphviz
        monkeypatch.setenv("PATH", os.path.dirname(sys.executable))
        assert shutil.which("dot") is None
    monkeypatch.setenv("MPLBACKEND", INLINE_BACKEND)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))

    client = nbclient.NotebookClient(
        notebook,
        timeout=CELL_TIMEOUT,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOK_DIR)}},
    )
    client.execute()  # raises CellExecutionError, naming the cell, if any cell fails

    outputs = [output for cell in code_cells(notebook) for output in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    pictures = [o for o in outputs if any(kind in o.get("data", {}) for kind in PICTURES)]
    assert pictures, f"{path.name} shows no picture"
    drawings = [o.data["image/svg+xml"] for o in pictures if "image/svg+xml" in o.data]
    if dot == "without dot":  # each drawn by the pure-Python layout and SVG writer
        assert drawings and all(svg.startswith("<svg xmlns") for svg in drawings)
    pages = [o.data["text/html"] for o in outputs if "text/html" in o.get("data", {})]
    if "stepper(" in source:  # the step-through page, inline
        assert pages and all(page.startswith('<iframe id="tinygrad-edu-stepper-') for page in pages)


def test_readme_images_are_committed():
    svg = (ROOT / "docs" / "images" / "graph.svg").read_text(encoding="utf-8")
    assert "<svg" in svg and "W1[0,0]" in svg
    png = (ROOT / "docs" / "images" / "training.png").read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")


@pytest.mark.dot
@pytest.mark.slow
def test_make_images_writes_both_pictures(tmp_path: Path):
    env = {
        **os.environ,
        "MPLBACKEND": "Agg",
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    result = subprocess.run(
        [sys.executable, str(ROOT / "docs" / "make_images.py"), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    svg = (tmp_path / "graph.svg").read_text(encoding="utf-8")
    assert "<svg" in svg
    for label in ("W1[0,0]", "h1[0]", "a1[0]", "E"):
        assert label in svg
    assert "grad &#45;0.07358" in svg or "grad -0.07358" in svg  # ∂E/∂W1[0,0], drawn in red
    png = (tmp_path / "training.png").read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph.svg", "training.png"]
