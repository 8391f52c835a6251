"""32,033 first names bundled with the package, the training set of character-level models
such as microgpt (source and licence: NAMES_LICENSE.md)."""

from __future__ import annotations

from importlib import resources

from tinygrad_edu.datasets.compressed import gunzip_if_compressed

NAMES_FILE = "names.txt.gz"


def load_names() -> list[str]:
    """The bundled names, one string each, in the file's order (``emma``, ``olivia``, …):
    lower-case letters a to z, 2 to 15 of them."""
    source = resources.files("tinygrad_edu.datasets").joinpath(NAMES_FILE)
    with source.open("rb") as raw:
        text = gunzip_if_compressed(raw.read(), NAMES_FILE).decode("ascii")
    return [line.strip() for line in text.splitlines() if line.strip()]


def write_names_file(path: str, count: int | None = None) -> int:
    """Write the bundled names (the first ``count``, or all) to ``path``, one a line, as
    microgpt reads its ``input.txt``; return how many were written."""
    names = load_names()[:count]
    with open(path, "w", encoding="ascii") as file:
        file.write("\n".join(names))
    return len(names)
