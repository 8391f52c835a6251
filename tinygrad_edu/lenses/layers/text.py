"""``str(layer_view(...))``: the matrix equations with their numbers, in 80 columns.

Numbers have 6 significant digits, as in ``explain()``. Wide matrices wrap into blocks of
columns; long ones show their first rows and say how many more there are (the view's lists
hold them all).
"""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

from tinygrad_edu import notation
from tinygrad_edu.nn.activations import derivative_symbols

if TYPE_CHECKING:
    from tinygrad_edu.lenses.layers.view import Entry, LayerGradients, LayerView

WIDTH = 80
MAX_ROWS = 12  # a matrix with more rows shows SHOWN_ROWS of them
SHOWN_ROWS = 8
MAX_COLUMNS = 12
MAX_EXAMPLES = 4  # per-example tables show this many examples
MAX_MISMATCHES = 3
INDENT = "  "
_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def sup(layer: int) -> str:
    """``⁽³⁾``: the documents' layer superscript."""
    return f"⁽{str(layer).translate(_SUPERSCRIPT)}⁾"


def number(x: float | None) -> str:
    return "·" if x is None else f"{x:.6g}"


def input_name(layer: LayerGradients, index: str = "i") -> str:
    """How the layer's inputs are labelled: ``x[i]``, ``a2[i]`` (``h2[i]`` after a linear
    layer), or ``input i`` for inputs that carry no label of the notation."""
    inputs = layer.nodes.inputs
    name = notation.parse(inputs[0][0].label) if inputs else None
    if name is None or name.kind not in ("x", "a", "h"):
        return f"input {index}"
    return f"{name.kind}{name.layer or ''}[{index}]"


def input_vector(layer: LayerGradients, sub: str = "") -> str:
    """a⁽ˡ⁻¹⁾, or x for layer 1, with a subscript: ``aₙ⁽²⁾``."""
    return f"x{sub}" if layer.number == 1 else f"a{sub}{sup(layer.number - 1)}"


def render(view: LayerView) -> str:
    E = view.root_name
    examples = max(layer.examples for layer in view.layers)
    fed = f"{examples} examples, in the order fed" if examples > 1 else "1 example"
    lines = textwrap.wrap(
        f"The graph of {E} as matrices, from the last layer back ({fed}). Row vectors, as "
        "in document 001: h⁽ˡ⁾ = a⁽ˡ⁻¹⁾W⁽ˡ⁾ + b⁽ˡ⁾, a⁽ˡ⁾ = f(h⁽ˡ⁾), a⁽⁰⁾ = x; W⁽ˡ⁾[i,j] joins "
        f"input i to neuron j, and δ⁽ˡ⁾ = ∂{E}/∂h⁽ˡ⁾.",
        WIDTH,
    )
    for layer in reversed(view.layers):
        lines += ["", *_layer_block(E, layer)]
    return "\n".join(lines)


def _layer_block(E: str, layer: LayerGradients) -> list[str]:
    l, (n_in, n_out) = layer.number, layer.sizes
    f, _ = derivative_symbols(layer.activation)
    lines = [
        f"Layer {l}: {n_in} input{'s' if n_in > 1 else ''} {input_vector(layer)}, "
        f"{n_out} {layer.activation} neuron{'s' if n_out > 1 else ''}"
        + (" (a = h, so f′ = 1)" if layer.activation == "linear" else "")
    ]
    lines += _delta_lines(E, layer, f)
    lines += _weight_lines(E, layer)
    lines += _input_lines(E, layer)
    lines += _check_lines(layer)
    return [INDENT + line if k else line for k, line in enumerate(lines)]


def _delta_lines(E: str, layer: LayerGradients, f: str) -> list[str]:
    l = sup(layer.number)
    batch = layer.examples > 1
    bias = f"∂{E}/∂b{l} = Σₙ δₙ{l}" if batch else f"∂{E}/∂b{l} = δ{l}"
    lines = _wrap(f"δ{l} = ∂{E}/∂a{l} ⊙ {f}(h{l}), and {bias}")
    rows: list[tuple[str, list[str]]] = []
    shown = range(min(layer.examples, MAX_EXAMPLES))
    for n in shown:
        prefix = f"n={n + 1} " if batch else ""
        blank = " " * len(prefix)
        rows.append((prefix + f"∂{E}/∂a{l}", [number(v) for v in layer.output_grads[n]]))
        rows.append((blank + f"{f}(h{l})", [number(v) for v in layer.derivatives[n]]))
        rows.append((blank + f"δ{l}", [number(v) for v in layer.deltas[n]]))
    if batch:
        rows.append((f"Σₙ δₙ{l}", [number(v) for v in layer.bias_grad]))
    columns = [f"j={j}" for j in range(layer.sizes[1])]
    where = f"view.layer({layer.number}).deltas, .output_grads"
    lines += _table(columns, rows, where, row_limit=False)
    lines += _more_examples(layer, where)
    if any(v is None for row in layer.derivatives for v in row):
        lines.append(f"· marks a neuron {E} does not depend on: it is not in the graph, δ = 0")
    return lines


def _weight_lines(E: str, layer: LayerGradients) -> list[str]:
    l = sup(layer.number)
    x = "x" if layer.number == 1 else "a"
    edge = _edge_phrase(layer, f"W{layer.number}[i,j]")
    if layer.examples > 1:
        title = f"Σₙ {input_vector(layer, 'ₙ')}ᵀδₙ{l}: [i,j] sums an edge {edge} per example"
    else:
        title = f"{input_vector(layer)}ᵀδ{l}, [i,j] = {x}ᵢδⱼ: the one edge {edge}"
    rows = [
        (f"i={i}", [number(e.value) for e in row]) for i, row in enumerate(layer.weight_entries)
    ]
    columns = [f"j={j}" for j in range(layer.sizes[1])]
    where = f"view.layer({layer.number}).weight_grad"
    return _wrap(f"∂{E}/∂W{l} = {title}") + _table(columns, rows, where)


def _edge_phrase(layer: LayerGradients, child: str) -> str:
    """``h3[j] → W3[i,j]`` for a fused neuron; the product node below h3[j] otherwise."""
    pre = notation.pre_activation(layer.number, 0).replace("[0]", "[j]")
    fused = any(call and call.pre.op == "Σwx+b" for row in layer.nodes.rows for call in row)
    return f"{pre} → {child}" if fused else f"(*) → {child} below {pre}"


def _input_lines(E: str, layer: LayerGradients) -> list[str]:
    l, n_out = sup(layer.number), layer.sizes[1]
    edges = f"the {n_out} edges" if n_out > 1 else "the edge"
    title = (
        f"∂{E}/∂{input_vector(layer)} = W{l}δ{l}, (Wδ)ᵢ = Σⱼ W[i,j]δⱼ: {edges} "
        f"{_edge_phrase(layer, input_name(layer))}"
    )
    batch = layer.examples > 1
    rows = [
        (f"n={n + 1}" if batch else f"W{l}δ{l}", [number(e.value) for e in layer.input_entries[n]])
        for n in range(min(layer.examples, MAX_EXAMPLES))
    ]
    columns = [f"i={i}" for i in range(layer.sizes[0])]
    where = f"view.layer({layer.number}).input_grads"
    return _wrap(title) + _table(columns, rows, where) + _more_examples(layer, where)


def _more_examples(layer: LayerGradients, where: str) -> list[str]:
    more = layer.examples - MAX_EXAMPLES
    return [f"… {more} more examples: {where}"] if more > 0 else []


def _check_lines(layer: LayerGradients) -> list[str]:
    """Whether each entry equals the ``.grad`` that backward() left, and where not, why."""
    l, (n_in, n_out) = layer.number, layer.sizes
    wrong = layer.mismatches()
    total = n_in * n_out + n_out
    if not wrong:
        lines = [f"check: all {total} entries equal W{l}[i,j].grad and b{l}[j].grad bit for bit"]
    else:
        lines = [f"check: {len(wrong)} of {total} entries differ from the parameters' .grad:"]
        for entry in wrong[:MAX_MISMATCHES]:
            lines += _mismatch(entry)
        if len(wrong) > MAX_MISMATCHES:
            lines.append(f"  … and {len(wrong) - MAX_MISMATCHES} more (layer.mismatches())")
    inputs = [entry for row in layer.input_entries for entry in row]
    differ = [entry for entry in inputs if not entry.equals_grad]
    product, child = f"W{sup(l)}δ{sup(l)}", input_name(layer)
    if not differ:
        lines.append(f"check: all {len(inputs)} of {product} equal {child}.grad bit for bit")
    else:
        lines.append(
            f"check: {len(differ)} of {len(inputs)} of {product} differ from {child}.grad:"
        )
        lines += _mismatch(differ[0])
    return lines


def _mismatch(entry: Entry) -> list[str]:
    return _wrap(
        f"  {entry.node.label or 'a node'}: {number(entry.value)} here, "
        f".grad {number(entry.grad)}: {entry.reason}",
        "    ",
    )


def _wrap(text: str, indent: str = INDENT) -> list[str]:
    """A line of text, wrapped to fit inside a layer's block (continuations indented)."""
    return textwrap.wrap(text, WIDTH - len(INDENT), subsequent_indent=indent)


def _table(
    columns: list[str], rows: list[tuple[str, list[str]]], where: str, row_limit: bool = True
) -> list[str]:
    """Rows of right-aligned cells under column names, wrapped into blocks of columns that
    fit ``WIDTH``. At most ``MAX_COLUMNS`` columns are shown, and with ``row_limit`` at
    most ``MAX_ROWS`` rows; a line then says how many more ``where`` holds."""
    hidden_rows = len(rows) - SHOWN_ROWS if row_limit and len(rows) > MAX_ROWS else 0
    hidden_columns = max(0, len(columns) - MAX_COLUMNS)
    columns = columns[: len(columns) - hidden_columns]
    rows = [(label, row[: len(columns)]) for label, row in rows[: len(rows) - hidden_rows]]
    label_width = max(len(label) for label, _ in rows)
    cell_width = max(len(text) for text in [*columns, *(c for _, row in rows for c in row)]) + 2
    per_block = max(1, (WIDTH - len(INDENT) - label_width) // cell_width)
    lines: list[str] = []
    for start in range(0, len(columns), per_block):
        block = slice(start, start + per_block)
        lines.append(" " * label_width + "".join(c.rjust(cell_width) for c in columns[block]))
        for label, row in rows:
            lines.append(
                label.ljust(label_width) + "".join(c.rjust(cell_width) for c in row[block])
            )
    hidden = [f"{hidden_rows} more rows"] if hidden_rows else []
    hidden += [f"{hidden_columns} more columns"] if hidden_columns else []
    if hidden:
        lines.append(f"{'⋮' if hidden_rows else '…'} {' and '.join(hidden)}: {where}")
    return lines
