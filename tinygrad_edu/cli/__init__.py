"""The ``tinygrad-edu`` command line: one module per subcommand, joined in ``main``."""

from tinygrad_edu.cli.main import build_parser, main

__all__ = ["build_parser", "main"]
