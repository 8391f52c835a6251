"""The package runs in Pyodide, Python compiled to WebAssembly, where learners open JupyterLite
or marimo in a browser: the wheel built from this checkout, with the graphviz package's wheel,
is installed into npm's ``pyodide`` under Node, and runs a backward pass, a drawing laid out in
pure Python (there is no ``dot`` program there) and a step-through page, with nothing fetched.

``.ci/run`` provides Pyodide and the graphviz wheel in ``build/pyodide`` (``npm install
pyodide@VERSION`` and ``pip download graphviz --no-deps``); ``TINYGRAD_EDU_PYODIDE`` names
another such folder.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tinygrad_edu import Value

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
FOLDER = Path(os.environ.get("TINYGRAD_EDU_PYODIDE", ROOT / "build" / "pyodide"))
PYODIDE = FOLDER / "node_modules" / "pyodide"

pytestmark = pytest.mark.slow

SESSION = """
import json, sys
from tinygrad_edu import Value, stepper, draw_dot
from tinygrad_edu.lenses.drawing.draw import render

x = Value(0.8, label="x"); w = Value(-1.7, label="w")
L = (x * w).tanh() * x; L.label = "L"
L.backward()
svg = render(draw_dot(L), "/tmp/L.svg", "svg").read_text(encoding="utf-8")
page = stepper(L, highlight=x).save("/tmp/steps.html").read_text(encoding="utf-8")
json.dumps({
    "python": sys.version.split()[0],
    "platform": sys.platform,
    "x.grad": x.grad,
    "svg": svg[:200],
    "svg_texts": svg.count("<text"),
    "page_length": len(page),
    "page_has_script": "<script" in page,
    "page_fetches": "http://" in page or "https://" in page,
})
"""


@pytest.fixture(scope="module")
def wheels(tmp_path_factory) -> list[Path]:
    node = shutil.which("node")
    graphviz = sorted((FOLDER / "wheels").glob("graphviz-*.whl"))
    if node is None or not (PYODIDE / "pyodide.mjs").exists() or not graphviz:
        pytest.skip(f"Node, npm's pyodide and a graphviz wheel are needed in {FOLDER}")
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
         "--wheel-dir", str(out), str(ROOT)],
        check=True,
        timeout=300,
    )  # fmt: skip
    (ours,) = out.glob("tinygrad_edu-*.whl")
    return [ours, graphviz[-1]]


def test_the_wheel_runs_backward_a_drawing_and_a_step_through_page_in_pyodide(wheels, tmp_path):
    code = tmp_path / "session.py"
    code.write_text(SESSION, encoding="utf-8")
    run = subprocess.run(
        ["node", str(HERE / "pyodide_session.mjs"), str(PYODIDE), str(code), *map(str, wheels)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout.strip().splitlines()[-1])
    assert report["requests"] == []  # nothing fetched: not from a CDN, not even from disk
    result = json.loads(report["result"])
    assert result["platform"] == "emscripten"  # it really ran in WebAssembly
    # L = tanh(x·w)·x: ∂L/∂x = tanh(xw) + x·w·(1 − tanh²(xw)), bit for bit CPython's
    x = Value(0.8)
    L = (x * -1.7).tanh() * x
    L.backward()
    assert result["x.grad"] == x.grad
    assert x.grad == pytest.approx(math.tanh(-1.36) - 1.36 * (1 - math.tanh(-1.36) ** 2))
    assert result["svg"].startswith("<svg xmlns")  # the pure-Python layout, no dot
    assert result["svg_texts"] >= 5
    assert result["page_has_script"] and not result["page_fetches"]
    assert result["page_length"] > 5000
