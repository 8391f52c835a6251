"""Read-only views of a graph: its chain-rule paths, their explanation, drawings, gradient
checks, and the expression parser that builds small graphs to look at."""
