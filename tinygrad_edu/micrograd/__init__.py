"""Coming from micrograd: micrograd 0.1.0's ``engine.Value`` and ``nn`` on tinygrad_edu's engine.

Lesson code written for micrograd runs unchanged after one added line::

    import tinygrad_edu.micrograd; tinygrad_edu.micrograd.install()
    from micrograd.engine import Value   # now tinygrad_edu.micrograd.engine.Value
    from micrograd import nn             # now tinygrad_edu.micrograd.nn

It builds micrograd's graph node for node and computes micrograd's numbers, and every node is a
tinygrad_edu ``Value``, so ``draw_dot``, ``explain``, ``chain_paths``, ``backward_steps()`` and
``gradcheck`` work on what the lesson builds. ``install(fused=True)`` makes each neuron one
``Σwx+b`` node, with bit-identical numbers. See the README, "Coming from micrograd".
"""

from tinygrad_edu.micrograd import engine, nn
from tinygrad_edu.micrograd.drop_in import Installation, install, uninstall
from tinygrad_edu.micrograd.engine import Value

__all__ = ["Installation", "Value", "engine", "install", "nn", "uninstall"]
