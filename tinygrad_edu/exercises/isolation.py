"""``check_file``: ``check_engine`` on a learner's file, with the learner's code in a child
process (:mod:`.worker`) and every verdict made here.

The parent computes the right numbers with tinygrad_edu's own ops in a process where the
learner's code never ran, so a file that patches ``math.exp`` or tinygrad_edu's ops changes
only the child. Each request to the child has a time limit; the whole file has one too. A
child that runs past its limit is killed (with any process it started), one that crashes,
calls ``os._exit`` or floods its output is a verdict for the op it was measuring ("timed out
after 10 s in __mul__'s backward"), and a fresh child measures the remaining ops.
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from tinygrad_edu.exercises.check import assemble
from tinygrad_edu.exercises.measure import Data
from tinygrad_edu.exercises.probes import PROBES, OpProbe
from tinygrad_edu.exercises.protocols import LocalGradients, Micrograd, Protocol
from tinygrad_edu.exercises.report import EngineReport

PROTOCOLS: dict[str, Protocol] = {p.name: p for p in (Micrograd(), LocalGradients())}


@dataclass(frozen=True)
class Limits:
    """What a learner's file may take (a teacher can change each one).

    Attributes:
        timeout: seconds per op (each op's probes, or one whole-graph probe).
        run_timeout: seconds for the whole file, loading included.
        load_timeout: seconds to load the file (an import that trains a model stops here).
        memory_mb: the child's address space, in MiB (0: no limit).
        output_kb: what the learner's code may print, in KiB per op (0: no limit).
    """

    timeout: float = 10.0
    run_timeout: float = 120.0
    load_timeout: float = 20.0
    memory_mb: int = 1024
    output_kb: int = 1024

    def __post_init__(self) -> None:
        for name in ("timeout", "run_timeout", "load_timeout"):
            value = getattr(self, name)
            if not isinstance(value, int | float) or isinstance(value, bool) or value <= 0:
                raise ValueError(f"the limit {name} must be a number of seconds > 0, got {value!r}")
        for name in ("memory_mb", "output_kb"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ValueError(f"the limit {name} must be a whole number ≥ 0, got {value!r}")


class CouldNotCheckError(Exception):
    """The file cannot be checked at all: it is missing, fails to load, follows neither
    protocol, or loads too slowly. The message says why, naming the file."""


class StoppedError(Exception):
    """The child was stopped or died while measuring; the message says how and where."""


class Worker:
    """One child process at a time for one learner's file; a fresh one after a failure."""

    def __init__(self, path: Path, class_name: str, limits: Limits) -> None:
        self.path, self.class_name, self.limits = path, class_name, limits
        self.deadline = time.monotonic() + limits.run_timeout
        self.process: subprocess.Popen[bytes] | None = None
        self.requests: IO[str] | None = None
        self.results = -1
        self.buffer = b""
        self.output = tempfile.TemporaryFile()

    def start(self) -> Data:
        """Start a child and load the file in it: what it found (the engine's name, its
        protocol, the ops it has), or ``{"could_not_load": why}``."""
        requests_read, requests_write = os.pipe()
        results_read, results_write = os.pipe()
        memory, output = self.limits.memory_mb << 20, self.limits.output_kb << 10
        command = [sys.executable, "-m", "tinygrad_edu.exercises.worker"]
        self.process = subprocess.Popen(
            [*command, str(requests_read), str(results_write), str(memory), str(output)],
            stdin=subprocess.DEVNULL,
            stdout=self.output,
            stderr=self.output,
            pass_fds=(requests_read, results_write),
            start_new_session=True,  # its own process group: a timeout kills all it started
        )
        os.close(requests_read)
        os.close(results_write)
        self.requests = os.fdopen(requests_write, "w", encoding="utf-8")
        self.results, self.buffer = results_read, b""
        request = {"load": str(self.path), "class": self.class_name}  # same cwd: as given
        found: Data = self.ask(request, self.limits.load_timeout, f"loading {self.path}")
        return found

    def ask(self, request: dict[str, Any], seconds: float | None = None, stage: str = "") -> Any:
        """Send one request and wait for its answer.

        Raises:
            StoppedError: the child ran past the time limit, died, or flooded its output; it is
                gone, and the next request needs :meth:`start`.
        """
        if self.process is None or self.requests is None:
            raise StoppedError("the checker's child process is not running")
        seconds = self.limits.timeout if seconds is None else seconds
        deadline = min(time.monotonic() + seconds, self.deadline)
        try:
            self.requests.write(json.dumps(request) + "\n")
            self.requests.flush()
        except OSError:
            pass  # the child is gone: reading says how
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                self.stop()
                if deadline == self.deadline:
                    raise StoppedError(
                        f"the run's time limit of {self.limits.run_timeout:g} s ran out in {stage}"
                    )
                raise StoppedError(f"timed out after {seconds:g} s in {stage}")
            ready, _, _ = select.select([self.results], [], [], left)
            if not ready:
                continue
            chunk = os.read(self.results, 1 << 16)
            if not chunk:
                raise StoppedError(f"{self._death()} in {stage}")
            self.buffer += chunk
            while b"\n" in self.buffer:
                line, self.buffer = self.buffer.split(b"\n", 1)
                message = json.loads(line)
                if "flooded" in message:  # the child saw its output reach the limit
                    self.stop()
                    raise StoppedError(
                        f"printed more than the {self.limits.output_kb} KiB of output allowed "
                        f"in {message['flooded'] or stage}"
                    )
                if "stage" in message:
                    stage = message["stage"]
                    continue
                self.output.truncate(0)
                return message["result"]

    def _death(self) -> str:
        """How the child died (it closed its end of the pipe)."""
        assert self.process is not None
        try:
            code = self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.stop()
            return "the process closed its pipe to the checker"
        self.stop()
        if code < 0:
            name = signal.Signals(-code).name if -code in signal.valid_signals() else str(-code)
            return f"the process crashed (killed by signal {name})"
        return f"the process exited with status {code} (os._exit, or a crash)"

    def stop(self) -> None:
        """Kill the child and every process it started; the next request starts afresh."""
        if self.process is not None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            self.process.wait()
            self.process = None
            self.output.truncate(0)
        if self.requests is not None:
            try:
                self.requests.close()
            except OSError:
                pass
            self.requests = None
        if self.results >= 0:
            os.close(self.results)
            self.results = -1

    def close(self) -> None:
        self.stop()
        self.output.close()


class Isolated:
    """The :class:`~.check.Measurer` of :func:`check_file`: each measurement a request to
    the child; a stopped one is ``{"stopped": why}``, and a fresh child takes the next."""

    def __init__(self, worker: Worker, found: Data) -> None:
        self.worker = worker
        self.engine: str = found["engine"]
        self.protocol = PROTOCOLS[found["protocol"]]
        self.discovered: list[Data] = found["discovered"]

    def _ask(self, request: dict[str, Any], stage: str) -> Any:
        if self.worker.process is None:
            try:
                found = self.worker.start()
            except StoppedError as stopped:
                return {"stopped": f"not run: a fresh process to run it in {stopped}"}
            if "could_not_load" in found:
                return {"stopped": f"not run: {found['could_not_load']}"}
        try:
            return self.worker.ask(request, stage=stage)
        except StoppedError as stopped:
            return {"stopped": str(stopped)}

    def probe(self, probe: OpProbe) -> Data:
        answer: Data = self._ask({"probe": PROBES.index(probe)}, probe.method)
        return answer

    def graph(self, index: int) -> Data:
        answer: Data = self._ask({"graph": index}, "backward()")
        return answer

    def notes(self) -> Data:
        answer: Data = self._ask({"notes": True}, "backward()")
        return answer

    def unknown(self, name: str, arity: int, number: bool) -> list[Data] | Data:
        request = {"unknown": name, "arity": arity, "number": number}
        answer: list[Data] | Data = self._ask(request, name)
        return answer


def check_file(
    path: str | os.PathLike[str], class_name: str = "Value", limits: Limits | None = None
) -> EngineReport:
    """``check_engine`` on the class ``class_name`` of a learner's file, the file's code
    running in a child process with ``limits`` (:class:`Limits`' defaults: 10 s per op,
    120 s in all, 1 GiB of memory, 1 MiB of output per op).

    Raises:
        CouldNotCheckError: the file is missing, fails to load (raises, exits, takes longer than
            ``limits.load_timeout``), has no such class, or follows neither protocol.
    """
    limits = limits or Limits()
    file = Path(path)
    if not file.is_file():
        raise CouldNotCheckError(f"{file} is not a file (give FILE.py or FILE.py:CLASS)")
    worker = Worker(file, class_name, limits)
    try:
        try:
            found = worker.start()
        except StoppedError as stopped:
            if str(stopped).startswith("timed out"):
                raise CouldNotCheckError(
                    f"{file} took longer than {limits.load_timeout:g} s to load: work done "
                    "when the file is imported (training a model, say) belongs under "
                    "if __name__ == '__main__':"
                ) from None
            raise CouldNotCheckError(f"{file}: {stopped}") from None
        if "could_not_load" in found:
            raise CouldNotCheckError(found["could_not_load"])
        return assemble(Isolated(worker, found))
    finally:
        worker.close()
