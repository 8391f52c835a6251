"""The documents' names for a network's numbers, written and read back in this one place.

Layers count from 1 and indices from 0 (document 001's w₁₃ of W⁽¹⁾ is ``W1[0,2]``):

==============  ============================================================
``W1[0,2]``     the weight from input 0 to neuron 2 of layer 1: W⁽¹⁾[0, 2]
``b1[2]``       the bias of neuron 2 of layer 1
``h1[2]``       its pre-activation  h = Σᵢ aᵢ⁽⁰⁾·W⁽¹⁾[i, 2] + b⁽¹⁾[2]
``a1[2]``       its activation  a = f(h)
``x[0]``        input 0, which is a⁽⁰⁾[0]
``y[0]``        target 0
``E``           the loss (the documents' error E)
==============  ============================================================
"""

from __future__ import annotations

LOSS = "E"
KINDS = ("W", "b", "h", "a", "x", "y")
PARAMETER_KINDS = ("W", "b")


def weight(layer: int, i: int, j: int) -> str:
    """``W{layer}[{i},{j}]``: from input ``i`` to neuron ``j``."""
    return f"W{layer}[{i},{j}]"


def bias(layer: int, j: int) -> str:
    return f"b{layer}[{j}]"


def pre_activation(layer: int, j: int) -> str:
    return f"h{layer}[{j}]"


def activation(layer: int, j: int) -> str:
    return f"a{layer}[{j}]"


def network_input(i: int) -> str:
    return f"x[{i}]"


def target(k: int) -> str:
    return f"y[{k}]"


class Name:
    """A label read back: ``W1[0,2]`` is ``Name("W", 1, (0, 2))``; ``x[3]`` is
    ``Name("x", None, (3,))``."""

    __slots__ = ("kind", "layer", "indices")

    def __init__(self, kind: str, layer: int | None, indices: tuple[int, ...]) -> None:
        self.kind, self.layer, self.indices = kind, layer, indices

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Name) and (self.kind, self.layer, self.indices) == (
            other.kind,
            other.layer,
            other.indices,
        )

    def __hash__(self) -> int:
        return hash((self.kind, self.layer, self.indices))

    def __repr__(self) -> str:
        return f"Name({self.kind!r}, {self.layer!r}, {self.indices!r})"

    @property
    def neuron(self) -> int:
        """The neuron a W, b, h or a label belongs to (for ``W``, its second index)."""
        return self.indices[-1]

    def __str__(self) -> str:
        layer = "" if self.layer is None else str(self.layer)
        return f"{self.kind}{layer}[{','.join(map(str, self.indices))}]"


def parse(label: str) -> Name | None:
    """The :class:`Name` of a label in this notation, or ``None`` for any other label."""
    kind, _, rest = label.partition("[")
    if not rest.endswith("]") or not kind or kind[0] not in KINDS:
        return None
    letter, layer_text = kind[0], kind[1:]
    if letter in ("x", "y"):
        if layer_text:
            return None
        layer = None
    elif layer_text.isdecimal() and layer_text[0] != "0":
        layer = int(layer_text)
    else:
        return None
    parts = rest[:-1].split(",")
    if not all(part.isdecimal() for part in parts):
        return None
    indices = tuple(int(part) for part in parts)
    if len(indices) != (2 if letter == "W" else 1):
        return None
    return Name(letter, layer, indices)


def is_parameter(label: str) -> bool:
    """Whether ``label`` names a weight or a bias."""
    name = parse(label)
    return name is not None and name.kind in PARAMETER_KINDS


def reading_order(labels: list[str]) -> list[str]:
    """Distinct labels as a reader scans for them: W1[0,0] … W3[4,1], then the b, the x,
    and the rest, each group in the order of its layer and indices."""
    rank = {"W": 0, "b": 1, "x": 2}

    def key(label: str) -> tuple[int, int, tuple[int, ...], str]:
        name = parse(label)
        if name is None:
            return (len(rank), 0, (), label)
        return (rank.get(name.kind, len(rank)), name.layer or 0, name.indices, label)

    return sorted(set(labels), key=key)
