"""``tinygrad-edu graph`` and ``tinygrad-edu explain`` through the real command line."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from tinygrad_edu import MLP, half_sum_squared_error
from tinygrad_edu.datasets import DOCUMENT_001


def run(*args: str, cwd=None, env=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tinygrad_edu", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=120,
    )


def assert_one_line_error(result: subprocess.CompletedProcess, *expected: str) -> None:
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    for text in expected:
        assert text in result.stderr


def test_both_commands_have_help():
    for command in ("graph", "explain"):
        result = run(command, "--help")
        assert result.returncode == 0
        assert result.stdout.startswith(f"usage: tinygrad-edu {command}")


def test_graph_writes_document_001_as_dot_by_default_name(tmp_path):
    result = run("graph", "--format", "dot", "--highlight", "W1[0,0]", cwd=tmp_path)
    assert result.returncode == 0 and result.stdout == "wrote graph.dot\n"
    source = (tmp_path / "graph.dot").read_text(encoding="utf-8")
    assert source.startswith("digraph computation_graph {")
    assert "E\\ndata 0.3295\\ngrad 1" in source  # the loss, after backward
    assert 'label="W1[0,0]\\ndata 0.2\\ngrad 0.001597" color="#d62728"' in source


@pytest.mark.dot
def test_graph_renders_svg(tmp_path):
    out = tmp_path / "doc001.svg"
    result = run("graph", "--output", str(out), "--rankdir", "TB", "--show-local")
    assert result.returncode == 0
    text = out.read_text(encoding="utf-8")
    assert text.startswith("<?xml") and "W3[4,1]" in text and "y[1]" in text


def test_graph_of_an_expression_uses_one_leaf_per_name(tmp_path):
    out = tmp_path / "f.dot"
    result = run(
        "graph", "--expr", "x*x + tanh(w*x)", "--var", "x=3", "--format", "dot", "-o", str(out)
    )
    assert result.returncode == 0
    assert result.stdout.splitlines() == [
        "w = 0.5 (default; set it with --var w=VALUE)",
        f"wrote {out}",
    ]
    source = out.read_text(encoding="utf-8")
    assert source.count('label="x\\ndata 3\\ngrad ') == 1
    x_id = source.split('[label="x\\n')[0].rsplit("\t", 1)[1].strip()
    assert source.count(f"\t{x_id} -> ") == 3  # twice into x*x, once into w*x


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("graph", "--format", "jpg"), ("invalid choice: 'jpg'", "'svg', 'png', 'pdf', 'dot'")),
        (("graph", "--format", "dot", "--highlight", "W9"), ("'W9'", "W1[0,0]", "x[2]")),
        (
            ("graph", "--format", "dot", "--expr", "__import__('os').system('echo owned')"),
            ("unknown function", "__import__", "exp, log, sigmoid, tanh, relu"),
        ),
        (("graph", "--format", "dot", "--expr", "x.real"), ("'x.real' is not allowed",)),
        (("graph", "--format", "dot", "--expr", "log(x - 1)"), ("log needs a positive input",)),
        (("graph", "--format", "dot", "--var", "x=1"), ("--var needs --expr",)),
        (("graph", "--format", "dot", "--expr", "x", "--var", "x=abc"), ("NAME=VALUE",)),
        (("explain", "W9[0,0]"), ("unknown weight 'W9[0,0]'", "W1[0,0]", "b3[1]", "x[2]")),
    ],
)
def test_mistakes_exit_2_with_one_line(tmp_path, args, expected):
    result = run(*args, cwd=tmp_path)
    assert_one_line_error(result, *expected)
    assert "owned" not in result.stdout
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_unwritable_output_exits_2(tmp_path):
    result = run("graph", "--format", "dot", "-o", str(tmp_path / "missing" / "g.dot"))
    assert_one_line_error(result, "cannot write")


def test_without_the_dot_program_only_dot_text_can_be_written(tmp_path):
    env = {**os.environ, "PATH": str(tmp_path)}  # an empty folder: no 'dot' on PATH
    result = run("graph", "--format", "png", cwd=tmp_path, env=env)
    assert_one_line_error(
        result, "'dot' program is not installed", "apt-get install graphviz", "--format dot"
    )
    assert list(tmp_path.iterdir()) == []
    assert run("graph", "--format", "dot", cwd=tmp_path, env=env).returncode == 0
    assert (tmp_path / "graph.dot").exists()


def test_explain_prints_equation_16_for_a_first_layer_weight():
    result = run("explain", "W1[0,0]")
    assert result.returncode == 0 and result.stderr == ""
    model = MLP.from_weights(DOCUMENT_001.weights)
    loss = half_sum_squared_error(model(DOCUMENT_001.x), [1.0, 0.0])
    loss.backward()
    grad = model.parameter("W1[0,0]").grad
    out = result.stdout
    assert "targets y = [1, 0]" in out
    assert "Document 001, equation 16: ∂E/∂W⁽¹⁾ = (a⁽³⁾ − y)" in out
    assert "path 10 of 10: E → a3[1] → h3[1] → a2[4] → h2[4] → a1[0] → h1[0] → W1[0,0]" in out
    assert f"check: W1[0,0].grad = {grad:.6g}, equal to the sum exactly" in out


def test_explain_takes_other_targets():
    result = run("explain", "W3[0,1]", "--targets", "0", "1")
    assert result.returncode == 0
    model = MLP.from_weights(DOCUMENT_001.weights)
    _, _, a2, a3 = ([a.data for a in layer] for layer in model.forward_all(DOCUMENT_001.x))
    expected = (a3[1] - 1.0) * a3[1] * (1.0 - a3[1]) * a2[0]  # equation 16, first line
    assert f"∂E/∂W3[0,1] = path 1 = {expected:.6g}" in result.stdout


def test_a_graph_past_max_nodes_is_drawn_with_groups_collapsed(tmp_path):
    # document 001 in full: 78 values and 26 ops; past 20 even with neuron boxes (28), so
    # groups of nodes are drawn as one box each, and the caption says which
    result = run("graph", "--format", "dot", "--max-nodes", "20", "-o", "g.dot", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    source = (tmp_path / "g.dot").read_text(encoding="utf-8")
    drawn = re.findall(r"^\t(?:n\d+(?:op)?|g\d+) \[", source, flags=re.MULTILINE)
    assert 0 < len(drawn) <= 20
    assert "drawn as one box each" in source
