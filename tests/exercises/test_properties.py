"""Property: for a random choice of ops and a random planted mistake, in either protocol, the
report names the planted op, operand and kind, once, and nothing else."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tinygrad_edu import check_engine

from tests.exercises import engines
from tests.exercises.engines import Mistake

BASE = ("+", "*")  # every engine has these; the whole-graph probes are built from them
OPTIONAL = tuple(op for op in engines.OPS if op not in BASE)


@st.composite
def engines_with_a_mistake(draw):
    protocol = draw(st.sampled_from(["micrograd", "local"]))
    composite = draw(st.booleans())
    ops = set(BASE) | set(draw(st.lists(st.sampled_from(OPTIONAL), unique=True)))
    if composite and "/" in ops:
        ops.add("**")  # a / b is built as a * b**-1
    if composite and "-" in ops:
        ops.add("neg")  # a - b is built as a + (-b)
    engine_kinds = engines.ENGINE_KINDS + (
        engines.LOCAL_ENGINE_KINDS if protocol == "local" else ()
    )
    in_rules = [op for op in sorted(ops) if not (composite and op in engines.COMPOSED)]
    if draw(st.integers(0, 4)) == 0:  # now and then a mistake of backward() itself
        mistake = Mistake(None, None, draw(st.sampled_from(engine_kinds)))
    else:
        op = draw(st.sampled_from(in_rules))
        operand, kind = draw(st.sampled_from(engines.plantable(op, protocol)))
        mistake = Mistake(op, operand, kind)
    factory = engines.micrograd_style if protocol == "micrograd" else engines.local_style
    return protocol, factory(mistake, composite, ops), mistake


@settings(max_examples=60, deadline=None)
@given(engines_with_a_mistake())
def test_the_report_names_the_planted_op_and_operand(case):
    protocol, value_class, mistake = case
    report = check_engine(value_class)
    op = "**2" if protocol == "micrograd" and mistake.op == "**" else mistake.op
    assert [(p.op, p.operand, p.kind) for p in report.problems] == [
        (op, mistake.operand, mistake.kind)
    ], str(report)


@settings(max_examples=30, deadline=None)
@given(
    protocol=st.sampled_from(["micrograd", "local"]),
    composite=st.booleans(),
    extra=st.lists(st.sampled_from(OPTIONAL), unique=True),
)
def test_a_correct_engine_with_any_choice_of_ops_gets_no_false_alarm(protocol, composite, extra):
    ops = {*BASE, *extra} | ({"**", "neg"} if composite else set())
    factory = engines.micrograd_style if protocol == "micrograd" else engines.local_style
    report = check_engine(factory(None, composite, ops))
    assert report.problems == () and report.consequences == (), str(report)
    assert len(report.checked) + len(report.skipped) == 19 + 5
