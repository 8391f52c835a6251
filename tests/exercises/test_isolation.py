"""check_file: a learner's file runs in a child process with limits; a hang, an exit, a
crash, a flood or a slow import is a verdict for the op it happened in (or "could not check"
for the import), never a hang or a pass, and the other ops are still checked."""

from __future__ import annotations

import math

import pytest

from tinygrad_edu.exercises import CouldNotCheckError, Limits, check_file

from tests.exercises import hostile
from tests.exercises.hostile import write

QUICK = Limits(timeout=2, load_timeout=3, output_kb=64)


def statuses(report) -> dict[str, str]:
    return {op.op: op.status for op in report.ops}


def test_a_correct_file_is_correct_in_a_child_process(tmp_path):
    report = check_file(write(tmp_path, "engine", hostile.MICROGRAD), limits=QUICK)
    assert report.ok and set(statuses(report).values()) == {"correct"}


def test_a_hang_in_a_rule_times_out_there_and_the_other_ops_are_still_checked(tmp_path):
    report = check_file(write(tmp_path, "engine", hostile.SOURCES["hangs_in_mul"]), limits=QUICK)
    mul = report.op("*")
    assert mul.status == "timeout"
    assert "timed out after 2 s in __mul__'s backward" in mul.message
    ops = statuses(report)
    assert ops["+"] == ops["exp"] == ops["tanh"] == ops["relu"] == "correct"
    assert ops["backward"] == "not checked"  # the whole graphs are made of * and +


def test_a_hang_in_backward_times_out_as_backward(tmp_path):
    path = write(tmp_path, "engine", hostile.SOURCES["hangs_in_backward"])
    report = check_file(path, limits=QUICK)
    assert report.op("backward").status == "timeout"
    assert "timed out after 2 s in backward() on out = a * b" in report.op("backward").message
    assert report.op("*").status == "correct" and not report.ok


def test_sys_exit_0_in_backward_is_an_error_not_a_pass(tmp_path):
    path = write(tmp_path, "engine", hostile.SOURCES["exits_in_backward"])
    report = check_file(path, limits=QUICK)
    backward = report.op("backward")
    assert backward.status == "error" and "sys.exit(0) was called" in backward.message
    assert not report.ok


@pytest.mark.parametrize(
    "name, op, words",
    [
        ("os_exit_in_tanh", "tanh", "the process exited with status 3 (os._exit, or a crash)"),
        ("segfault_in_exp", "exp", "the process crashed (killed by signal SIGSEGV)"),
        ("floods_in_tanh", "tanh", "printed more than the 64 KiB of output allowed"),
    ],
)
def test_a_dead_or_flooding_child_is_an_error_of_that_op_and_the_rest_is_checked(
    tmp_path, name, op, words
):
    report = check_file(write(tmp_path, "engine", hostile.SOURCES[name]), limits=QUICK)
    result = report.op(op)
    assert result.status == "error" and words in result.message, result.message
    assert f"in {op}'s backward" in result.message
    ops = statuses(report)
    others = {k: v for k, v in ops.items() if k != op}
    assert set(others.values()) == {"correct"}, others  # a fresh child checked the rest


def test_an_import_that_runs_for_an_hour_could_not_be_checked_within_the_limit(tmp_path):
    path = write(tmp_path, "engine", hostile.SOURCES["slow_import"])
    with pytest.raises(CouldNotCheckError, match=r"took longer than 3 s to load.*__main__"):
        check_file(path, limits=QUICK)


def test_a_patched_math_exp_changes_the_learners_numbers_not_the_reference(tmp_path):
    path = write(tmp_path, "engine", hostile.SOURCES["patches_math_exp"])
    report = check_file(path, limits=QUICK)
    (problem,) = [p for p in report.problems if p.op == "exp"]
    assert problem.kind == "forward"
    assert f"should be {math.exp(0.55):.6g}" in problem.message  # the true e^0.55
    assert math.exp(1.0) == math.e  # this process's math.exp was never touched


def test_an_unknown_op_is_checked_by_central_differences_and_named(tmp_path):
    right = check_file(write(tmp_path, "right", hostile.local_with_gelu()), limits=QUICK)
    assert right.op("gelu").status == "correct" and right.ok
    assert "a.gelu()" in right.checked
    wrong = check_file(write(tmp_path, "wrong", hostile.local_with_gelu(" * 2")), limits=QUICK)
    gelu = wrong.op("gelu")
    assert gelu.status == "wrong" and gelu.kinds == ("scale",)
    assert "gelu: ∂out/∂a should be" in gelu.message and "constant factor of 2" in gelu.message
    assert [p.op for p in wrong.problems] == ["gelu"]


def test_a_missing_file_could_not_be_checked():
    with pytest.raises(CouldNotCheckError, match="nowhere.py is not a file"):
        check_file("nowhere.py")


def test_limits_refuse_what_is_not_a_limit():
    with pytest.raises(ValueError, match="timeout must be a number of seconds > 0"):
        Limits(timeout=0)
    with pytest.raises(ValueError, match="memory_mb must be a whole number"):
        Limits(memory_mb=-1)
