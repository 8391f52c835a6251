"""Exercises for writing your own autograd engine: ``check_engine`` tells which edge of your
``Value`` class is wrong, and how (a sign, ``=`` for ``+=``, a missing upstream factor, …)."""

from tinygrad_edu.exercises.check import check_engine
from tinygrad_edu.exercises.diagnosis import KINDS
from tinygrad_edu.exercises.isolation import CouldNotCheckError, Limits, check_file
from tinygrad_edu.exercises.protocols import ProtocolError
from tinygrad_edu.exercises.report import EngineReport, OpResult, Problem

__all__ = [
    "KINDS",
    "CouldNotCheckError",
    "EngineReport",
    "Limits",
    "OpResult",
    "Problem",
    "ProtocolError",
    "check_engine",
    "check_file",
]
