"""micrograd 0.1.0's own engine tests, run against our ``Value``, and through the drop-in.

The tests ship in micrograd's source distribution on PyPI; we download it at test time (never
copy it into this repository), swap its ``Value`` import for ours and run its test functions;
then we run them unchanged after ``tinygrad_edu.micrograd.install()``, and the example of
micrograd's README on both engines.
"""

from __future__ import annotations

import contextlib
import io
import re
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest

import tinygrad_edu.micrograd as drop_in

from tests.micrograd import installed

pytest.importorskip("torch")  # micrograd's tests compare against PyTorch
pytestmark = [pytest.mark.torch, pytest.mark.network, pytest.mark.slow]


@pytest.fixture(scope="module")
def sdist(tmp_path_factory) -> Iterator[tarfile.TarFile]:
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
        yield archive


def read(sdist: tarfile.TarFile, name: str) -> str:
    member = sdist.extractfile(f"micrograd-0.1.0/{name}")
    assert member is not None
    return member.read().decode()


def engine_tests(source: str) -> dict:
    namespace: dict = {"__name__": "micrograd_test_engine"}
    exec(compile(source, str(Path("micrograd-0.1.0/test/test_engine.py")), "exec"), namespace)
    tests = {name: fn for name, fn in namespace.items() if name.startswith("test_")}
    assert set(tests) == {"test_sanity_check", "test_more_ops"}
    return tests


@pytest.fixture(scope="module")
def micrograd_tests(sdist) -> dict:
    source = read(sdist, "test/test_engine.py")
    assert "from micrograd.engine import Value" in source
    source = source.replace("from micrograd.engine import Value", "from tinygrad_edu import Value")
    return engine_tests(source)


@pytest.mark.parametrize("name", ["test_sanity_check", "test_more_ops"])
def test_micrograd_engine_test_passes_with_our_value(micrograd_tests, name):
    micrograd_tests[name]()  # its own asserts, including exact equality with PyTorch float64


@pytest.mark.parametrize("name", ["test_sanity_check", "test_more_ops"])
def test_micrograd_engine_test_passes_unchanged_through_the_drop_in(sdist, name):
    with installed():
        tests = engine_tests(read(sdist, "test/test_engine.py"))  # its import, as it is
        assert tests[name].__globals__["Value"] is drop_in.Value
        tests[name]()


def test_micrograds_readme_example_prints_what_it_prints_on_micrograd(sdist):
    blocks = re.findall(r"```python\n(.*?)```", read(sdist, "README.md"), flags=re.DOTALL)
    example = next(block for block in blocks if "g.backward()" in block)
    printed = {}
    for engine in ("micrograd", "drop-in"):
        output = io.StringIO()
        with contextlib.ExitStack() as stack:
            if engine == "drop-in":
                stack.enter_context(installed())
            stack.enter_context(contextlib.redirect_stdout(output))
            exec(compile(example, "micrograd README example", "exec"), {})
        printed[engine] = output.getvalue()
    assert printed["drop-in"] == printed["micrograd"]
    assert printed["drop-in"].split() == ["24.7041", "138.8338", "645.5773"]  # as its README says
