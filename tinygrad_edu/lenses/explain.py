"""``explain``: document 001's equation 16 for one weight, written out with numbers: each of
its matrix products becomes a sum over the graph's paths, one product per path.

:func:`explain` takes the chain-rule paths of :mod:`tinygrad_edu.lenses.paths` from a root down
to one node and writes each as a product of named local derivatives with their values, then the
sum of the products and a check of that sum against ``leaf.grad``.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from dataclasses import dataclass

from tinygrad_edu import checks
from tinygrad_edu.core import Value
from tinygrad_edu.core.messages import count, shown
from tinygrad_edu.lenses.index import GraphIndex
from tinygrad_edu.lenses.paths import ChainEdge, ChainPath, chain_paths, graph_and_node

__all__ = ["explain"]

ROOT_NAME = "E"  # what an unlabelled root is called: the documents' name for the error
DEFAULT_WIDTH = 80  # a terminal's columns
MIN_WIDTH = 40  # narrower, and a factor's name and value no longer fit a line


def explain(
    root: Value,
    leaf: Value | str,
    *,
    collapse: bool = True,
    max_paths: int = 1000,
    width: int = DEFAULT_WIDTH,
    index: GraphIndex | None = None,
) -> str:
    """∂root/∂leaf as document 001's equation 16 becomes for one node: a sum over paths::

        ∂E/∂w = Σ over paths of  ∂E/∂a3[k] · ∂a3[k]/∂h3[k] · ∂h3[k]/∂a2[j] ⋯ ∂h1[i]/∂w

    One block per path: the nodes it passes, each factor named by node labels with its value
    (6 significant digits) and the path's product; then the sum of the products and a check
    line comparing the sum with ``leaf.grad`` (run ``root.backward()`` first).

    Naming: a labelled node is called by its label and an unlabelled root is called ``E``.
    With ``collapse=True`` a run of unlabelled nodes that is the only route between two named
    nodes is folded into one factor (so ``E = 0.5 * ((a3[0] - y0)**2 + …)`` gives the single
    factor ∂E/∂a3[0] = a3[0] − y0, as in the documents); a ``where`` section lists the local
    derivatives folded into it. Other unlabelled nodes get generated names ``v<k>``, ``k``
    being the node's position in ``topological_order(root)``, and are defined in that
    section. Label a node to see it as a step of its own, or pass ``collapse=False``.

    ``leaf`` is a node of the graph, or its label: ``explain(E, "W1[0,0]")``. ``index`` is
    the :class:`~tinygrad_edu.lenses.index.GraphIndex` of ``root``'s graph, if one was made
    already (the step-through page explains every leaf from one index).

    Lines fit ``width`` columns (80, a terminal's; at least 40): a long product continues on
    the next lines, each row of names still above its row of values, and a long sentence
    wraps, indented. Only a single name longer than the width can pass it.

    Raises:
        TypeError: if ``root`` or ``leaf`` is not a ``Value`` (or ``leaf`` a label).
        ValueError: if no node, or several, have the label ``leaf``; ``StaleGraphError`` (a
            ValueError) if a leaf's ``.data`` changed after the graph was built.

    More than ``max_paths`` paths (a GPT's loss reaches an embedding weight by 10¹³) are
    not listed: they are added up route by route instead, a route being the paths that
    pass through the same groups of nodes (the calls of your functions under
    ``tinygrad_edu.origins()``, else neurons, sums and chains:
    :func:`~tinygrad_edu.lenses.routes.chain_routes`), each with its number of paths and the
    sum of their products, found by dynamic programming; the sums add up to ``leaf.grad``.
    """
    index, leaf = graph_and_node(root, leaf, "explain", index)
    index.check_fresh("explain()")
    root = index.root
    width = checks.integer("width", width, low=MIN_WIDTH)
    if leaf is root:
        name = root.label or ROOT_NAME
        return f"∂{name}/∂{name} = 1: the derivative of a node with respect to itself."
    checks.positive_int("max_paths", max_paths)
    total_paths = index.path_counts(leaf).get(root, 0)
    if total_paths > max_paths:
        return _by_routes(index, leaf, total_paths, max_paths, width)
    paths = chain_paths(root, leaf, max_paths, index=index)
    if not paths:
        unlabelled = f"the unlabelled node of value {_number(leaf.data)}"
        what = repr(leaf.label) if leaf.label else unlabelled
        return (
            f"{root.label or ROOT_NAME} does not depend on {what}: no path leads down to it, "
            "so the derivative is 0."
        )
    namer = _Namer(index, leaf, paths, collapse)
    target = f"∂{namer.name(root)}/∂{namer.name(leaf)}"
    lines = _fit(
        f"{target} by the chain rule: the sum over the {count(len(paths), 'path')} from "
        f"{namer.name(root)} down to {namer.name(leaf)} of the product of the local "
        "derivatives along each path.",
        width,
        more="",
    )
    lines.append("")
    for number, path in enumerate(paths, start=1):
        lines += _path_block(number, len(paths), path, namer, width)
    lines += _total_block(target, root, leaf, paths, namer, width)
    for line in namer.where_lines():
        lines += _fit(line, width, breaks=WHERE_BREAKS)
    return "\n".join(lines)


MAX_ROUTES = 12  # routes written out; the rest are added up as "other routes"


def _by_routes(index: GraphIndex, leaf: Value, total_paths: int, max_paths: int, width: int) -> str:
    """The paths, too many to list, added up route by route."""
    from tinygrad_edu.lenses.routes import chain_routes  # here: only huge graphs need it

    root = index.root
    root_name, leaf_name = root.label or ROOT_NAME, leaf.label or "the node"
    target = f"∂{root_name}/∂{leaf_name}"
    routes = chain_routes(root, leaf, max_routes=MAX_ROUTES, index=index)
    kept = [route for route in routes if not route.other]
    lines = _fit(
        f"{target} by the chain rule: the sum over the {count(total_paths, 'path')} from "
        f"{root_name} down to {leaf_name} of the product of the local derivatives along each "
        f"path. That is more than max_paths={max_paths:,} to list, so they are added up route "
        "by route: a route is the paths that pass through the same groups of nodes, and each "
        "route's count and sum come from dynamic programming, not from walking its paths.",
        width,
        more="",
    )
    lines.append("")
    for number, route in enumerate(kept, start=1):
        lines.append(
            f"route {number} of {len(kept)}: {count(route.count, 'path')}, "
            f"sum {_number(route.total)}"
        )
        lines += _fit("    " + " → ".join(route.groups), width, breaks=(" → ",))
    for route in routes:
        if route.other:
            lines.append(f"other routes: {count(route.count, 'path')}, sum {_number(route.total)}")
    total = sum(route.total for route in routes)
    lines += ["", f"{target} = the sum of the routes = {_number(total)}"]
    grad = leaf.grad
    close = abs(total - grad) <= 1e-12 * max(abs(grad), abs(total), 1e-300)
    agree = (
        "equal to the sum to 1e-12 relative (added in another order)"
        if close
        else (f"differs from the sum by {_number(grad - total)}")
    )
    if root.grad == 1.0:
        lines += _fit(f"check: {leaf_name}.grad = {_number(grad)}, {agree}", width)
    else:
        lines += _fit(f"check: call {root_name}.backward() first to compare with .grad", width)
    return "\n".join(lines)


# Where a definition in the where section breaks best, in order of preference: before the
# route of a folded factor, before the last "= value", before the op in brackets.
WHERE_BREAKS = (" along ", " = ", " (")


def _fit(line: str, width: int, more: str = "    ", breaks: tuple[str, ...] = ()) -> list[str]:
    """``line`` wrapped to ``width`` columns: before the last of the first of ``breaks`` that
    leaves a first line short enough, else at spaces. Continuation lines keep the line's
    indentation plus ``more``."""
    if len(line) <= width:
        return [line]
    indent = line[: len(line) - len(line.lstrip(" "))]
    for mark in breaks:
        cut = line.rfind(mark, len(indent) + 1, width + 1)
        if cut > 0:
            rest = indent + more + line[cut + 1 :]
            return [line[:cut], *_fit(rest, width, "", breaks)]
    return textwrap.wrap(
        line,
        width,
        subsequent_indent=indent + more,
        break_long_words=False,
        break_on_hyphens=False,
    )


def _table(names: list[str], values: list[str], width: int) -> list[str]:
    """The factors' names over their values, ``·`` and ``×`` aligned, in as many pairs of
    rows as ``width`` needs: ``∂E/∂a · ∂a/∂h`` over ``= 0.1 × 0.2``, then ``· …`` over ``× …``."""
    widths = [max(len(n), len(v)) for n, v in zip(names, values, strict=True)]
    rows: list[str] = []
    start = 0
    while start < len(names):
        end, used = start + 1, 6 + widths[start]
        while end < len(names) and used + 3 + widths[end] <= width:
            used += 3 + widths[end]
            end += 1
        chunk = range(start, end)
        name_lead, value_lead = ("      ", "    = ") if start == 0 else ("    · ", "    × ")
        rows.append(name_lead + " · ".join(names[k].ljust(widths[k]) for k in chunk).rstrip())
        rows.append(value_lead + " × ".join(values[k].ljust(widths[k]) for k in chunk).rstrip())
        start = end
    return rows


def _number(x: float) -> str:
    return shown(x)


@dataclass(frozen=True)
class _Factor:
    """∂upper/∂lower along one stretch of a path; ``edges`` has more than one edge when
    unlabelled nodes between them were folded in."""

    upper: Value
    lower: Value
    edges: tuple[ChainEdge, ...]

    @property
    def value(self) -> float:
        return ChainPath(self.edges).product


class _Namer:
    """Names of the nodes on the paths and the stretches of each path that form a factor."""

    def __init__(self, index: GraphIndex, leaf: Value, paths: list[ChainPath], collapse: bool):
        self.index = index
        self.root, self.leaf, self.collapse = index.root, leaf, collapse
        self._routes: dict[tuple[Value, Value], int] = {}
        self.factors = [self._split(path) for path in paths]
        self._names = self._assign_names(paths)

    # -- which nodes are named -------------------------------------------------------------

    def _is_named(self, node: Value) -> bool:
        return bool(node.label) or node is self.root or node is self.leaf

    def _split(self, path: ChainPath) -> list[_Factor]:
        """Cut the path at named nodes; a stretch of unlabelled nodes becomes one factor only
        if it is the unique unlabelled route between its ends (then the factor is exactly
        ∂upper/∂lower), otherwise one factor per edge."""
        factors: list[_Factor] = []
        stretch: list[ChainEdge] = []
        for edge in path.edges:
            stretch.append(edge)
            if not self._is_named(edge.child):
                continue
            upper = stretch[0].parent
            if len(stretch) > 1 and self.collapse and self._unique_route(upper, edge.child):
                factors.append(_Factor(upper, edge.child, tuple(stretch)))
            else:
                factors += [_Factor(e.parent, e.child, (e,)) for e in stretch]
            stretch = []
        return factors

    def _unique_route(self, upper: Value, lower: Value) -> bool:
        key = (upper, lower)
        if key not in self._routes:
            self._routes[key] = _unlabelled_routes(upper, lower)
        return self._routes[key] == 1

    def _assign_names(self, paths: list[ChainPath]) -> dict[Value, str]:
        shown: list[Value] = []  # nodes that appear in some factor, in order of appearance
        seen: set[Value] = set()
        for factors in self.factors:
            for factor in factors:
                for node in (factor.upper, factor.lower):
                    if node not in seen:
                        seen.add(node)
                        shown.append(node)
        names: dict[Value, str] = {}
        position = self.index.position
        label_users: dict[str, list[Value]] = {}
        for node in shown:
            if node.label:
                label_users.setdefault(node.label, []).append(node)
            elif node is self.root:
                names[node] = ROOT_NAME
            else:
                names[node] = f"v{position[node]}"
        for label, nodes in label_users.items():
            if len(nodes) == 1:
                names[nodes[0]] = label
            else:  # one label on several nodes (e.g. a batch): number them
                for k, node in enumerate(nodes, start=1):
                    names[node] = f"{label}#{k}"
        return names

    def name(self, node: Value) -> str:
        if node in self._names:
            return self._names[node]
        return node.label or (ROOT_NAME if node is self.root else "")

    def factor_name(self, factor: _Factor) -> str:
        return f"∂{self.name(factor.upper)}/∂{self.name(factor.lower)}"

    # -- the where section -----------------------------------------------------------------

    def where_lines(self) -> list[str]:
        """What each factor is (document 001's equations 4 to 9 and 12 to 14), then the
        generated names."""
        lines = []
        if not self.root.label:
            lines.append(f"  {ROOT_NAME} is the root, which has no label.")
        distinct: dict[tuple[Value, Value, tuple[int, ...]], _Factor] = {}
        for factors in self.factors:
            for factor in factors:
                key = (factor.upper, factor.lower, tuple(e.position for e in factor.edges))
                distinct.setdefault(key, factor)
        for factor in distinct.values():
            lines.append(f"  {self.factor_name(factor)} = {self._rule(factor)}")
        for node, name in self._names.items():
            if node.label or node is self.root:
                continue
            if node.children:
                lines.append(f"  {name} = {self._formula(node)} = {_number(node.data)}")
            else:
                lines.append(f"  {name} is a leaf without a label, value {_number(node.data)}")
        return ["", "where", *lines]

    def _rule(self, factor: _Factor) -> str:
        value = _number(factor.value)
        if len(factor.edges) == 1:
            edge = factor.edges[0]
            rule, op = _local_rule(edge, self._operand), edge.parent.op
            if _repeated(edge):
                op += f", operand {edge.position + 1}"
            return f"{value} ({op})" if rule == value else f"{rule} = {value} ({op})"
        inner = " → ".join(f"({edge.child.op})" for edge in factor.edges[:-1])
        # each local derivative with the op it is of, the upper node's own op first
        locals_ = " × ".join(f"{_number(edge.local)} ({edge.parent.op})" for edge in factor.edges)
        return (
            f"{locals_} = {value} along {self.name(factor.upper)} → {inner} → "
            f"{self.name(factor.lower)} (inner nodes without labels)"
        )

    def _formula(self, node: Value) -> str:
        """One level of the node's formula, its operands by name or value."""
        assert node._operation is not None
        return node._operation.formula(node, [self._operand(child) for child in node.children])

    def _operand(self, node: Value) -> str:
        if node in self._names:
            return self._names[node]
        if node.label:
            return node.label
        return _number(node.data) if not node.children else f"({node.op} …)"


def _unlabelled_routes(upper: Value, lower: Value) -> int:
    """The number of paths from ``upper`` to ``lower`` whose inner nodes all lack a label."""
    counts: dict[Value, int] = {lower: 1}
    # post-order over the unlabelled region below ``upper``, iteratively
    stack = [(upper, iter(upper.children))]
    expanded = {upper}
    while stack:
        node, pending = stack[-1]
        for child in pending:
            if child is not lower and not child.label and child.children:
                if child not in expanded:
                    expanded.add(child)
                    stack.append((child, iter(child.children)))
                    break
        else:
            stack.pop()
            counts[node] = sum(counts.get(child, 0) for child in node.children)
    return counts[upper]


def _repeated(edge: ChainEdge) -> bool:
    """Whether the edge's child is an operand of its parent more than once (``x * x``)."""
    return edge.parent.children.count(edge.child) > 1


def _local_rule(edge: ChainEdge, name: Callable[[Value], str]) -> str:
    """The local derivative ∂parent/∂child in symbols, as the parent's op words it."""
    parent = edge.parent
    assert parent._operation is not None
    args = [name(child) for child in parent.children]
    return parent._operation.rule(parent, edge.position, args, name(parent))


def _path_block(number: int, total: int, path: ChainPath, namer: _Namer, width: int) -> list[str]:
    factors = namer.factors[number - 1]
    route = " → ".join([namer.name(factors[0].upper), *(namer.name(f.lower) for f in factors)])
    twice = [
        f"{namer.name(e.child)} as operand {e.position + 1} of {namer.name(e.parent)}"
        for e in path.edges
        if _repeated(e)
    ]
    if twice:  # x * x: tell its two edges apart
        route += f" ({', '.join(twice)})"
    names = [namer.factor_name(f) for f in factors]
    values = [_number(f.value) for f in factors]
    return [
        *_fit(f"path {number} of {total}: {route}", width),
        *_table(names, values, width),
        *([f"    = {_number(path.product)}"] if len(factors) > 1 else []),  # else shown above
        "",
    ]


def _total_block(
    target: str, root: Value, leaf: Value, paths: list[ChainPath], namer: _Namer, width: int
) -> list[str]:
    products = [path.product for path in paths]
    total = sum(products)
    indent = " " * len(target)
    if len(paths) == 1:
        lines = [f"{target} = path 1 = {_number(total)}"]
    else:
        lines = [f"{target} = path 1 + … + path {len(paths)}"]
        terms = [f"({_number(p)})" if p < 0 else _number(p) for p in products]
        row: list[str] = []
        for term in terms:  # as many terms a line as fit
            sign = "+" if len(lines) > 1 else "="
            if row and len(f"{indent} {sign} {' + '.join([*row, term])}") > width:
                lines.append(f"{indent} {sign} {' + '.join(row)}")
                row = []
            row.append(term)
        sign = "+" if len(lines) > 1 else "="
        lines.append(f"{indent} {sign} {' + '.join(row)}")
        lines.append(f"{indent} = {_number(total)}")
    lines += _fit(_check_line(root, leaf, total, products, namer), width)
    return lines


def _check_line(
    root: Value, leaf: Value, total: float, products: list[float], namer: _Namer
) -> str:
    root_name, leaf_name = namer.name(root), namer.name(leaf)
    if root.children and root.grad == 0.0:
        return (
            f"check: {root_name}.backward() has not run ({root_name}.grad is 0), so there is "
            f"no {leaf_name}.grad to compare with; call {root_name}.backward() first"
        )
    if root.grad != 1.0:
        return (
            f"check: {root_name}.grad is {_number(root.grad)}, not 1: {leaf_name}.grad comes "
            f"from a backward() of another root; to compare, zero the gradients and call "
            f"{root_name}.backward()"
        )
    grad = leaf.grad
    scale = sum(abs(p) for p in products)
    difference = abs(total - grad)
    if difference <= 1e-9 * scale:
        how = "exactly" if difference == 0.0 else f"up to float rounding ({difference:.2g})"
        return f"check: {leaf_name}.grad = {_number(grad)}, equal to the sum {how}"
    return (
        f"check: {leaf_name}.grad = {_number(grad)} differs from the sum by {difference:.3g}: "
        f"gradients of leaves add up over backward() calls, so zero them and call "
        f"{root_name}.backward() once"
    )
