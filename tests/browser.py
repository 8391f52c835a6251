"""Debian's chromium driven by Playwright, as every browser test opens it (nothing downloads a
browser): found once, before any test takes programs off the PATH, and launched headless with
no background traffic of its own."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

CHROMIUM = shutil.which("chromium")
ARGUMENTS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def need_chromium() -> str:
    """The path of chromium, or the test skips (a failure under TINYGRAD_EDU_REQUIRE_ALL)."""
    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    return CHROMIUM


@contextmanager
def chromium(sync_api: Any) -> Iterator[Any]:
    """A launched chromium, closed afterwards (``sync_api`` is ``playwright.sync_api``)."""
    path = need_chromium()
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=path, args=ARGUMENTS)
        try:
            yield launched
        finally:
            launched.close()
