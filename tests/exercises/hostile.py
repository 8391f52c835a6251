"""Learners' files that do what a checker must survive, made from the correct engines of
``learners/`` with one change each: a hang, an exit, a crash, a flood, a slow import, a
patched ``math.exp``, an op the checker does not know."""

from __future__ import annotations

from pathlib import Path

LEARNERS = Path(__file__).resolve().parent / "learners"
MICROGRAD = (LEARNERS / "correct_micrograd.py").read_text(encoding="utf-8")
LOCAL = (LEARNERS / "correct_local.py").read_text(encoding="utf-8")

MUL_RULE = "            self.grad += other.data * out.grad\n"
BACKWARD = "    def backward(self):\n"
TANH = '"tanh", lambda out: 1 - out.data**2)'
EXP = '"exp", lambda out: out.data)'


def _replace(source: str, old: str, new: str) -> str:
    assert old in source, old
    return source.replace(old, new, 1)


def _in_backward(body: str) -> str:
    return _replace(MICROGRAD, BACKWARD, BACKWARD + body)


def _helper(name: str, body: str) -> str:
    """A module-level function the rules call (a closure can hold no statement)."""
    return MICROGRAD + f"\n\ndef {name}(out):\n{body}"


SOURCES = {
    "hangs_in_mul": _replace(
        MICROGRAD, MUL_RULE, "            while True:\n                pass\n"
    ),
    "hangs_in_backward": _in_backward("        while True:\n            pass\n"),
    "exits_in_backward": "import sys\n" + _in_backward("        sys.exit(0)\n"),
    "os_exit_in_tanh": "import os\n"
    + _replace(MICROGRAD, TANH, '"tanh", lambda out: os._exit(3))'),
    "segfault_in_exp": "import ctypes\n"
    + _replace(MICROGRAD, EXP, '"exp", lambda out: ctypes.string_at(0))'),
    "floods_in_tanh": _replace(MICROGRAD, TANH, '"tanh", flood)')
    + "\n\ndef flood(out):\n    while True:\n        print('x' * 1000)\n",
    "slow_import": "import time\ntime.sleep(3600)\n" + MICROGRAD,
    "patches_math_exp": "import math\n_exp = math.exp\nmath.exp = lambda x: 2 * _exp(x)\n"
    + MICROGRAD,
}

GELU = """
    def gelu(self):
        t = math.tanh(0.7978845608 * (self.data + 0.044715 * self.data**3))
        out = 0.5 * self.data * (1 + t)
        dt = (1 - t * t) * 0.7978845608 * (1 + 3 * 0.044715 * self.data**2)
        local = (0.5 * (1 + t) + 0.5 * self.data * dt){mistake}
        return Value(out, (self,), (local,))
"""
BACKWARD_LOCAL = "    def backward(self):\n"


def local_with_gelu(mistake: str = "") -> str:
    """The local-gradients engine with a GELU (tanh approximation), its derivative with
    ``mistake`` appended to the expression (``" * 2"``) or right."""
    return _replace(LOCAL, BACKWARD_LOCAL, GELU.format(mistake=mistake) + "\n" + BACKWARD_LOCAL)


def write(folder: Path, name: str, source: str) -> Path:
    path = folder / f"{name}.py"
    path.write_text(source, encoding="utf-8")
    return path
