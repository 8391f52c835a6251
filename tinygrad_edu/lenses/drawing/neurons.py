"""Neurons found in a graph by their labels, for drawing each neuron as one box.

``nn.Neuron`` labels its nodes ``hL[j]`` (the weighted sum), ``aL[j]`` (its activation) and
its parameters ``WL[i,j]`` and ``bL[j]``. A neuron box holds ``hL[j]``, its activation when
that is ``hL[j]``'s only user, the unlabelled nodes between ``hL[j]`` and its operands (the
``*`` and ``+`` chain of an unfused neuron), and absorbs its parameters when only neurons use
them. Found in one pass over the graph, linear in its size.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from tinygrad_edu import notation
from tinygrad_edu.core import Value
from tinygrad_edu.lenses.index import GraphIndex

__all__ = ["Neuron", "Neurons"]


@dataclass
class Neuron:
    """One neuron of one example, as the graph holds it."""

    pre: Value  # hL[j]
    out: Value  # aL[j], or hL[j] for a linear neuron
    members: set[Value]  # pre, out and the unlabelled nodes between pre and its operands
    parameters: list[Value] = field(default_factory=list)  # its own WL[i,j] and bL[j]

    def parameter_summary(self) -> str:
        """``3 weights W2[·,4], bias b2[4]``: the parameters the box hides, in short."""
        weights = [p for p in self.parameters if p.label.startswith("W")]
        parts = []
        if weights:
            plural = "s" if len(weights) > 1 else ""
            name = notation.parse(self.pre.label)
            assert name is not None
            parts.append(f"{len(weights)} weight{plural} W{name.layer}[·,{name.neuron}]")
        parts += [f"bias {p.label}" for p in self.parameters if not p.label.startswith("W")]
        return ", ".join(parts)


@dataclass
class Neurons:
    """The neurons of a graph, and which nodes their boxes hide."""

    groups: list[Neuron]
    group_of: dict[Value, Neuron]  # each member's neuron
    hidden: set[Value]  # members and absorbed parameters: not drawn on their own

    @classmethod
    def find(cls, index: GraphIndex) -> Neurons:
        users = index.users
        groups: list[Neuron] = []
        group_of: dict[Value, Neuron] = {}
        names: dict[str, notation.Name | None] = {}  # each label parsed once: weights repeat
        for node in index.order:
            if not node.label.startswith("h") or node._operation is None or node in group_of:
                continue  # the cheap tests first: most nodes are not a neuron's sum
            name = notation.parse(node.label)
            if name and name.kind == "h":
                neuron = _claim(node, name, users, group_of, names)
                groups.append(neuron)
                group_of.update((member, neuron) for member in neuron.members)
        hidden = set(group_of)
        parameters = {p: None for neuron in groups for p in neuron.parameters}  # each once
        for parameter in parameters:  # absorbed when only neurons use it
            if all(user in group_of for user, _ in users[parameter]):
                hidden.add(parameter)
        return cls(groups, group_of, hidden)

    def drawn_count(self, index: GraphIndex) -> int:
        """Value boxes plus op nodes plus neuron boxes, drawn with these boxes."""
        shown = [node for node in index.order if node not in self.hidden]
        return len(self.groups) + len(shown) + sum(1 for node in shown if node._operation)

    def is_internal(self, node: Value, child: Value) -> bool:
        """An edge inside one neuron box, or from a parameter that the boxes absorbed."""
        neuron = self.group_of.get(node)
        if neuron is None:
            return False
        return child in neuron.members or (child in self.hidden and child not in self.group_of)


def _claim(
    pre: Value,
    name: notation.Name,
    users: dict[Value, list[tuple[Value, int]]],
    taken: dict[Value, Neuron],
    names: dict[str, notation.Name | None],
) -> Neuron:
    """The neuron around ``hL[j]``: its activation ``aL[j]`` if that is its only user, the
    unlabelled nodes below it (micrograd-style ``*``/``+`` chains) and its parameters."""

    def own_parameter(label: str) -> bool:
        if label not in names:
            names[label] = notation.parse(label)
        parameter = names[label]
        return (
            parameter is not None
            and parameter.kind in notation.PARAMETER_KINDS
            and (parameter.layer, parameter.neuron) == (name.layer, name.neuron)
        )

    members = {pre}
    parameters: dict[Value, None] = {}  # a set that keeps the order found
    pending = deque(pre.children)
    while pending:
        node = pending.popleft()
        if node in members or node in taken or node in parameters:
            continue
        if not node.label and node._operation is not None:
            members.add(node)
            pending += node.children
        elif node._operation is None and own_parameter(node.label):
            parameters[node] = None
    out = pre
    activation = notation.activation(name.layer or 0, name.neuron)
    for user, _ in users.get(pre, ()):
        if user.label == activation and user.children == (pre,):
            out = user
            members.add(user)
    return Neuron(pre, out, members, list(parameters))
