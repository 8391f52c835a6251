"""Finding an MLP's layers in a scalar graph: every neuron of every example, with its edges.

A neuron j of layer l leaves one pre-activation node ``h{l}[j]`` in the graph per example fed
to the model. Fused, that node is ``Σwx+b`` with the operands (w₁ … wₙ, x₁ … xₙ, b); unfused,
it is the top of micrograd's chain ``((b + w₁·x₁) + w₂·x₂) + …`` of ``+`` and ``*`` nodes.
A node counts as the neuron's only if its weights and bias *are* the model's ``Value``
objects, so a second network in the same graph, with the same labels, is left alone.

Examples are told apart by their inputs: the neurons of one layer call read the same input
nodes a⁽ˡ⁻¹⁾ (for layer 1, the leaves ``x[i]`` that ``model(x)`` made). They are numbered in
the order in which :func:`~tinygrad_edu.core.topological_order` (a depth-first walk from the
root, operands left to right) first meets their inputs: for a loss summed term by term,
E = E₁ + E₂ + … (``sum()``, a loop, ``train()``), that is the order they were fed.
"""

from __future__ import annotations

from dataclasses import dataclass
from operator import is_

from tinygrad_edu import notation
from tinygrad_edu.core import Value
from tinygrad_edu.lenses.index import Edge, GraphIndex
from tinygrad_edu.lenses.layers.shape import LayerShape, NetworkShape, NeuronShape
from tinygrad_edu.nn.activations import LINEAR

FUSED = "Σwx+b"


@dataclass(frozen=True)
class NeuronNode:
    """Neuron j of layer l on one example, as the graph holds it."""

    neuron: int  # j
    pre: Value  # h{l}[j]
    out: Value  # a{l}[j]; ``pre`` itself for a linear neuron
    inputs: tuple[Value, ...]  # a⁽ˡ⁻¹⁾ of this example
    weight_edges: tuple[Edge, ...]  # the edge into W{l}[i,j], for each input i
    input_edges: tuple[Edge, ...]  # the edge into input i, for each i
    bias_edge: Edge


@dataclass(frozen=True)
class LayerNodes:
    """Layer l in the graph: a row per example, a slot per neuron (``None`` for a neuron of
    that example the root does not depend on), and each row's input nodes."""

    number: int
    layer: LayerShape
    rows: tuple[tuple[NeuronNode | None, ...], ...]
    inputs: tuple[tuple[Value, ...], ...]


def find_layers(index: GraphIndex, model: NetworkShape) -> list[LayerNodes]:
    """Every layer of ``model`` that the graph of ``index`` passes through, layer 1 first.

    Raises:
        ValueError: if ``root`` does not depend on the model's neurons, or uses one in a way
            the model does not (an ``h`` node read other than through its activation).
    """
    root = index.root
    found: dict[int, list[NeuronNode]] = {}
    for node, name in _neuron_sums(index, model):
        neuron = _model_neuron(model, name)
        call = _match(node, neuron, name, index, model.labelled) if neuron else None
        if call is not None:
            found.setdefault(name.layer or 0, []).append(call)
    if not found:
        raise ValueError(_not_found(root, model, index))
    return [_rows(number, model, found[number], index) for number in sorted(found)]


def _neuron_sums(index: GraphIndex, model: NetworkShape) -> list[tuple[Value, notation.Name]]:
    """The nodes that may be a neuron's sum h, with the name of that neuron, in topological
    order: by their labels (``h2[0]``) when the network labels them; else found from each
    neuron's last weight: the Σwx+b node holding it, or the ``+`` that adds its product."""
    if model.labelled:
        named = []
        for node in index.order:
            if not node.label.startswith("h"):
                continue  # the cheap test first: most nodes are weights and inputs
            name = notation.parse(node.label)
            if name is not None and name.kind == "h" and node.children:
                named.append((node, name))
        return named
    users = index.users
    found: dict[Value, notation.Name] = {}
    for number, layer in enumerate(model.layers, start=1):
        for j, neuron in enumerate(layer.neurons):
            if not neuron.w:
                continue
            name = notation.Name("h", number, (j,))
            for user, position in users.get(neuron.w[-1], ()):
                if user.op == FUSED and position == neuron.nin - 1:
                    found.setdefault(user, name)
                elif user.op == "*" and position == 0:
                    for total, slot in users.get(user, ()):
                        if total.op == "+" and slot == 1:
                            found.setdefault(total, name)
    return sorted(found.items(), key=lambda item: index.position[item[0]])


def _model_neuron(model: NetworkShape, name: notation.Name) -> NeuronShape | None:
    if name.layer is None or name.layer > len(model.layers):
        return None
    neurons = model.layers[name.layer - 1].neurons
    return neurons[name.neuron] if name.neuron < len(neurons) else None


def _match(
    pre: Value, neuron: NeuronShape, name: notation.Name, index: GraphIndex, labelled: bool
) -> NeuronNode | None:
    """The neuron's node ``pre`` with its edges, or ``None`` if another network made it."""
    n = neuron.nin
    weights, bias = neuron.w, neuron.b
    children = pre.children
    if pre.op == FUSED:
        if len(children) != 2 * n + 1 or children[-1] is not bias:
            return None
        if not all(map(is_, children[:n], weights)):
            return None
        inputs = children[n : 2 * n]
        weight_edges = tuple((pre, i) for i in range(n))
        input_edges = tuple((pre, n + i) for i in range(n))
        bias_edge = (pre, 2 * n)
    else:
        chain = _unfused_chain(pre, weights, bias)
        if chain is None:
            return None
        inputs, weight_edges, input_edges, bias_edge = chain
    out = _activation_node(pre, neuron, name, index, labelled)
    return NeuronNode(name.neuron, pre, out, inputs, weight_edges, input_edges, bias_edge)


def _unfused_chain(
    pre: Value, weights: tuple[Value, ...], bias: Value
) -> tuple[tuple[Value, ...], tuple[Edge, ...], tuple[Edge, ...], Edge] | None:
    """Read h = ((b + w₀·x₀) + w₁·x₁) + … from the top: each ``+`` node's operands are the
    sum so far and one product ``wᵢ * xᵢ``, the last weight first."""
    products: list[Value] = []
    node = pre
    below = node
    for i in reversed(range(len(weights))):
        if node.op != "+":
            return None
        below, product = node.children
        if product.op != "*" or product.children[0] is not weights[i]:
            return None
        products.append(product)
        if i > 0:
            node = below
    if below is not bias:
        return None
    products.reverse()
    inputs = tuple(product.children[1] for product in products)
    weight_edges = tuple((product, 0) for product in products)
    input_edges = tuple((product, 1) for product in products)
    return inputs, weight_edges, input_edges, (node, 0)


def _activation_node(
    pre: Value, neuron: NeuronShape, name: notation.Name, index: GraphIndex, labelled: bool
) -> Value:
    """a{l}[j] = f(h{l}[j]), the only user of a non-linear neuron's h node in an MLP's graph
    (labelled ``a{l}[j]`` where the network labels its nodes)."""
    if neuron.activation == LINEAR:
        return pre
    label = notation.activation(name.layer or 0, name.neuron)
    uses = index.users.get(pre, [])
    if len(uses) == 1:
        user, _ = uses[0]
        named = user.label == label or not labelled
        if named and user.op == neuron.symbol and user.children == (pre,):
            return user
    if not uses:
        raise ValueError(
            f"the graph starts at {pre.label!r}, below its activation {label!r} "
            f"({neuron.activation}); call layer_view with the loss that the model's output feeds"
        )
    raise ValueError(
        f"{pre.label!r} is used by {len(uses)} node{'s' if len(uses) > 1 else ''}, not only "
        f"by its activation {label!r} ({neuron.activation}): this is not a graph the MLP "
        "built, so it cannot be read as layers"
    )


def _rows(
    number: int, model: NetworkShape, calls: list[NeuronNode], index: GraphIndex
) -> LayerNodes:
    """Group one layer's neuron nodes into examples: one per distinct input tuple (and one
    more per repeat, if the same input nodes were fed twice), in the order fed."""
    layer = model.layers[number - 1]
    rows: list[dict[int, NeuronNode]] = []
    inputs: list[tuple[Value, ...]] = []
    rows_of: dict[tuple[int, ...], list[int]] = {}
    for call in calls:  # in topological order
        j = call.neuron
        same = rows_of.setdefault(tuple(map(id, call.inputs)), [])
        free = [r for r in same if j not in rows[r]]
        if free:
            rows[free[0]][j] = call
        else:
            same.append(len(rows))
            rows.append({j: call})
            inputs.append(call.inputs)

    def fed(r: int) -> tuple[int, int]:
        first_input = min(index.position.get(x, len(index.order)) for x in inputs[r])
        return first_input, min(index.position[call.pre] for call in rows[r].values())

    order = sorted(range(len(rows)), key=fed)
    return LayerNodes(
        number,
        layer,
        tuple(tuple(rows[r].get(j) for j in range(layer.nout)) for r in order),
        tuple(inputs[r] for r in order),
    )


def _not_found(root: Value, model: NetworkShape, index: GraphIndex) -> str:
    """Why no neuron of ``model`` is in the graph, in the user's terms."""
    name = repr(root.label) if root.label else "the root"
    parameters = set(model.parameters())
    used = [node.label for node in index.order if node in parameters]
    if used:
        return (
            f"{name} uses parameters of this model ({', '.join(used[:3])}"
            f"{', …' if len(used) > 3 else ''}) but not through its neurons: no node "
            "h{l}[j] in its graph is a neuron of the model; build it with model(x)"
        )
    labelled = [node.label for node in index.order if _is_pre_activation(node.label)]
    if labelled:
        return (
            f"{name} does not depend on this model: its graph has neurons ({labelled[0]}, …), "
            "but their weights are another model's; pass the model that computed it"
        )
    return f"{name} does not depend on this model: no weight of the model is in its graph"


def _is_pre_activation(label: str) -> bool:
    name = notation.parse(label)
    return name is not None and name.kind == "h"
