"""A learner's file, run as a script would be (its folder on ``sys.path``), but not as
``__main__``, so that its ``if __name__ == "__main__":`` block does not run; and the class
asked for, taken from it. Every way this fails is one :class:`LoadError` sentence."""

from __future__ import annotations

import runpy
import sys
import traceback
from pathlib import Path
from typing import Any

from tinygrad_edu.core.messages import describe

MODULE = "__tinygrad_edu_check__"  # the learner's file's __name__


class LoadError(Exception):
    """The file or its class cannot be used; the message says why, naming the file."""


def load_class(path: Path, name: str) -> type:
    """Run the file and return its class ``name``.

    Raises:
        LoadError: the file raised or exited while it ran, or has no class ``name``.
    """
    folder = str(path.resolve().parent)
    sys.path.insert(0, folder)
    try:
        namespace = runpy.run_path(str(path), run_name=MODULE)
    except SystemExit as error:
        raise LoadError(f"{path} exited (status {error.code}) while loading") from None
    except KeyboardInterrupt:
        raise
    except BaseException as error:  # the learner's code may raise anything while it loads
        raise LoadError(
            f"{path} raised {type(error).__name__} while loading{_line(error, path)}: "
            f"{first_line(error)}"
        ) from None
    finally:
        if folder in sys.path:
            sys.path.remove(folder)
    return _the_class(namespace, path, name)


def _the_class(namespace: dict[str, Any], path: Path, name: str) -> type:
    found = namespace.get(name)
    if isinstance(found, type):
        return found
    classes = sorted(
        k for k, v in namespace.items() if isinstance(v, type) and not k.startswith("_")
    )
    mine = [k for k in classes if getattr(namespace[k], "__module__", "") == MODULE]
    offer = f"; it defines {', '.join(mine)}" if mine else "; it defines no class"
    if found is None:
        raise LoadError(f"{path} has no class named {name!r}{offer}")
    raise LoadError(f"{path}: {name} is {describe(found)}, not a class{offer}")


def _line(error: BaseException, path: Path) -> str:
    """`` (line 12)``: the last line of the learner's file on the error's traceback."""
    lines = [
        frame.lineno
        for frame in traceback.extract_tb(error.__traceback__)
        if Path(frame.filename).resolve() == path.resolve()
    ]
    if isinstance(error, SyntaxError) and error.lineno:
        lines.append(error.lineno)
    return f" (line {lines[-1]})" if lines else ""


def first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else "(no message)"
