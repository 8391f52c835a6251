"""What every test can use: markers for the optional dependencies and a rule for CI.

Markers (registered in ``pyproject.toml``):

* ``slow``: seconds each (notebooks, training runs, benchmark smoke runs); a 2-core inner
  loop runs ``pytest -m "not slow"``;
* ``torch``: needs PyTorch (the float64 references);
* ``dot``: needs graphviz's ``dot`` program, skipped where it is missing;
* ``network``: downloads from PyPI;
* ``browser``: drives a real browser (Debian's ``chromium``).

``.ci/run`` sets ``TINYGRAD_EDU_REQUIRE_ALL=1``: then a test (or a test module) that would be
skipped, because torch, ``dot``, a browser or the network is missing, fails instead, so
nothing that can run in CI is quietly left out.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest

from tinygrad_edu.core import ops

REQUIRE_ALL = os.environ.get("TINYGRAD_EDU_REQUIRE_ALL") == "1"


def _refuse_skips(report: pytest.CollectReport | pytest.TestReport) -> None:
    if REQUIRE_ALL and report.skipped:
        reason = report.longrepr[-1] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"{reason}, and TINYGRAD_EDU_REQUIRE_ALL=1 forbids skipping"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    _refuse_skips(outcome.get_result())


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector: pytest.Collector) -> Iterator[None]:
    outcome = yield
    _refuse_skips(outcome.get_result())


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("dot") and shutil.which("dot") is None:
        pytest.skip("graphviz's 'dot' program is not installed (apt-get install graphviz)")


@pytest.fixture(autouse=True)
def _forget_custom_ops() -> Iterator[None]:
    """Ops made with ``custom_op`` in one test (or README example) do not leak into the next."""
    before = {op.symbol for op in ops.all_ops()}
    yield
    for op in ops.all_ops():
        if op.symbol not in before:
            ops.unregister(op.symbol)
