"""docs/how-to/run-microgpt.md: its examples run as doctests and print what the page says."""

from __future__ import annotations

import doctest
import re
from pathlib import Path

import pytest

PAGE = Path(__file__).resolve().parents[2] / "docs" / "how-to" / "run-microgpt.md"


@pytest.mark.slow
def test_the_pages_examples_print_what_the_page_says(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # an example writes a script and runs it
    blocks = re.findall(r"```pycon\n(.*?)```", PAGE.read_text(encoding="utf-8"), flags=re.DOTALL)
    assert len(blocks) == 5
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    globs: dict = {}
    for number, block in enumerate(blocks, start=1):
        test = parser.get_doctest(block, globs, f"example {number}", str(PAGE), 0)
        assert test.examples
        runner.run(test, clear_globs=False)
        globs.update(test.globs)
    assert runner.failures == 0, f"{runner.failures} example lines printed something else"
