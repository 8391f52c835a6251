"""Crash-safe file writing: readers see the old file or the new one, never a mix.

The text goes to a temporary file in the same folder, is flushed and fsynced, ``os.replace``
swaps it in (atomic on one file system), and then the folder is fsynced so that the rename
itself is durable.
"""

from __future__ import annotations

import contextlib
import os

from tinygrad_edu.files import PathLike

__all__ = ["PathLike", "checked_path", "write_atomically"]


def write_atomically(path: PathLike, text: str) -> None:
    """Write ``text`` to ``path`` so that readers see the old file or the new one, never a mix.

    The text goes to a temporary file in the same folder (so the rename stays on one file
    system), is flushed to disk, and then ``os.replace`` swaps it in, which is atomic. On
    any failure the temporary file is removed and the old file is left as it was.
    """
    path = checked_path(path)
    folder = os.path.dirname(os.path.abspath(path))
    temporary = os.path.join(folder, f".{os.path.basename(path)}.{os.urandom(6).hex()}.tmp")
    try:
        with open(temporary, "x", encoding="utf-8") as stream:  # "x": never an existing file
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    _sync_folder(folder)


def checked_path(path: object) -> str:
    """``path`` as a str; a TypeError naming its type if it is not a str or a path."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"a file path must be a str or a path, got {type(path).__name__}")
    return os.fspath(path)


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
