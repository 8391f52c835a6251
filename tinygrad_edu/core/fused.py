"""The fused neuron: h = Σᵢ wᵢ·xᵢ + b as one node (the op :class:`~.ops.WeightedSum`).

The node has an edge per weight and per input, so ∂h/∂wᵢ = xᵢ and ∂h/∂xᵢ = wᵢ stay visible
edge by edge, but it is one node instead of micrograd's chain of 2n binary ``*`` and ``+``
nodes. The sum is taken in the order b + w₁x₁ + w₂x₂ + …, the order of that chain starting
at b, so the fused node and the chain give bit-identical values and gradients.

:func:`layer_chains` makes that chain itself, node for node, for a layer of unfused neurons
(``fused=False``): the nodes ``h = h + w * x`` would make, without the operator calls.
"""

from __future__ import annotations

from collections.abc import Sequence

from tinygrad_edu.core.engine import Value, settle
from tinygrad_edu.core.leaves import DATA
from tinygrad_edu.core.messages import describe
from tinygrad_edu.core.modes import Mode
from tinygrad_edu.core.ops import Add, Mul, WeightedSum, WeightedSumOfData


def weighted_sum(weights: Sequence[Value], inputs: Sequence[Value], bias: Value) -> Value:
    """One node h = Σᵢ wᵢ·xᵢ + b, with operands ``(w₁ … wₙ, x₁ … xₙ, b)``."""
    if len(weights) != len(inputs):
        raise ValueError(f"weighted_sum: {len(weights)} weights but {len(inputs)} inputs")
    return layer_weighted_sums([(*weights, bias)], inputs)[0]


def layer_weighted_sums(
    parameter_rows: Sequence[tuple[Value, ...]],
    inputs: Sequence[Value],
    inputs_are_data: bool = False,
) -> list[Value]:
    """hⱼ = Σᵢ wⱼᵢ·xᵢ + bⱼ for every neuron j of a layer, with the inputs' numbers read once.

    ``parameter_rows[j]`` is neuron j's ``(w₁, …, wₙ, b)``, kept by the neuron and shared by
    every node it makes; the inputs become one tuple shared by the layer's nodes. With
    ``inputs_are_data`` (``train()``'s first layer) backward leaves the inputs' gradients
    alone: see :class:`~.ops.WeightedSumOfData`.
    """
    inputs = tuple(inputs)
    op = WeightedSumOfData if inputs_are_data else WeightedSum
    n = len(inputs)
    sums = []
    plain = Mode.plain
    try:
        input_data = [x.data for x in inputs]
        for parameters in parameter_rows:
            if len(parameters) != n + 1:
                raise ValueError(f"weighted_sum: {len(parameters) - 1} weights but {n} inputs")
            total = parameters[-1].data
            # no strict=: the lengths were just checked, and in Python 3.11 a keyword argument
            # makes this zip cost twice as much, paid once per neuron
            for w, x in zip(parameters, input_data):  # noqa: B905 - the bias is left out
                total += w.data * x
            node = _new_value(Value)  # make_node, inlined: this runs per neuron and example
            node.data, node.grad, node.label = total, 0.0, ""
            node._operation, node._a, node._b = op, parameters, inputs
            if total - total != 0.0 or not plain:  # inf or NaN, or a mode: see make_node
                settle(node)
            sums.append(node)
    except (AttributeError, TypeError):  # checked here, off the hot path
        _refuse_non_values("weighted_sum", parameter_rows, inputs)
        raise
    return sums


def layer_chains(
    parameter_rows: Sequence[tuple[Value, ...]], inputs: Sequence[Value]
) -> list[Value]:
    """hⱼ = bⱼ + wⱼ₁·x₁ + wⱼ₂·x₂ + … for every neuron j of a layer, as micrograd's chain of
    binary nodes: the very nodes, values and order of ``h = b`` then ``h = h + w * x`` for
    each weight, each ``*`` node and each ``+`` node made as ``make_node`` makes it.

    ``parameter_rows[j]`` is neuron j's ``(w₁, …, wₙ, b)``, and the ``inputs`` are ``Value``
    nodes (``Layer`` sends anything else through the operators). Written out because the
    operators cost more than the nodes: each ``*`` and ``+`` is a call through Python's
    operator protocol, and a ``fused=False`` network makes two nodes per weight and example
    (building micrograd's demo graph, 65,816 nodes, took 267 million instructions through the
    operators and takes 164 million here).
    """
    n = len(inputs)
    plain = Mode.plain
    sums = []
    try:
        input_data = [x.data for x in inputs]
        for parameters in parameter_rows:
            if len(parameters) != n + 1:
                raise ValueError(f"layer_chains: {len(parameters) - 1} weights but {n} inputs")
            h = parameters[-1]
            total = h.data
            # no strict=: the lengths were just checked (see layer_weighted_sums)
            for w, x, x_data in zip(parameters, inputs, input_data):  # noqa: B905 - not the bias
                product = w.data * x_data  # ops.Mul.forward, inlined
                term = _new_value(Value)
                term.data, term.grad, term.label = product, 0.0, ""
                term._operation, term._a, term._b = Mul, w, x
                if product - product != 0.0 or not plain:  # inf or NaN, or a mode: make_node
                    settle(term)
                total += product  # ops.Add.forward, inlined: h.data + term.data
                node = _new_value(Value)
                node.data, node.grad, node.label = total, 0.0, ""
                node._operation, node._a, node._b = Add, h, term
                if total - total != 0.0 or not plain:
                    settle(node)
                h = node
            sums.append(h)
    except (AttributeError, TypeError):  # checked here, off the hot path
        _refuse_non_values("layer_chains", parameter_rows, inputs)
        raise
    return sums


def _refuse_non_values(
    caller: str, parameter_rows: Sequence[tuple[Value, ...]], inputs: Sequence[Value]
) -> None:
    """A TypeError naming the first operand that is not a ``Value``, if there is one."""
    for parameters in parameter_rows:
        for v in (*parameters, *inputs):
            if not isinstance(v, Value):
                raise TypeError(f"{caller} needs Values, got {describe(v)}") from None


def input_leaves(numbers: Sequence[float | Value], labels: Sequence[str]) -> tuple[Value, ...]:
    """The leaves of a network's input: each float as a new leaf with its label (``x[0]``,
    …), made without the constructor's checks; anything else through ``Value()``, which
    checks it; a ``Value`` as it is."""
    leaves = []
    for number, label in zip(numbers, labels, strict=True):
        if type(number) is float:
            leaf = _new_value(Value)
            leaf.data, leaf.grad, leaf.label = number, 0.0, label
            leaf._operation = leaf._a = None
            leaf._b = DATA  # a leaf the package made for a number: see leaves.py
        elif isinstance(number, Value):
            leaf = number
        else:
            leaf = Value(number, label)
        leaves.append(leaf)
    return tuple(leaves)


_new_value = object.__new__
