"""micrograd 0.1.0's own engine tests, run against our ``Value``.

The tests ship in micrograd's source distribution on PyPI; we download it at test time (never
copy it into this repository), swap its ``Value`` import for ours and run its test functions.
"""

from __future__ import annotations

import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

pytest.importorskip("torch")  # micrograd's tests compare against PyTorch
pytestmark = [pytest.mark.torch, pytest.mark.network, pytest.mark.slow]


@pytest.fixture(scope="module")
def micrograd_tests(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("micrograd_sdist")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--quiet",
            "--no-deps",
            "--no-binary",
            ":all:",
            "--dest",
            str(folder),
            "micrograd==0.1.0",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    archives = list(folder.glob("micrograd-0.1.0.tar.gz"))
    if result.returncode != 0 or not archives:
        pytest.skip(f"could not download micrograd 0.1.0's sdist: {result.stderr.strip()[-200:]}")
    with tarfile.open(archives[0]) as archive:
        member = archive.extractfile("micrograd-0.1.0/test/test_engine.py")
        source = member.read().decode()
    assert "from micrograd.engine import Value" in source
    source = source.replace("from micrograd.engine import Value", "from tinygrad_edu import Value")
    namespace: dict = {"__name__": "micrograd_test_engine"}
    exec(compile(source, str(Path("micrograd-0.1.0/test/test_engine.py")), "exec"), namespace)
    tests = {name: fn for name, fn in namespace.items() if name.startswith("test_")}
    assert set(tests) == {"test_sanity_check", "test_more_ops"}
    return tests


@pytest.mark.parametrize("name", ["test_sanity_check", "test_more_ops"])
def test_micrograd_engine_test_passes_with_our_value(micrograd_tests, name):
    micrograd_tests[name]()  # its own asserts, including exact equality with PyTorch float64
