"""The hostile catalogue for files: every writer of the package pointed at things that are
not a plain file name (links, FIFOs, devices, sockets, folders, streams, read-only files),
loads of things that are not model files, saves killed with ``kill -9``, saves that race
each other, and a disk that fills up (``RLIMIT_FSIZE``). Everything lives in a temporary
folder; the real ``/dev`` is never written to.

The promise under test (``docs/explanation/rules-files.md``): a save never destroys what it
does not own, and a load never reads without bound."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import textwrap
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from tinygrad_edu import MLP, SGD, Adam, CheckpointError, Value, stepper, train
from tinygrad_edu.files.atomic import write_atomically
from tinygrad_edu.files.reading import MAX_FILE_BYTES
from tinygrad_edu.training.run_file import read_training

from tests.robustness.hostile_targets import (
    TARGETS,
    Drain,
    can_make_devices,
    fake_block_device,
    target,
)

X = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
Y = [0.0, 1.0, 1.0, 0.0]
PAYLOAD = b"x" * 200_000  # more than a pipe's buffer holds


def tiny_model(seed: int = 0) -> MLP:
    return MLP(2, [3, 1], seed=seed)


def save_model(path: Path) -> None:
    tiny_model().save(path)


def save_checkpoint(path: Path) -> None:
    model = tiny_model()
    train(model, X, Y, epochs=1, print_every=0, checkpoint_every=1, checkpoint_path=path)


def save_page(path: Path) -> None:
    x, w = Value(0.5, label="x"), Value(-1.5, label="w")
    stepper((x * w).tanh()).save(path)


def save_bytes(path: Path) -> None:
    write_atomically(path, PAYLOAD)


WRITERS: dict[str, Callable[[Path], None]] = {
    "MLP.save": save_model,
    "train checkpoint": save_checkpoint,
    "Stepper.save": save_page,
    "write_atomically": save_bytes,
}


def plain_bytes(write: Callable[[Path], None], folder: Path) -> bytes:
    """What ``write`` puts in a plain new file."""
    folder.mkdir()
    write(folder / "plain")
    return (folder / "plain").read_bytes()


def litter(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*.tmp"))


@pytest.mark.parametrize("where", sorted(TARGETS))
@pytest.mark.parametrize("writer", sorted(WRITERS))
def test_a_save_never_destroys_what_it_does_not_own(tmp_path, monkeypatch, writer, where):
    write = WRITERS[writer]
    expected = plain_bytes(write, tmp_path / "expected")
    folder = tmp_path / "hostile"
    folder.mkdir()
    with target(where, folder) as setup:
        if where == "block device" and not can_make_devices():
            fake_block_device(monkeypatch, setup.path)
        if setup.refused:
            with pytest.raises(OSError) as raised:
                write(setup.path)
            assert f"'{setup.path}'" in str(raised.value)  # the name the user gave
            monkeypatch.undo()
            setup.check(None)
        else:
            write(setup.path)
            setup.check(expected)
    assert litter(folder) == []


# ----- loading: only a regular file, only so much ------------------------------------------


def read_a_run(path: Path) -> object:
    model = tiny_model()
    return read_training(path, model, SGD(model.parameters(), 0.1))


LOADERS: dict[str, Callable[[Path], object]] = {
    "MLP.load": MLP.load,
    "read_training": read_a_run,
}


def fifo_without_writer(folder: Path) -> Path:
    os.mkfifo(folder / "pipe")
    return folder / "pipe"


def fifo_with_endless_writer(folder: Path) -> Path:
    path = fifo_without_writer(folder)
    fd = os.open(path, os.O_RDWR)  # a writer that never stops (and never blocks on open)

    def pour() -> None:
        try:
            while True:
                os.write(fd, b"0" * 65536)
        except OSError:
            return

    threading.Thread(target=pour, daemon=True).start()
    return path


def zero_device(folder: Path) -> Path:
    if can_make_devices():
        os.mknod(folder / "zero", stat.S_IFCHR | 0o666, os.makedev(1, 5))
        return folder / "zero"
    master, slave = os.openpty()  # a terminal of our own: reading it would wait forever
    Drain(master)
    (folder / "terminal").symlink_to(os.ttyname(slave))
    return folder / "terminal"


def sparse_giant(folder: Path) -> Path:
    path = folder / "giant.json"
    with open(path, "wb") as stream:
        stream.write(b'{"format": "tinygrad_edu checkpoint", "junk": "')
        stream.truncate(MAX_FILE_BYTES + 1)  # a hole: no disk used, nothing worth reading
    return path


def unix_socket_file(folder: Path) -> Path:
    import socket

    server = socket.socket(socket.AF_UNIX)
    server.bind(os.fspath(folder / "sock"))
    return folder / "sock"


UNREADABLE: dict[str, tuple[Callable[[Path], Path], type[Exception], str]] = {
    "FIFO without a writer": (fifo_without_writer, OSError, "FIFO"),
    "FIFO with an endless writer": (fifo_with_endless_writer, OSError, "FIFO"),
    "zero or terminal device": (zero_device, OSError, "character device"),
    "sparse file past the bound": (
        sparse_giant,
        CheckpointError,
        "64 MB, the most this package writes",
    ),
    "unix socket": (unix_socket_file, OSError, "cannot read"),
    "folder": (lambda folder: folder, IsADirectoryError, "folder"),
}


@pytest.mark.parametrize("what", sorted(UNREADABLE))
@pytest.mark.parametrize("loader", sorted(LOADERS))
def test_a_load_refuses_what_is_not_a_file_before_reading_it(tmp_path, loader, what):
    make, error, words = UNREADABLE[what]
    path = make(tmp_path)
    with pytest.raises(error, match=words):
        LOADERS[loader](path)


def test_a_load_follows_a_symlink_to_a_model(tmp_path):
    tiny_model(seed=4).save(tmp_path / "real.json")
    (tmp_path / "link.json").symlink_to("real.json")
    loaded = MLP.load(tmp_path / "link.json")
    assert [p.data for p in loaded.parameters()] == [p.data for p in tiny_model(4).parameters()]


def test_a_model_too_large_to_load_is_refused_when_saved(tmp_path, monkeypatch):
    from tinygrad_edu.files import json_file

    monkeypatch.setattr(json_file, "MAX_FILE_BYTES", 100)
    with pytest.raises(ValueError, match="more than .*could not be loaded again"):
        tiny_model().save(tmp_path / "m.json")
    assert list(tmp_path.iterdir()) == []


# ----- tampered state ----------------------------------------------------------------------


def adam_checkpoint(folder: Path) -> tuple[Path, dict]:
    model = tiny_model()
    path = folder / "run.json"
    train(
        model, X, Y, epochs=2, print_every=0, optimizer=Adam(model.parameters(), lr=0.01),
        checkpoint_every=1, checkpoint_path=path,
    )  # fmt: skip
    return path, json.loads(path.read_text())


def set_at(document: dict, keys: tuple, text: str) -> str:
    """The document as JSON with the value at ``keys`` replaced by the raw JSON ``text``."""
    inner = document
    for key in keys[:-1]:
        inner = inner[key]
    inner[keys[-1]] = "PLACEHOLDER"
    return json.dumps(document).replace('"PLACEHOLDER"', text)


TAMPERED = {
    "Adam's v below 0": (("optimizer", "v", 2), "-1e-3", r"optimizer\.v\[2\]'.*at least 0"),
    "Adam's step count 10**400": (("optimizer", "t"), "1" + "0" * 400, r"optimizer\.t'"),
    "Adam's step count negative": (("optimizer", "t"), "-1", r"optimizer\.t'"),
    "NaN in Adam's m": (("optimizer", "m", 0), '"nan"', r"optimizer\.m\[0\]'.*finite"),
    "inf in Adam's v": (("optimizer", "v", 1), '"inf"', r"optimizer\.v\[1\]'.*finite"),
    "inf in a weight": (("model", "layers", 0, "weights", 1, 2), '"-inf"', r"weights\[1\]\[2\]'"),
    "NaN in a bias": (("model", "layers", 1, "biases", 0), '"nan"', r"biases\[0\]'.*finite"),
    "an accuracy of 2": (("history", "accuracy", 0), "2.0", r"history\.accuracy\[0\]'"),
    "a loss of NaN": (("history", "loss", 1), '"nan"', r"history\.loss\[1\]'"),
    "a NaN gauss_next": (("rng_state", "gauss_next"), '"nan"', r"rng_state\.gauss_next'"),
    "an epoch of 10**400": (("epoch",), "1" + "0" * 400, r"'history\.loss'|'epoch'"),
}


@pytest.mark.parametrize("case", sorted(TAMPERED))
def test_tampered_state_is_refused_naming_the_file_and_the_field(tmp_path, case):
    keys, text, field = TAMPERED[case]
    path, document = adam_checkpoint(tmp_path)
    path.write_text(set_at(document, keys, text))
    model = tiny_model()
    optimizer = Adam(model.parameters(), lr=0.01)
    before = [p.data for p in model.parameters()], optimizer.state()
    with pytest.raises(CheckpointError, match=field) as raised:
        train(model, X, Y, epochs=3, print_every=0, optimizer=optimizer,
              checkpoint_every=1, checkpoint_path=path, resume_from=path)  # fmt: skip
    assert str(path) in str(raised.value)
    assert ([p.data for p in model.parameters()], optimizer.state()) == before


# ----- killed, racing and starved saves ----------------------------------------------------


def child(script: str, *args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(script), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,
    )


def test_a_save_killed_with_sigkill_keeps_the_old_file_and_the_next_save_cleans_up(tmp_path):
    path = tmp_path / "model.json"
    tiny_model(seed=1).save(path)
    old = path.read_bytes()
    process = child(
        """
        import os, sys, time
        from tinygrad_edu import MLP
        def stall(fd):
            print("inside the save", flush=True)
            time.sleep(600)
        os.fsync = stall
        MLP(2, [3, 1], seed=2).save(sys.argv[1])
        """,
        str(path),
    )
    assert process.stdout.readline() == "inside the save\n"
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=60)
    assert path.read_bytes() == old
    assert len(litter(tmp_path)) == 1  # what kill -9 leaves: a whole temporary file
    tiny_model(seed=3).save(path)
    assert litter(tmp_path) == []
    assert MLP.load(path).parameters()[0].data == tiny_model(seed=3).parameters()[0].data


def test_saves_killed_at_random_moments_always_leave_a_whole_file(tmp_path):
    path = tmp_path / "model.json"
    tiny_model(seed=1).save(path)
    for delay in (0.05, 0.2, 0.35, 0.5):
        process = child(
            """
            import sys
            from tinygrad_edu import MLP
            models = [MLP(2, [40, 40, 1], seed=s) for s in range(3)]
            print("ready", flush=True)
            while True:
                for m in models:
                    m.save(sys.argv[1])
            """,
            str(path),
        )
        assert process.stdout.readline() == "ready\n"
        threading.Event().wait(delay)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
        MLP.load(path)  # a whole file: the old one or one of the new ones
    tiny_model().save(path)
    assert litter(tmp_path) == []


def test_concurrent_saves_each_write_a_whole_file_and_leave_no_litter(tmp_path):
    path = tmp_path / "model.json"
    tiny_model().save(path)
    script = """
        import sys
        from tinygrad_edu import MLP
        model = MLP(2, [30, 30, 1], seed=int(sys.argv[2]))
        for _ in range(15):
            model.save(sys.argv[1])
        """
    processes = [child(script, str(path), str(seed)) for seed in range(4)]
    loads = 0
    while any(p.poll() is None for p in processes):
        MLP.load(path)  # every moment: one whole file
        loads += 1
    for process in processes:
        _, err = process.communicate(timeout=60)
        assert process.returncode == 0, err
    assert loads > 0
    assert MLP.load(path).sizes in ([2, 30, 30, 1], [2, 3, 1])
    assert litter(tmp_path) == []


def limited_save(path: Path, limit: int, killed: bool) -> subprocess.CompletedProcess:
    """Save a model too large for ``limit`` bytes a file; with ``killed`` the process gets
    SIGXFSZ's default action (death), else the write fails with EFBIG (Python's default)."""
    script = f"""
        import resource, signal, sys
        from tinygrad_edu import MLP
        model = MLP(2, [60, 60, 1], seed=5)
        if {killed}:
            signal.signal(signal.SIGXFSZ, signal.SIG_DFL)
        resource.setrlimit(resource.RLIMIT_FSIZE, ({limit}, {limit}))
        try:
            model.save(sys.argv[1])
        except OSError as error:
            print(error)
            sys.exit(3)
        """
    process = child(script, str(path))
    out, err = process.communicate(timeout=120)
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


def test_a_full_disk_fails_the_save_naming_the_file_and_keeps_the_old_one(tmp_path):
    path = tmp_path / "model.json"
    tiny_model().save(path)
    old = path.read_bytes()
    result = limited_save(path, 20_000, killed=False)
    assert result.returncode == 3, result.stderr
    assert f"cannot write '{path}'" in result.stdout and "File too large" in result.stdout
    assert path.read_bytes() == old
    assert litter(tmp_path) == []


def test_a_save_killed_by_the_file_size_limit_keeps_the_old_file(tmp_path):
    path = tmp_path / "model.json"
    tiny_model().save(path)
    old = path.read_bytes()
    result = limited_save(path, 20_000, killed=True)
    assert result.returncode == -signal.SIGXFSZ
    assert path.read_bytes() == old
    tiny_model(seed=8).save(path)  # the next save removes what the killed one left
    assert litter(tmp_path) == []


def test_a_save_in_progress_is_not_taken_for_a_stale_one(tmp_path):
    """Another save's clean-up must leave a temporary file alone while its save holds it."""
    path = tmp_path / "model.json"
    process = child(
        """
        import os, sys, time
        from tinygrad_edu import MLP
        real_fsync = os.fsync
        def slow(fd):
            os.fsync = real_fsync  # only the file's own fsync waits
            print("writing", flush=True)
            sys.stdin.readline()
            real_fsync(fd)
        os.fsync = slow
        MLP(2, [3, 1], seed=2).save(sys.argv[1])
        print("saved", flush=True)
        """,
        str(path),
        stdin=subprocess.PIPE,
    )
    assert process.stdout.readline() == "writing\n"
    tiny_model(seed=1).save(path)  # runs its clean-up while the other save is under way
    assert len(litter(tmp_path)) == 1
    process.stdin.write("go\n")
    process.stdin.flush()
    assert process.stdout.readline() == "saved\n"
    process.wait(timeout=60)
    assert MLP.load(path).parameters()[0].data == tiny_model(seed=2).parameters()[0].data
    assert litter(tmp_path) == []
