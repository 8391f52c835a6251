"""The JSON files of the package, shared by model files and training checkpoints.

Numbers are written with ``repr``, the shortest decimal that reads back as the same float, so
every parameter round-trips bit for bit. Every number in a file is finite: no node may hold
inf or NaN, so a model with such a weight could not run, and an optimiser state with one
would wreck the next step. A save refuses them (naming the parameter), and a load refuses
them (naming the file and the field), as it refuses every number out of its field's range.

Safety: files are read with ``json`` only (no pickle: nothing in a file is ever executed),
only from a regular file and only up to the size of the largest file the package writes
(see :mod:`.reading`); every field is checked before anything is built or changed, so a bad
file raises :class:`CheckpointError` (a ``ValueError`` naming the file and the field) and
leaves what you had as it was; and files are replaced atomically (see :mod:`.atomic`), so a
crash in the middle of a save leaves the previous file intact.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from typing import Any, NoReturn

from tinygrad_edu.files.atomic import PathLike, checked_path, write_atomically
from tinygrad_edu.files.reading import (
    MAX_FILE_BYTES,
    FileTooLargeError,
    limit_in_words,
    read_bounded,
)

FORMAT = "tinygrad_edu checkpoint"
VERSION = 1
# How earlier versions wrote the floats standard JSON cannot hold: refused by name on load.
NOT_FINITE = ("nan", "-nan", "inf", "-inf")


class CheckpointError(ValueError):
    """A file that is not a usable checkpoint; the message names the file and the field."""


def write_json(path: PathLike, document: dict[str, Any]) -> None:
    """Write ``document`` atomically, one line per innermost list of numbers, so that a
    weight matrix reads as a matrix. A ValueError, before anything is written, if it holds
    a number that is not finite or would make a file larger than any load accepts."""
    name = checked_path(path)
    text = json.dumps(document, indent=1, allow_nan=False)
    text = re.sub(r"\[[^\[\]{}]*\]", lambda m: re.sub(r"\s*\n\s*", " ", m.group()), text)
    data = (text + "\n").encode("utf-8")
    if len(data) > MAX_FILE_BYTES:
        raise ValueError(
            f"cannot save {name!r}: the file would have {len(data):,} bytes, more than "
            f"{limit_in_words()}, so it could not be loaded again"
        )
    write_atomically(name, data)


def finite(value: float, what: str) -> float:
    """``value``, or a ValueError (raised before a save writes anything) naming ``what``."""
    if not math.isfinite(value):
        raise ValueError(
            f"cannot save: {what} is {value}; a file holds only finite numbers, as no node "
            "may hold inf or NaN (a parameter becomes one when a run diverges: try a smaller "
            "learning rate)"
        )
    return value


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
    raise _CorruptFileError(f"{name} is not standard JSON (a file holds only finite numbers)")


def _finite_float(text: str) -> float:
    """A JSON number; one beyond the float range (``1e999``) is refused as ``Infinity`` is,
    rather than read as inf: a file holds only finite numbers."""
    number = float(text)
    if not math.isfinite(number):
        raise _CorruptFileError(
            f"the number {text[:30]} is beyond the float range (a file holds only finite numbers)"
        )
    return number


class Reader:
    """Reads one checkpoint file; every check raises CheckpointError naming file and field."""

    def __init__(self, path: PathLike) -> None:
        self.name = checked_path(path)
        try:  # OSError (missing, unreadable, not a regular file) passes through
            self.raw = read_bounded(self.name)
        except FileTooLargeError as error:
            raise CheckpointError(str(error)) from None

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
            return value  # the parser refuses a number beyond the float range
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) <= 2**53:
            return float(value)
        if isinstance(value, str) and value in NOT_FINITE:
            self.fail(
                field,
                f"{value} is not allowed: a file holds only finite numbers, since no node "
                "may hold inf or NaN (the model could not run)",
            )
        self.fail(field, f"expected a number, got {kind(value)}")

    def number_in(
        self, value: object, field: str, low: float, high: float = math.inf, why: str = ""
    ) -> float:
        """A finite number with ``low ≤ value ≤ high``; ``why`` says where the range comes from."""
        number = self.number(value, field)
        if not low <= number <= high:
            bounds = f"at least {low}" if high == math.inf else f"between {low} and {high}"
            self.fail(field, f"expected a number {bounds}{why}, got {number!r}")
        return number

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
