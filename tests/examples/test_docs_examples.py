"""Every ``pycon`` example of the README and of every page under ``docs/`` runs as a doctest.

A page's examples share their names in order, as a reader's session would: a later block may use
what an earlier one made. Pages are independent of one another. Blocks that need PyTorch (they
call ``to_torch``) run in a test of their own, which skips without it, so the rest of the page
is checked everywhere.
"""

from __future__ import annotations

import doctest
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
BUILD = DOCS / "_build"


def pages() -> list[Path]:
    """The README and every Markdown page of the docs (not the built site)."""
    found = [ROOT / "README.md"]
    found += sorted(path for path in DOCS.rglob("*.md") if BUILD not in path.parents)
    return found


def examples(page: Path) -> list[str]:
    return re.findall(r"```pycon\n(.*?)```", page.read_text(encoding="utf-8"), flags=re.DOTALL)


def needs_torch(block: str) -> bool:
    return "to_torch" in block


def name(page: Path) -> str:
    return page.relative_to(ROOT).as_posix()


PAGES = [pytest.param(page, id=name(page)) for page in pages() if examples(page)]
TORCH_PAGES = [param for param in PAGES if any(map(needs_torch, examples(param.values[0])))]


def run_examples(page: Path, blocks: list[str]) -> None:
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    globs: dict = {}
    for number, block in enumerate(blocks, start=1):
        test = parser.get_doctest(block, globs, f"{name(page)} example {number}", str(page), 0)
        assert test.examples, f"{name(page)} example {number} has no statements"
        runner.run(test, clear_globs=False)
        globs.update(test.globs)  # later examples build on earlier ones
    assert runner.failures == 0, f"{runner.failures} lines of {name(page)} printed something else"


def test_the_readme_and_the_docs_have_examples():
    assert examples(ROOT / "README.md")
    assert len(PAGES) >= 8


# Pages whose examples are the page's point: an edit that drops one must say so here.
EXAMPLES_OF = {
    "docs/how-to/grade-a-class.md": 2,
    "docs/explanation/origins-and-groups.md": 4,
    "docs/how-to/run-microgpt.md": 5,
}
WITH_EXAMPLES = ["docs/explanation/rules-files.md", "docs/how-to/train-long-runs.md"]


def test_the_pages_made_of_examples_keep_them():
    for page, count in EXAMPLES_OF.items():
        assert len(examples(ROOT / page)) == count, page
    for page in WITH_EXAMPLES:
        assert examples(ROOT / page), f"{page} has no pycon examples"


@pytest.mark.parametrize("page", PAGES)
def test_page_examples_print_what_the_page_says(page: Path, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # examples save models and pages
    run_examples(page, [block for block in examples(page) if not needs_torch(block)])


@pytest.mark.torch
@pytest.mark.parametrize("page", TORCH_PAGES)
def test_page_pytorch_examples(page: Path, tmp_path, monkeypatch):
    pytest.importorskip("torch")
    monkeypatch.chdir(tmp_path)
    run_examples(page, examples(page))
