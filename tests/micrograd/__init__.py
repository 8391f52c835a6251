"""Tests of tinygrad_edu.micrograd, the drop-in for micrograd 0.1.0."""

from __future__ import annotations

import warnings

import tinygrad_edu.micrograd as drop_in


def installed(fused: bool = False) -> drop_in.Installation:
    """``install()``, without the warning that micrograd was imported first: these tests
    import the real micrograd as their reference (``test_drop_in.py`` checks the warning)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="micrograd was imported before")
        return drop_in.install(fused=fused)
