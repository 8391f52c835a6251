"""``tinygrad-edu check --format json|gradescope|junit``, ``--timeout``, ``--config`` and
folders: the contract graders rely on, and the formats checked against their schemas."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.cli.formats import validate_gradescope, validate_junit
from tests.cli.launcher import installed_command
from tests.exercises import hostile

LEARNERS = Path(__file__).resolve().parents[1] / "exercises" / "learners"
OP_STATUSES = {"correct", "wrong", "timeout", "error", "not checked"}


def check(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [installed_command(), "check", *args],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=cwd,
        env=env,
    )


def copy(name: str, folder: Path, as_name: str | None = None) -> str:
    target = folder / f"{as_name or name}.py"
    shutil.copy(LEARNERS / f"{name}.py", target)
    return target.name


def assert_result_schema(result: dict) -> None:
    assert result["status"] in ("correct", "mistakes", "could not check")
    assert isinstance(result["score"], float | int) and isinstance(result["max_score"], float | int)
    for op in result["ops"]:
        assert set(op) >= {"op", "status", "message"} and op["status"] in OP_STATUSES
    assert result["score"] == sum(op["score"] for op in result["ops"])


@pytest.mark.parametrize(
    "learner, status, code", [("correct_local", "correct", 0), ("lecture_mistakes", "mistakes", 1)]
)
def test_json_for_one_file_has_the_contracts_fields_and_exit_status(
    tmp_path, learner, status, code
):
    result = check(copy(learner, tmp_path), "--format", "json", cwd=tmp_path)
    assert result.returncode == code, result.stderr
    data = json.loads(result.stdout)
    assert_result_schema(data)
    assert data["status"] == status and data["file"] == f"{learner}.py"
    if status == "mistakes":
        ops = {op["op"]: op for op in data["ops"]}
        assert ops["-"]["status"] == "wrong" and ops["-"]["kinds"] == ["sign"]
        assert ops["tanh"]["kinds"] == ["wrong-point"] and ops["exp"]["status"] == "not checked"
        assert data["score"] == data["max_score"] - 2  # every op it has is worth 1: two wrong


def test_a_file_that_cannot_be_checked_is_status_2_in_every_format(tmp_path):
    (tmp_path / "broken.py").write_text("raise ValueError('oops')\n", encoding="utf-8")
    for form in ("json", "gradescope", "junit"):
        result = check("broken.py", "--format", form, cwd=tmp_path)
        assert result.returncode == 2, (form, result.stderr)
        assert "broken.py raised ValueError while loading (line 1): oops" in result.stdout
    data = json.loads(check("broken.py", "--format", "json", cwd=tmp_path).stdout)
    assert data["status"] == "could not check" and data["ops"] == []


def test_timeout_sets_the_limit_per_op_and_a_hang_is_a_timeout_verdict(tmp_path):
    hostile.write(tmp_path, "hangs", hostile.SOURCES["hangs_in_mul"])
    result = check("hangs.py", "--format", "json", "--timeout", "1.5", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    ops = {op["op"]: op for op in json.loads(result.stdout)["ops"]}
    assert ops["*"]["status"] == "timeout"
    assert "timed out after 1.5 s in __mul__'s backward" in ops["*"]["message"]
    assert ops["+"]["status"] == "correct"


def test_sys_exit_0_in_backward_exits_1_not_0(tmp_path):
    hostile.write(tmp_path, "exits", hostile.SOURCES["exits_in_backward"])
    result = check("exits.py", cwd=tmp_path)
    assert result.returncode == 1
    assert "sys.exit(0) was called" in result.stdout


def test_gradescope_results_validate_and_use_the_weights_of_the_config(tmp_path):
    copy("lecture_mistakes", tmp_path, "engine")
    (tmp_path / "grading.toml").write_text(
        'default_weight = 0\n[weights]\n"+" = 1\n"-" = 2\ntanh = 3\nexp = 1\nbackward = 4\n',
        encoding="utf-8",
    )
    result = check("engine.py", "--format", "gradescope", "--config", "grading.toml", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    results = json.loads(result.stdout)
    validate_gradescope(results)
    tests = {t["name"]: t for t in results["tests"]}
    assert (tests["+"]["score"], tests["+"]["max_score"]) == (1, 1)
    assert (tests["-"]["score"], tests["-"]["max_score"], tests["-"]["status"]) == (0, 2, "failed")
    assert tests["exp"]["max_score"] == 1 and tests["exp"]["output"].startswith("not checked")
    assert tests["*"]["max_score"] == 0  # default_weight = 0
    assert results["score"] == 1 + 4


def test_a_bad_config_is_one_line_and_status_2(tmp_path):
    copy("correct_local", tmp_path, "engine")
    (tmp_path / "grading.toml").write_text("[weights]\n'*' = -1\n", encoding="utf-8")
    result = check("engine.py", "--config", "grading.toml", cwd=tmp_path)
    assert result.returncode == 2
    assert "grading.toml: the weight of '*' must be a number ≥ 0, got -1" in result.stderr


def test_junit_has_a_testcase_per_op_and_a_failure_per_wrong_one(tmp_path):
    copy("lecture_mistakes", tmp_path, "engine")
    result = check("engine.py", "--format", "junit", cwd=tmp_path)
    assert result.returncode == 1
    root = validate_junit(result.stdout)
    (suite,) = root
    cases = {case.get("name"): case for case in suite}
    assert cases["-"].find("failure") is not None and cases["tanh"].find("failure") is not None
    assert cases["+"].find("failure") is None and cases["exp"].find("skipped") is not None
    assert suite.get("failures") == "2"


@pytest.mark.slow
def test_a_folder_of_50_files_is_graded_in_parallel_with_one_result_per_file(tmp_path):
    folder = tmp_path / "submissions"
    folder.mkdir()
    templates = {
        "correct_micrograd": "correct",
        "correct_local": "correct",
        "lecture_mistakes": "mistakes",
        "recursive_visit": "mistakes",
    }
    expected = {}
    for i in range(48):
        name = list(templates)[i % 4]
        expected[f"submissions/student_{i:02d}.py"] = templates[name]
        copy(name, folder, f"student_{i:02d}")
    hostile.write(folder, "student_48", hostile.local_with_gelu(" * 2"))
    expected["submissions/student_48.py"] = "mistakes"
    (folder / "student_49.py").write_text("import not_installed_anywhere\n", encoding="utf-8")
    expected["submissions/student_49.py"] = "could not check"

    result = check("submissions", "--format", "json", "--jobs", "2", "--progress", cwd=tmp_path)
    assert result.returncode == 2, result.stderr  # one file could not be checked
    data = json.loads(result.stdout)
    assert [r["file"] for r in data] == sorted(expected)
    for r in data:
        assert_result_schema(r)
        assert r["status"] == expected[r["file"]], r["file"]
    assert "50/50 files" in result.stderr  # the progress bar's last state

    text = check("submissions", "--jobs", "2", cwd=tmp_path)
    summary = text.stdout.split("\n\n")[-1]
    assert summary.startswith("50 files: 24 correct, 25 with mistakes, 1 could not be checked")
    assert "    12  -           sign" in summary and "    12  backward    order" in summary
    assert "     1  gelu        scale" in summary

    gradescope = json.loads(check("submissions", "--format", "gradescope", cwd=tmp_path).stdout)
    validate_gradescope(gradescope)
    validate_junit(check("submissions", "--format", "junit", cwd=tmp_path).stdout)


def test_a_glob_names_several_files(tmp_path):
    copy("correct_local", tmp_path, "a_engine")
    copy("correct_micrograd", tmp_path, "b_engine")
    result = check("*_engine.py", "--format", "json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert [r["file"] for r in json.loads(result.stdout)] == ["a_engine.py", "b_engine.py"]
