"""How the command-line tests start ``tinygrad-edu``: the installed script, as a user does."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest


def installed_command() -> str:
    """The ``tinygrad-edu`` script next to the running interpreter (a venv's bin/)."""
    beside = Path(sys.executable).parent / "tinygrad-edu"
    if beside.exists():
        return str(beside)
    found = shutil.which("tinygrad-edu")
    if found is None:
        pytest.skip("the 'tinygrad-edu' console script is not installed (pip install .)")
    return found
