"""Colours for gradients: the sign as the hue, the size as the strength.

Positive gradients are orange and negative ones purple (a pair that colour-blind readers tell
apart). The strength follows log₁₀ |g| over four decades below a fixed scale, the largest
final |gradient| of the graph, so that a 0.001 next to a 1 still shows and a colour never
changes meaning while backward runs: a node's colour only grows as its sum grows.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

__all__ = ["NOT_FINITE", "ZERO", "gradient_fill", "gradient_scale"]

POSITIVE = (230, 97, 1)  # orange
NEGATIVE = (94, 60, 153)  # purple
ZERO = "#ffffff"
NOT_FINITE = "#bdbdbd"  # inf or NaN: grey
DECADES = 4.0  # sizes from the scale down to 10⁻⁴ of it get stronger colours
WEAKEST, STRONGEST = 0.12, 0.7  # the share of the hue mixed into white


def gradient_scale(grads: Iterable[float]) -> float:
    """The largest finite |gradient|: the fixed scale of the colours (0 if there is none)."""
    return max((abs(g) for g in grads if math.isfinite(g)), default=0.0)


def gradient_fill(grad: float, scale: float) -> str:
    """The fill colour of a node whose gradient is ``grad``, as ``#rrggbb``."""
    if not math.isfinite(grad):
        return NOT_FINITE
    if grad == 0.0 or scale == 0.0:
        return ZERO
    size = 1.0 + math.log10(min(abs(grad) / scale, 1.0)) / DECADES  # 1 at the scale
    strength = WEAKEST + (STRONGEST - WEAKEST) * max(size, 0.0)
    hue = POSITIVE if grad > 0 else NEGATIVE
    mixed = (round(255 + (channel - 255) * strength) for channel in hue)
    return "#" + "".join(f"{channel:02x}" for channel in mixed)
