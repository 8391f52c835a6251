"""``tinygrad-edu step`` through the real command line."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.lenses.pages import embedded_data


def run(*args: str, cwd=None, env=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tinygrad_edu", "step", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=120,
    )


def test_step_has_help():
    result = run("--help")
    assert result.returncode == 0 and result.stdout.startswith("usage: tinygrad-edu step")
    assert "--highlight" in result.stdout and "--expr" in result.stdout


def test_step_writes_document_001s_page_by_default(tmp_path):
    result = run("--highlight", "W1[0,0]", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "wrote steps.html: 26 backward steps; open it in a browser\n"
    page = (tmp_path / "steps.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and 'data-steps="26" data-step="0"' in page
    data = embedded_data(page)
    assert data["paths"][data["open"]]["name"] == "W1[0,0]"
    assert data["root"] == "'E'"


def test_step_of_an_expression(tmp_path):
    out = tmp_path / "mine.html"
    result = run("--expr", "tanh(x*w) * x", "--var", "x=0.8", "--var", "w=-1.7", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"wrote {out}: 3 backward steps; open it in a browser\n"
    data = embedded_data(out.read_text(encoding="utf-8"))
    assert [edge["afterText"] for edge in data["steps"][-1]["edges"]] == ["-1.192", "0.1484"]


def test_step_works_without_dot(tmp_path):
    env = {**os.environ, "PATH": os.path.dirname(sys.executable)}  # no graphviz on this PATH
    result = run("--rankdir", "TB", cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert 'data-steps="26"' in (tmp_path / "steps.html").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--var", "x=1"), ("tinygrad-edu step: --var needs --expr",)),
        (("--expr", "x", "--var", "x=abc"), ("tinygrad-edu step: --var 'x=abc'", "NAME=VALUE")),
        (("--expr", "x", "--var", "x=1", "--var", "x=2"), ("--var x is given twice",)),
        (("--expr", "log(x - 1)"), ("tinygrad-edu step: --expr:", "log needs a positive input")),
        (("--highlight", "W9"), ("tinygrad-edu step: --highlight 'W9'", "W1[0,0]", "x[2]")),
        (("--max-nodes", "0"), ("argument --max-nodes: must be at least 1, got 0",)),
        (("--expr", ""), ("argument --expr: is empty",)),
        (("--rankdir", "RL"), ("invalid choice: 'RL'",)),
    ],
)
def test_mistakes_exit_2_with_one_line(tmp_path, args, expected):
    result = run(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    for text in expected:
        assert text in result.stderr
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_a_graph_past_max_nodes_is_stepped_group_by_group(tmp_path):
    result = run("--max-nodes", "20", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert 'data-group="' in (tmp_path / "steps.html").read_text(encoding="utf-8")


def test_unwritable_output_exits_2(tmp_path):
    result = run("-o", str(tmp_path / "missing" / "steps.html"))
    assert result.returncode == 2 and "tinygrad-edu step: cannot write" in result.stderr
    assert "there is no folder" in result.stderr
