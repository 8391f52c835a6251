"""docs/explanation/rules-engine.md: its pycon examples print what the page says."""

from __future__ import annotations

import doctest
import re
from pathlib import Path

from tinygrad_edu.core import ops

PAGE = Path(__file__).resolve().parents[2] / "docs" / "explanation" / "rules-engine.md"


def test_the_pages_examples_print_what_the_page_says():
    text = PAGE.read_text(encoding="utf-8")
    blocks = re.findall(r"```pycon\n(.*?)```", text, flags=re.DOTALL)
    assert len(blocks) == 7
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    globs: dict = {}
    try:
        for number, block in enumerate(blocks, start=1):
            test = parser.get_doctest(block, globs, f"example {number}", str(PAGE), 0)
            runner.run(test, clear_globs=False)
            globs.update(test.globs)
    finally:
        ops.unregister("broken")  # the last example's custom op
    assert runner.failures == 0, f"{runner.failures} example lines printed something else"
