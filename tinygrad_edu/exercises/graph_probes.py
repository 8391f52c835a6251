"""Whole-graph probes: what only ``backward()`` itself can get wrong.

Each op's rule is checked on its own first (:mod:`.probes`); these small graphs, built only
from ``+`` and ``*``, then check the rest of ``backward()``:

* the seed: ``out = a * b``; ``backward()`` must start from ∂out/∂out = 1;
* a value used twice: ``a + a`` and ``x * x``; both edges must add (+=) to its gradient;
* a chain: ``out = (x * c) * d``; each step multiplies by its node's gradient, the upstream;
* a shared node: ``h = x * k`` used by ``h * p`` and by ``h * q``, one and three steps below
  ``out`` (``out = h * p + ((h * q) * r) * s``), so that any order other than a topological
  one, breadth-first or a recursive visit, lets ``h`` pass its gradient on before both users
  have added to it, whatever order a set of children happens to give.

Then two limits that are not wrong gradients, kept as notes: a second ``backward()`` that
counts the interior nodes' old gradients again (micrograd 0.1.0 does), and a recursive
topological sort that fails on a chain of a few thousand nodes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from tinygrad_edu.core import Value
from tinygrad_edu.exercises import wording
from tinygrad_edu.exercises.diagnosis import close, number
from tinygrad_edu.exercises.report import Problem

Make = Callable[[float], Any]
Data = dict[str, Any]
DEEP_CHAIN = 3000  # nodes: three times Python's default recursion limit


class GraphProbe(NamedTuple):
    name: str
    expression: str
    build: Callable[[Make], dict[str, Any]]  # the named nodes; "out" is the root


def _seed(make: Make) -> dict[str, Any]:
    a, b = make(0.8), make(-1.7)
    return {"a": a, "b": b, "out": a * b}


def _add_twice(make: Make) -> dict[str, Any]:
    a = make(0.8)
    return {"a": a, "out": a + a}


def _mul_twice(make: Make) -> dict[str, Any]:
    x = make(-1.3)
    return {"x": x, "out": x * x}


CHAIN_C = 1.5  # ∂y/∂x in the chain: what x.grad is when the upstream factor is left out


def chain(make: Make) -> dict[str, Any]:
    x, c, d = make(0.9), make(CHAIN_C), make(-2.0)
    y = x * c
    return {"x": x, "c": c, "y": y, "out": y * d}


def _shared(make: Make) -> dict[str, Any]:
    x, k, p, q, r, s = make(0.5), make(1.5), make(2.0), make(0.5), make(3.0), make(2.0)
    h = x * k
    return {"x": x, "h": h, "out": h * p + ((h * q) * r) * s}


PROBES = (
    GraphProbe("the seed", "out = a * b", _seed),
    GraphProbe("a value used twice", "out = a + a", _add_twice),
    GraphProbe("a value used twice", "out = x * x", _mul_twice),
    GraphProbe("a chain", "y = x * c; out = y * d", chain),
    GraphProbe("a shared node", "h = x * k; out = h * p + ((h * q) * r) * s", _shared),
)


class Verdict(NamedTuple):
    kind: str
    expected: float
    got: float
    message: str


def diagnose(
    probe: GraphProbe,
    expected: dict[str, float],
    got: dict[str, float],
    out_children: int,
    forward_order: dict[str, float] | None = None,
) -> Verdict | None:
    """What went wrong in ``probe``, given the right gradients and the learner's (by node
    name); ``out_children`` is how many children the learner's ``out`` keeps;
    ``forward_order`` the gradients the right rules give in forward order."""
    wrong = [name for name in expected if not close(got[name], expected[name])]
    if not wrong:
        return None
    head = f"backward(): for {probe.expression}"
    listed = ", ".join(
        f"{name}.grad should be {number(expected[name])}, yours is {number(got[name])}"
        for name in wrong
    )
    leaf = wrong[0] if wrong[0] != "out" else (wrong[1:] or ["out"])[0]
    other = Verdict("other", expected[leaf], got[leaf], f"{head}: {listed}")
    if forward_order is not None and all(close(got[n], forward_order[n]) for n in expected):
        return Verdict(
            "order",
            expected[leaf],
            got[leaf],
            f"{head}: {listed}, which is what the right rules give when backward() visits "
            "the nodes in forward order (each node before the nodes that use it): your "
            "topological order is reversed; each node must pass its gradient on only after "
            "every node that uses it has added to it, so go through the order from the root "
            "down (for node in reversed(topo))",
        )
    if probe.name == "the seed":
        return _seed_verdict(expected, got) or other
    if probe.name == "a value used twice":
        leaf = "a" if "a" in expected else "x"
        if not close(got[leaf], expected[leaf] / 2):
            return other
        if out_children < 2:
            return Verdict(
                "other",
                expected[leaf],
                got[leaf],
                f"{head}, {leaf}.grad should be {number(expected[leaf])} (two edges into "
                f"{leaf}); yours is {number(got[leaf])}: the node keeps its children in a set, "
                f"which holds {leaf} once; keep them in a tuple, one entry per operand",
            )
        return Verdict(
            "overwrite",
            expected[leaf],
            got[leaf],
            f"{head}, {leaf}.grad should be {number(expected[leaf])} (two edges into {leaf}); "
            f"yours is {number(got[leaf])}: the second contribution replaced the first "
            "(child.grad = …) instead of adding to it (+=)",
        )
    if probe.name == "a chain" and close(got["x"], CHAIN_C):
        return Verdict(
            "missing-upstream",
            expected["x"],
            got["x"],
            f"{head}, x.grad should be c·d = {number(expected['x'])} (the local derivative "
            f"c times y's gradient d); yours is {number(got['x'])} = c alone: each child.grad "
            "+= local × node.grad needs the node's gradient, the upstream factor",
        )
    if probe.name == "a shared node" and close(got["h"], expected["h"]):
        return Verdict(
            "order",
            expected["x"],
            got["x"],
            f"{head}, h has two users, one and three steps below out; h.grad ends at the right "
            f"{number(expected['h'])}, but x.grad is {number(got['x'])}, not "
            f"{number(expected['x'])}: h passed its gradient on before all of its users had "
            "added to it (or more than once). Visit the nodes in reverse topological order, "
            "each node only after every node that uses it: for example, build the order with "
            "a depth-first search that appends a node after its children",
        )
    return other


def _seed_verdict(expected: dict[str, float], got: dict[str, float]) -> Verdict | None:
    seed = got["out"]
    nothing = close(got["a"], 0.0) and close(got["b"], 0.0)
    if close(seed, 1.0) and not nothing:
        return None
    when = "was set to 1 only after the rules ran" if close(seed, 1.0) else "was never set to 1"
    return Verdict(
        "seed",
        1.0,
        seed,
        f"backward(): the root's gradient must start at 1 (∂out/∂out = 1); for out = a * b, "
        f"after backward() out.grad is {number(seed)} and a.grad {number(got['a'])}, not b = "
        f"{number(expected['a'])}: the root's gradient {when}; set "
        "self.grad = 1 before going down the graph",
    )


def forward_order_grads(nodes: dict[str, Value]) -> dict[str, float]:
    """The gradients of the named nodes when the right rules run in forward order (children
    before the nodes that use them, the root last), the seed set first: the numbers of a
    ``backward()`` that forgot to reverse its topological order."""
    root = nodes["out"]
    order, seen, stack = [], set(), [(root, False)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
        elif id(node) not in seen:
            seen.add(id(node))
            stack.append((node, True))
            stack.extend((child, False) for child in reversed(node.children))
    grads = {id(node): 0.0 for node in order}
    grads[id(root)] = 1.0
    for node in order:
        for child, local in zip(node.children, node.local_derivatives(), strict=True):
            grads[id(child)] += local * grads[id(node)]
    return {name: grads[id(node)] for name, node in nodes.items()}


def second_backward_note(found: Data) -> str | None:
    """A note when a second ``backward()`` does not add exactly one more copy (PyTorch's
    rule for leaves)."""
    if "error" in found:  # a limit, not a wrong gradient: the first call was right
        error = found["error"]
        return f"a second backward() on the same graph raised {error['type']}: {error['message']}"
    first, second = found["first"], found["second"]
    if close(second, 2.0 * first):
        return None
    if abs(second) > abs(2.0 * first):
        why = (
            "the interior nodes kept their gradients from the first call and passed them on "
            "again (micrograd does the same); set every node's grad to 0, or build the graph "
            "again, before each backward()"
        )
    elif close(second, first):
        why = "the leaves' gradients were replaced, where PyTorch adds to them (accumulates)"
    else:
        why = "PyTorch adds exactly one more copy"
    return (
        f"a second backward() on y = x * c; out = y * d, without zeroing the gradients, "
        f"gives x.grad = {number(second)}, not 2 × {number(first)} = {number(2 * first)}: {why}"
    )


def deep_chain_note(found: Data) -> str | None:
    """A note when ``backward()`` fails on a chain of :data:`DEEP_CHAIN` nodes."""
    error = found.get("error")
    if error is not None and error["type"] == "RecursionError":
        return (
            f"backward() raised RecursionError on a chain of {DEEP_CHAIN:,} nodes: its "
            "topological sort is recursive, and Python stops at about 1,000 nested calls; "
            "an iterative sort (a stack of nodes still to visit) works at any depth"
        )
    if error is not None:
        return (
            f"backward() on a chain of {DEEP_CHAIN:,} nodes raised {error['type']}: "
            f"{error['message']}"
        )
    x_grad = found["x_grad"]
    if x_grad is None or not close(x_grad, 1.0):
        shown = number(x_grad) if x_grad is not None else "not a number"
        return f"on a chain of {DEEP_CHAIN:,} additions, backward() gives x.grad = {shown}, not 1"
    return None


def judge_whole_graph(
    measure: Callable[[int], Data], notes: Callable[[], Data]
) -> tuple[list[Problem], list[str], list[str]]:
    """The whole-graph probes, in order, up to the first that fails; then the notes.
    ``measure(i)`` gives the learner's numbers for probe ``i`` and ``notes()`` those of the
    notes (:mod:`.measure`); the right ones are tinygrad_edu's."""
    checked = []
    for index, probe in enumerate(PROBES):
        checked.append(f"backward() on {probe.expression}")
        expected_nodes = probe.build(Value)
        expected_nodes["out"].backward()
        expected = {name: node.grad for name, node in expected_nodes.items()}
        found = measure(index)
        if "stopped" in found or "error" in found:
            if "stopped" in found:
                why = found["stopped"]
                kind = "timeout" if why.startswith("timed out") else "error"
                message = f"backward: {why}"
            else:
                kind = "error"
                stage = f"backward() on {probe.expression}"
                message = wording.error_message("backward", stage, found["error"])
            problem = Problem(None, None, kind, None, None, message, "backward", probe.expression)
            return [problem], checked, []
        verdict = diagnose(
            probe,
            expected,
            found["grads"],
            found["children"],
            forward_order_grads(probe.build(Value)),
        )
        if verdict is not None:
            problem = Problem(
                None,
                None,
                verdict.kind,
                verdict.expected,
                verdict.got,
                verdict.message,
                "backward",
                probe.expression,
            )
            later = len(checked) < len(PROBES)
            rest = ["the later whole-graph probes did not run: fix this one first"]
            return [problem], checked, rest if later else []
    found_notes = notes()
    if "stopped" in found_notes:
        return [], checked, [f"the notes' probes stopped: {found_notes['stopped']}"]
    written = [second_backward_note(found_notes["second"]), deep_chain_note(found_notes["deep"])]
    return [], checked, [note for note in written if note is not None]
