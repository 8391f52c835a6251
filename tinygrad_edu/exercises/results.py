"""Results for graders: a score per op, and the formats graders read.

A :class:`Grading` weighs the ops (a small TOML file, :func:`load_config`); :func:`grade`
turns a report (or the reason a file could not be checked) into a :class:`Graded`, which
:func:`as_json`, :func:`gradescope`, :func:`junit` and :func:`text` write out.

The JSON schema (one object per file; a list of them for a folder):

``status``     ``"correct"``, ``"mistakes"`` or ``"could not check"``
``score``      the weights of the ops found correct; ``max_score`` all the weights
``message``    one line: the verdict, or why the file could not be checked
``file``       the path as given (for a folder, and whenever a file was checked)
``engine``, ``protocol``   the class's name and protocol (``null`` if not checked)
``ops``        per op: ``op`` (``"*"``, ``"exp"``, ``"gelu"``, ``"backward"``), ``status``
               (``"correct"``, ``"wrong"``, ``"timeout"``, ``"error"``, ``"not checked"``),
               ``message``, ``score``, ``max_score``, ``kinds`` (the problems' kinds)
``problems``, ``consequences``, ``checked``, ``skipped``, ``notes``: as in
               :class:`~.report.EngineReport`
``schema``     1; a later version only adds fields

Exit statuses, for every format: 0 every op correct, 1 a mistake found (a wrong op, a time
limit, an error, or an op the weights ask for that the class lacks), 2 could not check.
"""

from __future__ import annotations

import json
import math
import tomllib
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from tinygrad_edu.exercises.isolation import Limits
from tinygrad_edu.exercises.report import EngineReport, OpResult

SCHEMA = 1
EXIT = {"correct": 0, "mistakes": 1, "could not check": 2}


@dataclass(frozen=True)
class Grading:
    """How much each op is worth.

    Attributes:
        weights: op → points (``{"*": 2, "gelu": 1}``); an op named here that the class
            lacks is worth its points and scores 0.
        default_weight: the points of an op the class has and ``weights`` does not name;
            ops the class lacks and ``weights`` does not name are worth 0.
    """

    weights: Mapping[str, float] = field(default_factory=dict)
    default_weight: float = 1.0

    def weight(self, op: OpResult) -> float:
        if op.op in self.weights:
            return float(self.weights[op.op])
        return 0.0 if op.status == "not checked" else self.default_weight


@dataclass(frozen=True)
class GradedOp:
    op: str
    status: str
    message: str
    score: float
    max_score: float
    kinds: tuple[str, ...] = ()


@dataclass(frozen=True)
class Graded:
    """One file's (or one class's) result with its scores."""

    status: str
    message: str
    ops: tuple[GradedOp, ...]
    file: str | None = None
    report: EngineReport | None = None

    @property
    def score(self) -> float:
        return sum(op.score for op in self.ops)

    @property
    def max_score(self) -> float:
        return sum(op.max_score for op in self.ops)

    @property
    def exit_status(self) -> int:
        return EXIT[self.status]


def grade(report: EngineReport, grading: Grading | None = None, file: str | None = None) -> Graded:
    """Score each op of ``report``: its weight if it is correct, else 0."""
    grading = grading or Grading()
    results = list(report.ops)
    have = {r.op for r in results}
    for op in grading.weights:
        if op not in have:
            results.append(OpResult(op, "not checked", f"{report.engine} has no {op}"))
    ops = []
    for r in results:
        weight = grading.weight(r)
        score = weight if r.status == "correct" else 0.0
        ops.append(GradedOp(r.op, r.status, r.message, score, weight, r.kinds))
    bad = [
        op for op in ops if op.status != "correct" and (op.max_score or op.status != "not checked")
    ]
    status = "mistakes" if bad else "correct"
    if bad:
        message = f"{len(bad)} of {len(ops)} ops not right: " + ", ".join(
            f"{op.op} ({op.status})" for op in bad
        )
    else:
        message = "every op checked is right"
    return Graded(status, message, tuple(ops), file, report)


def could_not_check(why: str, grading: Grading | None = None, file: str | None = None) -> Graded:
    """The result of a file that could not be checked: every weighted op scores 0."""
    grading = grading or Grading()
    ops = tuple(
        GradedOp(op, "not checked", why, 0.0, weight) for op, weight in grading.weights.items()
    )
    return Graded("could not check", why, ops, file)


def exit_status(results: Sequence[Graded]) -> int:
    """2 if a file could not be checked, else 1 if one has a mistake, else 0."""
    return max((r.exit_status for r in results), default=0)


# ----- the formats ------------------------------------------------------------------------------


def _finite(x: object) -> object:
    """JSON has no NaN or infinity: those become ``null``."""
    return x if not isinstance(x, float) or math.isfinite(x) else None


def as_dict(result: Graded) -> dict[str, Any]:
    """One result in the JSON schema of the module's docstring."""
    report = result.report.as_dict() if result.report is not None else {}
    for problem in report.get("problems", []):
        problem["expected"], problem["got"] = (
            _finite(problem["expected"]),
            _finite(problem["got"]),
        )
    return {
        "schema": SCHEMA,
        "file": result.file,
        "status": result.status,
        "score": result.score,
        "max_score": result.max_score,
        "message": result.message,
        "engine": report.get("engine"),
        "protocol": report.get("protocol"),
        "ops": [
            {
                "op": op.op,
                "status": op.status,
                "message": op.message,
                "score": op.score,
                "max_score": op.max_score,
                "kinds": list(op.kinds),
            }
            for op in result.ops
        ],
        "problems": report.get("problems", []),
        "consequences": report.get("consequences", []),
        "checked": report.get("checked", []),
        "skipped": report.get("skipped", {}),
        "notes": report.get("notes", []),
    }


def as_json(results: Graded | Sequence[Graded]) -> str:
    """One JSON object, or a list of them for a folder."""
    if isinstance(results, Graded):
        return json.dumps(as_dict(results), ensure_ascii=False, indent=2)
    return json.dumps([as_dict(r) for r in results], ensure_ascii=False, indent=2)


def gradescope(results: Sequence[Graded]) -> dict[str, Any]:
    """Gradescope's ``results.json``: one test per op (per file and op for several files),
    the total ``score``, and the verdict as the top-level ``output``."""
    several = len(results) > 1
    tests = []
    for result in results:
        prefix = f"{result.file}: " if several and result.file else ""
        if not result.ops:  # could not check, and no weights to score
            tests.append(
                {
                    "name": f"{prefix}the engine",
                    "score": 0.0,
                    "max_score": 0.0,
                    "status": "failed",
                    "output": result.message,
                    "visibility": "visible",
                }
            )
        for op in result.ops:
            tests.append(
                {
                    "name": f"{prefix}{op.op}",
                    "score": op.score,
                    "max_score": op.max_score,
                    "status": "passed" if op.status == "correct" else "failed",
                    "output": f"{op.status}: {op.message}",
                    "visibility": "visible",
                }
            )
    output = "\n".join(
        (f"{r.file}: " if several and r.file else "") + f"{r.status}: {r.message}" for r in results
    )
    return {
        "score": sum(r.score for r in results),
        "output": output,
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
    }


def junit(results: Sequence[Graded]) -> str:
    """JUnit XML: a ``testsuite`` per file, a ``testcase`` per op; a wrong op is a
    ``failure``, a timeout or an error an ``error``, an op not checked ``skipped``."""
    suites = ElementTree.Element("testsuites", name="tinygrad-edu check")
    totals: Counter[str] = Counter()
    for result in results:
        name = result.file or (result.report.engine if result.report else "engine")
        cases = list(result.ops) or [
            GradedOp("the engine", "could not check", result.message, 0.0, 0.0)
        ]
        counts = Counter(_junit_outcome(op.status) for op in cases)
        suite = ElementTree.SubElement(
            suites,
            "testsuite",
            name=name,
            tests=str(len(cases)),
            failures=str(counts["failure"]),
            errors=str(counts["error"]),
            skipped=str(counts["skipped"]),
            time="0",
        )
        for op in cases:
            case = ElementTree.SubElement(suite, "testcase", classname=name, name=op.op, time="0")
            outcome = _junit_outcome(op.status)
            if outcome == "passed":
                continue
            element = ElementTree.SubElement(
                case, outcome, message=op.message.splitlines()[0] if op.message else op.status
            )
            if outcome != "skipped":
                element.set("type", op.status)
                element.text = op.message
        totals.update(
            tests=len(cases),
            failures=counts["failure"],
            errors=counts["error"],
            skipped=counts["skipped"],
        )
    for key in ("tests", "failures", "errors", "skipped"):
        suites.set(key, str(totals[key]))
    ElementTree.indent(suites)
    return ElementTree.tostring(suites, encoding="unicode", xml_declaration=True)


def _junit_outcome(status: str) -> str:
    return {
        "correct": "passed",
        "wrong": "failure",
        "not checked": "skipped",
    }.get(status, "error")


def _points(x: float) -> str:
    return f"{x:g}"


def text(result: Graded) -> str:
    """The teaching text, then each op's score."""
    lines = [str(result.report)] if result.report is not None else [result.message]
    if result.ops:
        lines.append(f"score: {_points(result.score)} / {_points(result.max_score)}")
        width = max(len(op.op) for op in result.ops)
        lines += [
            f"  {op.op:<{width}}  {op.status:<11}  {_points(op.score)} / {_points(op.max_score)}"
            for op in result.ops
        ]
    return "\n".join(lines)


def summary(results: Sequence[Graded]) -> str:
    """The teacher's view of a class: how many files got each op wrong, and how."""
    checked = [r for r in results if r.status != "could not check"]
    lines = [
        f"{len(results)} files: {sum(r.status == 'correct' for r in results)} correct, "
        f"{sum(r.status == 'mistakes' for r in results)} with mistakes, "
        f"{len(results) - len(checked)} could not be checked"
    ]
    mistakes: Counter[tuple[str, str]] = Counter()
    for result in checked:
        seen = set()
        for op in result.ops:
            if op.status in ("correct", "not checked"):
                continue
            for kind in op.kinds or (op.status,):
                seen.add((op.op, kind))
        mistakes.update(seen)
    if mistakes:
        lines.append("common mistakes (files, op, kind):")
        lines += [f"  {count:>4}  {op:<10}  {kind}" for (op, kind), count in mistakes.most_common()]
    reasons = Counter(r.message.split(":")[-1].strip() for r in results if r not in checked)
    if reasons:
        lines.append("could not check (files, why):")
        lines += [f"  {count:>4}  {why}" for why, count in reasons.most_common()]
    return "\n".join(lines)


# ----- the teacher's file -----------------------------------------------------------------------


def load_config(path: Path) -> tuple[Grading, Limits]:
    """Read a grading file::

        default_weight = 1          # an op the class has that [weights] does not name
        [weights]
        "*" = 2
        gelu = 1
        backward = 3
        [limits]                    # any of Limits' fields
        timeout = 10

    Raises:
        ValueError: naming the file and what is wrong in it.
    """
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise ValueError(f"{path} is not valid TOML: {error}") from None
    unknown = set(data) - {"default_weight", "weights", "limits"}
    if unknown:
        raise ValueError(
            f"{path}: unknown key {sorted(unknown)[0]!r} (a grading file has default_weight, "
            "[weights] and [limits])"
        )
    default = data.get("default_weight", 1.0)
    weights = data.get("weights", {})
    if not isinstance(weights, dict):
        raise ValueError(f"{path}: weights must be a table, op = points")
    for op, points in {"default_weight": default, **weights}.items():
        if not isinstance(points, int | float) or isinstance(points, bool) or points < 0:
            raise ValueError(f"{path}: the weight of {op!r} must be a number ≥ 0, got {points!r}")
    limits = data.get("limits", {})
    fields = set(Limits.__dataclass_fields__)
    if not isinstance(limits, dict) or set(limits) - fields:
        wrong = sorted(set(limits) - fields) if isinstance(limits, dict) else ["limits"]
        raise ValueError(
            f"{path}: unknown limit {wrong[0]!r} (the limits are {', '.join(sorted(fields))})"
        )
    try:
        made = Limits(**limits)
    except ValueError as error:
        raise ValueError(f"{path}: {error}") from None
    grading = Grading({op: float(w) for op, w in weights.items()}, float(default))
    return grading, made
