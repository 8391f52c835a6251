"""The README opens with the two commands, and CI runs the README's test command verbatim. Its
examples run with every docs page's, in ``test_docs_examples.py``."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


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


def test_the_readme_stays_a_door_into_the_docs():
    assert len(README.splitlines()) <= 250
    for link in re.findall(r"\]\((docs/[^)#]+)", README):
        assert (ROOT / link).exists(), f"the README links to {link}, which does not exist"


def test_ci_builds_the_docs_with_the_readmes_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    (build,) = [block for block in _bash_blocks() if "sphinx-build" in block]
    assert build in ci.splitlines()
