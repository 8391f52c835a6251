"""``install()``: make ``import micrograd`` give tinygrad_edu's drop-in, even where micrograd is
installed, so that lesson code runs unchanged after one added line.

It puts the drop-in's modules into ``sys.modules`` under micrograd's names (``micrograd``,
``micrograd.engine``, ``micrograd.nn``), where every later import finds them first; undoing it
puts back what was there.
"""

from __future__ import annotations

import sys
import warnings
from types import ModuleType, TracebackType

from tinygrad_edu import checks
from tinygrad_edu.micrograd import engine, nn

PACKAGE = "tinygrad_edu.micrograd"  # the drop-in package itself, which stands for micrograd

_installed: list[Installation] = []  # the active installs, the latest last


def install(fused: bool = False) -> Installation:
    """From now on ``import micrograd``, ``from micrograd.engine import Value`` and
    ``from micrograd import nn`` give ``tinygrad_edu.micrograd``.

    Args:
        fused: make every ``Neuron`` one ``Σwx+b`` node (fast) instead of micrograd's chain of
            ``*`` and ``+`` nodes; the numbers are bit-identical either way.

    Returns an :class:`Installation`: call its ``uninstall()`` (or :func:`uninstall`), or use
    ``with install(): ...``, to put micrograd back. Names imported from the real micrograd
    before the call stay micrograd's; a warning says so.
    """
    checks.flag("fused", fused)
    current = sys.modules.get("micrograd")
    if current is not None and current is not sys.modules[PACKAGE]:
        warnings.warn(
            "micrograd was imported before tinygrad_edu.micrograd.install(): imports from now "
            "on give tinygrad_edu's drop-in, but names already imported from micrograd (its "
            "Value, say) are still micrograd's own; call install() first",
            stacklevel=2,
        )
    installation = Installation(fused)
    _installed.append(installation)
    return installation


def uninstall() -> None:
    """Undo the latest :func:`install` that is still active."""
    if not _installed:
        raise RuntimeError("tinygrad_edu.micrograd is not installed: there is nothing to undo")
    _installed[-1].uninstall()


class Installation:
    """One :func:`install`: what it replaced, so that :meth:`uninstall` can put it back."""

    def __init__(self, fused: bool) -> None:
        modules = {
            "micrograd": sys.modules[PACKAGE],
            "micrograd.engine": engine,
            "micrograd.nn": nn,
        }
        self._replaced: dict[str, ModuleType | None] = {
            name: sys.modules.get(name) for name in modules
        }
        self._fused_before = nn.Settings.fused
        sys.modules.update(modules)
        nn.Settings.fused = fused
        self.fused = fused

    @property
    def active(self) -> bool:
        return self in _installed

    def uninstall(self) -> None:
        """Put back the modules (and the fused setting) that were there before."""
        if not self.active:
            raise RuntimeError("this install() of tinygrad_edu.micrograd was already undone")
        if _installed[-1] is not self:
            raise RuntimeError(
                "a later install() of tinygrad_edu.micrograd is still active: undo it first"
            )
        _installed.pop()
        for name, module in self._replaced.items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module
        nn.Settings.fused = self._fused_before

    def __enter__(self) -> Installation:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self.active:
            self.uninstall()

    def __repr__(self) -> str:
        state = "active" if self.active else "undone"
        return f"<tinygrad_edu.micrograd installed as micrograd, fused={self.fused}, {state}>"
