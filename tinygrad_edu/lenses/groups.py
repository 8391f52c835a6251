"""Nested groups of a graph's nodes, and the level of detail that draws a big graph in a few
boxes.

A graph of 60,000 nodes cannot be drawn node by node; drawn as the calls that built it, it
can: one call of ``gpt`` holding calls of ``linear``, ``softmax`` and ``rmsnorm``, each a box
that opens. :func:`group_graph` builds that tree of :class:`Group` from

* the origins (``tinygrad_edu.origins()``): one group per call of a function of yours, nested
  as the calls were (``linear#3`` inside ``gpt#1``), a repeated call a repeated group;
* the structure, for what the origins do not split (or graphs built without them): a neuron's
  nodes around its ``hL[j]`` (the labels ``nn`` gives), the neurons of one layer, a sum of
  products ``Σ wᵢxᵢ`` written as a chain of ``+``, a long chain of single-use nodes;
* and, so that no group holds more than a screen of boxes, the leaves a group uses
  (``leaves#k``) and consecutive parts of what is left (``part#k``).

Every node is in exactly one innermost group; a node without an origin (a parameter, an
input) joins the group of its first user. :func:`level_of_detail` then chooses which groups to
open so that at most ``max_boxes`` boxes are drawn, a closed group being one box.

Everything is linear in the size of the graph (its nodes and edges).
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tinygrad_edu import notation
from tinygrad_edu.core.modes import origin_of
from tinygrad_edu.core.origins import CallSite

if TYPE_CHECKING:
    from tinygrad_edu.core.engine import Value

FAN_OUT = 24  # at most this many boxes directly inside a group (its nodes and its groups)
LONG_CHAIN = 8  # single-use nodes in a row that make a chain group
KINDS = ("graph", "call", "layer", "neuron", "sum", "chain", "leaves", "part")


@dataclass(eq=False)
class Group:
    """A group of nodes drawn as one box when closed.

    Attributes:
        name: unique in its tree: ``linear#3`` (the third call of ``linear``), ``layer 2``,
            ``neuron h2[0]``, ``Σ#4``, ``chain#1``, ``leaves#2``, ``part#7``; the root is
            ``graph``.
        kind: one of :data:`KINDS`.
        nodes: the positions, in the topological order given, of the nodes directly in this
            group (not in one of its children), ascending.
        children: the groups inside it, in the order of their last node (the order in which
            they are done).
        size: how many nodes it holds in all, its children's included.
    """

    name: str
    kind: str
    nodes: list[int] = field(default_factory=list)
    children: list[Group] = field(default_factory=list)
    parent: Group | None = field(default=None, repr=False)
    size: int = 0

    def walk(self) -> Iterator[Group]:
        """This group and every group inside it, parents before children."""
        stack = [self]
        while stack:
            group = stack.pop()
            yield group
            stack.extend(reversed(group.children))

    def path(self) -> list[Group]:
        """The groups from the root down to this one."""
        path: list[Group] = []
        group: Group | None = self
        while group is not None:
            path.append(group)
            group = group.parent
        return path[::-1]

    def last(self) -> int:
        """The position of its last node: groups are listed in the order they end."""
        lasts = [*self.nodes[-1:], *(child.last() for child in self.children)]
        return max(lasts) if lasts else -1


@dataclass
class Groups:
    """The groups of one graph: ``root``, each position's innermost group, each by name."""

    root: Group
    group_at: list[Group]
    by_name: dict[str, Group]

    def innermost(self, position: int) -> Group:
        return self.group_at[position]


def group_graph(
    order: Sequence[Value],
    origin: Callable[[Value], tuple[CallSite, ...] | None] = origin_of,
    fan_out: int = FAN_OUT,
) -> Groups:
    """The tree of groups of the graph whose nodes are ``order`` (a topological order:
    children before their users, each node once), from ``origin`` (by default where
    ``origins()`` recorded each node) and from the structure, with at most ``fan_out`` boxes
    directly in any group (so a drawing of at most ``fan_out`` boxes always exists). Linear
    in nodes and edges."""
    if fan_out < 2:
        raise ValueError(f"fan_out must be at least 2, got {fan_out!r}")
    builder = _Builder(order, origin, fan_out)
    return builder.build()


class _Builder:
    def __init__(
        self,
        order: Sequence[Value],
        origin: Callable[[Value], tuple[CallSite, ...] | None],
        fan_out: int,
    ) -> None:
        self.fan_out = fan_out
        self.order = order
        self.origin = origin
        self.position = {node: i for i, node in enumerate(order)}
        self.names: dict[str, Group] = {}
        self.counters: dict[str, int] = {}
        self.repeats: dict[str, int] = {}  # a repeated name → the last number it was given
        self.root = self.new("graph", "graph", None)
        self.group_at: list[Group] = [self.root] * len(order)

    def new(self, name: str, kind: str, parent: Group | None) -> Group:
        if name in self.names:  # two functions of one name in two files: keep names unique
            k = self.repeats.get(name, 1)
            while f"{name}'{k + 1}" in self.names:  # the next free number, remembered:
                k += 1  # a name given a thousand times costs no thousand tries each time
            self.repeats[name] = k + 1
            name = f"{name}'{k + 1}"
        group = Group(name, kind, parent=parent)
        self.names[name] = group
        if parent is not None:
            parent.children.append(group)
        return group

    def numbered(self, kind: str, parent: Group, label: str = "") -> Group:
        self.counters[kind] = number = self.counters.get(kind, 0) + 1
        return self.new(f"{label or kind}#{number}", kind, parent)

    def build(self) -> Groups:
        self.by_origin()
        self.children_join_users()
        self.users = [0] * len(self.order)  # how many times each node is an operand
        for node in self.order:
            for child in node.children:
                self.users[self.position[child]] += 1
        owned: dict[int, list[int]] = {}  # id(group) -> its own positions, ascending
        for i, group in enumerate(self.group_at):
            owned.setdefault(id(group), []).append(i)
        calls = list(self.root.walk())
        for group in calls:
            group.nodes = owned.get(id(group), [])
        for group in reversed(calls):  # inner calls first: a call's split sees its insides
            self.refine(group, group.nodes)
        self.strip_wrappers()
        for group in self.root.walk():
            group.children.sort(key=Group.last)
        _count(self.root)
        return Groups(self.root, self.group_at, self.names)

    # ----- from the origins ----------------------------------------------------------------

    def by_origin(self) -> None:
        """Each node with an origin into the group of its innermost call."""
        of_stack: dict[int, tuple[tuple[CallSite, ...], Group]] = {}  # interned stacks
        of_call: dict[tuple[Group, str, str, int], Group] = {}
        for i, node in enumerate(self.order):
            stack = self.origin(node)
            if not stack:
                continue
            known = of_stack.get(id(stack))
            if known is None:
                group = self.root
                for site in stack:
                    key = (group, site.file, site.function, site.call)
                    inner = of_call.get(key)
                    if inner is None:
                        name = f"{site.function.rsplit('.', 1)[-1]}#{site.call}"
                        inner = of_call[key] = self.new(name, "call", group)
                    group = inner
                known = of_stack[id(stack)] = (stack, group)  # the stack kept: its id stays
            self.group_at[i] = known[1]

    def children_join_users(self) -> None:
        """A node without an origin joins the group of its first user (in the order): users
        come after their operands, so walking backwards sees every user of a node first."""
        recorded = [self.origin(node) is not None for node in self.order]
        for i in range(len(self.order) - 1, -1, -1):
            group = self.group_at[i]
            for child in self.order[i].children:
                j = self.position[child]
                if not recorded[j]:
                    self.group_at[j] = group

    # ----- from the structure --------------------------------------------------------------

    def refine(self, group: Group, own: list[int]) -> None:
        """Split the nodes directly in ``group`` by structure, then by size."""
        if len(own) <= self.fan_out // 2 and not group.children:
            group.nodes = own
            return
        claimed: dict[int, Group] = {}
        self.neurons(group, own, claimed)
        rest = [i for i in own if i not in claimed]
        self.sums(group, rest, claimed)
        rest = [i for i in rest if i not in claimed]
        self.chains(group, rest, claimed)
        rest = [i for i in rest if i not in claimed]
        for i, inner in claimed.items():
            self.group_at[i] = inner
            inner.nodes.append(i)
        made = {id(g): g for g in claimed.values()}.values()
        for inner in made:
            inner.nodes.sort()
        leaves = [i for i in rest if not self.order[i].children]
        if len(leaves) > self.fan_out // 2:
            held = self.numbered("leaves", group)
            held.nodes = leaves
            for i in leaves:
                self.group_at[i] = held
            self.split(held)
            rest = [i for i in rest if self.order[i].children]
        for inner in made:
            self.split(inner)
        group.nodes = rest
        self.split(group)

    def neurons(self, group: Group, own: list[int], claimed: dict[int, Group]) -> None:
        """``hL[j]`` with the unlabelled nodes below it, its own parameters and its ``aL[j]``;
        the neurons of one layer in ``layer L``."""
        mine = set(own)
        layers: dict[int, Group] = {}
        for i in own:
            node = self.order[i]
            name = notation.parse(node.label)
            if name is None or name.kind != "h" or not node.children or i in claimed:
                continue
            layer = name.layer or 0
            if layer not in layers:
                layers[layer] = self.new(f"layer {layer}", "layer", group)
            neuron = self.new(f"neuron {node.label}", "neuron", layers[layer])
            claimed[i] = neuron
            below = list(node.children)
            k = 0
            while k < len(below):  # each node looked at once per edge into it
                child = below[k]
                k += 1
                j = self.position[child]
                if j in claimed or j not in mine:
                    continue
                if not child.label and child.children:
                    claimed[j] = neuron
                    below.extend(child.children)
                elif not child.children and _own_parameter(child.label, name):
                    claimed[j] = neuron
        for i in own:  # aL[j] = f(hL[j]) joins its neuron
            node = self.order[i]
            children = node.children
            if i in claimed or len(children) != 1:
                continue
            around = claimed.get(self.position[children[0]])
            activation = notation.parse(node.label)
            if around is not None and activation is not None and activation.kind == "a":
                if around.name == f"neuron {children[0].label}":
                    claimed[i] = around

    def sums(self, group: Group, rest: list[int], claimed: dict[int, Group]) -> None:
        """A sum of products: a chain of ``+`` (each used once, by the next) adding ``*``
        nodes (each used once), as ``sum(w * x for …)`` builds it; three terms or more."""
        mine = set(rest)
        walked: set[int] = set()  # the '+' nodes of chains already followed: each once
        for i in reversed(rest):  # users first: the first '+' met is a chain's top
            node = self.order[i]
            if i in claimed or i in walked or node.op != "+":
                continue
            adds, products = [i], []
            current = node
            while True:
                below = None
                for child in current.children:
                    j = self.position[child]
                    if j not in mine or j in claimed or self.users[j] != 1:
                        continue
                    if child.op == "*":
                        products.append(j)
                    elif child.op == "+" and below is None:
                        below = child
                if below is None:
                    break
                adds.append(self.position[below])
                current = below
            walked.update(adds)
            if len(products) >= 3:
                inner = self.numbered("sum", group, "Σ")
                for j in (*adds, *products):
                    claimed[j] = inner

    def chains(self, group: Group, rest: list[int], claimed: dict[int, Group]) -> None:
        """A long chain: interior nodes in a row, each the one interior operand of the next
        and used only by it."""
        mine = set(rest)
        for i in reversed(rest):
            if i in claimed or not self.order[i].children:
                continue
            links = [i]
            current = self.order[i]
            while True:
                inner = [
                    self.position[c] for c in current.children if c.children and c in self.position
                ]
                if len(inner) != 1:
                    break
                j = inner[0]
                if j not in mine or j in claimed or self.users[j] != 1:
                    break
                links.append(j)
                current = self.order[j]
            if len(links) >= LONG_CHAIN:
                chain = self.numbered("chain", group)
                for j in links:
                    claimed[j] = chain

    def split(self, group: Group) -> None:
        """At most :data:`self.fan_out` boxes directly in ``group``: its loose nodes, then (if
        still too many) its groups, in ``part`` groups of consecutive items, nested so that
        each part holds at most as many."""
        if len(group.nodes) + len(group.children) <= self.fan_out:
            return
        kept = group.children
        room = self.fan_out // 2 if kept else self.fan_out
        loose: list[int | Group] = list(group.nodes)
        group.nodes, group.children = [], []
        loose = self.parts(group, loose, room)
        group.nodes = [item for item in loose if isinstance(item, int)]
        items: list[int | Group] = [
            *(item for item in loose if isinstance(item, Group)),
            *kept,
        ]
        items.sort(key=lambda item: item.last() if isinstance(item, Group) else item)
        most = self.fan_out - len(group.nodes)
        group.children = [g for g in self.parts(group, items, most) if isinstance(g, Group)]
        for child in group.children:
            child.parent = group

    def parts(self, group: Group, items: list[int | Group], most: int) -> list[int | Group]:
        """``items`` in at most ``most`` parts of consecutive ones (nested as needed)."""
        while len(items) > most:
            size = -(-len(items) // most)  # ceil: at most `most` parts
            parts: list[int | Group] = []
            for start in range(0, len(items), size):
                chunk = items[start : start + size]
                if len(chunk) == 1:
                    parts.append(chunk[0])
                    continue
                part = self.numbered("part", group)
                group.children.remove(part)
                for item in chunk:
                    if isinstance(item, int):
                        part.nodes.append(item)
                        self.group_at[item] = part
                    else:
                        item.parent = part
                        part.children.append(item)
                parts.append(part)
            items = parts
        return items

    def strip_wrappers(self) -> None:
        """Calls that hold everything (the module, the test, the training step around the
        model) add nothing: the root takes the insides of its only child."""
        root = self.root
        while not root.nodes and len(root.children) == 1 and root.children[0].kind == "call":
            only = root.children[0]
            del self.names[only.name]
            root.nodes, root.children = only.nodes, only.children
            for child in root.children:
                child.parent = root
            for i in root.nodes:
                self.group_at[i] = root


def _own_parameter(label: str, neuron: notation.Name) -> bool:
    parameter = notation.parse(label)
    return (
        parameter is not None
        and parameter.kind in notation.PARAMETER_KINDS
        and (parameter.layer, parameter.neuron) == (neuron.layer, neuron.neuron)
    )


def _count(root: Group) -> None:
    for group in reversed(list(root.walk())):  # children before parents
        group.size = len(group.nodes) + sum(child.size for child in group.children)


# ----- the level of detail ----------------------------------------------------------------


@dataclass
class Detail:
    """Which groups a drawing opens: ``opened`` show their insides, ``closed`` are one box
    each; ``boxes`` counts what is drawn (the nodes directly in an opened group, one per
    closed group). The root is always open."""

    opened: list[Group]
    closed: list[Group]
    boxes: int


def level_of_detail(
    groups: Groups | Group,
    max_boxes: int,
    open: Sequence[str] | set[str] = (),  # noqa: A002
) -> Detail:
    """Open groups, shallow ones first, while the drawing stays within ``max_boxes`` boxes.

    The root is always open, so its own boxes (at most the ``fan_out`` of :func:`group_graph`)
    are the fewest a drawing can have.

    The groups named in ``open`` (a focus, a highlighted path, a group the user clicked) and
    every group around them are opened first, even past ``max_boxes``: asked for, they are
    shown. Raises ``KeyError`` naming an unknown group.
    """
    root = groups.root if isinstance(groups, Groups) else groups
    by_name = {group.name: group for group in root.walk()}
    unknown = sorted(set(open) - set(by_name))
    if unknown:
        raise KeyError(f"no group named {', '.join(map(repr, unknown))} in this graph")
    is_open = {id(root)}
    for name in open:
        for group in by_name[name].path():
            is_open.add(id(group))
    boxes = sum(
        len(g.nodes) + sum(id(c) not in is_open for c in g.children) for g in _opened(root, is_open)
    )
    waiting: list[tuple[int, int, int, Group]] = []

    def offer(group: Group, depth: int) -> None:
        for child in group.children:
            if id(child) in is_open:
                offer(child, depth + 1)
            else:
                cost = len(child.nodes) + len(child.children) - 1
                heapq.heappush(waiting, (depth + 1, cost, child.last(), child))

    offer(root, 0)
    while waiting:
        depth, cost, _, group = heapq.heappop(waiting)
        if boxes + cost > max_boxes:
            continue
        boxes += cost
        is_open.add(id(group))
        offer(group, depth)
    opened = list(_opened(root, is_open))
    closed = [c for g in opened for c in g.children if id(c) not in is_open]
    return Detail(opened, closed, boxes)


def _opened(root: Group, is_open: set[int]) -> Iterator[Group]:
    stack = [root]
    while stack:
        group = stack.pop()
        yield group
        stack.extend(c for c in reversed(group.children) if id(c) in is_open)
