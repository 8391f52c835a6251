"""The JSON files of the package, shared by model files and training checkpoints.

Numbers are written with ``repr``, the shortest decimal that reads back as the same float, so
every parameter round-trips bit for bit. Standard JSON has no NaN or infinity; those are the
strings ``"nan"``, ``"-nan"``, ``"inf"`` and ``"-inf"``. (A NaN keeps its sign bit; the
other bits of a NaN's payload, which Python's arithmetic never sets, are not kept.)

Safety: files are read with ``json`` only (no pickle: nothing in a file is ever executed);
every field is checked before anything is built or changed, so a bad file raises
:class:`CheckpointError` (a ``ValueError`` naming the file and the field) and leaves what
you had as it was; and files are replaced atomically (see :mod:`.atomic`), so a crash in
the middle of a save leaves the previous file intact.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from typing import Any, NoReturn

from tinygrad_edu.files.atomic import PathLike, checked_path, write_atomically

FORMAT = "tinygrad_edu checkpoint"
VERSION = 1
# The values standard JSON cannot write. The sign of a NaN is kept too: x86 makes inf − inf a
# NaN with the sign bit set, and "bit for bit" includes that bit.
SPECIAL = {
    "nan": math.nan,
    "-nan": math.copysign(math.nan, -1.0),
    "inf": math.inf,
    "-inf": -math.inf,
}


class CheckpointError(ValueError):
    """A file that is not a usable checkpoint; the message names the file and the field."""


def encode(x: float | None) -> float | str | None:
    """A float as JSON: itself when finite, else "nan", "-nan", "inf" or "-inf"."""
    if x is None or math.isfinite(x):
        return x
    sign = "-" if math.copysign(1.0, x) < 0 else ""
    return sign + ("nan" if math.isnan(x) else "inf")


def write_json(path: PathLike, document: dict[str, Any]) -> None:
    """Write ``document`` atomically, one line per innermost list of numbers, so that a
    weight matrix reads as a matrix."""
    text = json.dumps(document, indent=1, allow_nan=False)
    text = re.sub(r"\[[^\[\]{}]*\]", lambda m: re.sub(r"\s*\n\s*", " ", m.group()), text)
    write_atomically(path, text + "\n")


class _CorruptFileError(Exception):
    """Raised by the JSON hooks below; reported as a CheckpointError naming the file."""


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _CorruptFileError(f"the key {key!r} appears twice in one object")
            seen.add(key)
    return result


def _no_constants(name: str) -> None:
    raise _CorruptFileError(f'{name} is not standard JSON (this format writes "nan", "inf")')


def _finite_float(text: str) -> float:
    """A JSON number; one beyond the float range (``1e999``) is refused as ``Infinity`` is,
    rather than read as inf: this format writes infinity as the string "inf"."""
    number = float(text)
    if not math.isfinite(number):
        raise _CorruptFileError(
            f'the number {text[:30]} is beyond the float range (this format writes "inf")'
        )
    return number


class Reader:
    """Reads one checkpoint file; every check raises CheckpointError naming file and field."""

    def __init__(self, path: PathLike) -> None:
        self.name = checked_path(path)
        with open(self.name, "rb") as stream:  # OSError (missing, unreadable) passes through
            self.raw = stream.read()

    def fail(self, field: str, problem: str) -> NoReturn:
        where = f"field '{field}'" if field else "the top level"
        raise CheckpointError(f"{self.name}: {where}: {problem}")

    def document(self) -> dict[str, Any]:
        try:
            text = self.raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise CheckpointError(
                f"{self.name}: not a checkpoint: byte {error.start} is not UTF-8 text"
            ) from None
        try:
            document = json.loads(
                text,
                object_pairs_hook=_unique_keys,
                parse_constant=_no_constants,
                parse_float=_finite_float,
            )
        except json.JSONDecodeError as error:
            problem = error.msg.removesuffix(" at")  # "Unterminated string starting at"
            raise CheckpointError(
                f"{self.name}: not complete JSON (truncated or corrupted?): {problem} at "
                f"line {error.lineno} column {error.colno}"
            ) from None
        except _CorruptFileError as error:
            raise CheckpointError(f"{self.name}: corrupted: {error}") from None
        except RecursionError:
            raise CheckpointError(f"{self.name}: corrupted: nested too deeply") from None
        except ValueError as error:  # e.g. an integer of more than 4300 digits
            raise CheckpointError(f"{self.name}: corrupted: {error}") from None
        self.mapping(document, "")
        for key in ("format", "version", "kind"):
            if key not in document:
                self.fail(key, "missing: this is not a tinygrad_edu checkpoint")
        if document["format"] != FORMAT:
            self.fail("format", f"expected {FORMAT!r}, got {kind(document['format'])}")
        version = document["version"]
        if type(version) is not int or version != VERSION:
            self.fail(
                "version",
                f"this file has format version {kind(version)}, but this "
                f"tinygrad_edu reads version {VERSION}",
            )
        self.choice(document["kind"], "kind", ("model", "training"))
        checked: dict[str, Any] = document
        return checked

    def model_document(self, document: dict[str, Any]) -> tuple[object, str]:
        """The part of the file that describes the model, and its field name."""
        if document["kind"] == "model":
            return document, ""
        if "model" not in document:
            self.fail("model", "missing")
        return document["model"], "model"

    @staticmethod
    def join(prefix: str, key: str) -> str:
        return f"{prefix}.{key}" if prefix else key

    def mapping(self, value: object, field: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.fail(field, f"expected a JSON object, got {kind(value)}")
        return value

    def keys(self, mapping: dict[str, Any], field: str, expected: set[str]) -> None:
        missing = sorted(expected - mapping.keys())
        if missing:
            self.fail(self.join(field, missing[0]), "missing")
        extra = sorted(mapping.keys() - expected)
        if extra:
            self.fail(self.join(field, extra[0]), "not a field of this format version")

    def sequence(self, value: object, field: str, length: int | None = None) -> list[Any]:
        if not isinstance(value, list):
            self.fail(field, f"expected a list, got {kind(value)}")
        if length is not None and len(value) != length:
            self.fail(field, f"expected {length} entries, got {len(value)}")
        return value

    def number(self, value: object, field: str) -> float:
        if isinstance(value, float):
            return value
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) <= 2**53:
            return float(value)
        if isinstance(value, str) and value in SPECIAL:
            return SPECIAL[value]
        self.fail(field, f"expected a number, got {kind(value)}")

    def numbers(self, value: object, field: str, length: int) -> list[float]:
        values = self.sequence(value, field, length)
        return [self.number(v, f"{field}[{k}]") for k, v in enumerate(values)]

    def integer(
        self, value: object, field: str, low: int | None = None, high: int | None = None
    ) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(field, f"expected a whole number, got {kind(value)}")
        if (low is not None and value < low) or (high is not None and value > high):
            bounds = f"at least {low}" if high is None else f"between {low} and {high}"
            self.fail(field, f"expected a whole number {bounds}, got {value}")
        return value

    def choice(self, value: object, field: str, choices: Sequence[str]) -> str:
        if value not in choices or not isinstance(value, str):
            self.fail(field, f"expected one of {', '.join(map(repr, choices))}, got {kind(value)}")
        return value


def kind(value: object) -> str:
    """What a JSON value is, and the start of it, for an error message, in JSON's words:
    ``null``, ``true``, ``a string 'relu'``, ``a number 3``."""
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    try:
        shown = repr(value)
    except ValueError:  # an int too long to print
        shown = "(too long to show)"
    if len(shown) > 60:
        shown = shown[:57] + "..."
    names = {
        dict: "an object",
        list: "a list",
        str: "a string",
        int: "a number",
        float: "a number",
    }
    return f"{names.get(type(value), type(value).__name__)} {shown}"
