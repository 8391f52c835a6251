"""What the hostile file catalogue points a save at: each a thing that is not a plain file
name, made in a temporary folder (the real ``/dev`` is never written to or created in).

Each target is set up by a function of the temporary folder that returns a :class:`Setup`:
the path to give the writer, and a check of what must hold afterwards given the bytes the
writer produced (``None`` when the save must be refused)."""

from __future__ import annotations

import contextlib
import os
import select
import socket
import stat
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

OLD = b'{"old": "contents the save must not destroy"}\n'


def can_make_devices() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


@dataclass
class Setup:
    """``path`` to save to; ``refused``: the save must raise OSError; ``check(written)``
    asserts what holds after the save (``written``: the bytes a save to a plain file made)."""

    path: Path
    refused: bool
    check: Callable[[bytes | None], None]
    cleanups: list[Callable[[], None]] = field(default_factory=list)

    def close(self) -> None:
        for cleanup in reversed(self.cleanups):
            with contextlib.suppress(OSError):
                cleanup()


class Drain:
    """Reads everything written to ``fd`` (a FIFO's or a pipe's read end) in a thread until
    a writer has come and gone, so that a write larger than the pipe's buffer never stalls."""

    def __init__(self, fd: int) -> None:
        self.fd, self.data, self.seen_writer = fd, bytearray(), False
        os.set_blocking(fd, False)
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.stop = False
        self.thread.start()

    def _run(self) -> None:
        deadline = time.monotonic() + 60
        while not self.stop and time.monotonic() < deadline:
            ready, _, _ = select.select([self.fd], [], [], 0.05)
            if not ready:
                continue
            try:
                chunk = os.read(self.fd, 1 << 16)
            except BlockingIOError:
                continue
            if chunk:
                self.data += chunk
                self.seen_writer = True
            elif self.seen_writer:
                return  # the writer closed its end: everything has arrived
            else:
                time.sleep(0.01)  # no writer yet: a FIFO's read end reads as at its end

    def result(self) -> bytes:
        self.thread.join(timeout=60)
        self.stop = True
        return bytes(self.data)


def symlink_to_file(folder: Path) -> Setup:
    real = folder / "real.json"
    real.write_bytes(OLD)
    link = folder / "link.json"
    link.symlink_to("real.json")

    def check(written: bytes | None) -> None:
        assert link.is_symlink() and os.readlink(link) == "real.json"  # the link stays
        assert real.read_bytes() == written  # the file it points to has the new contents

    return Setup(link, False, check)


def chain_of_symlinks(folder: Path) -> Setup:
    (folder / "data").mkdir()
    real = folder / "data" / "real.json"
    real.write_bytes(OLD)
    (folder / "middle.json").symlink_to(real)  # absolute
    first = folder / "first.json"
    first.symlink_to("middle.json")  # relative

    def check(written: bytes | None) -> None:
        assert first.is_symlink() and (folder / "middle.json").is_symlink()
        assert real.read_bytes() == written

    return Setup(first, False, check)


def dangling_symlink(folder: Path) -> Setup:
    link = folder / "link.json"
    link.symlink_to("not-yet.json")

    def check(written: bytes | None) -> None:
        assert link.is_symlink()
        assert (folder / "not-yet.json").read_bytes() == written  # made where the link points

    return Setup(link, False, check)


def symlink_to_folder(folder: Path) -> Setup:
    (folder / "sub").mkdir()
    (folder / "sub" / "keep.txt").write_bytes(OLD)
    link = folder / "link.json"
    link.symlink_to("sub")

    def check(written: bytes | None) -> None:
        assert link.is_symlink() and (folder / "sub").is_dir()
        assert (folder / "sub" / "keep.txt").read_bytes() == OLD

    return Setup(link, True, check)


def folder_in_place(folder: Path) -> Setup:
    target = folder / "model.json"
    target.mkdir()

    def check(written: bytes | None) -> None:
        assert target.is_dir() and not any(target.iterdir())

    return Setup(target, True, check)


def fifo_with_reader(folder: Path) -> Setup:
    fifo = folder / "pipe"
    os.mkfifo(fifo)
    fd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # a reader is there before the save
    drain = Drain(fd)

    def check(written: bytes | None) -> None:
        assert drain.result() == written  # every byte went through, as `cat > pipe` sends it
        assert stat.S_ISFIFO(os.lstat(fifo).st_mode)  # still a FIFO, not a regular file

    setup = Setup(fifo, False, check)
    setup.cleanups.append(lambda: os.close(fd))
    return setup


def fifo_without_reader(folder: Path) -> Setup:
    fifo = folder / "pipe"
    os.mkfifo(fifo)

    def check(written: bytes | None) -> None:
        assert stat.S_ISFIFO(os.lstat(fifo).st_mode)  # refused at once, never waited on

    return Setup(fifo, True, check)


def character_device(folder: Path) -> Setup:
    """A character device of our own: a null device node (as root) or a pseudo-terminal
    this test opened, read from its other side."""
    if can_make_devices():
        node = folder / "null"
        os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 3))

        def check_null(written: bytes | None) -> None:
            assert stat.S_ISCHR(os.lstat(node).st_mode)  # still the device, not JSON

        return Setup(node, False, check_null)
    master, slave = os.openpty()
    terminal = Path(os.ttyname(slave))
    link = folder / "terminal"
    link.symlink_to(terminal)
    drain = Drain(master)

    def check_terminal(written: bytes | None) -> None:
        drain.stop = True
        assert stat.S_ISCHR(os.stat(link).st_mode) and link.is_symlink()

    setup = Setup(link, False, check_terminal)
    setup.cleanups += [lambda: os.close(slave), lambda: os.close(master)]
    return setup


def block_device(folder: Path) -> Setup:
    """A block device node (made as root; never opened by anyone). Without root, the test
    shows the writer a regular file as one through a faked ``os.lstat``
    (:func:`fake_block_device`)."""
    node = folder / "disk"
    if can_make_devices():
        os.mknod(node, stat.S_IFBLK | 0o600, os.makedev(7, 250))
    else:
        node.write_bytes(OLD)

    def check(written: bytes | None) -> None:
        assert stat.S_ISBLK(os.lstat(node).st_mode) or node.read_bytes() == OLD

    return Setup(node, True, check)


def fake_block_device(monkeypatch: object, node: Path) -> None:
    """Make ``os.lstat`` call ``node`` a block device, for a run without root."""
    real_lstat = os.lstat

    def lstat(path: object, *args: object, **kwargs: object) -> os.stat_result:
        result = real_lstat(path, *args, **kwargs)  # type: ignore[arg-type]
        if os.fspath(path) == os.fspath(node):  # type: ignore[arg-type]
            return os.stat_result((stat.S_IFBLK | 0o600, *tuple(result)[1:]))
        return result

    monkeypatch.setattr(os, "lstat", lstat)  # type: ignore[attr-defined]


def unix_socket(folder: Path) -> Setup:
    path = folder / "sock"
    server = socket.socket(socket.AF_UNIX)
    server.bind(os.fspath(path))

    def check(written: bytes | None) -> None:
        assert stat.S_ISSOCK(os.lstat(path).st_mode)

    setup = Setup(path, True, check)
    setup.cleanups.append(server.close)
    return setup


def read_only_file(folder: Path) -> Setup:
    path = folder / "model.json"
    path.write_bytes(OLD)
    path.chmod(0o444)
    refused = not can_make_devices()  # root may write anything, as `cat > file` may

    def check(written: bytes | None) -> None:
        assert path.read_bytes() == (OLD if refused else written)
        assert stat.S_IMODE(os.lstat(path).st_mode) == 0o444

    return Setup(path, refused, check)


def file_with_permissions(folder: Path) -> Setup:
    path = folder / "model.json"
    path.write_bytes(OLD)
    path.chmod(0o640)

    def check(written: bytes | None) -> None:
        assert path.read_bytes() == written
        assert stat.S_IMODE(os.lstat(path).st_mode) == 0o640  # kept, not the umask's 0o644

    return Setup(path, False, check)


def stream_pipe(folder: Path) -> Setup:
    """A name through ``/proc/self/fd``, as ``/dev/stdout`` is, whose stream is a pipe."""
    read_end, write_end = os.pipe()
    link = folder / "stdout"
    link.symlink_to(f"/proc/self/fd/{write_end}")
    drain = Drain(read_end)

    def check(written: bytes | None) -> None:
        os.close(write_end)  # the save's own descriptor is closed; this is the last writer
        assert drain.result() == written
        assert link.is_symlink()

    setup = Setup(link, False, check)
    setup.cleanups += [lambda: os.close(read_end), lambda: os.close(write_end)]
    return setup


def stream_file(folder: Path) -> Setup:
    """``/dev/stdout``-style name of a stream redirected to a file (``> out``): the save is
    added to what the stream already holds, and the file is not replaced behind its back."""
    out = folder / "out.txt"
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.write(fd, b"before\n")
    inode = os.fstat(fd).st_ino
    link = folder / "stdout"
    link.symlink_to(f"/proc/self/fd/{fd}")

    def check(written: bytes | None) -> None:
        assert out.read_bytes() == b"before\n" + (written or b"")
        assert os.stat(out).st_ino == inode

    setup = Setup(link, False, check)
    setup.cleanups.append(lambda: os.close(fd))
    return setup


TARGETS: dict[str, Callable[[Path], Setup]] = {
    "symlink to a file": symlink_to_file,
    "chain of symlinks": chain_of_symlinks,
    "dangling symlink": dangling_symlink,
    "symlink to a folder": symlink_to_folder,
    "folder in place": folder_in_place,
    "FIFO with a reader": fifo_with_reader,
    "FIFO without a reader": fifo_without_reader,
    "character device": character_device,
    "block device": block_device,
    "unix socket": unix_socket,
    "read-only file": read_only_file,
    "file with mode 0640": file_with_permissions,
    "stream to a pipe (/dev/stdout)": stream_pipe,
    "stream to a file (/dev/stdout > out)": stream_file,
}


@contextlib.contextmanager
def target(name: str, folder: Path) -> Iterator[Setup]:
    setup = TARGETS[name](folder)
    try:
        yield setup
    finally:
        setup.close()
