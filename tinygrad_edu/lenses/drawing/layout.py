"""A layered drawing of a directed acyclic graph in pure Python, for machines without ``dot``.

The classic layered (Sugiyama) method in four passes:

1. **Layers by longest path.** Every node goes one layer before its earliest successor, so the
   sinks (a graph's root) share the last layer and each leaf sits just before its first use:
   ``layer(v) = min over successors s of layer(s) − 1``. An edge that spans several layers
   gets a dummy node in each layer it crosses, so it has a slot of its own there.
2. **Order within layers.** Start from the order in which a walk back from the sinks meets
   the nodes (an op's operands in operand order, so ``h2[0]`` comes before ``h2[4]``), then a
   few sweeps sort each layer by the barycentre (mean position) of its neighbours in the layer
   just sorted; the order with the fewest edge crossings is kept.
3. **Positions across layers.** Each node wants to sit at the weighted mean of its
   neighbours. With the order fixed and a minimum gap between neighbours, the best positions
   in the least-squares sense are an isotonic regression, solved exactly by pooling adjacent
   violators; a few sweeps up and down settle the layers.
4. **Curved edges.** An edge leaves its tail's far side and enters its head's near side at
   a port of its own (ports are spread along the side, so the two edges of ``x * x`` stay
   apart), crosses each gap between layers on a cubic Bézier curve with tangents along the
   layer direction, and each layer it passes straight, inside its dummy's slot. So curves only
   bend between layers, where there are no boxes, and an edge never crosses a box.

Coordinates are worked out as ``r`` along the rank direction (left to right for ``"LR"``,
top to bottom for ``"TB"``) and ``s`` across it, then turned into ``x`` and ``y``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["Box", "Layout", "LayoutNode", "Point", "Route", "layered_layout"]

Point = tuple[float, float]

SWEEPS = 8  # ordering sweeps (each one down and one up); more rarely removes a crossing
PLACEMENT_ROUNDS = 12  # placement sweeps; the positions settle well before this
DUMMY_SIZE = 2.0  # the width of a long edge's slot in a layer it passes
DUMMY_GAP = 6.0  # the gap next to such a slot
LONG_EDGE_WEIGHT = 4.0  # how much more a long edge's slots want to stay straight
PORT_SPACING = 6.0  # between the ports of edges meeting one side of a node
PORT_SPREAD = 0.7  # the share of a side that ports may use


@dataclass(frozen=True)
class LayoutNode:
    """A node to place: its key, its size, and ``"box"`` or ``"ellipse"`` (where edges end)."""

    key: str
    width: float
    height: float
    shape: str = "box"


@dataclass(frozen=True)
class Box:
    """A placed node: centre ``(x, y)``, its size, and its shape."""

    x: float
    y: float
    width: float
    height: float
    shape: str = "box"

    @property
    def left(self) -> float:
        return self.x - self.width / 2

    @property
    def right(self) -> float:
        return self.x + self.width / 2

    @property
    def top(self) -> float:
        return self.y - self.height / 2

    @property
    def bottom(self) -> float:
        return self.y + self.height / 2


@dataclass(frozen=True)
class Route:
    """An edge as a cubic Bézier spline: its start, then three points per segment (two
    control points and the segment's end). The start lies on the tail's outline and the end
    on the head's."""

    tail: str
    head: str
    points: tuple[Point, ...]


@dataclass(frozen=True)
class Layout:
    """Where everything goes: boxes by key, and one route per edge in the order given."""

    width: float
    height: float
    boxes: dict[str, Box]
    routes: tuple[Route, ...]


def layered_layout(
    nodes: Sequence[LayoutNode],
    edges: Sequence[tuple[str, str]],
    rankdir: str = "LR",
    rank_gap: float = 36.0,
    node_gap: float = 10.0,
) -> Layout:
    """Place ``nodes`` in layers and route ``edges`` (tail → head) as curves.

    ``rank_gap`` is the least room between layers (it grows where edges climb far) and
    ``node_gap`` the room between neighbours in a layer. The result starts at (0, 0).

    Raises:
        ValueError: for an edge naming an unknown node or a repeated key. An edge that
            closes a cycle is laid out turned round and drawn the right way.
    """
    if rankdir not in ("LR", "TB"):
        raise ValueError(f"rankdir must be 'LR' or 'TB', got {rankdir!r}")
    graph = _LayeredGraph(nodes, edges, rankdir == "LR")
    graph.order()
    graph.place(node_gap)
    ranks = graph.rank_positions(rank_gap)
    return graph.result(ranks)


class _LayeredGraph:
    """The working state: real nodes first, then the dummies of long edges."""

    def __init__(
        self, nodes: Sequence[LayoutNode], edges: Sequence[tuple[str, str]], across_is_y: bool
    ) -> None:
        self.nodes = list(nodes)
        self.across_is_y = across_is_y  # "LR": s is y and r is x
        self.index: dict[str, int] = {}
        for k, node in enumerate(self.nodes):
            if node.key in self.index:
                raise ValueError(f"layout: the node key {node.key!r} is used twice")
            self.index[node.key] = k
        for tail, head in edges:
            for key in (tail, head):
                if key not in self.index:
                    raise ValueError(f"layout: the edge {tail!r} -> {head!r} names no node {key!r}")
        self.edges = [(self.index[tail], self.index[head]) for tail, head in edges]
        count = len(self.nodes)
        # A picture with groups collapsed may loop (group A feeds B, which feeds A): such
        # an edge is laid out turned round, as dot does, and drawn the right way after.
        self.turned = _back_edges(count, self.edges)
        for e in self.turned:
            self.edges[e] = self.edges[e][::-1]
        # sizes along the rank direction (thickness) and across it (size)
        self.thickness = [n.width if across_is_y else n.height for n in self.nodes]
        self.size = [n.height if across_is_y else n.width for n in self.nodes]
        self.layer = _longest_path_layers(count, self.edges)
        self.chains: list[list[int]] = []  # each edge as the vertices it passes, tail first
        for start, end in self.edges:
            chain = [start]
            for layer in range(self.layer[start] + 1, self.layer[end]):
                self.layer.append(layer)
                self.thickness.append(0.0)
                self.size.append(DUMMY_SIZE)
                chain.append(len(self.layer) - 1)
            chain.append(end)
            self.chains.append(chain)
        self.real = count
        total = len(self.layer)
        self.up: list[list[int]] = [[] for _ in range(total)]  # neighbours one layer before
        self.down: list[list[int]] = [[] for _ in range(total)]  # neighbours one layer after
        self.weight: dict[tuple[int, int], float] = {}
        for chain in self.chains:
            weight = 1.0 if len(chain) == 2 else LONG_EDGE_WEIGHT
            for a, b in zip(chain, chain[1:], strict=False):
                self.down[a].append(b)
                self.up[b].append(a)
                self.weight[a, b] = weight
        self.layers: list[list[int]] = [[] for _ in range(max(self.layer, default=-1) + 1)]
        self.position: list[float] = [0.0] * total  # across the layers, the s coordinate
        self.gaps: list[list[float]] = []  # the least distance between neighbours, per layer
        self.thick: list[float] = []  # each layer's thickness along the rank direction
        self.slot: list[int] = []  # each node's place within its layer, while ordering

    # ----- 2. order within layers -------------------------------------------------------

    def order(self) -> None:
        self.layers = self._initial_order()
        self.slot = [0] * len(self.layer)
        for layer in self.layers:
            for i, v in enumerate(layer):
                self.slot[v] = i
        best, fewest = [list(layer) for layer in self.layers], self._crossings()
        for _ in range(SWEEPS):
            for k in range(len(self.layers) - 2, -1, -1):
                self._sort_by_barycentre(k, self.down)
            for k in range(1, len(self.layers)):
                self._sort_by_barycentre(k, self.up)
            crossings = self._crossings()
            if crossings < fewest:
                best, fewest = [list(layer) for layer in self.layers], crossings
            if fewest == 0:
                break
        self.layers = best

    def _initial_order(self) -> list[list[int]]:
        """Sinks in input order, then each layer in the order its successors meet them."""
        layers: list[list[int]] = [[] for _ in self.layers]
        last = len(layers) - 1
        placed = [False] * len(self.layer)
        for v in range(self.real):
            if self.layer[v] == last:
                layers[last].append(v)
                placed[v] = True
        for k in range(last, 0, -1):
            for v in layers[k]:
                for u in self.up[v]:
                    if not placed[u] and self.layer[u] == k - 1:
                        placed[u] = True
                        layers[k - 1].append(u)
        for v, done in enumerate(placed):  # only nodes without successors outside the last
            if not done:  # layer, which longest-path layering never makes; kept for safety
                layers[self.layer[v]].append(v)
        return layers

    def _sort_by_barycentre(self, k: int, neighbours: list[list[int]]) -> None:
        slot = self.slot
        layer = self.layers[k]

        def key(item: tuple[int, int]) -> float:
            i, v = item
            around = neighbours[v]
            return sum(slot[u] for u in around) / len(around) if around else float(i)

        self.layers[k] = layer = [v for _, v in sorted(enumerate(layer), key=key)]  # stable
        for i, v in enumerate(layer):  # only this layer's places changed
            slot[v] = i

    def _crossings(self) -> int:
        total = 0
        for upper, lower in zip(self.layers, self.layers[1:], strict=False):
            slot = {v: i for i, v in enumerate(lower)}
            pairs = sorted((i, slot[w]) for i, v in enumerate(upper) for w in self.down[v])
            total += _inversions([w for _, w in pairs], len(lower))
        return total

    # ----- 3. positions across layers ---------------------------------------------------

    def place(self, node_gap: float) -> None:
        self.gaps = []
        for layer in self.layers:
            gaps = [
                (self.size[a] + self.size[b]) / 2 + self._gap(a, b, node_gap)
                for a, b in zip(layer, layer[1:], strict=False)
            ]
            self.gaps.append(gaps)
            s = 0.0
            for v, gap in zip(layer, [0.0, *gaps], strict=True):
                s += gap
                self.position[v] = s
            middle = s / 2
            for v in layer:
                self.position[v] -= middle
        for round_ in range(PLACEMENT_ROUNDS):
            both = round_ >= 2  # first settle from one side at a time, then from both
            for k in range(1, len(self.layers)):
                self._settle(k, self.up, self.down if both else None)
            for k in range(len(self.layers) - 2, -1, -1):
                self._settle(k, self.down, self.up if both else None)

    def _gap(self, a: int, b: int, node_gap: float) -> float:
        return node_gap if a < self.real and b < self.real else DUMMY_GAP

    def _settle(self, k: int, near: list[list[int]], far: list[list[int]] | None) -> None:
        layer = self.layers[k]
        wanted, weights = [], []
        for v in layer:
            total = weight_sum = 0.0
            for lists in (near, far) if far is not None else (near,):
                for u in lists[v]:
                    w = self.weight.get((u, v)) or self.weight.get((v, u), 1.0)
                    total += w * self.position[u]
                    weight_sum += w
            if weight_sum:
                wanted.append(total / weight_sum)
                weights.append(weight_sum)
            else:  # nothing pulls it: it stays, but gives way easily
                wanted.append(self.position[v])
                weights.append(0.01)
        for v, s in zip(layer, _spaced_isotonic(wanted, weights, self.gaps[k]), strict=True):
            self.position[v] = s

    # ----- 3b. positions along the rank direction ---------------------------------------

    def rank_positions(self, rank_gap: float) -> list[float]:
        """The centre line of each layer: each layer is as thick as its thickest node, and a
        gap grows with the steepest edge crossing it, so no curve is drawn nearly upright."""
        self.thick = [max((self.thickness[v] for v in layer), default=0.0) for layer in self.layers]
        centres: list[float] = []
        r = 0.0
        for k in range(len(self.layers)):
            if k:
                climb = max(
                    (
                        abs(self.position[w] - self.position[v])
                        for v in self.layers[k - 1]
                        for w in self.down[v]
                    ),
                    default=0.0,
                )
                r += self.thick[k - 1] / 2 + max(rank_gap, min(4 * rank_gap, 0.2 * climb))
            r += self.thick[k] / 2
            centres.append(r)
        return centres

    # ----- 4. boxes and curved edges ----------------------------------------------------

    def result(self, centres: list[float]) -> Layout:
        everything = range(len(self.position))
        low = min((self.position[v] - self.size[v] / 2 for v in everything), default=0.0)
        high = max((self.position[v] + self.size[v] / 2 for v in everything), default=0.0)
        for v in range(len(self.position)):
            self.position[v] -= low
        far = centres[-1] + self.thick[-1] / 2 if centres else 0.0
        boxes = {}
        for v, node in enumerate(self.nodes):
            r, s = centres[self.layer[v]], self.position[v]
            x, y = (r, s) if self.across_is_y else (s, r)
            boxes[node.key] = Box(x, y, node.width, node.height, node.shape)
        ports = self._ports()
        routes = []
        for e, chain in enumerate(self.chains):
            points = self._route(e, chain, centres, ports)
            if not self.across_is_y:
                points = [(s, r) for r, s in points]
            tail, head = self.edges[e]
            if e in self.turned:  # laid out turned round: drawn from its own tail again
                points, tail, head = points[::-1], head, tail
            routes.append(Route(self.nodes[tail].key, self.nodes[head].key, tuple(points)))
        width, height = (far, high - low) if self.across_is_y else (high - low, far)
        return Layout(width, height, boxes, tuple(routes))

    def _ports(self) -> dict[tuple[int, int], float]:
        """The offset across the side of each edge's port: ``(edge, 0)`` at its tail and
        ``(edge, 1)`` at its head, spread in the order of the other ends."""
        outgoing: list[list[int]] = [[] for _ in range(self.real)]
        incoming: list[list[int]] = [[] for _ in range(self.real)]
        for e, chain in enumerate(self.chains):
            outgoing[chain[0]].append(e)
            incoming[chain[-1]].append(e)
        offsets: dict[tuple[int, int], float] = {}
        for v in range(self.real):
            for end, edges, other in ((0, outgoing[v], 1), (1, incoming[v], -2)):
                edges.sort(key=lambda e: (self.position[self.chains[e][other]], e))
                count = len(edges)
                spacing = min(PORT_SPACING, PORT_SPREAD * self.size[v] / max(count - 1, 1))
                for i, e in enumerate(edges):
                    offsets[e, end] = (i - (count - 1) / 2) * spacing
        return offsets

    def _route(
        self, e: int, chain: list[int], centres: list[float], ports: dict[tuple[int, int], float]
    ) -> list[Point]:
        tail, head = chain[0], chain[-1]
        start = self._port(tail, ports[e, 0], centres, outgoing=True)
        end = self._port(head, ports[e, 1], centres, outgoing=False)
        points: list[Point] = [start]
        # leave the tail's layer straight, to its far edge
        _line(points, (self._band(tail, centres, +1), start[1]))
        for dummy in chain[1:-1]:
            s = self.position[dummy]
            _curve(points, (self._band(dummy, centres, -1), s))
            _line(points, (self._band(dummy, centres, +1), s))
        _curve(points, (self._band(head, centres, -1), end[1]))
        _line(points, end)
        return points

    def _band(self, v: int, centres: list[float], side: int) -> float:
        layer = self.layer[v]
        return centres[layer] + side * self.thick[layer] / 2

    def _port(self, v: int, offset: float, centres: list[float], outgoing: bool) -> Point:
        r, s = centres[self.layer[v]], self.position[v]
        half_thick, half_size = self.thickness[v] / 2, self.size[v] / 2
        reach = half_thick
        if self.nodes[v].shape == "ellipse" and half_size > 0:
            reach = half_thick * math.sqrt(max(0.0, 1.0 - (offset / half_size) ** 2))
        return (r + reach if outgoing else r - reach, s + offset)


def _line(points: list[Point], to: Point) -> None:
    """A straight segment, written as a cubic with its control points on the line."""
    x0, y0 = points[-1]
    dx, dy = (to[0] - x0) / 3, (to[1] - y0) / 3
    points += [(x0 + dx, y0 + dy), (x0 + 2 * dx, y0 + 2 * dy), to]


def _curve(points: list[Point], to: Point) -> None:
    """A cubic whose tangents at both ends run along the rank direction."""
    r0, s0 = points[-1]
    r1, s1 = to
    half = (r1 - r0) / 2
    points += [(r0 + half, s0), (r1 - half, s1), to]


def _back_edges(count: int, edges: list[tuple[int, int]]) -> set[int]:
    """The edges that close a cycle, found by a depth-first search (an edge into a node whose
    search is still open); turning them round leaves no cycle. None in a graph without."""
    out: list[list[int]] = [[] for _ in range(count)]
    for e, (tail, _) in enumerate(edges):
        out[tail].append(e)
    state = [0] * count  # 0 not met, 1 open, 2 done
    back: set[int] = set()
    for start in range(count):
        if state[start]:
            continue
        state[start] = 1
        stack = [(start, iter(out[start]))]
        while stack:
            v, pending = stack[-1]
            for e in pending:
                w = edges[e][1]
                if state[w] == 1:
                    back.add(e)
                elif state[w] == 0:
                    state[w] = 1
                    stack.append((w, iter(out[w])))
                    break
            else:
                state[v] = 2
                stack.pop()
    return back


def _longest_path_layers(count: int, edges: list[tuple[int, int]]) -> list[int]:
    """``layer(v) = min over successors of layer − 1``, the sinks all in the last layer
    (Kahn's algorithm from the sinks, so a cycle is found rather than looped on)."""
    successors: list[list[int]] = [[] for _ in range(count)]
    predecessors: list[list[int]] = [[] for _ in range(count)]
    for tail, head in edges:
        successors[tail].append(head)
        predecessors[head].append(tail)
    remaining = [len(s) for s in successors]
    depth = [0] * count  # the longest path down to a sink
    ready = [v for v in range(count) if remaining[v] == 0]
    seen = 0
    while ready:
        v = ready.pop()
        seen += 1
        for u in predecessors[v]:
            depth[u] = max(depth[u], depth[v] + 1)
            remaining[u] -= 1
            if remaining[u] == 0:
                ready.append(u)
    if seen != count:
        raise ValueError("layout: the graph has a cycle, so it cannot be drawn in layers")
    deepest = max(depth, default=0)
    return [deepest - d for d in depth]


def _inversions(sequence: list[int], size: int) -> int:
    """Pairs i < j with sequence[i] > sequence[j], counted with a Fenwick tree: the
    crossings between two layers, once their edges are sorted by the upper end."""
    tree = [0] * (size + 1)
    total = 0
    for seen, value in enumerate(sequence):
        # how many earlier values are ≤ value
        i, at_most = value + 1, 0
        while i > 0:
            at_most += tree[i]
            i -= i & -i
        total += seen - at_most
        i = value + 1
        while i <= size:
            tree[i] += 1
            i += i & -i
    return total


def _spaced_isotonic(wanted: list[float], weights: list[float], gaps: list[float]) -> list[float]:
    """Positions s₀ < s₁ < … closest to ``wanted`` in weighted least squares, subject to
    s_{i+1} − s_i ≥ gaps[i].

    With offsets o_i = Σ_{j<i} gaps[j] and z_i = s_i − o_i the constraint is z non-decreasing,
    so this is isotonic regression of wanted_i − o_i, solved by pooling adjacent violators:
    merge neighbouring blocks while a block's weighted mean exceeds the next one's.
    """
    offsets = [0.0]
    for gap in gaps:
        offsets.append(offsets[-1] + gap)
    blocks: list[list[float]] = []  # [weighted sum, weight, count]
    for target, weight, offset in zip(wanted, weights, offsets, strict=True):
        blocks.append([weight * (target - offset), weight, 1])
        while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] > blocks[-1][0] / blocks[-1][1]:
            total, weight_sum, count = blocks.pop()
            blocks[-1][0] += total
            blocks[-1][1] += weight_sum
            blocks[-1][2] += count
    result = []
    for total, weight_sum, count in blocks:
        result += [total / weight_sum] * int(count)
    return [z + offset for z, offset in zip(result, offsets, strict=True)]
