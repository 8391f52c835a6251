"""What the subcommands share in reading their arguments: value types that refuse at parse
time (so a mistake is argparse's one line, naming the flag), and help text from a docstring."""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable


def int_at_least(low: int) -> Callable[[str], int]:
    """An argparse type: a whole number ≥ ``low``; ``--max-nodes 0`` says so and the flag."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"invalid int value: {text!r}") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"must be at least {low}, got {value}")
        return value

    parse.__name__ = f"int_at_least_{low}"
    return parse


positive_int = int_at_least(1)


def non_empty(what: str) -> Callable[[str], str]:
    """An argparse type: any text but an empty one (``-o ""`` is a mistake, not the default)."""

    def parse(text: str) -> str:
        if not text.strip():
            raise argparse.ArgumentTypeError(f"is empty: give {what}")
        return text

    parse.__name__ = "non_empty"
    return parse


def description(docstring: str | None) -> str:
    """A module docstring as ``--help`` text: reST's ``code`` marks dropped, and the
    leading ``tinygrad-edu demo``: of the title with them (``--help`` already names it)."""
    text = (docstring or "").strip()
    text = re.sub(r"^``tinygrad-edu [^`]*``:\s*", "", text)
    text = text.replace("``", "")
    return text[:1].upper() + text[1:]
