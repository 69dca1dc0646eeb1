"""The one error type of the local server: its message is one line, fit for a user."""


class ClusterError(RuntimeError):
    """The local server cannot be set up or reached. One line, fit for a user."""
