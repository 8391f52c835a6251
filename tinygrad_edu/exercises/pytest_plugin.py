"""A pytest fixture for a course's autograder: ``def test_mul(check): check.op("*")``.

Turn it on in the course's ``conftest.py``::

    pytest_plugins = ["tinygrad_edu.exercises.pytest_plugin"]

and name the learner's file with ``pytest --engine my_engine.py[:CLASS]`` (or the ini option
``tinygrad_edu_engine``). The file is checked once per session, in a child process with the
default limits (:class:`~tinygrad_edu.exercises.Limits`; ``--engine-timeout`` sets the time
limit per op); each ``check.op(name)`` then passes, or fails with the learner's message.
"""

from __future__ import annotations

import pytest

from tinygrad_edu.exercises.isolation import CouldNotCheckError, Limits, check_file
from tinygrad_edu.exercises.report import EngineReport


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("tinygrad_edu", "tinygrad_edu's engine checker")
    group.addoption("--engine", metavar="FILE.py[:CLASS]", help="the learner's engine to check")
    group.addoption("--engine-timeout", type=float, metavar="SECONDS", help="the time limit per op")
    parser.addini("tinygrad_edu_engine", "the learner's engine to check: FILE.py[:CLASS]")


class EngineCheck:
    """The learner's engine, checked: ``check.op("*")`` fails the test unless ``*`` is right."""

    def __init__(self, report: EngineReport) -> None:
        self.report = report

    def op(self, name: str) -> None:
        """Fail the calling test with the learner's message unless op ``name`` is right."""
        try:
            result = self.report.op(name)
        except KeyError as error:
            pytest.fail(str(error.args[0]), pytrace=False)
        if result.status != "correct":
            pytest.fail(f"{name}: {result.status}\n{result.message}", pytrace=False)


@pytest.fixture(scope="session")
def check(request: pytest.FixtureRequest) -> EngineCheck:
    """The learner's engine, checked once for the whole session."""
    target = request.config.getoption("--engine") or request.config.getini("tinygrad_edu_engine")
    if not target:
        pytest.fail("name the engine to check: pytest --engine my_engine.py[:CLASS]", False)
    file, colon, name = str(target).rpartition(":")
    if not colon or not name.isidentifier():
        file, name = str(target), "Value"
    seconds = request.config.getoption("--engine-timeout")
    limits = Limits(timeout=seconds) if seconds else Limits()
    try:
        return EngineCheck(check_file(file, name, limits))
    except CouldNotCheckError as error:
        pytest.fail(f"could not check {target}: {error}", pytrace=False)
