"""Coming from microgpt: microgpt's ``Value`` protocol on tinygrad_edu's engine.

A microgpt-style script runs unchanged after its ``class Value`` is replaced by one line::

    from tinygrad_edu.microgpt import Value

or, with the script itself untouched, from the command line::

    tinygrad-edu run microgpt.py

``Value(data, children=(), local_grads=())`` builds microgpt's graph node for node and
computes each local derivative as microgpt does, so the losses, the sampled names and the raw
floats are microgpt's own (see :mod:`tinygrad_edu.microgpt.engine`); every node is a
tinygrad_edu ``Value``, so the engine's modes and lenses apply to it. ``tinygrad-edu run`` swaps
a script's own scalar autograd class for this one (or, for a micrograd-style class, for
``tinygrad_edu.micrograd``'s), keeping the methods the engine does not have and checking their
local derivatives at first use (see :mod:`tinygrad_edu.microgpt.swap`).
"""

from tinygrad_edu.microgpt.engine import Value

__all__ = ["Value"]
