"""The command line meets files and long runs: a closed stdout, outputs that are not plain
files, the messages of small mistakes, progress inside an epoch, Ctrl-C, and the loss
picture of ``train --plot``."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import threading
from pathlib import Path

import pytest

from tinygrad_edu import MLP

from tests.cli.launcher import installed_command
from tests.cli.test_cli_errors import assert_one_line_usage_error, run

COMMANDS = {
    "explain": ["explain", "W1[0,0]"],
    "graph": ["graph", "-o", "g.svg"],
    "step": ["step"],
    "train": ["train", "digits", "--epochs", "1"],
    "demo": ["demo"],
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_closed_stdout_is_one_line_on_stderr_and_exit_2(tmp_path, command):
    result = subprocess.run(
        [installed_command(), *COMMANDS[command]],
        stdout=None,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        timeout=300,
        pass_fds=(),
        preexec_fn=lambda: os.close(1),  # the shell's `>&-`
    )
    assert_one_line_usage_error(result, "standard output is closed")
    assert list(tmp_path.iterdir()) == []  # nothing was written, least of all to fd 1


def test_step_o_empty_names_the_flag_not_the_folder(tmp_path):
    line = assert_one_line_usage_error(run(["step", "-o", ""], tmp_path), "--output/-o", "empty")
    assert "'.'" not in line


@pytest.mark.parametrize("name", ["steps.svg", "steps.png", "steps.json"])
def test_step_refuses_a_name_of_another_format(tmp_path, name):
    assert_one_line_usage_error(run(["step", "-o", name], tmp_path), name, ".html", "graph")
    assert list(tmp_path.iterdir()) == []


def test_step_writes_a_page_through_a_stdout_style_link_and_says_so_on_stderr(tmp_path):
    (tmp_path / "out").symlink_to("/proc/self/fd/1")  # what /dev/stdout is, made here
    result = run(["step", "-o", str(tmp_path / "out")], tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("<!DOCTYPE html>") and result.stdout.endswith("</html>\n")
    assert "backward steps" in result.stderr
    assert (tmp_path / "out").is_symlink()


def test_step_refuses_a_fifo_nobody_reads_at_once(tmp_path):
    os.mkfifo(tmp_path / "pipe")
    assert_one_line_usage_error(
        run(["step", "-o", str(tmp_path / "pipe")], tmp_path), "no program is reading this FIFO"
    )
    assert stat.S_ISFIFO(os.lstat(tmp_path / "pipe").st_mode)


def test_train_refuses_a_checkpoint_on_a_folder_link_before_training(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "run.json").symlink_to("sub")
    result = run(["train", "digits", "--checkpoint", "run.json"], tmp_path)
    assert_one_line_usage_error(result, "run.json", "folder")
    assert "epoch 1" not in result.stdout  # refused before the first epoch


def test_an_expression_error_does_not_show_the_scripts_path(tmp_path):
    result = run(["graph", "--expr", "x*x*x*x", "--var", "x=1e100"], tmp_path)
    line = assert_one_line_usage_error(result, "gives inf")
    assert "built at" not in line and "tinygrad-edu," not in line


def test_train_shows_progress_inside_an_epoch(tmp_path):
    result = run(["train", "digits", "--epochs", "1", "--progress", "1e-9"], tmp_path)
    assert result.returncode == 0, result.stderr
    progress = [line for line in result.stdout.splitlines() if " images, loss so far " in line]
    assert len(progress) > 100  # one a step at this rate: 1,438 images in batches of 10
    assert progress[0].startswith("  epoch 1/1: 10 of 1,438 images")


def test_train_plot_writes_a_picture_of_the_loss(tmp_path):
    result = run(["train", "digits", "--epochs", "2", "--plot", "loss.svg"], tmp_path)
    assert result.returncode == 0, result.stderr
    picture = (tmp_path / "loss.svg").read_text()
    assert picture.lstrip().startswith("<?xml") and "<svg" in picture
    assert "drew the loss per epoch in loss.svg" in result.stdout


def test_train_plot_refuses_an_unknown_format_before_training(tmp_path):
    result = run(["train", "digits", "--plot", "loss.gif"], tmp_path)
    assert_one_line_usage_error(result, "--plot loss.gif", ".png, .svg, .pdf")
    assert result.stdout == ""


def interrupt_after_epoch(tmp_path: Path, args: list[str], epoch_line: str) -> tuple[str, str]:
    """Run ``train`` and send it SIGINT (Ctrl-C) once ``epoch_line`` starts a line of its output."""
    process = subprocess.Popen(
        [installed_command(), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
    )
    out = []
    for line in process.stdout:
        out.append(line)
        if line.startswith(epoch_line):
            process.send_signal(signal.SIGINT)
            break
    rest, err = process.communicate(timeout=300)
    assert process.returncode == 130, err
    return "".join(out) + rest, err


def test_ctrl_c_says_what_was_saved_and_how_to_resume(tmp_path):
    args = ["train", "digits", "--epochs", "6", "--lr", "2.5", "--checkpoint", "run.json"]
    out, err = interrupt_after_epoch(tmp_path, args, "epoch 2/6")
    assert "Traceback" not in err
    lines = err.splitlines()
    assert lines[0].startswith("tinygrad-edu train: interrupted in epoch 3")
    assert "run.json holds the run after epoch 2" in lines[0]
    command = "tinygrad-edu train digits --resume run.json --epochs 6 --lr 2.5"
    assert lines[1:] == ["  " + command]
    resumed = run(command.split()[1:], tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    assert resumed.stdout.splitlines()[2].startswith("epoch 3/6")


def test_ctrl_c_without_a_checkpoint_says_nothing_was_saved(tmp_path):
    _, err = interrupt_after_epoch(tmp_path, ["train", "digits", "--epochs", "5"], "epoch 1/5")
    assert err.startswith("tinygrad-edu train: interrupted in epoch 2; nothing was saved")
    assert "--checkpoint run.json" in err and "Traceback" not in err


def test_a_run_that_saturates_warns_naming_the_cause(tmp_path):
    result = run(["train", "digits", "--epochs", "3", "--lr", "1e150"], tmp_path)
    assert result.returncode == 0
    assert result.stdout.splitlines()[-1] == "test accuracy: 0.100"  # chance, as before
    (warning,) = [line for line in result.stderr.splitlines() if line]
    assert warning.startswith("tinygrad-edu train: warning: epoch 2 changed no parameter")
    assert "saturated" in warning and "lr=1e+150" in warning and ".py" not in warning


def test_a_checkpoint_through_a_symlink_keeps_the_link(tmp_path):
    (tmp_path / "runs").mkdir()
    (tmp_path / "run.json").symlink_to("runs/latest.json")
    result = run(["train", "digits", "--epochs", "1", "--checkpoint", "run.json"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "run.json").is_symlink()
    assert MLP.load(tmp_path / "runs" / "latest.json").sizes == [64, 30, 10]


def test_a_checkpoint_into_a_fifo_is_written_through(tmp_path):
    os.mkfifo(tmp_path / "pipe")
    received = bytearray()
    reader_ready = threading.Event()

    def read() -> None:
        with open(tmp_path / "pipe", "rb") as stream:  # blocks until the writer opens
            reader_ready.set()
            received.extend(stream.read())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    # a writer of our own opens with the reader, and keeps the pipe open through the run
    fd = os.open(tmp_path / "pipe", os.O_WRONLY)
    reader_ready.wait(timeout=60)
    result = run(["train", "digits", "--epochs", "1", "--checkpoint", "pipe"], tmp_path)
    os.close(fd)
    reader.join(timeout=60)
    assert result.returncode == 0, result.stderr
    assert received.startswith(b'{\n "format": "tinygrad_edu checkpoint"')
    assert stat.S_ISFIFO(os.lstat(tmp_path / "pipe").st_mode)
