"""Reading a file of this package with a bound: only a regular file, and only as much as
the largest file the package writes.

Loading ``/dev/zero``, ``/dev/urandom`` or a FIFO would never finish, and a huge file would
take minutes and gigabytes before its error. So the file is opened without waiting (a FIFO
with no writer does not block), refused unless it is a regular file, and refused if it is
larger than :data:`MAX_FILE_BYTES`, the bound that every save also keeps (a model or a
checkpoint that would not fit is refused when saved, so each file the package writes, it
reads back). The read itself stops one byte past the bound, for files whose size the
system does not know in advance (``/proc``).
"""

from __future__ import annotations

import errno
import os
import stat

from tinygrad_edu.files.targets import described, kind_of_mode

MAX_FILE_BYTES = 64 * 1024 * 1024
# A number as this package writes it takes at most 26 bytes ("-2.2250738585072014e-308, ");
# a checkpoint of Adam's run holds three numbers for each parameter.
MAX_PARAMETERS = MAX_FILE_BYTES // (3 * 26)


class FileTooLargeError(ValueError):
    """A file larger than any this package writes (see :data:`MAX_FILE_BYTES`)."""


def limit_in_words() -> str:
    """The bound for an error message, in bytes and in parameters."""
    return (
        f"{MAX_FILE_BYTES // 2**20} MB, the most this package writes: a checkpoint of about "
        f"{MAX_PARAMETERS:,} parameters"
    )


def read_bounded(name: str, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of the regular file ``name``, at most ``limit`` of them.

    Raises:
        OSError: the file cannot be opened, or is not a regular file (a FIFO, a device, a
            folder), naming it and what it is.
        FileTooLargeError: the file is larger than ``limit``; nothing past the limit is read.
    """
    _check_regular(name, os.stat(name).st_mode)  # a socket cannot even be opened
    fd = os.open(name, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    try:
        status = os.fstat(fd)
        _check_regular(name, status.st_mode)  # what was opened, if it changed since
        if status.st_size > limit:
            raise FileTooLargeError(_too_large(name, f"{status.st_size:,} bytes", limit))
        os.set_blocking(fd, True)
        chunks, total = [], 0
        while total <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > limit:
            raise FileTooLargeError(_too_large(name, "more bytes", limit))
        return b"".join(chunks)
    finally:
        os.close(fd)


def _check_regular(name: str, mode: int) -> None:
    if not stat.S_ISREG(mode):
        kind = kind_of_mode(mode)
        code = errno.EISDIR if kind == "folder" else errno.EINVAL  # IsADirectoryError
        raise OSError(code, f"cannot read {name!r}: it is {described(kind)}, not a file")


def _too_large(name: str, size: str, limit: int) -> str:
    bound = limit_in_words() if limit == MAX_FILE_BYTES else f"{limit:,} bytes"
    return f"{name}: not a tinygrad_edu file: it has {size}, more than {bound}"
