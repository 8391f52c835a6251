"""The step-through page: one self-contained HTML file that walks backward through a graph a
node at a time (``stepper(root)``), with the records of ``backward_steps()`` as its numbers."""
