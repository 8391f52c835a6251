"""``tinygrad-edu explain --layers``: document 001's network as the documents' matrices."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tinygrad_edu import MLP, half_sum_squared_error, layer_view
from tinygrad_edu.datasets import DOCUMENT_001


def run(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [sys.executable, "-m", "tinygrad_edu", "explain", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def expected_view(targets: list[float]) -> str:
    model = MLP.from_weights(DOCUMENT_001.weights)
    E = half_sum_squared_error(model(DOCUMENT_001.x), targets)
    E.backward()
    return str(layer_view(E, model))


@pytest.mark.parametrize("targets", [[1.0, 0.0], [0.0, 1.0]])
def test_explain_layers_prints_the_view_of_document_001(targets):
    flags = [] if targets == [1.0, 0.0] else ["--targets", "0", "1"]
    result = run("--layers", *flags)
    assert result.returncode == 0 and result.stderr == ""
    assert all(len(line) <= 80 for line in result.stdout.splitlines())
    assert result.stdout.startswith("For document 001's 3-3-5-2 sigmoid network")
    shown = ", ".join(f"{y:g}" for y in targets)
    assert f"targets y = [{shown}]" in result.stdout.replace("\n", " ")
    assert result.stdout.endswith("\n\n" + expected_view(targets) + "\n")


@pytest.mark.parametrize(
    "args, fragment",
    [
        ((), "give NAME, a weight such as 'W1[0,0]', or --layers"),
        (("W1[0,0]", "--layers"), "give NAME ('W1[0,0]') or --layers, not both"),
        (("--layers", "--no-collapse"), "--no-collapse applies to NAME, not to --layers"),
    ],
)
def test_explain_needs_a_name_or_layers(args, fragment):
    result = run(*args)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("tinygrad-edu explain: ") and fragment in result.stderr
