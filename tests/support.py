"""Shared test helpers: optional dependencies that must not be skipped in CI.

``.ci/run`` sets ``TINYGRAD_EDU_REQUIRE_ALL=1``; then a missing torch, ``dot`` binary or
network download fails the test instead of skipping it.
"""

from __future__ import annotations

import importlib
import os
import shutil
import sys
from pathlib import Path
from types import ModuleType

import pytest

REQUIRE_ALL = os.environ.get("TINYGRAD_EDU_REQUIRE_ALL") == "1"


def unavailable(reason: str) -> None:
    """Skip the current test (or module), or fail it under ``TINYGRAD_EDU_REQUIRE_ALL=1``."""
    if REQUIRE_ALL:
        pytest.fail(f"{reason}, and TINYGRAD_EDU_REQUIRE_ALL=1 forbids skipping", pytrace=False)
    pytest.skip(reason, allow_module_level=True)


def require_module(name: str) -> ModuleType:
    """Import an optional module, e.g. ``torch = require_module("torch")`` at module level."""
    try:
        return importlib.import_module(name)
    except ImportError:
        unavailable(f"{name} is not installed")
        raise  # unreachable: unavailable() always raises


def require_dot() -> str:
    """The path of graphviz's ``dot`` binary."""
    path = shutil.which("dot")
    if path is None:
        unavailable("graphviz's 'dot' binary is not installed (apt-get install graphviz)")
    return path


def console_script(name: str = "tinygrad-edu") -> str:
    """The installed console script next to the running interpreter (a venv's bin/)."""
    beside = Path(sys.executable).parent / name
    if beside.exists():
        return str(beside)
    found = shutil.which(name)
    if found is None:
        unavailable(f"the {name!r} console script is not installed (pip install .)")
    return found
