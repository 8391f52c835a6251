"""The examples of the pages on files and long runs run as doctests (as the README's do)."""

from __future__ import annotations

import doctest
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = ["docs/explanation/rules-files.md", "docs/how-to/train-long-runs.md"]


@pytest.mark.parametrize("page", PAGES)
def test_the_pages_examples_print_what_the_page_says(tmp_path, monkeypatch, page):
    monkeypatch.chdir(tmp_path)  # the examples save files
    text = (ROOT / page).read_text(encoding="utf-8")
    blocks = re.findall(r"```pycon\n(.*?)```", text, flags=re.DOTALL)
    assert blocks, f"{page} has no pycon examples"
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    globs: dict = {}
    for number, block in enumerate(blocks, start=1):
        test = parser.get_doctest(block, globs, f"{page} example {number}", page, 0)
        runner.run(test, clear_globs=False)
        globs.update(test.globs)
    assert runner.failures == 0, f"{runner.failures} example lines of {page} printed something else"
