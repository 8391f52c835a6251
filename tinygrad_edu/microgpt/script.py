"""Run a script with its scalar autograd class replaced by the engine's (``tinygrad-edu run``).

The script is read, parsed and searched for its autograd class: the first class that defines
``backward`` and uses microgpt's ``_children`` and ``_local_grads`` or micrograd's ``_prev``
and ``_backward``. That class statement gets one decorator, added to the parsed tree, not to
the text::

    @__tinygrad_edu_swap__          # added: returns the engine's class for this one
    class Value:                    # the script's own class, defined as written
        ...

so the moment the class is defined its name is bound to the engine's class
(:func:`tinygrad_edu.microgpt.swap.engine_class`), before any line below it runs. Everything
else is the script's own: the tree is compiled with the script's file name and line numbers,
and run as ``__main__`` with ``sys.argv`` = the script and its arguments and the script's
folder first on ``sys.path``, as ``python SCRIPT ARGS`` would.

Run as ``python -m tinygrad_edu.microgpt.script SCRIPT [ARGS...]`` (the command starts it in a
child process, so a script that hangs, exits or crashes is on its own). Its output is the
script's; a traceback is the script's, without this module's frames. One line on stderr at
the end says what was replaced. Exit status: the script's; 2 where the script cannot be read
or has no autograd class to replace (one line, no traceback).
"""

from __future__ import annotations

import ast
import os
import sys
import traceback
import types
from collections.abc import Sequence
from pathlib import Path

from tinygrad_edu.microgpt.swap import PROTOCOLS, Swap, engine_class

HOOK = "__tinygrad_edu_swap__"
PREFIX = "tinygrad-edu run"
_PACKAGE = str(Path(__file__).resolve().parents[1])


class NoAutogradClassError(ValueError):
    """The script defines no class of a protocol the engine speaks."""


def find_autograd_class(tree: ast.Module) -> tuple[ast.ClassDef, str] | None:
    """The script's autograd class and its protocol (``"microgpt"`` or ``"micrograd"``)."""
    for node in ast.walk(tree):
        if not isinstance(node, ast.ClassDef):
            continue
        methods = {item.name for item in node.body if isinstance(item, ast.FunctionDef)}
        if "backward" not in methods:
            continue
        used = {n.attr for n in ast.walk(node) if isinstance(n, ast.Attribute)}
        used |= {
            n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and type(n.value) is str
        }
        for protocol, (names, _) in PROTOCOLS.items():
            if all(name in used for name in names):
                return node, protocol
    return None


def swapped_tree(tree: ast.Module, path: str) -> tuple[ast.Module, ast.ClassDef, str]:
    """``tree`` with the hook's decorator on its autograd class (see the module's docstring)."""
    found = find_autograd_class(tree)
    if found is None:
        wanted = " or ".join(
            f"{protocol}'s {' and '.join(names)}" for protocol, (names, _) in PROTOCOLS.items()
        )
        raise NoAutogradClassError(
            f"{path} defines no scalar autograd class to replace: looked for a class with a "
            f"backward() method that uses {wanted}"
        )
    cls, protocol = found
    hook = ast.Call(ast.Name(HOOK, ast.Load()), [ast.Constant(protocol)], [])
    ast.copy_location(hook, cls)
    ast.copy_location(hook.func, cls)
    ast.copy_location(hook.args[0], cls)
    cls.decorator_list.insert(0, hook)  # listed first, applied last: after the script's own
    return tree, cls, protocol


def run(argv: Sequence[str]) -> int:
    """Run ``argv[0]`` with ``argv[1:]`` as its arguments; return the exit status."""
    path = argv[0]
    try:
        source = Path(path).read_bytes()
    except OSError as error:
        return _fail(f"{path}: {error.strerror or error}")
    try:
        tree = ast.parse(source, filename=path)
    except SyntaxError:  # the script's own error, shown as Python shows it
        traceback.print_exc(limit=0)
        return 1
    try:
        tree, cls, protocol = swapped_tree(tree, path)
    except NoAutogradClassError as error:
        return _fail(str(error))
    swaps: list[Swap] = []

    def hook(protocol: str) -> types.FunctionType:
        def swap(learner: type) -> type:
            done = engine_class(learner, protocol)
            swaps.append(done)
            return done.engine

        return swap  # type: ignore[return-value]

    code = compile(tree, path, "exec")
    main = types.ModuleType("__main__")
    main.__dict__.update({"__file__": path, "__builtins__": __builtins__, HOOK: hook})
    sys.modules["__main__"] = main
    sys.argv = list(argv)
    sys.path[0] = os.path.dirname(os.path.abspath(path))
    status = 0
    try:
        exec(code, main.__dict__)
    except SystemExit as exit_:
        status = _exit_status(exit_)
    except BaseException as error:  # the script's own failure: its traceback, then ours ends
        _print_script_traceback(error)
        status = 130 if isinstance(error, KeyboardInterrupt) else 1
    _flush()
    where = f"{os.path.basename(path)}, line {cls.lineno}"
    if swaps:
        print(f"{PREFIX}: {swaps[0].summary()} ({where})", file=sys.stderr)
    else:
        print(
            f"{PREFIX}: the script stopped before its class {cls.name} ({where}) was defined, "
            "so nothing was replaced",
            file=sys.stderr,
        )
    return status


def _exit_status(exit_: SystemExit) -> int:
    """What Python makes of ``sys.exit(code)``: None is 0, an int itself, else 1 after
    printing it."""
    code = exit_.code
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    _flush()
    print(code, file=sys.stderr)
    return 1


def _print_script_traceback(error: BaseException) -> None:
    """The traceback as Python would print it for the script, without the frames of this
    package (the runner, the engine), so it reads as the script's own."""
    report = traceback.TracebackException.from_exception(error)
    for part in _chain(report):
        frames = [f for f in part.stack if not f.filename.startswith(_PACKAGE)]
        part.stack = traceback.StackSummary.from_list(frames)
    _flush()
    print("".join(report.format()), end="", file=sys.stderr)


def _chain(report: traceback.TracebackException) -> list[traceback.TracebackException]:
    parts, seen = [report], {id(report)}
    while parts[-1].__cause__ or parts[-1].__context__:
        following = parts[-1].__cause__ or parts[-1].__context__
        if following is None or id(following) in seen:
            break
        seen.add(id(following))
        parts.append(following)
    return parts


def _flush() -> None:
    try:
        sys.stdout.flush()
    except (OSError, ValueError):
        pass


def _fail(message: str) -> int:
    print(f"{PREFIX}: {message}", file=sys.stderr)
    return 2


def main() -> None:
    if len(sys.argv) < 2:
        raise SystemExit(_fail("usage: python -m tinygrad_edu.microgpt.script SCRIPT [ARGS...]"))
    raise SystemExit(run(sys.argv[1:]))


if __name__ == "__main__":
    main()
