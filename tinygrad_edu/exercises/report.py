"""What ``check_engine`` found: the problems, each at its root cause, and the teaching text."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tinygrad_edu.lenses.drawing.figure import Drawing


@dataclass(frozen=True)
class Problem:
    """One wrong gradient rule, reported once, at its root cause.

    Attributes:
        op: the op's symbol as the class names it in ``_op`` (``"**2"`` for micrograd's
            ``x**2``), else its usual symbol (``"*"``, ``"tanh"``); ``None`` for a mistake of
            ``backward()`` itself (the order, the seed).
        operand: which operand's gradient is wrong, 0 or 1 as written (in ``2 - a``, ``a`` is
            operand 1); ``None`` when it is not one operand's (swapped derivatives, the order).
        kind: one of :data:`tinygrad_edu.exercises.diagnosis.KINDS`.
        expected: the right number, ``got`` yours: for one edge the local derivative and
            what yours multiplies the upstream gradient by (for an overwrite, the operand's
            gradient after the step; for a missing upstream factor, what the step adds to
            it); for a whole graph, the named node's gradient.
        message: the teacher's sentence.
        method: the method the mistake is in: ``"__sub__"``, ``"tanh"``, ``"backward"``.
        expression: the probe that showed it: ``"a - b"``, ``"out = a + a"``.
    """

    op: str | None
    operand: int | None
    kind: str
    expected: float | None
    got: float | None
    message: str
    method: str
    expression: str

    def __str__(self) -> str:
        return self.message


OP_STATUSES = ("correct", "wrong", "timeout", "error", "not checked")


@dataclass(frozen=True)
class OpResult:
    """One op's verdict, for grading: all the probes of ``*`` (``a * b``, ``a * 2``,
    ``2 * a``) together, the whole-graph probes as ``"backward"``.

    Attributes:
        op: the op as the learner writes it: ``"*"``, ``"exp"``, ``"gelu"``, ``"backward"``.
        status: one of :data:`OP_STATUSES`.
        message: what the learner reads: the problems' sentences, or what was checked, or
            why it was not.
        kinds: the kinds of its problems (:data:`.diagnosis.KINDS`), for a class's summary.
    """

    op: str
    status: str
    message: str
    kinds: tuple[str, ...] = ()


@dataclass(frozen=True)
class EngineReport:
    """The result of ``check_engine(ValueClass)``.

    Attributes:
        engine: the class's name.
        protocol: ``"micrograd"`` or ``"local gradients"``.
        problems: what is wrong, each mistake once.
        checked: the probes that ran: op expressions (``"2 - a"``) and whole-graph probes.
        skipped: probe → why it did not run (the class has no such op, say).
        consequences: probes that also went wrong only because of a problem listed (``2 - a``
            when ``a - b`` is wrong): fix those first.
        notes: limits that are not wrong gradients (a second ``backward()`` over-counting,
            recursion on deep graphs).
        ops: each op's verdict (:class:`OpResult`), known ops first, then ``backward``, then
            the ops the checker does not know, checked by central differences.
    """

    engine: str
    protocol: str
    problems: tuple[Problem, ...]
    checked: tuple[str, ...]
    skipped: Mapping[str, str] = field(default_factory=dict)
    consequences: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    ops: tuple[OpResult, ...] = ()
    value_class: type | None = field(default=None, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        """No problem found (notes may remain)."""
        return not self.problems

    @property
    def status(self) -> str:
        """``"correct"`` or ``"mistakes"`` (a wrong rule, a time limit, an error)."""
        return "correct" if self.ok else "mistakes"

    def draw(self, problem: Problem | None = None) -> Drawing:
        """The learner's own graph of a wrong rule's probe (the first problem of one edge by
        default): the path to the wrong operand in red, and on its edge the local derivative
        the rule should give and the one it gives. Shows inline in Jupyter like ``draw_dot``.

        Raises:
            RuntimeError: for a report made without the class in this process (a file
                checked in a child process: ``check_file``); call ``check_engine(Value)``.
            ValueError: when no problem is one edge's (a correct engine, or a mistake of
                ``backward()`` itself, which the message explains).
        """
        if self.value_class is None:
            raise RuntimeError(
                "draw() needs the engine's class in this process: call check_engine(Value) "
                "on the class itself (a file checked in a child process cannot be drawn)"
            )
        edges = [p for p in self.problems if p.operand is not None]
        if problem is None and not edges:
            what = "no problem" if not self.problems else "no problem of one edge"
            raise ValueError(f"{self.engine} has {what}, so there is no wrong edge to draw")
        from tinygrad_edu.exercises.drawing import draw_problem  # here: drawing needs graphviz

        return draw_problem(self.value_class, problem or edges[0])

    def op(self, name: str) -> OpResult:
        """The verdict of one op, by the name the learner writes it with: ``report.op("*")``.

        Raises:
            KeyError: naming the ops there are, if there is no such op.
        """
        for result in self.ops:
            if result.op == name:
                return result
        known = ", ".join(result.op for result in self.ops)
        raise KeyError(f"no op {name!r} in the report of {self.engine}; it has {known}")

    def as_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data: the fields of ``tinygrad-edu check --format json``
        but the scores, which come from a grading (:mod:`tinygrad_edu.exercises.results`)."""
        return {
            "engine": self.engine,
            "protocol": self.protocol,
            "status": self.status,
            "ops": [
                {"op": r.op, "status": r.status, "message": r.message, "kinds": list(r.kinds)}
                for r in self.ops
            ],
            "problems": [
                {
                    "op": p.op,
                    "operand": p.operand,
                    "kind": p.kind,
                    "expected": p.expected,
                    "got": p.got,
                    "message": p.message,
                    "method": p.method,
                    "expression": p.expression,
                }
                for p in self.problems
            ],
            "consequences": list(self.consequences),
            "checked": list(self.checked),
            "skipped": dict(self.skipped),
            "notes": list(self.notes),
        }

    def __str__(self) -> str:
        count = len(self.problems)
        verdict = (
            "no problems: every probe gives tinygrad_edu's gradients"
            if self.ok
            else f"{count} problem{'s' if count != 1 else ''}"
        )
        lines = [f"check_engine({self.engine}), {self.protocol} protocol: {verdict}"]
        lines += [f"  {problem.message}" for problem in self.problems]
        if self.consequences:
            lines.append(
                "also wrong, only because of the problems above (fix those first): "
                + ", ".join(self.consequences)
            )
        lines.append(f"checked: {', '.join(self.checked)}")
        if self.skipped:
            shown = "; ".join(f"{probe} ({why})" for probe, why in self.skipped.items())
            lines.append(f"skipped: {shown}")
        if self.notes:
            lines.append("notes:")
            lines += [f"  - {note}" for note in self.notes]
        return "\n".join(lines)
