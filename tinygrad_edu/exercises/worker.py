"""The child process of :mod:`.isolation`: loads a learner's file and measures what the
parent asks, one request at a time (``python -m tinygrad_edu.exercises.worker REQUESTS
RESULTS MEMORY OUTPUT``).

Requests and answers are JSON lines on two pipes of their own, so the learner's ``print``
and ``input`` (its stdout and stderr go to a file, its stdin is empty) cannot mix with them,
and nothing the parent reads is unpickled. Before each call into the learner's code a
``{"stage": …}`` line says what runs, so that a parent that stops the child can say where.
The limits are set here, before the learner's file is read: the address space (memory) and
the size of the output file (a flood of prints fails instead of filling the disk).
"""

from __future__ import annotations

import fcntl
import json
import os
import resource
import signal
import sys
from pathlib import Path
from typing import IO, Any

from tinygrad_edu.exercises import discovery, measure
from tinygrad_edu.exercises.loading import LoadError, load_class
from tinygrad_edu.exercises.probes import PROBES
from tinygrad_edu.exercises.protocols import Protocol, ProtocolError, detect


class Session:
    """The learner's class once loaded, and the pipe the answers go to."""

    def __init__(self, results: IO[str], output_limit: int) -> None:
        self.results = results
        self.output_limit = output_limit
        self.value_class: type | None = None
        self.protocol: Protocol | None = None
        self.current = ""  # the stage running now

    def send(self, message: dict[str, Any]) -> None:
        """Send ``message``; first, if the output reached its limit, in which stage."""
        if self.output_limit and os.fstat(1).st_size >= self.output_limit:
            message = {"flooded": self.current}
        self.results.write(json.dumps(message) + "\n")
        self.results.flush()

    def stage(self, text: str) -> None:
        self.send({"stage": text})
        self.current = text

    def answer(self, request: dict[str, Any]) -> Any:
        if "load" in request:
            return self.load(Path(request["load"]), request["class"])
        cls, protocol = self.value_class, self.protocol
        assert cls is not None and protocol is not None, "load before measuring"
        if "probe" in request:
            return measure.measure_probe(PROBES[request["probe"]], cls, protocol, self.stage)
        if "graph" in request:
            return measure.measure_graph(request["graph"], cls, protocol, self.stage)
        if "notes" in request:
            return measure.measure_notes(cls, self.stage)
        name, arity, number = request["unknown"], request["arity"], request["number"]
        return discovery.measure_unknown(name, arity, number, cls, protocol, self.stage)

    def load(self, path: Path, name: str) -> dict[str, Any]:
        self.stage(f"loading {path}")
        try:
            cls = load_class(path, name)
            self.stage(f"making nodes with {name}")
            protocol = detect(cls)
        except LoadError as error:
            return {"could_not_load": str(error)}
        except ProtocolError as error:
            return {"could_not_load": f"{path}:{name}: {error}"}
        self.value_class, self.protocol = cls, protocol
        self.stage(f"finding the ops of {name}")
        return {
            "engine": cls.__name__,
            "protocol": protocol.name,
            "discovered": discovery.discover(cls, protocol),
        }


def limit(memory: int, output: int) -> None:
    """The child's own limits (0: none), and its output appended to the file the parent
    reads and empties between requests."""
    if memory:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    if output:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails instead
        resource.setrlimit(resource.RLIMIT_FSIZE, (output, output))
    for fd in (1, 2):
        fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) | os.O_APPEND)


def main(argv: list[str]) -> None:
    requests_fd, results_fd, memory, output = (int(x) for x in argv)
    limit(memory, output)
    session = Session(os.fdopen(results_fd, "w", encoding="utf-8"), output)
    with os.fdopen(requests_fd, encoding="utf-8") as requests:
        for line in requests:
            session.send({"result": session.answer(json.loads(line))})


if __name__ == "__main__":
    main(sys.argv[1:])
