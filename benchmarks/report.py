"""A benchmark's report, printed and, with ``--write PATH``, also written as a Markdown page
fragment that the docs include (``docs/speed/results/``): the machine, the command and the
report itself, so the speed page's numbers come from a run, never from a paste."""

from __future__ import annotations

import argparse
import contextlib
import datetime
import io
import os
import platform
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path


def add_write_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--write",
        type=Path,
        metavar="PATH",
        help="also write the report as Markdown for the docs (docs/speed/results/NAME.md)",
    )


def cpu_model() -> str:
    """The processor's name as the kernel reports it, or the platform's word for it."""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def machine() -> str:
    """One sentence: processor, cores, Python, operating system and how busy the machine was."""
    load = ""
    with contextlib.suppress(OSError, AttributeError):
        one, five, _ = os.getloadavg()
        load = f"; load average {one:.1f} (1 min) and {five:.1f} (5 min) when it started"
    return (
        f"{cpu_model()}, {os.cpu_count()} cores, Python {platform.python_version()} "
        f"({platform.python_implementation()}), {platform.system()} {platform.release()}{load}"
    )


class _Tee(io.TextIOBase):
    def __init__(self, *streams: io.TextIOBase) -> None:
        self.streams = streams

    def write(self, text: str) -> int:
        for stream in self.streams:
            stream.write(text)
        return len(text)

    def flush(self) -> None:
        for stream in self.streams:
            stream.flush()


@contextlib.contextmanager
def written_to(path: Path | None, script: str, argv: Sequence[str] | None) -> Iterator[None]:
    """Print as usual; with a ``path``, also write what was printed, with the machine and the
    command, once the benchmark has finished (a failed run writes nothing)."""
    if path is None:
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)  # fail before the run, not after it
    started, where = datetime.date.today().isoformat(), machine()
    printed = io.StringIO()
    stdout = sys.stdout
    sys.stdout = _Tee(stdout, printed)  # type: ignore[assignment]
    try:
        yield
    finally:
        sys.stdout = stdout
    arguments = " ".join(sys.argv[1:] if argv is None else argv)
    command = f"python benchmarks/{script} {arguments}".strip()
    page = (
        f"<!-- written by `{command}`: rerun it rather than edit this file -->\n\n"
        f"Measured on {started} on {where}, with `{command}`:\n\n"
        f"```text\n{printed.getvalue().strip()}\n```\n"
    )
    path.write_text(page, encoding="utf-8")
    print(f"wrote {path}")
