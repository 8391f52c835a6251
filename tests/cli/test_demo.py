"""``tinygrad-edu demo``, run through the installed console script."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from tinygrad_edu import MLP, predict, sum_squared_error, train
from tinygrad_edu.datasets import xor_table

from tests.cli.launcher import installed_command


def _run_demo(tmp_path, env=None):
    return subprocess.run(
        [installed_command(), "demo"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


@pytest.mark.dot
def test_demo_trains_explains_and_draws(tmp_path):
    result = _run_demo(tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "epoch  100/1500" in out and "epoch 1500/1500" in out
    rows = re.findall(
        r"^\s+([01])\s+([01])\s+1 \|\s+([01]) \| (\d\.\d{3})\s+(right|WRONG)$", out, re.M
    )
    assert len(rows) == 4
    assert all(verdict == "right" for *_, verdict in rows)

    # the printed predictions and loss are those of the same training run done here
    X, Y = xor_table()
    model = MLP(3, [4, 1], seed=0)
    history = train(
        model,
        X,
        Y,
        loss=sum_squared_error,
        lr=1.0,
        epochs=1500,
        reduction="sum",
        shuffle=False,
        print_every=0,
    )
    assert [float(r[3]) for r in rows] == [round(p[0], 3) for p in predict(model, X)]
    assert f"final loss ΔL = {history.loss[-1]:.6f}" in out

    assert "∂L/∂W1[1,0]" in out  # the chain-rule explanation of the chosen weight
    assert (tmp_path / "demo_graph.dot").read_text().startswith("digraph")
    assert (tmp_path / "demo_graph.svg").read_text().lstrip().startswith("<?xml")
    page = (tmp_path / "demo_steps.html").read_text(encoding="utf-8")
    assert 'data-steps="12"' in page and "W1[1,0]" in page  # the explained weight, lit up


def test_demo_without_dot_still_writes_the_dot_source_and_an_svg(tmp_path):
    env = dict(os.environ, PATH=os.path.dirname(sys.executable))  # no graphviz on this PATH
    result = subprocess.run(
        [sys.executable, "-m", "tinygrad_edu", "demo"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert "apt-get install graphviz" in result.stdout
    assert (tmp_path / "demo_graph.dot").exists()
    svg = (tmp_path / "demo_graph.svg").read_text(encoding="utf-8")
    assert "<svg" in svg and "W1[1,0]" in svg  # laid out in pure Python
    assert (tmp_path / "demo_steps.html").read_text(encoding="utf-8").startswith("<!DOCTYPE")
