"""The shape of the package, held: the engine's line budget and the import rules.

* the engine (``core/``) imports nothing else from the package;
* there are no import circles (an import inside ``if TYPE_CHECKING:`` is for the type
  checker only and does not count; an import inside a function does);
* model files and the PyTorch bridge never import the network, even indirectly;
* nothing is imported by name at run time (``importlib``), which would hide an arrow;
* no module imports another module's private name (``from x import _y``);
* no lens reads a drawing back: the picture model is the only source of what is drawn;
* the engine's lesson files keep their code budgets, counted without docstrings, comments
  or blank lines (``python -m tests.code_size``), so explanations never count against them.
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.code_size import code_lines

PACKAGE = Path(__file__).resolve().parents[1] / "tinygrad_edu"
# Code lines (``tests/code_size.py``) of the lesson: ``a * b``, then ``backward()``.
LESSON_BUDGETS = {"engine.py": 200, "order.py": 30, "ops.py": 480}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _type_checking_only(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports_of(path: Path) -> set[str]:
    """The package's modules that ``path`` imports when it runs (at import or in a call)."""
    found: set[str] = set()
    skipped: set[int] = set()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and _type_checking_only(node):
            skipped.update(id(child) for child in ast.walk(node) if child is not node)
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            # ``from a.b import c`` imports the module a.b.c if there is one, else a.b
            names = [
                f"{node.module}.{alias.name}"
                if f"{node.module}.{alias.name}" in MODULES
                else node.module
                for alias in node.names
            ]
        else:
            continue
        found.update(name for name in names if name in MODULES)
    found.discard(module_name(path))
    return found


GRAPH = {name: imports_of(path) for name, path in MODULES.items()}


def reachable(start: str) -> set[str]:
    seen: set[str] = set()
    pending = [start]
    while pending:
        for target in GRAPH[pending.pop()]:
            if target not in seen:
                seen.add(target)
                pending.append(target)
    return seen


def test_the_lesson_files_keep_their_code_budgets():
    for name, budget in LESSON_BUDGETS.items():
        lines = code_lines(PACKAGE / "core" / name)
        assert lines <= budget, f"core/{name} has {lines} code lines, over its {budget}"


def test_the_code_budget_counts_code_only(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        '"""A module docstring\n\nover three lines."""\n\n'
        "# a comment\n"
        "def f(x):\n"
        '    """Its docstring."""\n'
        "    return (x +\n"
        "            1)  # a comment after code\n",
        encoding="utf-8",
    )
    assert code_lines(sample) == 3  # def, and the return statement's two lines


def test_the_engine_imports_nothing_else_from_the_package():
    for name in MODULES:
        if name.startswith("tinygrad_edu.core"):
            outside = {t for t in reachable(name) if not t.startswith("tinygrad_edu.core")}
            assert not outside, f"{name} imports {sorted(outside)}"


def test_there_are_no_import_circles():
    for name in MODULES:
        assert name not in reachable(name), f"{name} imports itself through a circle"


def test_model_files_and_the_torch_bridge_never_import_the_network():
    plain = [name for name in MODULES if name.startswith("tinygrad_edu.files")]
    for name in [*plain, "tinygrad_edu.torch_bridge", "tinygrad_edu.model_data"]:
        network = {t for t in reachable(name) if t.startswith("tinygrad_edu.nn")}
        assert not network, f"{name} imports {sorted(network)}"


def test_no_module_is_imported_by_name_at_run_time():
    for name, path in MODULES.items():
        text = path.read_text(encoding="utf-8")
        assert "import_module" not in text and "__import__" not in text, name


def test_the_graph_reads_the_modules_it_should():
    # a guard against a test that passes because it found nothing to check
    assert {"tinygrad_edu.core.engine", "tinygrad_edu.nn.mlp"} <= set(MODULES)
    assert "tinygrad_edu.core.ops" in GRAPH["tinygrad_edu.core.engine"]
    assert "tinygrad_edu.files.model_file" in reachable("tinygrad_edu.nn.mlp")


def test_no_module_imports_another_modules_private_name():
    for name, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("tinygrad_edu"):
                private = [a.name for a in node.names if a.name.startswith("_")]
                private = [n for n in private if not (n.startswith("__") and n.endswith("__"))]
                assert not private, f"{name} imports {private} from {node.module}"


def test_no_lens_reads_a_drawing_back():
    # what is drawn lives in the picture (lenses/drawing/picture.py); DOT is written, never read
    for name, path in MODULES.items():
        if name.startswith("tinygrad_edu.lenses"):
            text = path.read_text(encoding="utf-8")
            for sign in ("drawn_nodes", "drawn_edges", "_unescape", "attributes.get("):
                assert sign not in text, f"{name} reads {sign!r} of a drawing"
