"""The command line's answers to what a new user types: a value argparse cannot refuse by
itself, an output that cannot be written, a file name that says its format, ``--version``,
help text, and a training run saved and resumed."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tinygrad_edu import __version__

from tests.cli.launcher import installed_command
from tests.cli.test_cli_errors import assert_one_line_usage_error, run

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("value", ["0", "-1"])
def test_graph_max_nodes_below_one_is_one_line(tmp_path, value):
    result = run(["graph", "--format", "dot", "--max-nodes", value], tmp_path)
    assert_one_line_usage_error(result, "--max-nodes", "at least 1")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_output_to_a_full_disk_is_one_line(tmp_path):
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [installed_command(), "train", "digits", "--epochs", "1"],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            cwd=tmp_path,
            timeout=300,
        )
    assert_one_line_usage_error(result, "tinygrad-edu train", "No space left on device")


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux's /proc")
def test_a_checkpoint_that_cannot_be_written_is_one_line_before_training(tmp_path):
    result = run(["train", "digits", "--checkpoint", "/proc/run.json"], tmp_path)
    assert_one_line_usage_error(result, "tinygrad-edu train: cannot write '/proc/run.json'")
    assert "epoch 1/" not in result.stdout  # refused before the first epoch


def test_a_library_error_is_one_line_for_every_command(tmp_path):
    """train() raises a CheckpointError (a ValueError) for a model file given as a run."""
    (tmp_path / "missing.json").write_text("{}")
    result = run(["train", "digits", "--resume", "missing.json"], tmp_path)
    assert_one_line_usage_error(result, "tinygrad-edu train: missing.json", "format")


# ----- graph: the format and the names ----------------------------------------------------


@pytest.mark.dot
def test_graph_takes_the_format_from_the_extension(tmp_path):
    result = run(["graph", "-o", "out.png"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out.png").read_bytes().startswith(PNG_MAGIC)


def test_graph_dot_extension_without_format_writes_dot(tmp_path):
    result = run(["graph", "-o", "loss.dot"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "loss.dot").read_text().startswith("digraph")


@pytest.mark.parametrize(
    "args, fragments",
    [
        (["--format", "dot", "-o", "out.svg"], ["--format dot but --output out.svg"]),
        (["--format", "svg", "-o", "out.png"], ["--format svg but --output out.png"]),
        (["-o", "out.txt"], ["does not say the format", ".svg, .png, .pdf or .dot"]),
        (["-o", ""], ["--output", "is empty"]),
        (["--expr", ""], ["--expr", "is empty"]),
        (["--format", "dot", "--expr", " "], ["--expr", "is empty"]),
    ],
)
def test_graph_refuses_contradictions_and_empty_names(tmp_path, args, fragments):
    assert_one_line_usage_error(run(["graph", *args], tmp_path), *fragments)
    assert list(tmp_path.iterdir()) == []


def test_graph_group_none_is_the_apis_group_none(tmp_path):
    result = run(["graph", "--group", "none", "-o", "g.dot"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert "each neuron drawn as one box" not in (tmp_path / "g.dot").read_text()


# ----- the words ------------------------------------------------------------------------


def test_version(tmp_path):
    result = run(["--version"], tmp_path)
    assert result.returncode == 0 and result.stdout == f"tinygrad-edu {__version__}\n"


@pytest.mark.parametrize("command", ["demo", "train", "graph", "explain"])
def test_help_is_plain_text(tmp_path, command):
    result = run([command, "--help"], tmp_path)
    assert result.returncode == 0
    description = result.stdout.split("\n\n")[1]
    assert "``" not in result.stdout and not description.startswith("tinygrad-edu")


# ----- train: saved and resumed ---------------------------------------------------------


@pytest.mark.slow
def test_train_saves_and_resumes_a_run_bit_for_bit(tmp_path):
    whole = run(["train", "digits", "--epochs", "2"], tmp_path)
    first = run(["train", "digits", "--epochs", "1", "--checkpoint", "run.json"], tmp_path)
    rest = run(["train", "digits", "--epochs", "2", "--resume", "run.json"], tmp_path)
    for result in (whole, first, rest):
        assert result.returncode == 0, result.stderr
    assert "mini-batches of 10, 1 epoch, seed 0" in first.stdout  # not "1 epochs"
    assert "saved the run in run.json" in first.stdout
    epoch_lines = [line for line in rest.stdout.splitlines() if line.startswith("epoch")]
    assert [line.split()[1] for line in epoch_lines] == ["2/2"]  # epoch 1 came from the file

    def losses(text: str) -> list[str]:
        return [line.split("(")[0] for line in text.splitlines() if line.startswith("epoch")]

    assert losses(rest.stdout) == losses(whole.stdout)[1:]  # the same numbers, printed
    assert whole.stdout.splitlines()[-1] == rest.stdout.splitlines()[-1]  # test accuracy
