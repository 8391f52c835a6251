"""Every mistake on the command line exits with status 2 and one line on stderr, never a
traceback. Each case runs the real installed console script (and ``python -m tinygrad_edu``)
in a subprocess, in an empty folder; the flag cases are generated from whatever subcommands
``build_parser()`` registers, so new subcommands are covered as they arrive."""

from __future__ import annotations

import argparse
import gzip
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tinygrad_edu.cli import build_parser

from tests.cli.launcher import installed_command


def run(args: list[str | bytes], cwd: Path, via: str = "script") -> subprocess.CompletedProcess:
    launcher = [installed_command()] if via == "script" else [sys.executable, "-m", "tinygrad_edu"]
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [*launcher, *args], capture_output=True, text=True, timeout=300, cwd=cwd, env=env
    )


def assert_one_line_usage_error(result: subprocess.CompletedProcess, *fragments: str) -> str:
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.splitlines()
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("tinygrad-edu"), lines[0]
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
    return lines[0]


# ----- the top level ---------------------------------------------------------------------------


@pytest.mark.parametrize("via", ["script", "module"])
@pytest.mark.parametrize(
    "args, fragment",
    [
        ([], "required: COMMAND"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
        (["--nope"], "tinygrad-edu"),
        ([""], "invalid choice: ''"),
        (["DEMO"], "invalid choice: 'DEMO'"),
    ],
)
def test_top_level_mistakes_exit_2_with_one_line(tmp_path, via, args, fragment):
    assert_one_line_usage_error(run(args, tmp_path, via), fragment)
    assert list(tmp_path.iterdir()) == []


def test_help_is_not_an_error(tmp_path):
    result = run(["--help"], tmp_path)
    assert result.returncode == 0 and "COMMAND" in result.stdout


# ----- every registered subcommand ----------------------------------------------------------


def subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    for action in parser._actions:  # argparse keeps its subparsers here
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def positionals(parser: argparse.ArgumentParser) -> list[str]:
    """A value for each required positional argument, so parsing reaches the flags."""
    values = []
    for action in parser._actions:
        if not action.option_strings and action.required:
            values.append(str(next(iter(action.choices))) if action.choices else "W1[0,0]")
    return values


def _refuses(parse: object, text: str) -> bool:
    """Whether an argument type of our own (``positive_int``) refuses ``text``."""
    if not callable(parse) or parse is str:
        return False
    try:
        parse(text)
    except (ValueError, TypeError, argparse.ArgumentTypeError):
        return True
    return False


def flag_cases() -> list:
    cases = []
    for name, parser in subcommands().items():
        base = [name, *positionals(parser)]
        # `run SCRIPT ARGS...` passes what follows SCRIPT to the script: not flags of ours,
        # so the mistake left is the script that does not exist
        passes_on = any(action.nargs == argparse.REMAINDER for action in parser._actions)
        unrecognized = "no such file" if passes_on else "unrecognized"
        cases.append(
            pytest.param([*base, "--no-such-flag"], unrecognized, id=f"{name}-unknown-flag")
        )
        cases.append(
            pytest.param([*base, "--no-such-flag=3"], unrecognized, id=f"{name}-unknown-flag=")
        )
        cases.append(
            pytest.param([*base, "extra", "words"], unrecognized, id=f"{name}-extra-words")
        )
        for action in parser._actions:
            if not action.option_strings or action.nargs == 0:
                continue
            flag = action.option_strings[-1]
            count = action.nargs if isinstance(action.nargs, int) else 1
            if action.type in (int, float) or _refuses(action.type, "not-a-number"):
                bad = ["not-a-number"] * count
                cases.append(pytest.param([*base, flag, *bad], "invalid", id=f"{name}{flag}-type"))
            if action.choices:
                bad = ["no-such-choice"] * count
                cases.append(
                    pytest.param([*base, flag, *bad], "invalid choice", id=f"{name}{flag}-choice")
                )
            cases.append(pytest.param([*base, flag], "expected", id=f"{name}{flag}-missing-value"))
        for action in parser._actions:
            if not action.option_strings and action.choices:
                bad = [name, "no-such-choice"]
                cases.append(pytest.param(bad, "invalid choice", id=f"{name}-positional-choice"))
        if positionals(parser):
            cases.append(pytest.param([name], "required", id=f"{name}-missing-positional"))
    return cases


@pytest.mark.parametrize("args, fragment", flag_cases())
def test_bad_flags_of_every_subcommand_exit_2_with_one_line(tmp_path, args, fragment):
    assert_one_line_usage_error(run(args, tmp_path), fragment)
    assert list(tmp_path.iterdir()) == []


def test_the_subcommands_the_issue_names_are_covered_when_registered():
    registered = set(subcommands())
    assert registered, "build_parser() registers no subcommand"
    ids = [case.id for case in flag_cases()]
    assert all(any(i.startswith(f"{name}-") for i in ids) for name in registered)


# ----- files that cannot be read or written ------------------------------------------------------


def needs(command: str) -> None:
    if command not in subcommands():
        pytest.skip(f"the {command!r} subcommand is not registered yet")


def test_demo_with_a_missing_or_non_folder_output_dir(tmp_path):
    needs("demo")
    (tmp_path / "a-file").write_text("not a folder")
    for where in ("no/such/folder", "a-file"):
        assert_one_line_usage_error(run(["demo", "--output-dir", where], tmp_path), where)


def test_demo_that_cannot_write_its_graph(tmp_path):
    needs("demo")
    if not Path("/proc/self").is_dir():
        pytest.skip("needs Linux's /proc, a folder where no file can be made")
    result = run(["demo", "--output-dir", "/proc"], tmp_path)
    assert_one_line_usage_error(result, "demo_graph.dot")


def test_output_into_a_closed_pipe_is_no_traceback(tmp_path):
    needs("explain")
    reader = subprocess.Popen(
        [installed_command(), "explain", "W1[0,0]"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
    )
    reader.stdout.close()  # like `| head -0`: the reader hangs up before any output
    assert reader.wait(timeout=120) == 141
    assert reader.stderr.read() == b""


@pytest.mark.parametrize("target", ["no/such/folder/g.dot", ".", "/dev/full"])
def test_graph_to_an_unwritable_place(tmp_path, target):
    needs("graph")
    if target == "/dev/full" and not Path(target).exists():
        pytest.skip("no /dev/full on this system")
    result = run(["graph", "--format", "dot", "--output", target], tmp_path)
    assert_one_line_usage_error(result, "cannot write")


@pytest.mark.parametrize(
    "expression",
    [
        "2 +",
        "__import__('os').system('true')",
        "log(0-1)",
        "exp(1000)",
        "x/0",
        "1e999",
        "1e200 * 1e200",
    ],
)
def test_graph_with_a_bad_expression(tmp_path, expression):
    needs("graph")
    result = run(["graph", "--format", "dot", "-o", "g.dot", "--expr", expression], tmp_path)
    assert_one_line_usage_error(result, "--expr")
    assert list(tmp_path.iterdir()) == []


def test_graph_with_a_variable_given_twice(tmp_path):
    needs("graph")
    result = run(
        ["graph", "--format", "dot", "--expr", "x*2", "--var", "x=1", "--var", "x=2"], tmp_path
    )
    assert_one_line_usage_error(result, "--var x is given twice")


def test_graph_with_bytes_that_are_not_utf8(tmp_path):
    needs("graph")
    result = run(["graph", "--format", "dot", "-o", "g.dot", "--expr", b"x\xff"], tmp_path)
    assert_one_line_usage_error(result, "--expr")


def test_explain_an_unknown_weight_and_bad_targets(tmp_path):
    needs("explain")
    assert_one_line_usage_error(run(["explain", "W9[9,9]"], tmp_path), "unknown weight 'W9[9,9]'")
    result = run(["explain", "W1[0,0]", "--targets", "nan", "1"], tmp_path)
    assert_one_line_usage_error(result, "--targets")


def write_garbage_idx(folder: Path, gzipped: bool) -> None:
    folder.mkdir()
    names = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
             "t10k-labels-idx1-ubyte"]  # fmt: skip
    for name in names:
        if gzipped:  # a truncated gzip stream
            (folder / f"{name}.gz").write_bytes(
                gzip.compress(b"\x00\x00\x08\x03" + b"\x01" * 64)[:20]
            )
        else:
            (folder / name).write_bytes(b"definitely not an IDX file")


@pytest.mark.parametrize("data", ["missing", "a-file", "garbage", "truncated-gzip", "empty-folder"])
def test_train_mnist_with_an_unreadable_data_folder(tmp_path, data):
    needs("train")
    (tmp_path / "a-file").write_text("x")
    (tmp_path / "empty-folder").mkdir()
    if data == "garbage":
        write_garbage_idx(tmp_path / data, gzipped=False)
    elif data == "truncated-gzip":
        write_garbage_idx(tmp_path / data, gzipped=True)
    assert_one_line_usage_error(run(["train", "mnist", "--data", data], tmp_path), data)


@pytest.mark.parametrize(
    "flags, fragment",
    [
        (["--lr", "-1"], "--lr"),
        (["--lr", "0"], "--lr"),
        (["--lr", "nan"], "--lr"),
        (["--lr", "1e400"], "--lr"),
        (["--epochs", "0"], "--epochs"),
        (["--batch-size", "-3"], "--batch-size"),
    ],
)
def test_train_with_impossible_settings(tmp_path, flags, fragment):
    needs("train")
    assert_one_line_usage_error(run(["train", "digits", *flags], tmp_path), fragment)
