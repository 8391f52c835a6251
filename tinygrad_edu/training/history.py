"""What a training run records: one entry per epoch, and what a callback receives."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from tinygrad_edu.nn import MLP


class History:
    """Per-epoch records of a training run (an accuracy is ``None`` for regression; the
    validation lists stay empty without a validation set)."""

    FIELDS: ClassVar[tuple[str, ...]] = ("loss", "accuracy", "val_loss", "val_accuracy")

    def __init__(
        self,
        loss: Sequence[float] = (),
        accuracy: Sequence[float | None] = (),
        val_loss: Sequence[float] = (),
        val_accuracy: Sequence[float | None] = (),
    ) -> None:
        self.loss: list[float] = list(loss)
        self.accuracy: list[float | None] = list(accuracy)
        self.val_loss: list[float] = list(val_loss)
        self.val_accuracy: list[float | None] = list(val_accuracy)

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        return cls.FIELDS

    @staticmethod
    def is_validation(name: str) -> bool:
        """Whether the field is kept only with a validation set (and may then be empty)."""
        return name.startswith("val_")

    @staticmethod
    def may_be_none(name: str) -> bool:
        """Whether an entry may be ``None`` (an accuracy without a metric)."""
        return name.endswith("accuracy")

    @property
    def epochs(self) -> int:
        return len(self.loss)

    def as_lists(self) -> dict[str, list[float | None]]:
        """Every field as a new list, by name (what a checkpoint saves)."""
        return {name: list(getattr(self, name)) for name in self.FIELDS}

    @classmethod
    def from_lists(cls, lists: Mapping[str, Sequence[float | None]]) -> History:
        history = cls()
        for name in cls.FIELDS:
            setattr(history, name, list(lists.get(name, ())))
        return history

    def __eq__(self, other: object) -> bool:
        return isinstance(other, History) and self.as_lists() == other.as_lists()

    __hash__ = None  # type: ignore[assignment]  # mutable, compared by value

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.FIELDS)
        return f"History({fields})"


class EpochEnd:
    """What a callback receives after each epoch (``epoch`` counts from 1)."""

    __slots__ = ("epoch", "epochs", "loss", "accuracy", "model", "history")

    def __init__(
        self,
        epoch: int,
        epochs: int,
        loss: float,
        accuracy: float | None,
        model: MLP,
        history: History,
    ) -> None:
        self.epoch, self.epochs, self.loss, self.accuracy = epoch, epochs, loss, accuracy
        self.model, self.history = model, history

    def __repr__(self) -> str:
        return f"EpochEnd(epoch={self.epoch}/{self.epochs}, loss={self.loss!r})"


class Progress:
    """What a ``progress`` function of :func:`train` receives after each step inside an
    epoch: ``done`` of ``examples`` seen so far this epoch, and their mean loss."""

    __slots__ = ("epoch", "epochs", "done", "examples", "loss")

    def __init__(self, epoch: int, epochs: int, done: int, examples: int, loss: float) -> None:
        self.epoch, self.epochs, self.done, self.examples, self.loss = (
            epoch,
            epochs,
            done,
            examples,
            loss,
        )

    def __repr__(self) -> str:
        return f"Progress(epoch={self.epoch}/{self.epochs}, {self.done}/{self.examples})"
