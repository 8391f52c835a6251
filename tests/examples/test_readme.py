"""The README's examples run as doctests, and CI runs the README's test command verbatim."""

from __future__ import annotations

import doctest
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _run_examples(blocks: list[str]) -> None:
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    globs: dict = {}
    for number, block in enumerate(blocks, start=1):
        test = parser.get_doctest(block, globs, f"README example {number}", "README.md", 0)
        assert test.examples, f"README example {number} has no statements"
        runner.run(test, clear_globs=False)
        globs.update(test.globs)  # later examples build on earlier ones
    assert runner.failures == 0, f"{runner.failures} README example lines printed something else"


def _examples() -> list[str]:
    blocks = re.findall(r"```pycon\n(.*?)```", README, flags=re.DOTALL)
    assert blocks, "the README has no pycon examples"
    return blocks


def _needs_torch(block: str) -> bool:
    return "to_torch" in block


def test_readme_examples_print_what_the_readme_says(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # an example saves a model file
    _run_examples([block for block in _examples() if not _needs_torch(block)])


def test_readme_pytorch_example(tmp_path, monkeypatch):
    pytest.importorskip("torch")
    monkeypatch.chdir(tmp_path)
    blocks = _examples()
    assert any(_needs_torch(block) for block in blocks)
    _run_examples(blocks)


def _bash_blocks() -> list[str]:
    return [b.strip() for b in re.findall(r"```bash\n(.*?)```", README, flags=re.DOTALL)]


def test_readme_opens_with_the_demo_and_the_test_command():
    first, second = _bash_blocks()[:2]
    assert first.endswith("tinygrad-edu demo")
    assert "pytest" in second and "'.[test]'" in second


def test_ci_runs_the_readme_test_command_verbatim():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    test_command = _bash_blocks()[1]
    assert test_command in ci.splitlines()
