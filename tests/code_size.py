"""Lines of code, as a line budget should count them: docstrings, comments and blank lines
are not code, so the explanations this project writes never count against a budget.

    python -m tests.code_size [FILE_OR_FOLDER ...]

prints the code lines of each Python file (the package by default), most first, with the
total. ``tests/test_architecture.py`` holds the engine's lesson files to their budgets.
"""

from __future__ import annotations

import ast
import io
import sys
import tokenize
from pathlib import Path

NOT_CODE = {
    tokenize.COMMENT,
    tokenize.NL,
    tokenize.NEWLINE,
    tokenize.INDENT,
    tokenize.DEDENT,
    tokenize.ENDMARKER,
    tokenize.ENCODING,
}


def docstring_lines(source: str) -> set[int]:
    """The line numbers of every docstring: the first statement of a module, class or
    function when it is a string."""
    lines: set[int] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            first = node.body[0] if node.body else None
            if (
                isinstance(first, ast.Expr)
                and isinstance(first.value, ast.Constant)
                and isinstance(first.value.value, str)
            ):
                lines.update(range(first.lineno, (first.end_lineno or first.lineno) + 1))
    return lines


def code_lines(path: Path) -> int:
    """How many lines of ``path`` hold code: a token other than a comment, outside every
    docstring (a statement spread over three lines counts three)."""
    source = path.read_text(encoding="utf-8")
    code: set[int] = set()
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type not in NOT_CODE:
            code.update(range(token.start[0], token.end[0] + 1))
    return len(code - docstring_lines(source))


def main(arguments: list[str]) -> None:
    root = Path(__file__).resolve().parents[1]
    places = [Path(a) for a in arguments] or [root / "tinygrad_edu"]
    files = sorted(
        {f for place in places for f in ([place] if place.is_file() else place.rglob("*.py"))}
    )
    counts = sorted(((code_lines(f), f) for f in files), reverse=True)
    for count, path in counts:
        print(f"{count:6d}  {path.relative_to(root) if path.is_relative_to(root) else path}")
    print(f"{sum(count for count, _ in counts):6d}  in all, {len(counts)} files")


if __name__ == "__main__":
    main(sys.argv[1:])
