"""``tinygrad-edu run SCRIPT``: a learner's script, unchanged, on the engine's class."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tinygrad_edu.datasets import write_names_file

from tests.cli.launcher import installed_command

SCRIPTS = Path(__file__).parent / "scripts"

pytestmark = pytest.mark.slow


def run(folder: Path, *command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        list(command), capture_output=True, text=True, timeout=300, cwd=folder, check=False
    )


def run_on_engine(folder: Path, script: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run(folder, installed_command(), "run", str(script), *args)


@pytest.fixture(scope="module")
def names_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("names")
    write_names_file(str(folder / "input.txt"), count=200)
    return folder


@pytest.mark.parametrize("activation", ["relu", "gelu"])
def test_a_microgpt_style_script_prints_exactly_what_it_prints_with_its_own_class(
    names_folder, activation
):
    script = SCRIPTS / "names_gpt.py"
    own = run(names_folder, sys.executable, str(script), "2", activation)
    engine = run_on_engine(names_folder, script, "2", activation)
    assert own.returncode == engine.returncode == 0, engine.stderr
    assert engine.stdout == own.stdout  # every loss, its raw float, every sampled name
    assert "raw 3." in engine.stdout
    kept = "keeping your gelu, bad_gelu (local derivatives checked at first use)"
    assert engine.stderr == (
        f"tinygrad-edu run: class Value ran as tinygrad_edu.microgpt.Value, {kept} "
        "(names_gpt.py, line 24)\n"
    )


def test_a_learner_method_with_a_wrong_local_derivative_stops_at_first_use(names_folder):
    engine = run_on_engine(names_folder, SCRIPTS / "names_gpt.py", "2", "bad_gelu")
    assert engine.returncode == 1
    assert engine.stdout == ""
    lines = engine.stderr.splitlines()
    assert lines[0] == "Traceback (most recent call last):"
    assert "tinygrad_edu" not in "".join(lines[:-2])  # only the script's frames
    assert 'names_gpt.py", line' in engine.stderr
    assert lines[-2].startswith("tinygrad_edu.custom_ops.first_use.LocalDerivativeError: ")
    assert "Value.bad_gelu" in lines[-2] and "a sign error" in lines[-2]
    assert lines[-1].startswith("tinygrad-edu run: class Value ran as")


def test_a_micrograd_style_script_runs_on_the_micrograd_drop_in(tmp_path):
    script = SCRIPTS / "micrograd_style.py"
    own = run(tmp_path, sys.executable, str(script))
    engine = run_on_engine(tmp_path, script)
    assert engine.returncode == 0, engine.stderr
    assert engine.stdout.splitlines()[:-1] == own.stdout.splitlines()[:-1]  # the losses
    assert engine.stdout.splitlines()[-1] == "Value tinygrad_edu.micrograd.engine"
    assert "ran as tinygrad_edu.micrograd.Value, keeping your softplus" in engine.stderr


def write(folder: Path, text: str) -> Path:
    path = folder / "script.py"
    path.write_text(text)
    return path


CLASS = """
class Value:
    def __init__(self, data, children=(), local_grads=()):
        self.data, self._children, self._local_grads = data, children, local_grads
    def backward(self):
        pass
"""


def test_the_scripts_own_crash_shows_its_traceback_not_ours(tmp_path):
    script = write(tmp_path, CLASS + "print('before')\nx = Value(1.0)\nx.nothing()\n")
    engine = run_on_engine(tmp_path, script)
    assert engine.returncode == 1
    assert engine.stdout == "before\n"
    assert engine.stderr.startswith("Traceback (most recent call last):\n")
    assert 'script.py", line 9, in <module>' in engine.stderr
    assert "AttributeError: 'Value' object has no attribute 'nothing'" in engine.stderr
    assert "tinygrad_edu/" not in engine.stderr


def test_the_scripts_exit_status_is_the_commands(tmp_path):
    script = write(tmp_path, CLASS + "import sys\nprint(sys.argv[1:])\nsys.exit(3)\n")
    engine = run_on_engine(tmp_path, script, "--steps", "5")
    assert engine.returncode == 3
    assert engine.stdout == "['--steps', '5']\n"
    assert engine.stderr.startswith("tinygrad-edu run: class Value ran as")


def test_a_script_that_stops_before_its_class_says_nothing_was_replaced(tmp_path):
    script = write(tmp_path, "raise SystemExit(0)\n" + CLASS)
    engine = run_on_engine(tmp_path, script)
    assert engine.returncode == 0
    assert "stopped before its class Value (script.py, line 3) was defined" in engine.stderr


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("print('no class here')\n", "defines no scalar autograd class to replace"),
        ("class Value:\n    def backward(self): pass\n", "defines no scalar autograd class"),
    ],
)
def test_a_script_without_an_autograd_class_is_refused_before_it_runs(tmp_path, text, words):
    engine = run_on_engine(tmp_path, write(tmp_path, text))
    assert engine.returncode == 2
    assert engine.stdout == ""
    assert engine.stderr.count("\n") == 1 and words in engine.stderr
    assert "Traceback" not in engine.stderr


def test_a_missing_script_is_one_line(tmp_path):
    engine = run_on_engine(tmp_path, tmp_path / "missing.py")
    assert engine.returncode == 2
    assert engine.stderr == f"tinygrad-edu run: {tmp_path / 'missing.py'}: no such file\n"
