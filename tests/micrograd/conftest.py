"""Fixtures: the drop-in installed for one test and put back after it, and the real micrograd
0.1.0 (a test dependency), the reference."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from types import ModuleType

import pytest

from tests.micrograd import installed


@pytest.fixture
def micrograd() -> Iterator[ModuleType]:
    """``import micrograd`` as lesson code does it, after the one added line."""
    with installed():
        import micrograd

        yield micrograd


@pytest.fixture
def real_micrograd() -> ModuleType:
    """micrograd 0.1.0 itself, the reference: ``real_micrograd.engine.Value``, ``.nn.MLP``."""
    pytest.importorskip("micrograd.nn")
    real = sys.modules["micrograd"]
    assert real.__name__ == "micrograd", "the drop-in is still installed"
    return real
