"""docs/how-to/grade-a-class.md: its grading file is one the checker reads (its pycon
examples run with every page's, in ``test_docs_examples.py``)."""

from __future__ import annotations

import re
from pathlib import Path

PAGE = Path(__file__).resolve().parents[2] / "docs" / "how-to" / "grade-a-class.md"


def test_the_pages_grading_file_is_one_the_checker_reads(tmp_path):
    from tinygrad_edu.exercises.results import load_config

    text = PAGE.read_text(encoding="utf-8")
    (toml,) = re.findall(r"```toml\n(.*?)```", text, flags=re.DOTALL)
    (tmp_path / "grading.toml").write_text(toml, encoding="utf-8")
    grading, limits = load_config(tmp_path / "grading.toml")
    assert grading.weights == {"+": 1, "*": 2, "backward": 3, "tanh": 1}
    assert limits.timeout == 10 and limits.output_kb == 1024
