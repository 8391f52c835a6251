"""Schema checks for what ``tinygrad-edu check`` writes for graders, written from the formats'
specifications: Gradescope's autograder ``results.json`` and JUnit XML (the Ant/Surefire
schema CI systems and otter read)."""

from __future__ import annotations

from numbers import Real
from xml.etree import ElementTree

VISIBILITY = {"hidden", "after_due_date", "after_published", "visible"}
GRADESCOPE_TOP = {
    "score",
    "execution_time",
    "output",
    "output_format",
    "test_output_format",
    "test_name_format",
    "visibility",
    "stdout_visibility",
    "extra_data",
    "tests",
    "leaderboard",
}
GRADESCOPE_TEST = {
    "score",
    "max_score",
    "status",
    "name",
    "name_format",
    "number",
    "output",
    "output_format",
    "tags",
    "visibility",
    "extra_data",
}


def _number(x: object) -> bool:
    return isinstance(x, Real) and not isinstance(x, bool)


def validate_gradescope(results: object) -> None:
    """Raise AssertionError where ``results`` breaks Gradescope's results.json format: known
    keys only, typed as documented, a score at the top or on every test."""
    assert isinstance(results, dict), "results.json holds one object"
    assert set(results) <= GRADESCOPE_TOP, set(results) - GRADESCOPE_TOP
    if "score" in results:
        assert _number(results["score"])
    for key in ("output", "output_format", "test_output_format", "test_name_format"):
        if key in results:
            assert isinstance(results[key], str), key
    for key in ("visibility", "stdout_visibility"):
        if key in results:
            assert results[key] in VISIBILITY, (key, results[key])
    tests = results.get("tests", [])
    assert isinstance(tests, list)
    for test in tests:
        assert isinstance(test, dict) and set(test) <= GRADESCOPE_TEST, test
        assert "score" in results or "score" in test, "a score at the top or on each test"
        for key in ("score", "max_score", "number"):
            if key in test:
                assert _number(test[key]), (key, test[key])
        for key in ("name", "output"):
            if key in test:
                assert isinstance(test[key], str), key
        if "status" in test:
            assert test["status"] in ("passed", "failed"), test["status"]
        if "visibility" in test:
            assert test["visibility"] in VISIBILITY
        if "tags" in test:
            assert all(isinstance(tag, str) for tag in test["tags"])


def _count(value: str | None) -> int:
    assert value is not None and value.isdigit(), value
    return int(value)


def validate_junit(xml: str) -> ElementTree.Element:
    """Raise AssertionError where ``xml`` breaks JUnit's schema: ``testsuites`` of
    ``testsuite`` (name, tests, failures, errors; counts that add up) of ``testcase``
    (name, classname) each with at most one ``failure``, ``error`` or ``skipped``."""
    root = ElementTree.fromstring(xml)
    suites = [root] if root.tag == "testsuite" else list(root)
    assert root.tag in ("testsuites", "testsuite"), root.tag
    for suite in suites:
        assert suite.tag == "testsuite", suite.tag
        assert suite.get("name"), "a testsuite has a name"
        cases = [child for child in suite if child.tag == "testcase"]
        assert all(c.tag in ("testcase", "properties", "system-out", "system-err") for c in suite)
        assert _count(suite.get("tests")) == len(cases)
        outcomes = {"failure": 0, "error": 0, "skipped": 0}
        for case in cases:
            assert case.get("name") and case.get("classname") is not None
            if case.get("time") is not None:
                float(case.get("time"))
            marks = [child for child in case if child.tag in outcomes]
            assert len(marks) <= 1, "one outcome per testcase"
            for mark in marks:
                outcomes[mark.tag] += 1
                if mark.tag != "skipped":
                    assert mark.get("message") is not None and mark.get("type")
        assert _count(suite.get("failures")) == outcomes["failure"]
        assert _count(suite.get("errors")) == outcomes["error"]
        if suite.get("skipped") is not None:
            assert _count(suite.get("skipped")) == outcomes["skipped"]
    return root
