"""Crash-safe file writing: readers see the old file or the new one, never a mix.

The text goes to a temporary file in the same folder, is flushed and fsynced, ``os.replace``
swaps it in (atomic on one file system), and then the folder is fsynced so that the rename
itself is durable.
"""

from __future__ import annotations

import contextlib
import errno
import os

from tinygrad_edu.files import PathLike

__all__ = ["PathLike", "check_writable", "checked_path", "write_atomically"]


def write_atomically(path: PathLike, text: str) -> None:
    """Write ``text`` to ``path`` so that readers see the old file or the new one, never a mix.

    The text goes to a temporary file in the same folder (so the rename stays on one file
    system), is flushed to disk, and then ``os.replace`` swaps it in, which is atomic. On
    any failure the temporary file is removed and the old file is left as it was, and an
    ``OSError`` names ``path`` as given (never the temporary file) and why it failed.
    """
    path = checked_path(path)
    folder, temporary = _temporary_beside(path)
    try:
        with open(temporary, "x", encoding="utf-8") as stream:  # "x": never an existing file
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException as error:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        if isinstance(error, OSError):
            raise _cannot_write(path, folder, error) from None
        raise
    _sync_folder(folder)


def check_writable(path: object) -> str:
    """Raise now the ``OSError`` that :func:`write_atomically` would raise for ``path``
    later (no folder, a folder in its place, a folder that refuses new files), by creating
    and removing the temporary file it would use. Asking the system (``os.access``) is not
    enough: it says yes to root in a read-only folder and to ``/proc``."""
    path = checked_path(path)
    folder, temporary = _temporary_beside(path)
    try:
        if os.path.isdir(path):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR))
        with open(temporary, "x", encoding="utf-8"):
            pass
        os.unlink(temporary)
    except OSError as error:
        raise _cannot_write(path, folder, error) from None
    return path


def checked_path(path: object) -> str:
    """``path`` as a str; a TypeError naming its type if it is not a str or a path, and a
    ValueError if it is empty (``""`` names no file)."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"a file path must be a str or a path, got {type(path).__name__}")
    name = os.fspath(path)
    if not name:
        raise ValueError("the file path is empty: give a file name such as 'model.json'")
    return name


def _temporary_beside(path: str) -> tuple[str, str]:
    """The folder of ``path`` and a fresh hidden file name in it."""
    folder = os.path.dirname(os.path.abspath(path))
    return folder, os.path.join(folder, f".{os.path.basename(path)}.{os.urandom(6).hex()}.tmp")


def _cannot_write(path: str, folder: str, error: OSError) -> OSError:
    """``error``, reworded to name the file the user asked for, not the temporary file."""
    if not os.path.isdir(folder):
        reason = f"there is no folder {folder!r}"
    elif os.path.isdir(path):
        reason = "that is a folder, not a file"
    else:
        reason = f"{error.strerror or error} (in the folder {folder!r})"
    message = f"cannot write {path!r}: {reason}"
    return OSError(error.errno, message) if error.errno is not None else OSError(message)


def _sync_folder(folder: str) -> None:
    """Make the rename itself durable where the platform allows opening a folder."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
