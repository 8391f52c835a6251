"""The pytest fixture a course's autograder uses: ``def test_mul(check): check.op("*")``."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

LEARNERS = Path(__file__).resolve().parent / "learners"
COURSE_TESTS = """
def test_add(check):
    check.op("+")


def test_sub(check):
    check.op("-")


def test_tanh(check):
    check.op("tanh")
"""


def run_course(tmp_path: Path, learner: str) -> subprocess.CompletedProcess:
    shutil.copy(LEARNERS / f"{learner}.py", tmp_path / "my_engine.py")
    (tmp_path / "conftest.py").write_text(
        'pytest_plugins = ["tinygrad_edu.exercises.pytest_plugin"]\n', encoding="utf-8"
    )
    (tmp_path / "test_engine.py").write_text(COURSE_TESTS, encoding="utf-8")
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "--engine",
            "my_engine.py:Value",
            "test_engine.py",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
    )


def test_each_op_is_a_test_that_fails_with_the_learners_message(tmp_path):
    result = run_course(tmp_path, "lecture_mistakes")
    assert result.returncode == 1, result.stdout
    assert "1 passed" in result.stdout and "2 failed" in result.stdout
    assert "__sub__: ∂out/∂b should be −1 (out = a − b); yours adds +1 × upstream" in result.stdout
    assert "Traceback" not in result.stdout


def test_a_right_engine_passes_every_test(tmp_path):
    result = run_course(tmp_path, "correct_micrograd")
    assert result.returncode == 0, result.stdout
    assert "3 passed" in result.stdout
