"""Claims of the README and the docs that are not examples: the debugger recipe, driven through
``pdb`` exactly as the step-through how-to writes it, and the install lines for PyTorch's CPU
build and for Jupyter."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
DOCS = "\n".join(
    page.read_text(encoding="utf-8")
    for page in sorted((ROOT / "docs").rglob("*.md"))
    if "_build" not in page.parts
)
STEPPING = (ROOT / "docs" / "how-to" / "step-through-a-graph.md").read_text(encoding="utf-8")

LESSON = """\
from tinygrad_edu import Value

x = Value(0.3, label="x")
w = Value(0.2, label="w")
a = (x * w).sigmoid()
a.backward()
print("w.grad", w.grad)
"""


def readme_pdb_commands() -> list[str]:
    """The commands of the docs' breakpoint recipe: its ``(Pdb) ...`` lines."""
    (recipe,) = [
        block
        for block in re.findall(r"```text\n(.*?)```", STEPPING, flags=re.DOTALL)
        if "(Pdb)" in block
    ]
    return [line.removeprefix("(Pdb) ") for line in recipe.splitlines() if line.startswith("(Pdb)")]


def test_the_readmes_breakpoint_recipe_stops_in_the_sigmoid_rule(tmp_path):
    commands = readme_pdb_commands()
    assert commands[:2] == ["import tinygrad_edu.core.ops as ops", "b ops.Sigmoid.backward"]
    (tmp_path / "lesson.py").write_text(LESSON)
    script = "\n".join([*commands, "n", "n", "p out._a.grad", "c", "q"]) + "\n"
    result = subprocess.run(
        [sys.executable, "-m", "pdb", "lesson.py"],
        input=script,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    out = result.stdout
    # the lesson imports the installed package, which need not be this checkout's files
    stop = re.search(
        r"> (\S+/tinygrad_edu/core/ops\.py)\((\d+)\)backward\(\)\n-> s = out\.data", out
    )
    assert stop, out  # it stops in the sigmoid rule, on its first line
    source = Path(stop.group(1)).read_text(encoding="utf-8").splitlines()
    rule = int(stop.group(2))
    assert "out._a.grad += (s * (1.0 - s)) * out.grad" in source[rule]  # the next line
    assert "class Sigmoid(Op):" in "\n".join(source[rule - 40 : rule])
    assert "(0.51499550161941, 1.0)" in out  # p out.data, out.grad: σ(0.06), ∂a/∂a
    assert "0.24977513493118228" in out  # after two n: ∂a/∂(x·w) = σ(1 − σ)
    assert "w.grad 0.07493254047935469" in out  # the program then runs to its end


def test_the_docs_say_how_to_get_torchs_cpu_build():
    assert "pip install 'tinygrad_edu[torch]'" not in README + DOCS  # not on PyPI
    assert "pip install torch --index-url https://download.pytorch.org/whl/cpu" in DOCS


def test_the_notebooks_extra_installs_jupyter():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extra = project["optional-dependencies"]["notebooks"]
    assert any(requirement.startswith("jupyterlab") for requirement in extra)
    assert "pip install '.[notebooks]'" in README and "jupyter lab" in README
    assert "pip install '.[notebooks]'" in DOCS


def test_the_readme_no_longer_says_graph_render_writes_svg():
    assert "graph.render() writes SVG" not in README + DOCS
    assert "about 22 s" not in README + DOCS  # replaced by a measured range
