"""``import tinygrad_edu`` stays quick: drawing, files and the PyTorch bridge are imported when
one of their names is first used, and then behave like any other name of the package."""

from __future__ import annotations

import subprocess
import sys

import tinygrad_edu


def run(code: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_importing_the_package_leaves_graphviz_json_and_hashlib_unimported():
    out = run(
        "import sys, tinygrad_edu\n"
        "from tinygrad_edu import MLP, Value, train\n"
        "lazy = ('graphviz', 'json', 'hashlib', 'tinygrad_edu.lenses.drawing.draw',"
        " 'tinygrad_edu.files.json_file')\n"
        "print(sorted(m for m in lazy if m in sys.modules))\n"
    )
    assert out.strip() == "[]"


def test_a_lazy_name_imports_its_module_on_first_use():
    out = run(
        "import sys, tinygrad_edu\n"
        "from tinygrad_edu import draw_dot\n"
        "print('graphviz' in sys.modules or 'tinygrad_edu.lenses.drawing.draw' in sys.modules)\n"
    )
    assert out.strip() == "True"


def test_every_name_in_all_resolves_and_an_unknown_one_is_an_attribute_error():
    for name in tinygrad_edu.__all__:
        assert getattr(tinygrad_edu, name) is not None, name
    assert set(tinygrad_edu.__all__) <= set(dir(tinygrad_edu))
    try:
        tinygrad_edu.no_such_name  # noqa: B018
    except AttributeError as error:
        assert "no_such_name" in str(error)
    else:
        raise AssertionError("an unknown name must raise AttributeError")
