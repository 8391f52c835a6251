"""``layer_view(...).latex()``: the text's equations as LaTeX, in one ``aligned`` block.

Matrices are amsmath's ``bmatrix``. LaTeX allows 10 columns in one by default; a wider layer
needs ``\\setcounter{MaxMatrixCols}{…}`` in the preamble (MathJax and KaTeX have no limit).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tinygrad_edu.lenses.layers.text import number
from tinygrad_edu.nn.activations import derivative_symbols

if TYPE_CHECKING:
    from tinygrad_edu.lenses.layers.view import LayerGradients, LayerView


def render_latex(view: LayerView) -> str:
    E = _latex_name(view.root_name)
    lines = [r"\begin{aligned}"]
    for layer in reversed(view.layers):
        lines += _latex_layer(E, layer)
    lines[-1] = lines[-1].removesuffix(r" \\")
    lines.append(r"\end{aligned}")
    return "\n".join(lines)


# How each character that means something to TeX in math mode is written as itself.
LATEX_ESCAPES = {
    "\\": r"\backslash{}",
    "{": r"\{",
    "}": r"\}",
    "_": r"\_",
    "$": r"\$",
    "%": r"\%",
    "#": r"\#",
    "&": r"\&",
    "^": r"\hat{}",
    "~": r"\sim{}",
    " ": r"\ ",
}


def _latex_name(label: str) -> str:
    """A label as a name in math mode: ``E`` as it is, anything else in ``\\mathrm{…}`` with
    TeX's special characters escaped and unprintable ones shown as ``?``, so that no label
    can break the LaTeX (an unbalanced brace, a ``%`` that comments out the rest)."""
    if label.isascii() and label.isalnum():
        return label
    text = "".join(LATEX_ESCAPES.get(c, c if c.isprintable() else "?") for c in label)
    return r"\mathrm{" + text + "}"


def _latex_layer(E: str, layer: LayerGradients) -> list[str]:
    l, batch = layer.number, layer.examples > 1
    d = rf"\frac{{\partial {E}}}{{\partial"
    n = "_n" if batch else ""
    a = f"x{n}" if l == 1 else f"a{n}^{{({l - 1})}}"
    a_t = rf"x{n}^{{\top}}" if l == 1 else rf"a{n}^{{({l - 1})\top}}"
    _, f = derivative_symbols(layer.activation)
    sum_n = r"\sum_n " if batch else ""
    rows = r"\quad\text{(a row per example)}" if batch else ""
    return [
        rf"\delta{n}^{{({l})}} &= {d} a{n}^{{({l})}}}} \odot {f}\!\left(h{n}^{{({l})}}\right) = "
        rf"{_matrix(layer.output_grads)} \odot {_matrix(layer.derivatives)} = "
        rf"{_matrix(layer.deltas)}{rows} \\",
        rf"{d} W^{{({l})}}}} &= {sum_n}{a_t} \delta{n}^{{({l})}} = {_matrix(layer.weight_grad)} \\",
        rf"{d} b^{{({l})}}}} &= {sum_n}\delta{n}^{{({l})}} = {_matrix([layer.bias_grad])} \\",
        rf"{d} {a}}} &= W^{{({l})}} \delta{n}^{{({l})}} = {_matrix(layer.input_grads)}{rows} \\",
    ]


def _matrix(rows: list[list[float]] | list[list[float | None]]) -> str:
    """A bmatrix; a dot for a number the graph does not hold."""
    body = r" \\ ".join(
        " & ".join(r"\cdot" if v is None else number(v) for v in row) for row in rows
    )
    return r"\begin{bmatrix}" + body + r"\end{bmatrix}"
