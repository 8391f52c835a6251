"""Ops of your own, first-class and checked: ``custom_op(symbol, forward, local)``.

    >>> import math
    >>> softplus = custom_op(
    ...     "softplus",
    ...     forward=lambda x: math.log1p(math.exp(x)),            # f(x) = ln(1 + eˣ)
    ...     local=lambda x, out: (1.0 / (1.0 + math.exp(-x)),),   # f′(x) = σ(x)
    ...     rule="σ({x})",
    ... )

``softplus(v)`` makes one node of a new op class built on the op protocol of
:mod:`tinygrad_edu.core.ops`: ``local`` gives its local derivatives from its operands' numbers
and its own value (``out=``), and the generic rule of :class:`~tinygrad_edu.core.ops.Op`
multiplies them by the upstream gradient. So ``backward()``, ``backward_steps()``,
``draw_dot``, ``chain_paths``, ``explain`` (with ``rule``'s words), ``gradcheck``,
``no_grad`` and ``detect_anomaly`` treat it as one of their own, and a network may use a
one-operand op as its activation. The op is registered under its symbol, so a saved model
that uses it loads in any program that has made it first.

The first time the op is used, ``local`` is compared with central differences of
``forward`` at the actual inputs, (f(x + h) − f(x − h)) / 2h; a mismatch raises
:class:`LocalDerivativeError`, naming the operand, both numbers and the likely mistake.
"""

from tinygrad_edu.custom_ops.first_use import LocalDerivativeError
from tinygrad_edu.custom_ops.operation import CustomOp, custom_op

__all__ = ["CustomOp", "LocalDerivativeError", "custom_op"]
