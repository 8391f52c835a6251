"""``layer_view(...)._repr_html_()``: the text's equations as tables, for Jupyter.

Plain HTML with inline styles (no script, no stylesheet to fetch). Hovering over an entry of
∂E/∂W, ∂E/∂b or Wδ shows the edges it sums, their terms, and its check against ``.grad``;
an entry that differs from ``.grad`` is shaded red.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import TYPE_CHECKING

from tinygrad_edu.lenses.layers.text import (
    MAX_COLUMNS,
    MAX_EXAMPLES,
    MAX_ROWS,
    SHOWN_ROWS,
    number,
)
from tinygrad_edu.nn.activations import derivative_symbols

if TYPE_CHECKING:
    from tinygrad_edu.lenses.layers.view import Entry, LayerGradients, LayerView

Cell = tuple[str, str, bool]  # text, tooltip, whether it differs from .grad
_CELL = "padding:2px 8px;text-align:right;font-family:monospace"
_HEAD = "padding:2px 8px;text-align:right;color:#555;font-weight:normal"
_WRONG = ";background:#fdd"
MAX_TERMS = 6  # terms listed in a tooltip


def render_html(view: LayerView) -> str:
    E = escape(view.root_name)
    parts = [
        "<div>",
        f"<p>The graph of {E} as matrices, from the last layer back. Row vectors: "
        "h<sup>(l)</sup> = a<sup>(l-1)</sup>W<sup>(l)</sup> + b<sup>(l)</sup>, "
        f"δ<sup>(l)</sup> = ∂{E}/∂h<sup>(l)</sup>; W[i,j] joins input i to neuron j. "
        "Hover over an entry to see the edges it sums.</p>",
    ]
    for layer in reversed(view.layers):
        parts += _layer(E, layer)
    parts.append("</div>")
    return "\n".join(parts)


def _sup(layer: int) -> str:
    return f"<sup>({layer})</sup>"


def _layer(E: str, layer: LayerGradients) -> list[str]:
    l, (n_in, n_out) = layer.number, layer.sizes
    s, n = _sup(l), "<sub>n</sub>" if layer.examples > 1 else ""
    f = escape(derivative_symbols(layer.activation)[0])
    a = "x" if l == 1 else f"a{_sup(l - 1)}"
    sum_n = "Σ<sub>n</sub> " if layer.examples > 1 else ""
    deltas: list[tuple[str, list[Cell]]] = []
    shown = range(min(layer.examples, MAX_EXAMPLES))
    for k in shown:
        tag = f"n={k + 1} " if layer.examples > 1 else ""
        deltas.append((f"{tag}∂{E}/∂a{s}", _plain(layer.output_grads[k])))
        deltas.append((f"{tag}{f}(h{s})", _plain(layer.derivatives[k])))
        deltas.append((f"{tag}δ{s}", _plain(layer.deltas[k])))
    deltas.append((f"∂{E}/∂b{s}", _cells(layer.bias_entries)))
    weights = [(f"i={i}", _cells(row)) for i, row in enumerate(layer.weight_entries)]
    inputs = [
        (f"n={k + 1}" if layer.examples > 1 else f"W{s}δ{s}", _cells(layer.input_entries[k]))
        for k in shown
    ]
    more = layer.examples - len(shown)
    hidden = f"<p>… {more} more examples: view.layer({l}) has every row</p>" if more else ""
    wrong = len(layer.mismatches())
    check = (
        f"all {n_in * n_out + n_out} entries equal the parameters' .grad bit for bit"
        if not wrong
        else f"{wrong} entries differ from the parameters' .grad (shaded; hover for why)"
    )
    entries = [entry for row in layer.input_entries for entry in row]
    differ = sum(not entry.equals_grad for entry in entries)
    check += (
        f"; all {len(entries)} of Wδ equal the inputs' .grad bit for bit"
        if not differ
        else f"; {differ} of {len(entries)} of Wδ differ from the inputs' .grad (shaded)"
    )
    neurons = [f"j={j}" for j in range(n_out)]
    return [
        f"<h4>Layer {l}: {n_in} inputs {a}, {n_out} {escape(layer.activation)} neurons</h4>",
        f"<p>δ{s} = ∂{E}/∂a{s} ⊙ {f}(h{s}), ∂{E}/∂b{s} = {sum_n}δ{n}{s}</p>",
        _table(neurons, deltas),
        f"<p>∂{E}/∂W{s} = {sum_n}{a}{n}<sup>T</sup>δ{n}{s}</p>",
        _table(neurons, weights),
        f"<p>∂{E}/∂{a} = W{s}δ{s}: (Wδ)<sub>i</sub> = Σ<sub>j</sub> W[i,j]δ<sub>j</sub></p>",
        _table([f"i={i}" for i in range(n_in)], inputs),
        hidden,
        f"<p>check: {check}</p>",
    ]


def _plain(values: Sequence[float | None]) -> list[Cell]:
    return [(number(v), "", False) for v in values]


def _cells(entries: list[Entry]) -> list[Cell]:
    return [(number(e.value), _edges_title(e), not e.equals_grad) for e in entries]


def _edges_title(entry: Entry) -> str:
    """An entry's tooltip: the edges it sums, their terms, and its check against ``.grad``."""
    name = entry.node.label or "this node"
    parents = sorted({parent.label or f"a ({parent.op}) node" for parent, _ in entry.edges})
    terms = " + ".join(number(t) for t in entry.terms[:MAX_TERMS])
    if len(entry.terms) > MAX_TERMS:
        terms += " + …"
    check = "equals .grad bit for bit" if entry.equals_grad else f"≠ .grad: {entry.reason}"
    return (
        f"{name}: the sum of {len(entry.edges)} edge(s) into it from "
        f"{', '.join(parents) or 'no node'}, {terms or '0'}; {check}"
    )


def _table(columns: list[str], rows: list[tuple[str, list[Cell]]]) -> str:
    """At most ``MAX_ROWS`` rows and ``MAX_COLUMNS`` columns are shown, as in the text; the
    view's lists hold them all."""
    hidden_rows = len(rows) - SHOWN_ROWS if len(rows) > MAX_ROWS else 0
    hidden_columns = max(0, len(columns) - MAX_COLUMNS)
    shown = len(columns) - hidden_columns
    head = "".join(f'<th style="{_HEAD}">{c}</th>' for c in columns[:shown])
    if hidden_columns:
        head += f'<th style="{_HEAD}">… {hidden_columns} more</th>'
    body = []
    for label, cells in rows[: len(rows) - hidden_rows]:
        tds = "".join(
            f'<td style="{_CELL}{_WRONG if wrong else ""}" title="{escape(title)}">'
            f"{escape(text)}</td>"
            for text, title, wrong in cells[:shown]
        )
        body.append(f'<tr><th style="{_HEAD}">{label}</th>{tds}</tr>')
    if hidden_rows:
        body.append(f'<tr><th style="{_HEAD}">⋮</th><td>{hidden_rows} more rows</td></tr>')
    return (
        '<table style="border-collapse:collapse;margin:0 0 8px 16px">'
        f"<tr><th></th>{head}</tr>{''.join(body)}</table>"
    )
