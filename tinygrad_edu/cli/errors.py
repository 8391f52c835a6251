"""The one error the command line reports itself: a line on stderr and exit status 2."""


class UsageError(Exception):
    """A mistake on the command line or in a file it names: exit 2 with this one line."""
