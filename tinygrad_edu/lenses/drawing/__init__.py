"""Drawing a graph: ``draw_dot`` and ``render`` (graphviz), the ``Drawing`` it returns, and the
pure-Python layered layout and SVG writer that show every picture where graphviz's ``dot``
program is not installed."""
