"""Crash-safe file writing that never destroys what it does not own.

What a save does depends on what the name points at (see :mod:`.targets`):

- nothing, or a regular file: the bytes go to a temporary file in the same folder, are
  fsynced, and ``os.replace`` swaps them in (atomic on one file system), then the folder is
  fsynced so that the rename itself is durable. Readers see the old file or the new one,
  never a mix. A replaced file keeps its permission bits (and, where the saver may set it,
  its owner); a read-only file is refused, as ``cat > file`` would refuse it.
- a symbolic link: followed to its end, and *that* file is replaced; the link stays.
- a character device (``/dev/null``, a terminal), a FIFO, or an open stream
  (``/dev/stdout``): the bytes are written through, as ``cat > path`` writes them; nothing
  is replaced, and nothing can be atomic there. A FIFO that no program reads is refused
  at once rather than waited on.
- a folder, a block device or a socket: refused with an ``OSError`` naming what it is.

Each temporary file is locked (``flock``) while its save runs. A save killed in the middle
(``kill -9``, a power cut before the rename) leaves its temporary file behind, unlocked;
the next save of the same file removes it. A temporary file still locked belongs to a save
in progress, in this process or another, and is left alone, so concurrent saves of one file
each write a whole file and the last rename wins.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
import sys

from tinygrad_edu.files import PathLike
from tinygrad_edu.files.targets import REFUSED, Target, described, kind_of_mode, target_of

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows has no flock; stale files are then kept
    fcntl = None  # type: ignore[assignment]

__all__ = ["PathLike", "check_writable", "checked_path", "write_atomically"]

_NAME_KEPT = 100  # characters of the file name kept in its temporary file's name
_TEMPORARY_TAIL = re.compile(r"[0-9a-f]{12}\.tmp")
_WRITE_THROUGH = ("stream", "device", "fifo")


def write_atomically(path: PathLike, data: str | bytes) -> None:
    """Write ``data`` (text is written as UTF-8) to ``path`` as the module describes: a file
    is replaced atomically, a device or a FIFO is written through, anything else is refused.

    On any failure the temporary file is removed, the old file is left as it was, and an
    ``OSError`` names ``path`` as given (never the temporary file) and why it failed.
    """
    name = checked_path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    target = _checked_target(name)
    if target.kind in _WRITE_THROUGH:
        _write_through(name, target, payload)
    else:
        _replace(name, target, payload)


def check_writable(path: object) -> str:
    """Raise now the ``OSError`` that :func:`write_atomically` would raise for ``path``
    later (no folder, a folder in its place, a folder that refuses new files, a read-only
    file, a block device), by creating and removing the temporary file it would use. Asking
    the system (``os.access``) alone is not enough: it says yes to root in a read-only
    folder and to ``/proc``. A device or a FIFO is not opened (opening and closing a FIFO
    would end its reader's input): only its permissions are asked."""
    name = checked_path(path)
    target = _checked_target(name)
    try:
        if target.kind in _WRITE_THROUGH:
            if not os.access(name, os.W_OK):
                raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))
            return name
        folder = os.path.dirname(target.path)
        fd, temporary = _new_temporary(folder, os.path.basename(target.path), 0o600)
        os.close(fd)
        os.unlink(temporary)
    except OSError as error:
        raise _cannot_write(name, target, error) from None
    return name


def checked_path(path: object) -> str:
    """``path`` as a str; a TypeError naming its type if it is not a str or a path, and a
    ValueError if it is empty (``""`` names no file)."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"a file path must be a str or a path, got {type(path).__name__}")
    name = os.fspath(path)
    if not isinstance(name, str):
        raise TypeError(f"a file path must be a str or a path, got {type(name).__name__}")
    if not name:
        raise ValueError("the file path is empty: give a file name such as 'model.json'")
    return name


# ----- what is there ----------------------------------------------------------------------


def _checked_target(name: str) -> Target:
    """The target of ``name``; an OSError for a kind no save may touch, or one that is
    read-only (a save must not be able to do what ``cat > file`` could not)."""
    target = target_of(name)
    if target.kind in REFUSED:
        code = errno.EISDIR if target.kind == "folder" else errno.EINVAL
        raise _cannot_write(name, target, OSError(code, REFUSED[target.kind]))
    if target.kind == "file" and not os.access(target.path, os.W_OK):
        reason = "the file is read-only (its permissions allow no writing); nothing was changed"
        raise _cannot_write(name, target, PermissionError(errno.EACCES, reason))
    return target


# ----- replacing a regular file -----------------------------------------------------------


def _replace(name: str, target: Target, payload: bytes) -> None:
    folder, base = os.path.split(target.path)
    _remove_stale_temporaries(folder, base)
    try:
        fd, temporary = _new_temporary(
            folder, base, target.mode if target.kind == "file" else 0o666
        )
    except OSError as error:
        raise _cannot_write(name, target, error) from None
    try:
        _write_all(fd, payload)
        if target.kind == "file":  # the new file takes the old one's permissions and owner
            os.fchmod(fd, target.mode)
            if (target.uid, target.gid) != _owner(fd):
                with contextlib.suppress(OSError):  # only root may give a file away
                    os.fchown(fd, target.uid, target.gid)
        os.fsync(fd)
        os.replace(temporary, target.path)  # still locked: no clean-up can take it first
    except BaseException as error:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        if isinstance(error, OSError):
            raise _cannot_write(name, target, error) from None
        raise
    finally:
        os.close(fd)
    _sync_folder(folder)


def _owner(fd: int) -> tuple[int, int]:
    status = os.fstat(fd)
    return status.st_uid, status.st_gid


def _temporary_prefix(base: str) -> str:
    return f".{base[:_NAME_KEPT]}."


def _new_temporary(folder: str, base: str, mode: int) -> tuple[int, str]:
    """A new hidden file beside ``base`` in ``folder``, open for writing and locked.

    A clean-up by another save may take the file between its creation and the lock (it
    looks like one left by a killed save for that instant); then it is no longer at its
    name, and a new one is made."""
    for _ in range(100):
        temporary = os.path.join(folder, f"{_temporary_prefix(base)}{os.urandom(6).hex()}.tmp")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, mode)
        if fcntl is None:
            return fd, temporary
        fcntl.flock(fd, fcntl.LOCK_EX)  # held until closed; a killed process lets go of it
        try:
            if os.stat(temporary).st_ino == os.fstat(fd).st_ino:
                return fd, temporary
        except FileNotFoundError:
            pass
        os.close(fd)
    raise OSError(errno.EAGAIN, "could not create a temporary file beside it")


def _remove_stale_temporaries(folder: str, base: str) -> None:
    """Remove the temporary files of ``base`` that no running save holds (left by a save
    that was killed); a locked one is a save in progress and stays."""
    if fcntl is None:
        return
    prefix = _temporary_prefix(base)
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        tail = entry.name[len(prefix) :]
        if not entry.name.startswith(prefix) or not _TEMPORARY_TAIL.fullmatch(tail):
            continue
        try:
            fd = os.open(entry.path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
        except OSError:
            continue
        try:
            if stat.S_ISREG(os.fstat(fd).st_mode):
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # fails if a save holds it
                if os.stat(entry.path).st_ino == os.fstat(fd).st_ino:
                    os.unlink(entry.path)
        except OSError:
            pass
        finally:
            os.close(fd)


# ----- writing through to a device, a FIFO or a stream ------------------------------------


def _write_through(name: str, target: Target, payload: bytes) -> None:
    """Write into what is there, as ``cat > name`` would: no file is created or replaced.
    Opening without waiting means a FIFO nobody reads is an error now, not a hang."""
    for stream in (sys.stdout, sys.stderr):  # what we printed before comes first
        with contextlib.suppress(Exception):
            stream.flush()
    flags = os.O_WRONLY | os.O_APPEND | os.O_NOCTTY | os.O_NONBLOCK | os.O_CLOEXEC
    try:
        fd = os.open(name, flags)
    except OSError as error:
        if error.errno == errno.ENXIO and target.kind == "fifo":
            error = OSError(errno.ENXIO, "no program is reading this FIFO (start its reader first)")
        raise _cannot_write(name, target, error) from None
    try:
        opened = kind_of_mode(os.fstat(fd).st_mode)
        if target.kind != "stream" and opened != target.kind:
            raise OSError(errno.EAGAIN, f"it changed into {described(opened)} while saving")
        os.set_blocking(fd, True)
        _write_all(fd, payload)
    except OSError as error:
        raise _cannot_write(name, target, error) from None
    finally:
        os.close(fd)


def _write_all(fd: int, payload: bytes) -> None:
    view = memoryview(payload)
    while view:
        view = view[os.write(fd, view) :]


# ----- messages and durability ------------------------------------------------------------


def _cannot_write(name: str, target: Target, error: OSError) -> OSError:
    """``error``, reworded to name the file the user asked for (and where its links lead),
    never the temporary file."""
    folder = os.path.dirname(target.path) if target.kind != "stream" else ""
    shown = repr(name)
    if target.kind != "stream" and target.path != os.path.abspath(name):
        shown += f" (a link to {target.path!r})"
    if folder and not os.path.isdir(folder):
        reason = f"there is no folder {folder!r}"
    elif target.kind == "absent" and os.path.isdir(target.path):
        reason = REFUSED["folder"]
    elif target.kind in REFUSED or error.errno == errno.EACCES and target.kind == "file":
        reason = error.strerror or str(error)
    elif target.kind in _WRITE_THROUGH:
        reason = f"{error.strerror or error} ({described(target.kind)}, written through)"
    else:
        reason = f"{error.strerror or error} (in the folder {folder!r})"
    message = f"cannot write {shown}: {reason}"
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
