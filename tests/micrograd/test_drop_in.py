"""install(): micrograd's import names give the drop-in, even though micrograd 0.1.0 itself is
installed in this environment, and uninstall() puts micrograd back."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

import tinygrad_edu.micrograd as drop_in

from tests.micrograd import installed


def run_fresh(code: str) -> subprocess.CompletedProcess[str]:
    """``code`` in a new interpreter, where nothing has imported micrograd yet."""
    return subprocess.run(
        [sys.executable, "-W", "error", "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_one_added_line_makes_micrograds_imports_give_the_drop_in():
    result = run_fresh(
        """
        import importlib.util
        assert importlib.util.find_spec("micrograd").origin.endswith("micrograd/__init__.py")
        import tinygrad_edu.micrograd; tinygrad_edu.micrograd.install()
        import micrograd
        from micrograd.engine import Value
        from micrograd import nn
        import micrograd.nn
        print(micrograd.__name__, Value.__module__, nn.__name__, micrograd.nn is nn)
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "tinygrad_edu.micrograd",
        "tinygrad_edu.micrograd.engine",
        "tinygrad_edu.micrograd.nn",
        "True",
    ]


def test_uninstall_and_the_context_manager_put_micrograd_back(real_micrograd):
    with installed() as installation:
        import micrograd.engine

        assert micrograd.engine.Value is drop_in.Value and installation.active
    assert not installation.active
    import micrograd.engine

    assert micrograd.engine.Value is real_micrograd.engine.Value
    installed()
    drop_in.uninstall()
    assert sys.modules["micrograd"] is real_micrograd


def test_fused_makes_every_new_neuron_one_node_until_uninstalled():
    with installed(fused=True):
        from micrograd import nn

        neuron = nn.Neuron(3)
        assert neuron.fused and neuron([1.0, 2.0, 3.0])._prev.pop().op == "Σwx+b"
        assert not nn.Neuron(3, fused=False).fused
    assert not drop_in.nn.Neuron(3).fused


def test_installs_undo_in_order_and_once():
    outer = installed()
    inner = installed(fused=True)
    with pytest.raises(RuntimeError, match="a later install"):
        outer.uninstall()
    inner.uninstall()
    with pytest.raises(RuntimeError, match="already undone"):
        inner.uninstall()
    assert not drop_in.nn.Settings.fused
    outer.uninstall()
    with pytest.raises(RuntimeError, match="not installed"):
        drop_in.uninstall()
    with pytest.raises(TypeError, match="fused"):
        drop_in.install(fused="yes")


def test_install_warns_when_micrograd_was_imported_first(real_micrograd):
    with pytest.warns(UserWarning, match="names already imported from micrograd"):
        installation = drop_in.install()
    installation.uninstall()
    assert "fused=False, undone" in repr(installation)
