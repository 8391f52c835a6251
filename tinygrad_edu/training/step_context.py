"""What ``train()`` wraps around each step: the step's learning rate, and its place in the run
for the message when the step fails.

A learning-rate schedule η(epoch) sets the optimiser's ``lr`` for the steps of each epoch
only; outside a step the optimiser keeps its own ``lr``, so a checkpoint saves that one and a
resumed run, computing η(epoch) again, continues bit for bit.

No op makes a node holding inf or NaN (see ``Value``): a run that diverges stops at the op
that overflows. Raised in the middle of training, that error alone does not say when, or
why; :meth:`StepContext.step` adds the epoch and the batch, and, once the parameters have
been updated, that the learning rate is the likely cause.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from tinygrad_edu import checks
from tinygrad_edu.core import Value
from tinygrad_edu.nn import Optimizer

Schedule = Callable[[int], float]
MAX_SHOWN = 10  # a batch of at most this many examples is named index by index


def scheduled_rates(schedule: object, first: int, last: int) -> dict[int, float]:
    """η(epoch) for the epochs ``first`` to ``last``, each checked now, before any step (a
    schedule is a function of the epoch alone, so calling it early changes nothing)."""
    if not callable(schedule):
        raise TypeError(
            "lr_schedule must be a function of the epoch (1, 2, …) giving its learning "
            f"rate, e.g. lambda epoch: 0.1 * 0.9 ** epoch; got {schedule!r}"
        )
    return {
        epoch: checks.positive_number(f"lr_schedule({epoch})", schedule(epoch))
        for epoch in range(first, last + 1)
    }


class StepContext:
    """The steps of one run: ``with context.step(epoch, begin, batch): ...`` around each,
    ``batch`` being the indices of its examples, which start at position ``begin`` of the
    epoch's order."""

    def __init__(
        self,
        optimizer: Optimizer,
        parameters: Sequence[Value],
        batch_size: int,
        examples: int,
        rates: dict[int, float] | None,
        updated: bool,
    ) -> None:
        self.optimizer = optimizer
        self.parameters = parameters
        self.batch_size = batch_size
        self.examples = examples
        self.rates = rates
        self.updated = updated  # whether any step has changed the parameters yet

    @contextmanager
    def step(self, epoch: int, begin: int, batch: Sequence[int]) -> Iterator[None]:
        """Run one step at the scheduled learning rate; reword an arithmetic failure."""
        own_lr = self.optimizer.lr
        if self.rates is not None:
            self.optimizer.lr = self.rates[epoch]
        try:
            yield
        except (ArithmeticError, ValueError) as error:
            raise _renamed(error, self._where(epoch, begin, batch, error)).with_traceback(
                error.__traceback__
            ) from None
        finally:
            self.optimizer.lr = own_lr
        self.updated = True

    def _where(self, epoch: int, begin: int, batch: Sequence[int], error: BaseException) -> str:
        batches = math.ceil(self.examples / self.batch_size)
        where = f"epoch {epoch}, batch {begin // self.batch_size + 1} of {batches}"
        if len(batch) <= MAX_SHOWN:
            where += f" ({'example' if len(batch) == 1 else 'examples'} "
            where += ", ".join(map(str, batch)) + ")"
        message = f"{where}: {error}"
        if not self.updated:
            return message  # nothing was updated yet: the data or the model, not the rate
        lr = self.rates[epoch] if self.rates is not None else self.optimizer.lr
        largest = max((abs(p.data) for p in self.parameters), default=0.0)
        return (
            f"{message}. The parameters have been updated to values up to {largest:.3g}: "
            f"the learning rate (lr={lr:g}) is likely too large, so each step overshoots and "
            "the run diverges; try a smaller one"
        )


def _renamed(error: BaseException, message: str) -> BaseException:
    """``error`` with ``message``, of the same class where the class allows it (an
    ``OverflowError`` stays one), else a plain ArithmeticError or ValueError."""
    try:
        renamed = type(error)(message)
    except Exception:
        renamed = None
    if renamed is None or str(renamed) != message:
        renamed = ValueError(message) if isinstance(error, ValueError) else ArithmeticError(message)
    return renamed
