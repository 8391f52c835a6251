"""docs/how-to/grade-a-class.md: its pycon examples print what the page says."""

from __future__ import annotations

import doctest
import re
from pathlib import Path

PAGE = Path(__file__).resolve().parents[2] / "docs" / "how-to" / "grade-a-class.md"


def test_the_pages_examples_print_what_the_page_says(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the first example writes a learner's file
    text = PAGE.read_text(encoding="utf-8")
    blocks = re.findall(r"```pycon\n(.*?)```", text, flags=re.DOTALL)
    assert len(blocks) == 2
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    globs: dict = {}
    for number, block in enumerate(blocks, start=1):
        test = parser.get_doctest(block, globs, f"example {number}", str(PAGE), 0)
        runner.run(test, clear_globs=False)
        globs.update(test.globs)
    assert runner.failures == 0


def test_the_pages_grading_file_is_one_the_checker_reads(tmp_path):
    from tinygrad_edu.exercises.results import load_config

    text = PAGE.read_text(encoding="utf-8")
    (toml,) = re.findall(r"```toml\n(.*?)```", text, flags=re.DOTALL)
    (tmp_path / "grading.toml").write_text(toml, encoding="utf-8")
    grading, limits = load_config(tmp_path / "grading.toml")
    assert grading.weights == {"+": 1, "*": 2, "backward": 3, "tanh": 1}
    assert limits.timeout == 10 and limits.output_kb == 1024
