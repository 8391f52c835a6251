"""``tinygrad-edu check FILE.py:CLASS``: exit 0 for a right engine, 1 with the problems, 2 for a
file or class that cannot be used; never a traceback, whatever the learner's file does."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.cli.launcher import installed_command

LEARNERS = Path(__file__).resolve().parents[1] / "exercises" / "learners"


def check(target: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [installed_command(), "check", target],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        env=env,
    )


def learner(name: str, tmp_path: Path) -> str:
    """A copy of one of the test learners' files, as a learner would have it."""
    shutil.copy(LEARNERS / f"{name}.py", tmp_path / "my_engine.py")
    return "my_engine.py"


def test_a_right_engine_exits_0_with_the_report(tmp_path):
    result = check(learner("correct_local", tmp_path) + ":Value", tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("check_engine(Value), local gradients protocol: no problems")
    assert result.stderr == ""


def test_an_engine_with_mistakes_exits_1_naming_them(tmp_path):
    result = check(learner("lecture_mistakes", tmp_path), tmp_path)  # the class defaults to Value
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "check_engine(Value), micrograd protocol: 2 problems"
    assert lines[1] == (
        "  __sub__: ∂out/∂b should be −1 (out = a − b); yours adds +1 × upstream: a sign error"
    )
    assert lines[2].startswith("  tanh: ∂out/∂a should be 1 − tanh²(a)")
    assert "RecursionError on a chain of 3,000 nodes" in result.stdout
    assert "Traceback" not in result.stderr


def test_the_file_may_import_its_neighbours(tmp_path):
    (tmp_path / "helpers.py").write_text("from math import tanh\n", encoding="utf-8")
    source = (LEARNERS / "correct_micrograd.py").read_text(encoding="utf-8")
    (tmp_path / "engine.py").write_text("import helpers\n" + source, encoding="utf-8")
    result = check(str(tmp_path / "engine.py") + ":Value", tmp_path.parent)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    "source, target, fragment",
    [
        (
            "import not_installed_anywhere\n",
            "f.py",
            "f.py raised ModuleNotFoundError while loading (line 1)",
        ),
        (
            "x = 1\nraise ValueError('oops')\n",
            "f.py",
            "f.py raised ValueError while loading (line 2): oops",
        ),
        ("def f(:\n", "f.py", "f.py raised SyntaxError while loading (line 1)"),
        ("import sys\nsys.exit(3)\n", "f.py", "f.py exited (status 3) while loading"),
        ("class Thing:\n    pass\n", "f.py", "f.py has no class named 'Value'; it defines Thing"),
        ("Value = 3\n", "f.py:Value", "f.py: Value is int 3, not a class"),
        ("class Thing:\n    pass\n", "f.py:Thing", "Thing(0.5) raised TypeError"),
        ("", "missing.py", "missing.py is not a file"),
        ("", "nowhere/*.py", "no file matches nowhere/*.py"),
    ],
)
def test_a_file_or_class_that_cannot_be_used_exits_2_with_one_line(
    tmp_path, source, target, fragment
):
    (tmp_path / "f.py").write_text(source, encoding="utf-8")
    result = check(target, tmp_path)
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    (line,) = result.stderr.splitlines()
    assert line.startswith("tinygrad-edu check: ") and fragment in line, line
    assert result.stdout == ""


def test_the_learners_main_block_does_not_run(tmp_path):
    source = (LEARNERS / "correct_micrograd.py").read_text(encoding="utf-8")
    main = "\nif __name__ == '__main__':\n    raise SystemExit('ran as a script')\n"
    (tmp_path / "engine.py").write_text(source + main, encoding="utf-8")
    assert check("engine.py", tmp_path).returncode == 0
