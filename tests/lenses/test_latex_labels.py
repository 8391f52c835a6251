"""``layer_view(...).latex()`` with hostile root labels: TeX's special characters are escaped,
so no label can unbalance a brace, comment out the rest (``%``) or end the block."""

from __future__ import annotations

import re

import pytest

from tinygrad_edu import MLP, layer_view
from tinygrad_edu.lenses.layers.latex import _latex_name
from tinygrad_edu.nn import half_sum_squared_error

HOSTILE = [
    "a{b",
    "}",
    "100%",
    r"\end{aligned}",
    "x^2",
    "$E$",
    "#1 & co",
    "a~b",
    "loss_1",
    "nul\x00",
    "two words",
]
SPECIAL = set("{}%$#&^~_\\ ")


def without_commands(tex: str) -> str:
    """``tex`` with every control sequence (``\\name`` or ``\\`` and one character) removed."""
    return re.sub(r"\\([A-Za-z]+|.)", "", tex)


@pytest.mark.parametrize("label", HOSTILE)
def test_a_label_becomes_a_name_with_every_special_character_escaped(label):
    name = _latex_name(label)
    assert name.startswith(r"\mathrm{") and name.endswith("}")
    inner = without_commands(name[len(r"\mathrm{") : -1])
    assert not SPECIAL & set(inner.replace("{}", "")), name  # only the empty {} of \hat{}
    assert all(c.isprintable() for c in name)


@pytest.mark.parametrize("label", HOSTILE)
def test_the_latex_of_a_root_with_a_hostile_label_stays_one_balanced_block(label):
    model = MLP(2, [1], seed=0)
    E = half_sum_squared_error(model([0.1, 0.2]), [1.0])
    E.label = label
    E.backward()
    latex = layer_view(E, model).latex()
    depth = 0
    for char in without_commands(latex):
        depth += {"{": 1, "}": -1}.get(char, 0)
        assert depth >= 0
    assert depth == 0
    assert latex.count(r"\begin{aligned}") == latex.count(r"\end{aligned}") == 1
    assert "%" not in without_commands(latex)


def test_a_plain_name_stays_as_it_is():
    assert _latex_name("E") == "E" and _latex_name("loss2") == "loss2"
    assert _latex_name("Eé") == r"\mathrm{Eé}"  # not ASCII: a name in roman type
