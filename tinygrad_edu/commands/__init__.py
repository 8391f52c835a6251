"""One module per ``tinygrad-edu`` subcommand, each with ``add_parser(subparsers)``."""
