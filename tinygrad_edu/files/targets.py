"""What a file name points at, decided before anything is written or read.

A save must never destroy what it does not own. So before writing, the name is followed
link by link (``os.lstat`` and ``os.readlink``, never trusting a final ``stat`` alone) to
one of these:

- ``absent``: nothing there yet; the save creates a regular file.
- ``file``: a regular file; the save replaces *that file* (the end of the links, so a
  symlinked checkpoint keeps its link) atomically, with its permissions.
- ``stream``: an open stream of a process, named through ``/proc/<pid>/fd`` (so also
  ``/dev/stdout``, ``/dev/fd/1``); the save writes into the stream, as ``cat > /dev/stdout``
  does.
- ``device`` and ``fifo``: a character device (``/dev/null``, a terminal) or a named pipe;
  the save writes through to it, as ``cat > path`` does, and replaces nothing.
- anything else (a folder, a block device, a socket): refused, naming what it is.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from typing import NamedTuple

MAX_LINKS = 40  # as the kernel's own limit on links followed in one name (ELOOP)
_PROCESS_FDS = re.compile(r"/proc/[^/]+/fd")

# What each refused kind is called in an error, and why writing there would be wrong.
REFUSED = {
    "folder": "that is a folder, not a file",
    "block device": "that is a block device (a disk or a partition): saving would overwrite it",
    "socket": "that is a socket, not a file",
    "special file": "that is not a regular file, a device or a FIFO",
}


class Target(NamedTuple):
    """Where a name ends: ``kind`` (see the module) and ``path``, the last link's target
    (the name itself for a stream, the name as given's absolute form when nothing is there).
    ``mode`` holds the permission bits, ``uid`` and ``gid`` the owner of a ``file``."""

    kind: str
    path: str
    mode: int = 0
    uid: int = -1
    gid: int = -1


def target_of(name: str) -> Target:
    """Follow ``name`` link by link to what it points at (see the module for the kinds).

    Raises OSError (``ELOOP``) for more than :data:`MAX_LINKS` links; a name that cannot be
    looked up (no such folder, no permission) is ``absent``: creating it then fails with
    the system's own reason, which the writer reports.
    """
    current = os.path.abspath(name)
    for _ in range(MAX_LINKS):
        try:
            status = os.lstat(current)
        except OSError:
            return Target("absent", current)
        if stat.S_ISLNK(status.st_mode):
            if _PROCESS_FDS.fullmatch(os.path.realpath(os.path.dirname(current))):
                return Target("stream", name)  # its "target" is a kernel object, not a path
            current = os.path.join(os.path.dirname(current), os.readlink(current))
            continue
        return Target(kind_of_mode(status.st_mode), current, stat.S_IMODE(status.st_mode),
                      status.st_uid, status.st_gid)  # fmt: skip
    raise OSError(errno.ELOOP, f"more than {MAX_LINKS} symbolic links in a row", name)


def kind_of_mode(mode: int) -> str:
    """The kind of a file from its ``st_mode``: ``file``, ``device``, ``fifo``, ``folder``,
    ``block device``, ``socket`` or ``special file``."""
    if stat.S_ISREG(mode):
        return "file"
    if stat.S_ISCHR(mode):
        return "device"
    if stat.S_ISFIFO(mode):
        return "fifo"
    if stat.S_ISDIR(mode):
        return "folder"
    if stat.S_ISBLK(mode):
        return "block device"
    if stat.S_ISSOCK(mode):
        return "socket"
    return "special file"


def described(kind: str) -> str:
    """A kind in an error message's words: ``a FIFO (named pipe)``, ``a character device``."""
    return {
        "file": "a regular file",
        "device": "a character device",
        "fifo": "a FIFO (named pipe)",
        "folder": "a folder",
        "block device": "a block device",
        "socket": "a socket",
        "stream": "an open stream",
    }.get(kind, "a special file")
