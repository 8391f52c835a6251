"""The layer view: the documents' matrix equations read off the learner's own scalar graph.

Documents 000 and 002 backpropagate a layer at a time with matrices. With document 001's row
vectors, h⁽ˡ⁾ = a⁽ˡ⁻¹⁾W⁽ˡ⁾ + b⁽ˡ⁾ and a⁽ˡ⁾ = f(h⁽ˡ⁾), and δ⁽ˡ⁾ = ∂E/∂h⁽ˡ⁾::

    δ⁽ˡ⁾ = ∂E/∂a⁽ˡ⁾ ⊙ f′(h⁽ˡ⁾)        ∂E/∂W⁽ˡ⁾ = Σₙ aₙ⁽ˡ⁻¹⁾ᵀ δₙ⁽ˡ⁾        ∂E/∂b⁽ˡ⁾ = Σₙ δₙ⁽ˡ⁾
    ∂E/∂aₙ⁽ˡ⁻¹⁾ = W⁽ˡ⁾ δₙ⁽ˡ⁾, that is (W δ)ᵢ = Σⱼ W[i,j] δⱼ, handed to the layer before

summed over the examples n of a mini-batch. In the graph each term of each sum is one edge:
a weight W[i,j] has one edge per example (from h[j], local derivative aᵢ), an input aᵢ one
edge per neuron j (local derivative W[i,j]). :func:`layer_view` finds those edges and adds
their contributions, local derivative × upstream gradient, in the order ``backward()`` adds
them, so each weight's entry equals its ``.grad`` bit for bit; it says so entry by entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tinygrad_edu.core import Value
from tinygrad_edu.core.messages import describe
from tinygrad_edu.core.ops import WeightedSumOfData
from tinygrad_edu.lenses.index import Edge, GraphIndex, index_for
from tinygrad_edu.lenses.layers import html as layer_html
from tinygrad_edu.lenses.layers import latex as layer_latex
from tinygrad_edu.lenses.layers import text as layer_text
from tinygrad_edu.lenses.layers.graph import LayerNodes, NeuronNode, find_layers
from tinygrad_edu.lenses.layers.shape import network_shape
from tinygrad_edu.nn.mlp import MLP

__all__ = ["Entry", "LayerGradients", "LayerView", "layer_view"]


@dataclass(frozen=True)
class Entry:
    """One matrix entry: a gradient as a sum over edges of the graph.

    ``value`` = 0 + terms[0] + terms[1] + …, in the order of ``edges``, which is the order
    in which ``backward()`` adds them (reverse topological order); each term is an edge's
    local derivative times its parent's gradient, the contribution ``backward()`` adds.

    Attributes:
        node: the node whose gradient this is (``W3[1,0]``, ``b3[0]``, ``a2[1]``, ``x[0]``).
        edges: the edges summed, as (parent node, operand position) pairs:
            ``parent.children[position] is node``.
        terms: each edge's contribution.
        value: their sum.
        grad: ``node.grad`` when the view was made.
        reason: ``""`` when ``value`` equals ``grad`` bit for bit, otherwise why not.
    """

    node: Value
    edges: tuple[Edge, ...]
    terms: tuple[float, ...]
    value: float
    grad: float
    reason: str

    @property
    def equals_grad(self) -> bool:
        """Whether ``value`` and ``node.grad`` are the same float, bit for bit."""
        return not self.reason


@dataclass(frozen=True, repr=False, eq=False)
class LayerGradients:
    """Layer l of the view. Rows are examples, in the order they were fed (see
    :func:`layer_view`); columns are inputs i (``inputs``, ``input_grads``) or neurons j.

    Attributes:
        number: l, counted from 1.
        activation: f, the layer's activation (``"sigmoid"``, ``"linear"``, …).
        inputs: a⁽ˡ⁻¹⁾ (for layer 1, x), one row per example.
        output_grads: ∂root/∂a⁽ˡ⁾ from the graph's activation nodes (for a linear layer,
            ∂root/∂h⁽ˡ⁾).
        derivatives: f′(h⁽ˡ⁾), the activation nodes' local derivatives; ``None`` for a
            neuron that is not in the graph (the root does not depend on it).
        deltas: δ⁽ˡ⁾ = ∂root/∂h⁽ˡ⁾, the graph's own pre-activation nodes' ``.grad``
            (0 for a neuron that is not in the graph).
        weight_entries: ``[i][j]``, laid out as the weights are: Σₙ aₙᵢ δₙⱼ.
        bias_entries: ``[j]``: Σₙ δₙⱼ.
        input_entries: ``[n][i]``: Σⱼ W[i,j] δₙⱼ, to compare with ∂root/∂aₙᵢ.
        nodes: the graph's nodes behind the rows: ``LayerNodes`` (pre-activations, inputs).
    """

    number: int
    activation: str
    inputs: list[list[float]]
    output_grads: list[list[float]]
    derivatives: list[list[float | None]]
    deltas: list[list[float]]
    weight_entries: list[list[Entry]]
    bias_entries: list[Entry]
    input_entries: list[list[Entry]]
    nodes: LayerNodes

    @property
    def weight_grad(self) -> list[list[float]]:
        """∂root/∂W⁽ˡ⁾ = Σₙ aₙ⁽ˡ⁻¹⁾ᵀ δₙ⁽ˡ⁾, ``[i][j]`` from input i to neuron j."""
        return [[entry.value for entry in row] for row in self.weight_entries]

    @property
    def bias_grad(self) -> list[float]:
        """∂root/∂b⁽ˡ⁾ = Σₙ δₙ⁽ˡ⁾."""
        return [entry.value for entry in self.bias_entries]

    @property
    def input_grads(self) -> list[list[float]]:
        """W⁽ˡ⁾ δₙ⁽ˡ⁾ for each example n: entry i is Σⱼ W[i,j] δₙⱼ = ∂root/∂aₙᵢ⁽ˡ⁻¹⁾."""
        return [[entry.value for entry in row] for row in self.input_entries]

    @property
    def examples(self) -> int:
        return len(self.inputs)

    @property
    def sizes(self) -> tuple[int, int]:
        """(inputs, neurons) of the layer: the shape of ``weight_grad``."""
        return len(self.weight_entries), len(self.bias_entries)

    def mismatches(self) -> list[Entry]:
        """The weight and bias entries that differ from their ``.grad``, with the reason."""
        entries = [e for row in self.weight_entries for e in row] + self.bias_entries
        return [entry for entry in entries if not entry.equals_grad]

    def __repr__(self) -> str:
        n_in, n_out = self.sizes
        return (
            f"<layer {self.number}: {n_in} inputs, {n_out} {self.activation} neurons, "
            f"{self.examples} example(s)>"
        )


@dataclass(frozen=True, repr=False, eq=False)
class LayerView:
    """Every layer of a model that a root's graph passes through, as matrices.

    ``layers`` runs from the first layer up; ``str(view)`` prints the equations with their
    numbers from the last layer back, ``view._repr_html_()`` shows them as tables in
    Jupyter and ``view.latex()`` writes them for LaTeX (amsmath).
    """

    root: Value
    layers: tuple[LayerGradients, ...]

    def layer(self, number: int) -> LayerGradients:
        """Layer ``number``, counted from 1 as the documents count."""
        for layer in self.layers:
            if layer.number == number:
                return layer
        numbers = ", ".join(str(layer.number) for layer in self.layers)
        raise KeyError(f"the view has no layer {number!r}; its layers are {numbers}")

    @property
    def root_name(self) -> str:
        return self.root.label or "E"

    @property
    def matches_grad(self) -> bool:
        """Whether every weight and bias entry equals its ``.grad`` bit for bit."""
        return not any(layer.mismatches() for layer in self.layers)

    def __str__(self) -> str:
        return layer_text.render(self)

    def _repr_html_(self) -> str:
        return layer_html.render_html(self)

    def latex(self) -> str:
        """The equations with their numbers as LaTeX (needs amsmath for bmatrix)."""
        return layer_latex.render_latex(self)

    def __repr__(self) -> str:
        numbers = [layer.number for layer in self.layers]
        return (
            f"<LayerView of {self.root_name!r}: layers {numbers}, "
            f"{max(layer.examples for layer in self.layers)} example(s)>"
        )


def layer_view(root: Value, model: MLP | Any, *, index: GraphIndex | None = None) -> LayerView:
    """The matrix equations of documents 000 and 002, entry by entry, for every layer of
    ``model`` that the graph of ``root`` passes through. Call ``root.backward()`` first.

    Several examples fed to the model (a loss summed over a mini-batch) give a row per
    example. The examples are told apart by their input nodes (the leaves ``model(x)`` made
    for each x) and numbered in the order a depth-first walk from ``root``, operands left to
    right (:func:`~tinygrad_edu.core.topological_order`), first meets them: for a loss built
    as E₁ + E₂ + … (``sum()``, a loop, ``train()``) that is the order they were fed.

    Each entry of ``weight_grad``, ``bias_grad`` and ``input_grads`` is an :class:`Entry`
    listing the edges it sums, in the order ``backward()`` adds them (reverse topological
    order: for E₁ + E₂ + …, the last example first). Weight and bias entries so equal the
    parameters' ``.grad`` bit for bit (after ``model.zero_grad()`` and one ``backward()``,
    with no other use of the parameters), and an entry that does not says why.

    ``index`` is the :class:`~tinygrad_edu.lenses.index.GraphIndex` of ``root``'s graph, if
    one was made already. ``model`` may also be an MLP of the micrograd drop-in
    (``tinygrad_edu.micrograd.nn.MLP``, ReLU hidden layers and a linear output), whose neurons
    are found from their weights, as micrograd labels no neuron.

    Raises:
        TypeError: if ``root`` is not a ``Value`` or ``model`` not an MLP (this package's or
            the micrograd drop-in's).
        ValueError: if ``root.backward()`` has not run, or the graph is not one the model
            built (no neuron of the model in it, or a neuron used as no MLP uses it).
    """
    if not isinstance(root, Value):
        raise TypeError(f"layer_view needs the loss Value as root, got {describe(root)}")
    shape = network_shape(model)
    if shape is None:
        raise TypeError(
            "layer_view needs the MLP (tinygrad_edu's, or the micrograd drop-in's) that "
            f"computed the root, got {describe(model)}"
        )
    if root.grad != 1.0:
        name = repr(root.label) if root.label else "the root"
        raise ValueError(
            f"{name} has grad {root.grad!r}, not 1: call {root.label or 'root'}.backward() "
            "before layer_view, so that the graph holds its gradients"
        )
    index = index_for(root, index, "layer_view")
    index.check_fresh("layer_view()")
    found = find_layers(index, shape)
    return LayerView(root, tuple(_layer_gradients(nodes, index) for nodes in found))


def _layer_gradients(nodes: LayerNodes, index: GraphIndex) -> LayerGradients:
    sums = _Sums(index)
    neurons, rows = nodes.layer.neurons, nodes.rows
    # neuron j's nodes, one per example that reaches it
    calls = [[c for row in rows if (c := row[j]) is not None] for j in range(len(neurons))]
    weights = [neuron.w for neuron in neurons]
    weight_entries = [
        [
            sums.entry(weights[j][i], [call.weight_edges[i] for call in calls[j]])
            for j in range(len(neurons))
        ]
        for i in range(nodes.layer.nin)
    ]
    bias_entries = [
        sums.entry(neuron.b, [call.bias_edge for call in calls[j]])
        for j, neuron in enumerate(neurons)
    ]
    input_entries = [
        [
            sums.entry(x, [call.input_edges[i] for call in row if call is not None])
            for i, x in enumerate(xs)
        ]
        for row, xs in zip(rows, nodes.inputs, strict=True)
    ]
    return LayerGradients(
        number=nodes.number,
        activation=neurons[0].activation,
        inputs=[[x.data for x in xs] for xs in nodes.inputs],
        output_grads=[[call.out.grad if call else 0.0 for call in row] for row in rows],
        derivatives=[[_derivative(call) for call in row] for row in rows],
        deltas=[[call.pre.grad if call else 0.0 for call in row] for row in rows],
        weight_entries=weight_entries,
        bias_entries=bias_entries,
        input_entries=input_entries,
        nodes=nodes,
    )


def _derivative(call: NeuronNode | None) -> float | None:
    """f′(h): the activation node's local derivative, 1 for a linear neuron (a = h), and
    ``None`` for a neuron that is not in the graph."""
    if call is None:
        return None
    return 1.0 if call.out is call.pre else call.out.local_derivatives()[0]


class _Sums:
    """Entries of one layer, with each parent's local derivatives computed once (a fused
    node has 2n + 1 of them)."""

    def __init__(self, index: GraphIndex) -> None:
        self.index = index
        self.locals: dict[Value, tuple[float, ...]] = {}

    def entry(self, node: Value, edges: list[Edge]) -> Entry:
        ordered = self.index.in_backward_order(edges)
        local = self._local
        terms = tuple(local(parent)[position] * parent.grad for parent, position in ordered)
        # backward() starts a leaf (after zero_grad) or an interior node at +0 and adds each
        # term; it skips an edge whose upstream is exactly 0, but adding that ±0 term to a
        # sum that starts at +0 leaves every sum the same float
        value = 0.0
        for term in terms:
            value += term
        grad = float(node.grad)  # micrograd's parameters start at the int 0
        reason = "" if value.hex() == grad.hex() else self._reason(node, ordered)
        return Entry(node, ordered, terms, value, grad, reason)

    def _local(self, parent: Value) -> tuple[float, ...]:
        derivatives = self.locals.get(parent)
        if derivatives is None:
            derivatives = self.locals[parent] = parent.local_derivatives()
        return derivatives

    def _reason(self, node: Value, edges: tuple[Edge, ...]) -> str:
        """Why the sum of an entry's edges is not ``node.grad``."""
        if any(parent._operation is WeightedSumOfData for parent, _ in edges):
            return (
                "backward() does not compute the inputs' gradients here "
                "(the model was called with input_grads=False)"
            )
        others = len(self.index.users.get(node, ())) - len(edges)
        if others > 0:
            return f"the graph also uses it through {others} edge(s) that this entry leaves out"
        if not node.children:
            return (
                "the leaf also holds gradient from an earlier backward(); call "
                "model.zero_grad() before backward()"
            )
        return "its .grad changed after this backward() (another backward() through it?)"
