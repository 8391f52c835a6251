"""A class's submissions for ``tinygrad-edu check``: which files a target names (a file, a
folder's ``.py`` files, a glob), and checking them in parallel with a progress bar."""

from __future__ import annotations

import glob
import sys
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path
from typing import NamedTuple

from tinygrad_edu.cli.errors import UsageError
from tinygrad_edu.exercises import CouldNotCheckError, Limits, check_file
from tinygrad_edu.exercises.results import Graded, Grading, could_not_check, grade

BAR = 30  # characters


class Target(NamedTuple):
    file: str  # as given, or as the folder or the glob named it
    class_name: str


def find_targets(target: str, class_name: str, prog: str) -> tuple[list[Target], bool]:
    """The files ``target`` names, and whether it named several (a folder or a glob)."""
    if Path(target).is_dir():
        files = sorted(str(p) for p in Path(target).glob("*.py"))
        if not files:
            raise UsageError(f"{prog}: the folder {target} has no .py files")
        return [Target(f, class_name) for f in files], True
    if any(c in target for c in "*?["):
        files = sorted(f for f in glob.glob(target, recursive=True) if Path(f).is_file())
        if not files:
            raise UsageError(f"{prog}: no file matches {target}")
        return [Target(f, class_name) for f in files], True
    file, colon, name = target.rpartition(":")
    if not colon or not name.isidentifier() or not file:  # no class given, or a drive C:\
        file, name = target, class_name
    if not Path(file).is_file():
        raise UsageError(f"{prog}: {file} is not a file (give FILE.py or FILE.py:CLASS)")
    return [Target(file, name)], False


def check_one(target: Target, grading: Grading, limits: Limits) -> Graded:
    try:
        report = check_file(target.file, target.class_name, limits)
    except CouldNotCheckError as error:
        return could_not_check(str(error), grading, target.file)
    return grade(report, grading, target.file)


def check_all(
    targets: list[Target], grading: Grading, limits: Limits, jobs: int, progress: bool
) -> list[Graded]:
    """Each target checked, in the targets' order; ``jobs`` at once (each in child processes
    of its own, so threads are enough here)."""
    results: dict[int, Graded] = {}
    with ThreadPoolExecutor(max_workers=min(jobs, len(targets))) as pool:
        futures = {pool.submit(check_one, t, grading, limits): i for i, t in enumerate(targets)}
        for future in as_completed(futures):
            results[futures[future]] = future.result()
            if progress:
                _bar(len(results), len(targets))
    if progress:
        sys.stderr.write("\n")
    return [results[i] for i in range(len(targets))]


def _bar(done: int, total: int) -> None:
    filled = BAR * done // total
    sys.stderr.write(f"\rchecking [{'#' * filled}{'.' * (BAR - filled)}] {done}/{total} files")
    sys.stderr.flush()
